/**
 * The Lambda executor against a fake Lambda (aws-sdk-client-mock): creates a missing mapping with the declared
 * settings, replaces the filter criteria of a drifted one by UUID, retries TooManyRequestsException and logs every
 * attempt (intent before, outcome after), converges (already in place: no call), and never deletes a mapping.
 */
import {
  CreateEventSourceMappingCommand,
  DeleteEventSourceMappingCommand,
  LambdaClient,
  ListEventSourceMappingsCommand,
  ResourceConflictException,
  InvalidParameterValueException,
  TooManyRequestsException,
  UpdateEventSourceMappingCommand,
} from '@aws-sdk/client-lambda';
import type { EventSourceMappingConfiguration } from '@aws-sdk/client-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { LAMBDA_EXECUTOR_IAM_ACTIONS, LambdaExecutor } from '../../src/adapters/aws/lambda-executor.js';
import type { ApplyStep, AuditEntry } from '../../src/core/apply/types.js';
import type { EventSourceMappingChange } from '../../src/core/plan/types.js';

const lambda = mockClient(LambdaClient);
const client = new LambdaClient({ region: 'eu-west-1', credentials: { accessKeyId: 'x', secretAccessKey: 'x' } });
const GRANTEE = '222222222222';
const STREAM_ARN = 'arn:aws:kinesis:eu-west-1:111111111111:stream/payments.orders.v1';
const FN_ARN = `arn:aws:lambda:eu-west-1:${GRANTEE}:function:order-alerts`;
const PATTERN = '{"data":{"type":["order"]}}';
const ADDRESS = `${GRANTEE}/lambda/event-source-mapping/alerts-filter-orders`;

/** Every call the fake saw is an action the executor declares (its permissions are rendered from that list). */
afterEach(() => {
  const called = lambda.calls().map((c) => `lambda:${(c.args[0] as object).constructor.name.replace(/Command$/, '')}`);
  expect(called.filter((a) => !(LAMBDA_EXECUTOR_IAM_ACTIONS as readonly string[]).includes(a))).toEqual([]);
  lambda.reset();
});

function executor(log: AuditEntry[], sleeps: number[] = []) {
  return new LambdaExecutor({
    sleep: async (ms) => void sleeps.push(ms),
    client: () => client,
    partition: 'aws',
    region: 'eu-west-1',
    log: (e) => log.push(e),
    now: () => new Date('2026-01-01T00:00:00Z'),
    retry: { maxAttempts: 3, backoff: { computeNextBackoffDelay: () => 0, setDelayBase: () => undefined } },
  });
}

const target = {
  account: GRANTEE,
  grantId: 'alerts-filter-orders',
  functionName: 'order-alerts',
  eventSourceArn: STREAM_ARN,
};
const common = {
  id: `event-source-mapping:${ADDRESS}`,
  address: ADDRESS,
  account: GRANTEE,
  reasons: ['test'],
  dependsOn: [],
  order: 1,
  resourceType: 'event-source-mapping' as const,
};

function createStep(): ApplyStep {
  const change: EventSourceMappingChange = {
    ...common,
    target,
    action: 'create',
    risk: 'safe',
    before: null,
    after: {
      functionName: 'order-alerts',
      eventSourceArn: STREAM_ARN,
      startingPosition: 'TRIM_HORIZON',
      batchSize: 50,
      filterPatterns: [PATTERN],
    },
  };
  return { id: change.id, change, lane: `${GRANTEE}/lambda`, expectedCalls: [] };
}

function updateStep(uuid = 'u-1'): ApplyStep {
  const change: EventSourceMappingChange = {
    ...common,
    target: { ...target, uuid },
    action: 'update',
    risk: 'disruptive',
    before: { filterPatterns: [] },
    after: { filterPatterns: [PATTERN] },
  };
  return { id: change.id, change, lane: `${GRANTEE}/lambda`, expectedCalls: [] };
}

function mapping(o: Partial<EventSourceMappingConfiguration> = {}): EventSourceMappingConfiguration {
  return {
    UUID: 'u-1',
    FunctionArn: FN_ARN,
    EventSourceArn: STREAM_ARN,
    StartingPosition: 'LATEST',
    BatchSize: 100,
    State: 'Enabled',
    ...o,
  };
}

const throttled = () => new TooManyRequestsException({ message: 'Rate exceeded', $metadata: { httpStatusCode: 429 } });

