/**
 * Reads and waits for apply: DescribeStreamSummary and DescribeStreamConsumer (never DescribeStream, whose 10/s
 * account quota is shared with every consumer of the account, and which the SDK's own `waitUntilStreamExists`
 * polls). Reads go through a client whose SDK retries throttling and transient errors; a busy answer is retried
 * here (`BUSY_READ`); they are not written to the audit log.
 *
 * A wait after a call that started a transition (CreateStream, StartStreamEncryption, RegisterStreamConsumer, ...)
 * first sleeps for how long that kind of transition has been taking in this run, then polls with a growing,
 * jittered delay like the SDK waiters (min delay, doubling to a max, up to a max wait time). The estimate follows
 * what the polls see: a first poll that finds the transition over nudges it down, one that finds it still running
 * sets it to the time the transition really took. So a wait costs about one poll once a few transitions have been
 * seen, instead of polling from the first millisecond, and the status API's quota stays free for the account's
 * own readers.
 */
import {
  DescribeStreamConsumerCommand,
  DescribeStreamSummaryCommand,
  ListStreamConsumersCommand,
  ListTagsForResourceCommand,
} from '@aws-sdk/client-kinesis';
import type { ConsumerDescription, KinesisClient, StreamDescriptionSummary } from '@aws-sdk/client-kinesis';
import type { Timer } from '../../core/ports.js';
import { systemClock } from './clock.js';
import { toAdapterError } from './errors.js';
import { classify } from './retry.js';

export interface WaitOptions {
  /** First poll delay before any transition was seen, and the smallest delay between later polls, ms. */
  baseMs: number;
  /** Largest poll delay, ms. */
  capMs: number;
  /** Give up after this long, ms. */
  timeoutMs: number;
  random: () => number;
  clock: Timer;
}

export const AWS_WAIT: WaitOptions = {
  baseMs: 1000,
  capMs: 10_000,
  timeoutMs: 20 * 60_000,
  random: Math.random,
  clock: systemClock,
};

/** What is being waited for; each kind has its own duration estimate. */
export type TransitionKind =
  'stream-create' | 'stream-update' | 'stream-delete' | 'consumer-create' | 'consumer-delete';

/** The smallest first delay the estimate goes down to, ms. */
const MIN_FIRST_DELAY_MS = 10;
/** How much a first poll that found the transition over lowers the estimate. */
const DECAY = 0.95;

/** How long each kind of transition has been taking in this run (shared by every wait of one executor). */
export class TransitionTimes {
  private readonly estimate = new Map<TransitionKind, number>();
  constructor(private readonly initialMs: number) {}

  /** Sleep before the first poll of a wait for `kind`, ms. */
  firstDelay(kind: TransitionKind): number {
    return this.estimate.get(kind) ?? this.initialMs;
  }

  /** A wait for `kind` ended: at its first poll (`polls` 1) or later, `elapsedMs` after the call. */
  observe(kind: TransitionKind, polls: number, elapsedMs: number): void {
    const cur = this.firstDelay(kind);
    this.estimate.set(kind, Math.max(MIN_FIRST_DELAY_MS, polls <= 1 ? cur * DECAY : elapsedMs));
  }
}

/**
 * The domain retry the SDK cannot know: a read answered ResourceInUseException (the resource is in a transition)
 * is tried again after a growing, jittered delay, like a poll. Throttling and transient errors were already
 * retried by the SDK when they arrive here.
 */
export const BUSY_READ = { attempts: 10 } as const;

/** Read; undefined when the resource does not exist. */
export async function readOrUndefined<T>(
  account: string,
  operation: string,
  fn: () => Promise<T>,
  wait: WaitOptions,
): Promise<T | undefined> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn();
    } catch (e) {
      const kind = classify(e);
      if (kind === 'not-found') return undefined;
      if (kind === 'in-use' && attempt < BUSY_READ.attempts) {
        await wait.clock.sleep(Math.floor(wait.random() * Math.min(wait.capMs, wait.baseMs * 2 ** (attempt - 1))));
        continue;
      }
      throw toAdapterError(e, 'kinesis', operation, account);
    }
  }
}

export class KinesisReads {
  constructor(
    private readonly client: KinesisClient,
    private readonly account: string,
    private readonly wait: WaitOptions,
    private readonly times: TransitionTimes = new TransitionTimes(wait.baseMs),
  ) {}

