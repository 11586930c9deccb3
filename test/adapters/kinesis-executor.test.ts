/**
 * The Kinesis executor's calls against a fake Kinesis (aws-sdk-client-mock) whose transitions end after a set
 * number of status polls, with sleeps that return at once and are recorded: how many DescribeStreamSummary polls a
 * stream costs, that nothing is read that the previous answer already told, how long the first poll waits, and
 * how tags sent with a create are checked once and then trusted. No test depends on the clock.
 */
import {
  AddTagsToStreamCommand,
  CreateStreamCommand,
  DescribeStreamConsumerCommand,
  DescribeStreamSummaryCommand,
  IncreaseStreamRetentionPeriodCommand,
  InvalidArgumentException,
  KinesisClient,
  ListTagsForResourceCommand,
  PutResourcePolicyCommand,
  RegisterStreamConsumerCommand,
  ResourceInUseException,
  ResourceNotFoundException,
  StartStreamEncryptionCommand,
  TagResourceCommand,
} from '@aws-sdk/client-kinesis';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { KinesisExecutor } from '../../src/adapters/aws/kinesis-executor.js';
import type { WaitOptions } from '../../src/adapters/aws/kinesis-waits.js';
import type { ApplyStep } from '../../src/core/apply/types.js';
import { A1, aChange } from '../apply/builders.js';

const kinesis = mockClient(KinesisClient);
const client = new KinesisClient({ region: 'eu-west-1', credentials: { accessKeyId: 'x', secretAccessKey: 'x' } });
const arn = (s: string) => `arn:aws:kinesis:eu-west-1:${A1}:stream/${s}`;

interface FakeStream {
  status: 'CREATING' | 'UPDATING' | 'ACTIVE';
  /** Status polls left before the transition ends. */
  pollsLeft: number;
  retention: number;
  encryption: 'NONE' | 'KMS';
  tags: Record<string, string>;
}

/** A Kinesis that takes at most `maxCreateTags` tags with CreateStream and drops those sent with RegisterStreamConsumer. */
function fakeKinesis(o: { pollsPerTransition: number; maxCreateTags: number }) {
  const streams = new Map<string, FakeStream>();
  const consumers = new Map<string, { pollsLeft: number; tags: Record<string, string> }>();
  const nameOf = (input: { StreamName?: string; StreamARN?: string; ResourceARN?: string }) =>
    input.StreamName ?? /stream\/([^/]+)/.exec(input.StreamARN ?? input.ResourceARN ?? '')?.[1] ?? '';
  const busy = (name: string) => {
    const s = streams.get(name);
    if (!s) throw new ResourceNotFoundException({ message: `Stream ${name} not found`, $metadata: {} });
    if (s.status !== 'ACTIVE')
      throw new ResourceInUseException({ message: `Stream ${name} is ${s.status}`, $metadata: {} });
    return s;
  };
  kinesis.on(CreateStreamCommand).callsFake((input: { StreamName: string; Tags?: Record<string, string> }) => {
    if (Object.keys(input.Tags ?? {}).length > o.maxCreateTags) {
      throw new InvalidArgumentException({
        message: `Can only add ${o.maxCreateTags} tags with a single request`,
        $metadata: {},
      });
    }
    if (streams.has(input.StreamName)) throw new ResourceInUseException({ message: 'exists', $metadata: {} });
    streams.set(input.StreamName, {
      status: 'CREATING',
      pollsLeft: o.pollsPerTransition,
      retention: 24,
      encryption: 'NONE',
      tags: { ...input.Tags },
    });
    return {};
  });
  kinesis.on(DescribeStreamSummaryCommand).callsFake((input: { StreamName: string }) => {
    const s = streams.get(input.StreamName);
    if (!s) throw new ResourceNotFoundException({ message: 'not found', $metadata: {} });
    if (s.status !== 'ACTIVE' && --s.pollsLeft <= 0) s.status = 'ACTIVE';
    return {
      StreamDescriptionSummary: {
        StreamName: input.StreamName,
        StreamARN: arn(input.StreamName),
        StreamStatus: s.status,
        StreamModeDetails: { StreamMode: 'PROVISIONED' },
        RetentionPeriodHours: s.retention,
        EncryptionType: s.encryption,
        ...(s.encryption === 'KMS' ? { KeyId: 'alias/aws/kinesis' } : {}),
        OpenShardCount: 1,
      },
    };
  });
  kinesis
    .on(IncreaseStreamRetentionPeriodCommand)
    .callsFake((input: { StreamARN: string; RetentionPeriodHours: number }) => {
      busy(nameOf(input)).retention = input.RetentionPeriodHours;
      return {};
    });
  kinesis.on(StartStreamEncryptionCommand).callsFake((input: { StreamARN: string }) => {
    const s = busy(nameOf(input));
    Object.assign(s, { encryption: 'KMS', status: 'UPDATING', pollsLeft: o.pollsPerTransition });
    return {};
  });
  kinesis.on(AddTagsToStreamCommand).callsFake((input: { StreamARN: string; Tags: Record<string, string> }) => {
    Object.assign(busy(nameOf(input)).tags, input.Tags);
    return {};
  });
  kinesis.on(ListTagsForResourceCommand).callsFake((input: { ResourceARN: string }) => {
    const tags = input.ResourceARN.includes('/consumer/')
      ? consumers.get(input.ResourceARN)?.tags
      : streams.get(nameOf(input))?.tags;
    return { Tags: Object.entries(tags ?? {}).map(([Key, Value]) => ({ Key, Value })) };
  });
  kinesis.on(RegisterStreamConsumerCommand).callsFake((input: { StreamARN: string; ConsumerName: string }) => {
    busy(nameOf(input));
    const consumerArn = `${input.StreamARN}/consumer/${input.ConsumerName}:1`;
    consumers.set(consumerArn, { pollsLeft: o.pollsPerTransition, tags: {} });
    return { Consumer: { ConsumerName: input.ConsumerName, ConsumerARN: consumerArn, ConsumerStatus: 'CREATING' } };
  });
  kinesis.on(DescribeStreamConsumerCommand).callsFake((input: { StreamARN: string; ConsumerName: string }) => {
    const consumerArn = `${input.StreamARN}/consumer/${input.ConsumerName}:1`;
    const c = consumers.get(consumerArn);
    if (!c) throw new ResourceNotFoundException({ message: 'not found', $metadata: {} });
    c.pollsLeft--;
    return {
      ConsumerDescription: {
        ConsumerName: input.ConsumerName,
        ConsumerARN: consumerArn,
        ConsumerStatus: c.pollsLeft <= 0 ? 'ACTIVE' : 'CREATING',
        StreamARN: input.StreamARN,
      },
    };
  });
  kinesis.on(TagResourceCommand).callsFake((input: { ResourceARN: string; Tags: Record<string, string> }) => {
    Object.assign(consumers.get(input.ResourceARN)?.tags ?? {}, input.Tags);
    return {};
  });
  kinesis.on(PutResourcePolicyCommand).resolves({});
  return { streams, consumers };
}

