/**
 * One apply run's Kinesis machinery, shared by the step modules (kinesis-stream-steps.ts, kinesis-consumer-steps.ts,
 * kinesis-policy-step.ts): each mutating call retried and logged per attempt (`call`), the converge loop, and what
 * the run has learnt from its own reads and answers (`known`), so a lane reads again only after a busy, failed or
 * unreadable answer.
 */
import type { KinesisClient, StreamDescriptionSummary } from '@aws-sdk/client-kinesis';
import type { ApplyStep, AuditEntry } from '../../core/apply/types.js';
import { errorCode } from './errors.js';
import { KinesisReads, TransitionTimes } from './kinesis-waits.js';
import type { TransitionKind, WaitOptions } from './kinesis-waits.js';
import { auditLine, describeError, MeshgovRetryStrategy, withRetry, WRITE_RETRY } from './retry.js';
import type { AttemptEvent, RetryPolicy } from './retry.js';

/** AddTagsToStream / RemoveTagsFromStream take at most 10 tags per call (kinesis-local enforces it too). */
export const TAGS_PER_CALL = 10;

export interface KinesisExecutorOptions {
  /** Kinesis client of an account for mutating calls (from a pool whose clients make one attempt per call). */
  client: (account: string) => KinesisClient;
  /** Kinesis client of an account for reads, whose SDK retries (`client` by default). */
  readClient?: (account: string) => KinesisClient;
  region: string;
  partition: string;
  /** Appends an audit entry (the log file and the in-memory history). */
  log: (entry: AuditEntry) => void;
  /** Audit entries so far (earlier runs and this one), for the scaling budgets. */
  history: () => readonly AuditEntry[];
  now: () => Date;
  /** Attempts per mutating call and their backoff (WRITE_RETRY by default). */
  retry?: RetryPolicy;
  wait: WaitOptions;
  /** Calls per step before giving up (default 30). */
  maxRounds?: number;
}

/** A step that cannot be done; its message is the step's outcome. */
export class StepFailed extends Error {}

/**
 * CreateStream takes up to 50 tags (https://docs.aws.amazon.com/kinesis/latest/APIReference/API_CreateStream.html);
 * kinesis-local takes 10 ("Can only add 10 tags with a single request"). Such an answer makes the executor send
 * 10 with the create and the rest with AddTagsToStream once the stream is ACTIVE.
 */
function isTagCountRefusal(error: unknown): boolean {
  return errorCode(error) === 'InvalidArgumentException' && /\btags?\b/i.test(String((error as Error)?.message ?? ''));
}

/** `items` in slices of at most `size`. */
export function chunks<T>(items: T[], size: number): T[][] {
  const out: T[][] = [];
  for (let start = 0; start < items.length; start += size) out.push(items.slice(start, start + size));
  return out;
}

/** What one run has learnt from its own reads and answered calls (lanes are per stream, so one writer each). */
export class Known {
  /** ACTIVE streams as last seen, with the effect of calls answered since applied; by `account/stream`. */
  readonly streams = new Map<string, StreamDescriptionSummary>();
  /** ARNs of ACTIVE consumers, by `account/stream/consumer`. */
  readonly consumers = new Map<string, string>();
  /**
   * Whether the endpoint keeps the tags sent with CreateStream / RegisterStreamConsumer: unknown until the first
   * creation of the run is checked with ListTagsForResource; once seen kept, later creations are not read back.
   */
  readonly tagsOnCreate: { stream?: boolean; consumer?: boolean } = {};
}

/** What a step acts on: its change, account and stream, the clients and the stream's ARN as Kinesis builds it. */
export type StepContext = ReturnType<KinesisRun['ctx']>;

/** The answer to one mutating call: done (`unparsable`: HTTP 200 without a readable body), busy, absent or refused tags. */
export type Answer =
  { outcome: 'ok'; value: unknown; unparsable: boolean } | { outcome: 'in-use' | 'not-found' | 'tags-refused' };

export class KinesisRun {
  /** One strategy for the run: the SDK's retry quota is shared by every lane. */
  readonly retry: MeshgovRetryStrategy;
  readonly maxRounds: number;
  /** Tags sent with CreateStream (50 on AWS; lowered to 10 once an endpoint refuses more, as kinesis-local does). */
  tagsPerCreate = 50;
  readonly known = new Known();
  readonly times: TransitionTimes;

  constructor(readonly options: KinesisExecutorOptions) {
    this.retry = new MeshgovRetryStrategy(options.retry ?? WRITE_RETRY);
    this.maxRounds = options.maxRounds ?? 30;
    this.times = new TransitionTimes(options.wait.baseMs);
  }

