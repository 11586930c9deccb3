/**
 * Executes `event-source-mapping` changes (only planned for grants with `filter.manageMapping: true`): creates a
 * filtered grant's mapping (CreateEventSourceMapping) or replaces its filter criteria (UpdateEventSourceMapping by
 * UUID). https://docs.aws.amazon.com/lambda/latest/api/API_CreateEventSourceMapping.html
 * A mapping that reads through an EFO consumer gets the consumer's live ARN as its EventSourceArn (looked up once the
 * consumer is ACTIVE; https://docs.aws.amazon.com/lambda/latest/dg/with-kinesis.html).
 * Like the other executors it converges from a fresh read: a mapping that already has the declared filters is done
 * (a create whose answer was lost, a rerun), and each attempt of a mutating call is logged (intent, then outcome)
 * and retried by the SDK's strategy (`withRetry`). It never deletes a mapping.
 */
import { CreateEventSourceMappingCommand, UpdateEventSourceMappingCommand } from '@aws-sdk/client-lambda';
import type { LambdaClient } from '@aws-sdk/client-lambda';
import type { ApplyStep, AuditEntry, ChangeExecutor } from '../../core/apply/types.js';
import type { LiveEventSourceMapping } from '../../core/plan/live.js';
import { diffPatterns, isDeclaredFunction, readsDeclaredSource } from '../../core/plan/mapping-compare.js';
import type { EventSourceMappingChange } from '../../core/plan/types.js';
import { functionArn } from '../../core/render/arn.js';
import { errorCode } from './errors.js';
import { listSource } from './lambda-reader.js';
import { auditLine, describeError, MeshgovRetryStrategy, withRetry, WRITE_RETRY } from './retry.js';
import type { AttemptEvent, RetryPolicy } from './retry.js';

/** IAM actions the executor calls (governance role). */
export const LAMBDA_EXECUTOR_IAM_ACTIONS = [
  'lambda:CreateEventSourceMapping',
  'lambda:ListEventSourceMappings',
  'lambda:UpdateEventSourceMapping',
] as const;

export interface LambdaExecutorOptions {
  /** Lambda client of an account for mutating calls (one attempt per call: retried and logged here). */
  client: (account: string) => LambdaClient;
  /** Lambda client of an account for reads, whose SDK retries (`client` by default). */
  readClient?: (account: string) => LambdaClient;
  partition: string;
  region: string;
  log: (entry: AuditEntry) => void;
  now: () => Date;
  /** Attempts per mutating call and their backoff (WRITE_RETRY by default). */
  retry?: RetryPolicy;
  /**
   * Waits before asking Lambda again to create a mapping it refused as invalid (`ROLE_PROPAGATION_WAITS_MS` by
   * default; tests pass short ones). Sleeps with setTimeout unless `sleep` is given.
   */
  propagationWaitsMs?: readonly number[];
  sleep?: (ms: number) => Promise<void>;
  /**
   * The ARN of an enhanced fan-out consumer once it is ACTIVE (DescribeStreamConsumer in the stream's account),
   * undefined when it is not registered. Needed by mappings that read through a consumer: its ARN ends with a
   * creation timestamp, unknown to the plan when the same apply registers it.
   */
  consumerArn?: (streamAccount: string, streamArn: string, consumer: string) => Promise<string | undefined>;
}

class Failed extends Error {}

/**
 * CreateEventSourceMapping checks that the function's execution role can read the source, and answers
 * InvalidParameterValueException when it cannot. The same apply has just written that role's policy (the IAM phase
 * runs before the mappings), and IAM changes take seconds to reach other services: the create is asked again after
 * these waits (30 s in all) before it fails.
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/troubleshoot_general.html#troubleshoot_general_eventual-consistency
 */
export const ROLE_PROPAGATION_WAITS_MS: readonly number[] = [2_000, 4_000, 8_000, 16_000];

export class LambdaExecutor implements ChangeExecutor {
  private readonly retry: MeshgovRetryStrategy;
  constructor(private readonly o: LambdaExecutorOptions) {
    this.retry = new MeshgovRetryStrategy(o.retry ?? WRITE_RETRY);
  }

  async execute(step: ApplyStep): Promise<{ status: 'done' | 'failed'; message?: string }> {
    const c = step.change;
    if (c.resourceType !== 'event-source-mapping')
      return { status: 'failed', message: `${c.resourceType} is not a Lambda change` };
    try {
      const message = await this.run(step, c);
      return { status: 'done', ...(message ? { message } : {}) };
    } catch (e) {
      return { status: 'failed', message: e instanceof Failed ? e.message : describeError(e) };
    }
  }

  /** The event source ARN of the change: the stream, or the live ARN of the consumer it reads through. */
  private async source(c: EventSourceMappingChange): Promise<string> {
    const stream = c.target.eventSourceArn;
    const consumer = c.target.consumer;
    if (consumer === undefined) return stream;
    // arn:<partition>:kinesis:<region>:<account>:stream/<name>
    const streamAccount = stream.split(':')[4] ?? '';
    let arn: string | undefined;
    try {
      arn = await this.o.consumerArn?.(streamAccount, stream, consumer);
    } catch (e) {
      throw new Failed(`DescribeStreamConsumer for consumer ${consumer} failed: ${describeError(e)}`);
    }
    // The consumer ARN must be one of the declared stream's, whatever the answer says.
    if (arn === undefined || !readsDeclaredSource({ eventSourceArn: stream, consumer }, arn))
      throw new Failed(`consumer ${consumer} of ${stream} is not registered (or not ACTIVE); apply again once it is`);
    return arn;
  }