/** Sleeps return at once; each is recorded, and the fake clock moves by it. */
function fakeWait(): WaitOptions & { sleeps: number[] } {
  let t = 0;
  const sleeps: number[] = [];
  return {
    baseMs: 100,
    capMs: 1000,
    timeoutMs: 60_000,
    random: () => 0,
    sleeps,
    clock: {
      now: () => new Date(t),
      sleep: async (ms) => {
        sleeps.push(ms);
        t += ms;
      },
    },
  };
}

function executor(wait: WaitOptions) {
  return new KinesisExecutor({
    client: () => client,
    region: 'eu-west-1',
    partition: 'aws',
    log: () => undefined,
    history: () => [],
    now: () => new Date('2026-01-01T00:00:00Z'),
    wait,
    retry: { maxAttempts: 3, backoff: { computeNextBackoffDelay: () => 0, setDelayBase: () => undefined } },
  });
}

const TAGS = Object.fromEntries(Array.from({ length: 11 }, (_, i) => [`k${i}`, `v${i}`]));

function createStep(stream: string): ApplyStep {
  const change = aChange({
    resourceType: 'stream',
    action: 'create',
    stream,
    before: null,
    after: {
      mode: 'PROVISIONED',
      shards: 1,
      retentionHours: 48,
      encryption: { type: 'KMS', keyId: 'alias/aws/kinesis' },
      enhancedMonitoring: [],
      tags: TAGS,
      deletionProtection: false,
    },
  });
  return { id: change.id, change, lane: `${A1}/stream/${stream}`, expectedCalls: [] };
}

function step(resourceType: 'consumer' | 'stream-policy', stream: string): ApplyStep {
  const change =
    resourceType === 'consumer'
      ? aChange({
          resourceType,
          action: 'create',
          stream,
          before: null,
          after: { name: 'scorer', grantId: 'g', tags: { team: 'a' } },
        })
      : aChange({
          resourceType,
          action: 'create',
          stream,
          before: null,
          after: { policy: { Version: '2012-10-17', Statement: [] } },
        });
  return { id: change.id, change, lane: `${A1}/stream/${stream}`, expectedCalls: [] };
}

const count = (command: Parameters<typeof kinesis.commandCalls>[0]) => kinesis.commandCalls(command).length;

beforeEach(() => kinesis.reset());
afterEach(() => kinesis.reset());