describe('LambdaExecutor', () => {
  it('creates a missing mapping with the declared settings; each attempt is logged, throttling retried', async () => {
    lambda.on(ListEventSourceMappingsCommand).resolves({ EventSourceMappings: [] });
    lambda
      .on(CreateEventSourceMappingCommand)
      .rejectsOnce(throttled())
      .rejectsOnce(throttled())
      .resolves({ UUID: 'new-1' });
    const log: AuditEntry[] = [];
    const r = await executor(log).execute(createStep());
    expect(r).toEqual({ status: 'done', message: 'created mapping new-1' });
    const calls = lambda.commandCalls(CreateEventSourceMappingCommand);
    expect(calls).toHaveLength(3);
    expect(calls[0]?.args[0].input).toEqual({
      FunctionName: 'order-alerts',
      EventSourceArn: STREAM_ARN,
      StartingPosition: 'TRIM_HORIZON',
      BatchSize: 50,
      FilterCriteria: { Filters: [{ Pattern: PATTERN }] },
    });
    expect(log.map((e) => `${e.api} ${e.attempt} ${e.result}`)).toEqual([
      'lambda:CreateEventSourceMapping 1 started',
      'lambda:CreateEventSourceMapping 1 error',
      'lambda:CreateEventSourceMapping 2 started',
      'lambda:CreateEventSourceMapping 2 error',
      'lambda:CreateEventSourceMapping 3 started',
      'lambda:CreateEventSourceMapping 3 ok',
    ]);
    expect(log.every((e) => e.account === GRANTEE && e.change === createStep().id)).toBe(true);
  });

  // Lambda checks at create time that the function's role can read the source; the role's policy was written by the
  // same apply moments before, and IAM is eventually consistent.
  const roleCannotRead = () =>
    new InvalidParameterValueException({
      message: 'Cannot access stream. Please ensure the role can perform the GetRecords action on your stream.',
      $metadata: { httpStatusCode: 400 },
    });
  it('asks again after 2 s and 4 s when Lambda says the role cannot read the source yet, then creates it', async () => {
    lambda.on(ListEventSourceMappingsCommand).resolves({ EventSourceMappings: [] });
    lambda
      .on(CreateEventSourceMappingCommand)
      .rejectsOnce(roleCannotRead())
      .rejectsOnce(roleCannotRead())
      .resolves({ UUID: 'new-2' });
    const sleeps: number[] = [];
    const log: AuditEntry[] = [];
    const r = await executor(log, sleeps).execute(createStep());
    expect(r).toEqual({ status: 'done', message: 'created mapping new-2' });
    expect(sleeps).toEqual([2_000, 4_000]);
    expect(log.filter((e) => e.result === 'started')).toHaveLength(3);
  });

  it('gives up after 30 s of refusals, saying IAM may not have reached Lambda yet', async () => {
    lambda.on(ListEventSourceMappingsCommand).resolves({ EventSourceMappings: [] });
    lambda.on(CreateEventSourceMappingCommand).rejects(roleCannotRead());
    const sleeps: number[] = [];
    const r = await executor([], sleeps).execute(createStep());
    expect(sleeps).toEqual([2_000, 4_000, 8_000, 16_000]);
    expect(lambda.commandCalls(CreateEventSourceMappingCommand)).toHaveLength(5);
    expect(r.status).toBe('failed');
    expect(r.message).toContain('asked 5 times over 30 s');
    expect(r.message).toContain('apply again');
  });

  it('gives up after the retry budget and says so', async () => {
    lambda.on(ListEventSourceMappingsCommand).resolves({ EventSourceMappings: [] });
    lambda.on(CreateEventSourceMappingCommand).rejects(throttled());
    const r = await executor([]).execute(createStep());
    expect(r.status).toBe('failed');
    expect(r.message).toContain('CreateEventSourceMapping failed after 3 attempt(s)');
  });

  it('a mapping with the declared filters already there (a rerun, a lost answer): done, no call', async () => {
    lambda.on(ListEventSourceMappingsCommand).resolves({
      EventSourceMappings: [mapping({ FilterCriteria: { Filters: [{ Pattern: '{ "data": {"type": ["order"]} }' }] } })],
    });
    const log: AuditEntry[] = [];
    const r = await executor(log).execute(createStep());
    expect(r).toEqual({ status: 'done', message: 'already in place (mapping u-1)' });
    expect(lambda.commandCalls(CreateEventSourceMappingCommand)).toHaveLength(0);
    expect(log).toEqual([]);
  });

  it('a mapping of the function with other filters appeared since the plan: fails, creates nothing', async () => {
    lambda.on(ListEventSourceMappingsCommand).resolves({
      EventSourceMappings: [mapping({ FilterCriteria: { Filters: [{ Pattern: '{"data":{"x":[1]}}' }] } })],
    });
    const r = await executor([]).execute(createStep());
    expect(r.status).toBe('failed');
    expect(r.message).toContain('plan again');
    expect(lambda.commandCalls(CreateEventSourceMappingCommand)).toHaveLength(0);
  });

  it('ResourceConflictException on create, then the mapping is there with our filters: done', async () => {
    lambda
      .on(ListEventSourceMappingsCommand)
      .resolvesOnce({ EventSourceMappings: [] })
      .resolves({
        EventSourceMappings: [mapping({ UUID: 'raced', FilterCriteria: { Filters: [{ Pattern: PATTERN }] } })],
      });
    lambda
      .on(CreateEventSourceMappingCommand)
      .rejects(new ResourceConflictException({ message: 'exists', $metadata: { httpStatusCode: 409 } }));
    const r = await executor([]).execute(createStep());
    expect(r).toEqual({ status: 'done', message: 'already in place (mapping raced)' });
  });

  it('updates the filter criteria by UUID (retrying throttling), and never deletes', async () => {
    lambda
      .on(ListEventSourceMappingsCommand)
      .resolves({ EventSourceMappings: [mapping({ FilterCriteria: { Filters: [] } })] });
    lambda.on(UpdateEventSourceMappingCommand).rejectsOnce(throttled()).resolves({ UUID: 'u-1' });
    const log: AuditEntry[] = [];
    const r = await executor(log).execute(updateStep());
    expect(r.status).toBe('done');
    const calls = lambda.commandCalls(UpdateEventSourceMappingCommand);
    expect(calls.map((c) => c.args[0].input)).toEqual([
      { UUID: 'u-1', FilterCriteria: { Filters: [{ Pattern: PATTERN }] } },
      { UUID: 'u-1', FilterCriteria: { Filters: [{ Pattern: PATTERN }] } },
    ]);
    expect(log.map((e) => `${e.api} ${e.result} ${e.resource}`)).toEqual([
      `lambda:UpdateEventSourceMapping started arn:aws:lambda:eu-west-1:${GRANTEE}:event-source-mapping:u-1`,
      `lambda:UpdateEventSourceMapping error arn:aws:lambda:eu-west-1:${GRANTEE}:event-source-mapping:u-1`,
      `lambda:UpdateEventSourceMapping started arn:aws:lambda:eu-west-1:${GRANTEE}:event-source-mapping:u-1`,
      `lambda:UpdateEventSourceMapping ok arn:aws:lambda:eu-west-1:${GRANTEE}:event-source-mapping:u-1`,
    ]);
    expect(lambda.commandCalls(DeleteEventSourceMappingCommand)).toHaveLength(0);
  });

  it('an update whose mapping already has the declared filters (a rerun, a lost answer): done, no call', async () => {
    lambda.on(ListEventSourceMappingsCommand).resolves({
      EventSourceMappings: [mapping({ FilterCriteria: { Filters: [{ Pattern: '{ "data": {"type": ["order"]} }' }] } })],
    });
    lambda.on(UpdateEventSourceMappingCommand).resolves({ UUID: 'u-1' });
    const log: AuditEntry[] = [];
    const r = await executor(log).execute(updateStep());
    expect(r).toEqual({ status: 'done', message: 'filter criteria already as declared' });
    expect(lambda.commandCalls(UpdateEventSourceMappingCommand)).toHaveLength(0);
    expect(log).toEqual([]);
  });

  it('the mapping the plan saw is gone: fails without creating or updating anything', async () => {
    lambda.on(ListEventSourceMappingsCommand).resolves({ EventSourceMappings: [mapping({ UUID: 'other' })] });
    const r = await executor([]).execute(updateStep('u-1'));
    expect(r.status).toBe('failed');
    expect(r.message).toContain('no longer on');
    expect(lambda.commandCalls(UpdateEventSourceMappingCommand)).toHaveLength(0);
    expect(lambda.commandCalls(CreateEventSourceMappingCommand)).toHaveLength(0);
  });

  it('the same UUID on another function is not ours', async () => {
    lambda.on(ListEventSourceMappingsCommand).resolves({
      EventSourceMappings: [mapping({ FunctionArn: `${FN_ARN}-other`, FilterCriteria: { Filters: [] } })],
    });
    const r = await executor([]).execute(updateStep('u-1'));
    expect(r.status).toBe('failed');
    expect(lambda.commandCalls(UpdateEventSourceMappingCommand)).toHaveLength(0);
  });
});