  ctx(step: ApplyStep) {
    const change = step.change;
    // The structured target, never the display address, says what to act on.
    if (!('stream' in change.target)) throw new StepFailed(`${change.resourceType} is not a Kinesis change`);
    const { account, stream } = change.target;
    const client = this.options.client(account);
    const reads = new KinesisReads(
      (this.options.readClient ?? this.options.client)(account),
      account,
      this.options.wait,
      this.times,
    );
    const streamArn = `arn:${this.options.partition}:kinesis:${this.options.region}:${account}:stream/${stream}`;
    return { change, account, stream, client, reads, streamArn, key: `${account}/${stream}` };
  }

  /**
   * One mutating call with retries for throttling and transient errors, logged per attempt. Busy, not found (with
   * `notFoundOk`) and too many tags (with `tagsRefusedOk`) come back to the caller; other failures end the step.
   */
  async call(
    step: ApplyStep,
    api: string,
    resource: string,
    send: () => Promise<unknown>,
    opts: { notFoundOk?: boolean; tagsRefusedOk?: boolean } = {},
  ): Promise<Answer> {
    const account = step.change.target.account;
    const call = { account, api: `kinesis:${api}`, resource, change: step.id };
    const log = (attempt: number, ev: AttemptEvent) => {
      this.options.log(auditLine({ ...call, time: this.options.now().toISOString() }, attempt, ev));
    };
    const answer = await withRetry(send, log, this.retry);
    if (answer.ok) return { outcome: 'ok', value: answer.value, unparsable: answer.unparsable === true };
    if (answer.kind === 'in-use') return { outcome: 'in-use' };
    if (answer.kind === 'not-found' && opts.notFoundOk) return { outcome: 'not-found' };
    if (opts.tagsRefusedOk && isTagCountRefusal(answer.error)) return { outcome: 'tags-refused' };
    const why =
      answer.kind === 'hard-quota'
        ? `${api} hit an account quota, not retried: ${describeError(answer.error)} (request a quota increase or change the mesh)`
        : `${api} failed after ${answer.attempt} attempt(s): ${describeError(answer.error)}`;
    throw new StepFailed(why);
  }

  /** Converge: `next` returns the call to make, or undefined when the live state matches. */
  async converge(what: string, next: () => Promise<(() => Promise<unknown>) | undefined>): Promise<number> {
    let calls = 0;
    for (let round = 0; round < this.maxRounds; round++) {
      const act = await next();
      if (!act) return calls;
      calls++;
      await act();
    }
    throw new StepFailed(`${what} did not converge after ${this.maxRounds} calls; rerun apply`);
  }

  /** The stream, ACTIVE: as this run last saw it, else read (and waited for). */
  async activeStream(ctx: StepContext): Promise<StreamDescriptionSummary> {
    const cached = this.known.streams.get(ctx.key);
    if (cached) return cached;
    return this.settle(ctx);
  }

  /** Forget what is known of the stream and wait for it to be ACTIVE; `after`: a call just started that transition. */
  async settle(ctx: StepContext, after?: TransitionKind): Promise<StreamDescriptionSummary> {
    this.known.streams.delete(ctx.key);
    const summary = await ctx.reads.waitStreamActive(ctx.stream, after);
    if (!summary) throw new StepFailed(`stream ${ctx.stream} does not exist in account ${ctx.account}`);
    this.known.streams.set(ctx.key, summary);
    return summary;
  }

  /**
   * A call that changes a stream. `effect` says what an answered call did: `transition` (the stream goes UPDATING:
   * wait for ACTIVE, first poll after the usual duration) or how the known summary changes (nothing to read).
   * Busy or unreadable answers make the known state stale: wait and read it again (the converge loop decides).
   */
  async changeStream(
    step: ApplyStep,
    ctx: StepContext,
    api: string,
    send: () => Promise<unknown>,
    effect: 'transition' | ((summary: StreamDescriptionSummary) => void),
  ): Promise<void> {
    const arn = this.known.streams.get(ctx.key)?.StreamARN ?? ctx.streamArn;
    const answer = await this.call(step, api, arn, send);
    const cached = this.known.streams.get(ctx.key);
    if (answer.outcome === 'ok' && !answer.unparsable && effect !== 'transition' && cached) {
      effect(cached);
      return;
    }
    await this.settle(ctx, answer.outcome === 'ok' && effect === 'transition' ? 'stream-update' : undefined);
  }
}