describe('KinesisExecutor: creating a stream', () => {
  it('creates at once, polls once per transition once the duration is known, and reads nothing the answers told', async () => {
    const fake = fakeKinesis({ pollsPerTransition: 1, maxCreateTags: 50 });
    const wait = fakeWait();
    const ex = executor(wait);
    let settledAt = -1;
    const r = await ex.execute(createStep('a.v1'), {
      settled: () => (settledAt = count(IncreaseStreamRetentionPeriodCommand)),
    });
    expect(r).toEqual({ status: 'done' });
    // No status read before the create: the plan says the stream is not there.
    expect(kinesis.calls()[0]?.args[0]).toBeInstanceOf(CreateStreamCommand);
    // One poll after the create, one after StartStreamEncryption; retention needed none (its answer suffices).
    expect(count(DescribeStreamSummaryCommand)).toBe(2);
    expect(fake.streams.get('a.v1')).toMatchObject({ status: 'ACTIVE', retention: 48, encryption: 'KMS', tags: TAGS });
    // The transition slot went back once ACTIVE, before the settings calls.
    expect(settledAt).toBe(0);
    // The policy and the consumer of the same lane need no status read either.
    expect((await ex.execute(step('stream-policy', 'a.v1'))).status).toBe('done');
    expect((await ex.execute(step('consumer', 'a.v1'))).status).toBe('done');
    expect(count(DescribeStreamSummaryCommand)).toBe(2);
    expect(kinesis.commandCalls(PutResourcePolicyCommand)[0]?.args[0].input).toMatchObject({
      ResourceARN: arn('a.v1'),
    });
  });

  it('sleeps before the first poll for as long as the last transition took', async () => {
    fakeKinesis({ pollsPerTransition: 3, maxCreateTags: 50 });
    const wait = fakeWait();
    const ex = executor(wait);
    expect((await ex.execute(createStep('a.v1'))).status).toBe('done');
    // Before any transition was seen: the base delay; then polls from a quarter of it (at least the base), growing.
    expect(wait.sleeps.slice(0, 3)).toEqual([100, 50, 75]);
    const afterFirst = wait.sleeps.length;
    expect((await ex.execute(createStep('b.v1'))).status).toBe('done');
    // The second create's first sleep is what the first create's wait took in all (100 + 50 + 75).
    expect(wait.sleeps[afterFirst]).toBe(225);
  });

  it('falls back to 10 tags with the create when the endpoint refuses more, reads them back once, then trusts', async () => {
    const fake = fakeKinesis({ pollsPerTransition: 1, maxCreateTags: 10 });
    const ex = executor(fakeWait());
    expect((await ex.execute(createStep('a.v1'))).status).toBe('done');
    expect((await ex.execute(createStep('b.v1'))).status).toBe('done');
    const creates = kinesis
      .commandCalls(CreateStreamCommand)
      .map((c) => Object.keys(c.args[0].input.Tags ?? {}).length);
    expect(creates).toEqual([11, 10, 10]);
    expect(kinesis.commandCalls(AddTagsToStreamCommand).map((c) => c.args[0].input.Tags)).toEqual([
      { k10: 'v10' },
      { k10: 'v10' },
    ]);
    // The first stream's tags were read back; the second's were not.
    expect(kinesis.commandCalls(ListTagsForResourceCommand).map((c) => c.args[0].input.ResourceARN)).toEqual([
      arn('a.v1'),
    ]);
    expect(fake.streams.get('b.v1')?.tags).toEqual(TAGS);
  });

  it('learns that an endpoint drops the tags sent with RegisterStreamConsumer and tags without reading first', async () => {
    const fake = fakeKinesis({ pollsPerTransition: 1, maxCreateTags: 50 });
    const ex = executor(fakeWait());
    for (const s of ['a.v1', 'b.v1']) {
      expect((await ex.execute(createStep(s))).status).toBe('done');
      expect((await ex.execute(step('consumer', s))).status).toBe('done');
    }
    const consumerReads = kinesis
      .commandCalls(ListTagsForResourceCommand)
      .filter((c) => c.args[0].input.ResourceARN?.includes('/consumer/'));
    expect(consumerReads).toHaveLength(1);
    expect(count(TagResourceCommand)).toBe(2);
    for (const c of fake.consumers.values()) expect(c.tags).toEqual({ team: 'a' });
  });

  it('converges when the stream exists already (an earlier attempt whose answer was lost)', async () => {
    const fake = fakeKinesis({ pollsPerTransition: 1, maxCreateTags: 50 });
    fake.streams.set('a.v1', { status: 'ACTIVE', pollsLeft: 0, retention: 24, encryption: 'NONE', tags: {} });
    const r = await executor(fakeWait()).execute(createStep('a.v1'));
    expect(r).toEqual({
      status: 'done',
      message: 'the stream already existed (an earlier attempt reached AWS); settings converged',
    });
    expect(fake.streams.get('a.v1')).toMatchObject({ retention: 48, encryption: 'KMS', tags: TAGS });
  });
});