  async stream(name: string): Promise<StreamDescriptionSummary | undefined> {
    const r = await readOrUndefined(
      this.account,
      'DescribeStreamSummary',
      () => this.client.send(new DescribeStreamSummaryCommand({ StreamName: name })),
      this.wait,
    );
    return r?.StreamDescriptionSummary;
  }

  async consumer(streamArn: string, name: string): Promise<ConsumerDescription | undefined> {
    const r = await readOrUndefined(
      this.account,
      'DescribeStreamConsumer',
      () => this.client.send(new DescribeStreamConsumerCommand({ StreamARN: streamArn, ConsumerName: name })),
      this.wait,
    );
    return r?.ConsumerDescription;
  }

  async tags(arn: string): Promise<Record<string, string>> {
    const r = await readOrUndefined(
      this.account,
      'ListTagsForResource',
      () => this.client.send(new ListTagsForResourceCommand({ ResourceARN: arn })),
      this.wait,
    );
    const out: Record<string, string> = {};
    for (const t of r?.Tags ?? []) if (t.Key !== undefined) out[t.Key] = t.Value ?? '';
    return out;
  }

  async consumers(streamArn: string): Promise<{ name: string; arn: string }[]> {
    const out: { name: string; arn: string }[] = [];
    let token: string | undefined;
    do {
      const page = await readOrUndefined(
        this.account,
        'ListStreamConsumers',
        () =>
          this.client.send(
            new ListStreamConsumersCommand({ StreamARN: streamArn, ...(token ? { NextToken: token } : {}) }),
          ),
        this.wait,
      );
      for (const c of page?.Consumers ?? [])
        if (c.ConsumerName && c.ConsumerARN) out.push({ name: c.ConsumerName, arn: c.ConsumerARN });
      token = page?.NextToken || undefined;
    } while (token);
    return out;
  }

  /**
   * Poll `read` until `done`. With `after`, the caller just started a transition of that kind: sleep for its
   * estimated duration before the first poll, and report how it went. Without, the state is unknown: read now.
   */
  private async poll<T>(
    what: string,
    read: () => Promise<T>,
    done: (v: T) => boolean,
    after?: TransitionKind,
  ): Promise<T> {
    const start = this.wait.clock.now().getTime();
    let first = after ? this.times.firstDelay(after) : 0;
    if (first > 0) await this.wait.clock.sleep(Math.round(first * (1 + 0.1 * this.wait.random())));
    // Later polls start from a quarter of the estimate (at least the base delay) and grow by half each time.
    first = Math.max(this.wait.baseMs, first / 4);
    for (let i = 1; ; i++) {
      const v = await read();
      if (done(v)) {
        if (after) this.times.observe(after, i, this.wait.clock.now().getTime() - start);
        return v;
      }
      if (this.wait.clock.now().getTime() - start > this.wait.timeoutMs)
        throw new Error(`timed out after ${Math.round(this.wait.timeoutMs / 1000)} s waiting for ${what}`);
      const cap = Math.min(this.wait.capMs, first * 1.5 ** (i - 1));
      await this.wait.clock.sleep(Math.round(cap * (0.5 + 0.5 * this.wait.random())));
    }
  }

  /** Wait until the stream is ACTIVE (undefined when it does not exist). */
  waitStreamActive(name: string, after?: TransitionKind): Promise<StreamDescriptionSummary | undefined> {
    return this.poll(
      `stream ${name} to become ACTIVE`,
      () => this.stream(name),
      (s) => s === undefined || s.StreamStatus === 'ACTIVE',
      after,
    );
  }

  async waitStreamGone(name: string, after?: TransitionKind): Promise<void> {
    await this.poll(
      `stream ${name} to be deleted`,
      () => this.stream(name),
      (s) => s === undefined,
      after,
    );
  }

  waitConsumerActive(
    streamArn: string,
    name: string,
    after?: TransitionKind,
  ): Promise<ConsumerDescription | undefined> {
    return this.poll(
      `consumer ${name} to become ACTIVE`,
      () => this.consumer(streamArn, name),
      (c) => c === undefined || c.ConsumerStatus === 'ACTIVE',
      after,
    );
  }

  async waitConsumerGone(streamArn: string, name: string, after?: TransitionKind): Promise<void> {
    await this.poll(
      `consumer ${name} to be deregistered`,
      () => this.consumer(streamArn, name),
      (c) => c === undefined,
      after,
    );
  }
}