  /** The mappings of the change's function on its source, read now. */
  private async ours(c: EventSourceMappingChange, source: string): Promise<LiveEventSourceMapping[]> {
    const reader = (this.o.readClient ?? this.o.client)(c.target.account);
    const fn = { functionArn: functionArn(this.o, c.target.account, c.target.functionName) };
    try {
      const all = await listSource(reader, source);
      return all.filter((m) => isDeclaredFunction(fn, m.functionArn));
    } catch (e) {
      throw new Failed(`ListEventSourceMappings failed: ${describeError(e)}`);
    }
  }

  private async run(step: ApplyStep, c: EventSourceMappingChange): Promise<string | undefined> {
    const want = c.after.filterPatterns;
    const same = (m: LiveEventSourceMapping) => {
      const diff = diffPatterns(want, m.filterPatterns);
      return diff.missing.length === 0 && diff.extra.length === 0 && diff.unparsable.length === 0;
    };
    const source = await this.source(c);
    const ours = await this.ours(c, source);
    if (c.action === 'create') {
      const done = ours.find(same);
      if (done) return `already in place (mapping ${done.uuid})`;
      if (ours.length > 0)
        throw new Failed(
          `mapping ${ours.map((m) => m.uuid).join(', ')} of function ${c.target.functionName} appeared on the ` +
            'source since the plan, with other filter criteria; plan again',
        );
      return this.create(step, c, source, same);
    }
    const uuid = c.target.uuid;
    const live = ours.find((m) => m.uuid === uuid);
    if (uuid === undefined || live === undefined)
      throw new Failed(`mapping ${uuid ?? '(no UUID)'} is no longer on ${source}; plan again`);
    if (same(live)) return 'filter criteria already as declared';
    await this.call(step, 'UpdateEventSourceMapping', this.mappingArn(c.target.account, uuid), () =>
      this.o.client(c.target.account).send(
        new UpdateEventSourceMappingCommand({
          UUID: uuid,
          FilterCriteria: { Filters: want.map((Pattern) => ({ Pattern })) },
        }),
      ),
    );
    return undefined;
  }

  private async create(
    step: ApplyStep,
    c: EventSourceMappingChange & { action: 'create' },
    source: string,
    same: (m: LiveEventSourceMapping) => boolean,
  ): Promise<string> {
    const waits = this.o.propagationWaitsMs ?? ROLE_PROPAGATION_WAITS_MS;
    const sleep = this.o.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
    for (let refused = 0; ; refused++) {
      try {
        return await this.createOnce(step, c, source, same);
      } catch (e) {
        const wait = waits[refused];
        if (!(e instanceof FailedCall) || e.code !== 'InvalidParameterValueException' || wait === undefined) {
          if (e instanceof FailedCall && e.code === 'InvalidParameterValueException')
            throw new Failed(
              `${e.message} (asked ${refused + 1} times over ${waits.reduce((t, w) => t + w, 0) / 1000} s: if the ` +
                "function's role was given access to the source in this apply, IAM may not have reached Lambda " +
                'yet; apply again)',
            );
          throw e;
        }
        await sleep(wait);
      }
    }
  }

  private async createOnce(
    step: ApplyStep,
    c: EventSourceMappingChange & { action: 'create' },
    source: string,
    same: (m: LiveEventSourceMapping) => boolean,
  ): Promise<string> {
    const a = c.after;
    try {
      const out = await this.call(step, 'CreateEventSourceMapping', source, () =>
        this.o.client(c.target.account).send(
          new CreateEventSourceMappingCommand({
            FunctionName: a.functionName,
            EventSourceArn: source,
            StartingPosition: a.startingPosition,
            ...(a.batchSize !== undefined ? { BatchSize: a.batchSize } : {}),
            FilterCriteria: { Filters: a.filterPatterns.map((Pattern) => ({ Pattern })) },
          }),
        ),
      );
      return `created mapping ${out?.UUID ?? '(answer not parsed)'}`;
    } catch (e) {
      // Lambda answers ResourceConflictException when the mapping exists (an earlier attempt went through).
      if (!(e instanceof FailedCall) || e.code !== 'ResourceConflictException') throw e;
      const done = (await this.ours(c, source)).find(same);
      if (done) return `already in place (mapping ${done.uuid})`;
      throw e;
    }
  }

  private mappingArn(account: string, uuid: string): string {
    return `arn:${this.o.partition}:lambda:${this.o.region}:${account}:event-source-mapping:${uuid}`;
  }

  /** A mutating call, each attempt logged (intent before, outcome after) and retried by the SDK's strategy. */
  private async call<T>(
    step: ApplyStep,
    api: string,
    resource: string,
    send: () => Promise<T>,
  ): Promise<T | undefined> {
    const call = { account: step.change.account, api: `lambda:${api}`, resource, change: step.id };
    const log = (attempt: number, ev: AttemptEvent) => {
      this.o.log(auditLine({ ...call, time: this.o.now().toISOString() }, attempt, ev));
    };
    const r = await withRetry(send, log, this.retry);
    if (r.ok) return r.value;
    throw new FailedCall(`${api} failed after ${r.attempt} attempt(s): ${describeError(r.error)}`, errorCode(r.error));
  }
}

/** A failed mutating call, with the AWS error name. */
class FailedCall extends Failed {
  constructor(
    message: string,
    readonly code?: string,
  ) {
    super(message);
  }
}
