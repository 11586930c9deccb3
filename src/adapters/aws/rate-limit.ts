/**
 * Client-side rate limits per (account, API), below the documented Kinesis control-plane quotas, so throttling
 * never reaches the user. https://docs.aws.amazon.com/streams/latest/dev/service-sizes-and-limits.html
 */

/** Documented per-account quotas, transactions per second. */
export const KINESIS_QUOTAS_TPS: Readonly<Record<string, number>> = {
  ListStreams: 5,
  ListTagsForStream: 5,
  ListTagsForResource: 5,
  DescribeStreamSummary: 20,
  ListStreamConsumers: 5,
  DescribeStreamConsumer: 20,
  GetResourcePolicy: 5,
  DescribeLimits: 1,
};

/** Other services: conservative defaults (IAM and Organizations quotas are per account and lower than Kinesis'). */
export const OTHER_QUOTAS_TPS: Readonly<Record<string, number>> = {
  GetResources: 5,
  DescribeOrganization: 5,
  ListAccounts: 5,
  AssumeRole: 10,
};

/** Share of a quota meshgov uses, leaving headroom for other callers in the account. */
export const QUOTA_SHARE = 0.8;
const DEFAULT_TPS = 5;

export interface Sleeper {
  now(): number;
  sleep(ms: number): Promise<void>;
}

export const realSleeper: Sleeper = {
  now: () => Date.now(),
  sleep: (ms) => new Promise((r) => setTimeout(r, ms)),
};

/** A token bucket: `rate` tokens per second, at most `burst` stored. Waiters are served in arrival order. */
export class TokenBucket {
  private tokens: number;
  private last: number;
  private queue: Promise<void> = Promise.resolve();

  constructor(readonly rate: number, readonly burst: number, private readonly clock: Sleeper = realSleeper) {
    this.tokens = burst;
    this.last = clock.now();
  }

  /** Resolve when a token is available (and take it). */
  take(): Promise<void> {
    const next = this.queue.then(() => this.takeNow());
    this.queue = next;
    return next;
  }

  private async takeNow(): Promise<void> {
    for (;;) {
      const now = this.clock.now();
      this.tokens = Math.min(this.burst, this.tokens + ((now - this.last) / 1000) * this.rate);
      this.last = now;
      if (this.tokens >= 1) {
        this.tokens -= 1;
        return;
      }
      await this.clock.sleep(Math.ceil(((1 - this.tokens) / this.rate) * 1000));
    }
  }
}

/** One bucket per (account, operation); `scale` multiplies every rate (0 or Infinity disables limiting). */
export class RateLimiter {
  private readonly buckets = new Map<string, TokenBucket>();
  constructor(private readonly scale = 1, private readonly clock: Sleeper = realSleeper) {}

  /** Requests per second meshgov allows itself for an operation. */
  static rateFor(operation: string): number {
    const quota = KINESIS_QUOTAS_TPS[operation] ?? OTHER_QUOTAS_TPS[operation] ?? DEFAULT_TPS;
    return quota * QUOTA_SHARE;
  }

  async take(account: string, operation: string): Promise<void> {
    if (!(this.scale > 0) || this.scale === Infinity) return;
    const key = `${account}\u0000${operation}`;
    let b = this.buckets.get(key);
    if (!b) {
      const rate = RateLimiter.rateFor(operation) * this.scale;
      b = new TokenBucket(rate, Math.max(1, Math.floor(rate)), this.clock);
      this.buckets.set(key, b);
    }
    await b.take();
  }
}