describe('LambdaExecutor: a mapping that reads through an EFO consumer', () => {
  // DescribeStreamConsumer answers the ARN with the creation timestamp.
  const CONSUMER_ARN = `${STREAM_ARN}/consumer/order-alerts-efo:1764547100`;

  function efoExecutor(log: AuditEntry[], answer: () => Promise<string | undefined>, asked: string[][] = []) {
    return new LambdaExecutor({
      client: () => client,
      partition: 'aws',
      region: 'eu-west-1',
      log: (e) => log.push(e),
      now: () => new Date('2026-01-01T00:00:00Z'),
      consumerArn: (account, stream, name) => {
        asked.push([account, stream, name]);
        return answer();
      },
    });
  }

  function efoCreate(): ApplyStep {
    const step = createStep();
    const c = step.change as EventSourceMappingChange & { action: 'create' };
    const change = {
      ...c,
      target: { ...c.target, consumer: 'order-alerts-efo' },
      after: { ...c.after, consumer: 'order-alerts-efo' },
    };
    return { ...step, change };
  }

  it("creates the mapping with the consumer's live ARN, looked up in the stream's account", async () => {
    lambda.on(ListEventSourceMappingsCommand).resolves({ EventSourceMappings: [] });
    lambda.on(CreateEventSourceMappingCommand).resolves({ UUID: 'new-1' });
    const asked: string[][] = [];
    const r = await efoExecutor([], async () => CONSUMER_ARN, asked).execute(efoCreate());
    expect(r).toEqual({ status: 'done', message: 'created mapping new-1' });
    expect(asked).toEqual([['111111111111', STREAM_ARN, 'order-alerts-efo']]);
    expect(lambda.commandCalls(ListEventSourceMappingsCommand)[0]?.args[0].input.EventSourceArn).toBe(CONSUMER_ARN);
    expect(lambda.commandCalls(CreateEventSourceMappingCommand)[0]?.args[0].input).toMatchObject({
      FunctionName: 'order-alerts',
      EventSourceArn: CONSUMER_ARN,
      FilterCriteria: { Filters: [{ Pattern: PATTERN }] },
    });
  });

  it('a mapping already on the consumer with the declared filters: done without a call', async () => {
    lambda.on(ListEventSourceMappingsCommand).resolves({
      EventSourceMappings: [
        mapping({ EventSourceArn: CONSUMER_ARN, FilterCriteria: { Filters: [{ Pattern: PATTERN }] } }),
      ],
    });
    const r = await efoExecutor([], async () => CONSUMER_ARN).execute(efoCreate());
    expect(r).toEqual({ status: 'done', message: 'already in place (mapping u-1)' });
    expect(lambda.commandCalls(CreateEventSourceMappingCommand)).toHaveLength(0);
  });

  it.each([
    ['not registered', async () => undefined],
    ['another consumer', async () => `${STREAM_ARN}/consumer/someone-else:1764547100`],
    ['the stream itself', async () => STREAM_ARN],
    ['a consumer of another stream', async () => `${STREAM_ARN}-x/consumer/order-alerts-efo:1764547100`],
  ])('the lookup answers %s: failed, nothing created', async (_, answer) => {
    lambda.on(ListEventSourceMappingsCommand).resolves({ EventSourceMappings: [] });
    const r = await efoExecutor([], answer).execute(efoCreate());
    expect(r.status).toBe('failed');
    expect(r.message).toContain('consumer order-alerts-efo of');
    expect(lambda.commandCalls(CreateEventSourceMappingCommand)).toHaveLength(0);
  });

  it('a failing lookup fails the step with its reason', async () => {
    const r = await efoExecutor([], () => Promise.reject(new Error('timed out'))).execute(efoCreate());
    expect(r).toEqual({
      status: 'failed',
      message: expect.stringContaining('DescribeStreamConsumer for consumer order-alerts-efo failed'),
    });
    expect(lambda.commandCalls(CreateEventSourceMappingCommand)).toHaveLength(0);
  });
});
