/**
 * The one client-side limiter: token buckets per (account, API), below the documented quotas, so throttling never
 * reaches the user. https://docs.aws.amazon.com/streams/latest/dev/service-sizes-and-limits.html
 * The pool takes one token per attempt of every call; a quota that is not counted in requests (CloudWatch's data
 * points per second) is a bucket of its own, taken by the caller with the request's cost.
 */
import type { Timer } from '../../core/ports.js';
import { systemClock } from './clock.js';

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

/**
 * CloudWatch GetMetricData: 50 requests and 180,000 data points per second when StartTime is within 3 hours of now
 * (396,000 otherwise: the lower one is used for both); ListMetrics 25 requests per second.
 * https://repost.aws/knowledge-center/cloudwatch-getmetricdata-api
 */
export const CLOUDWATCH_QUOTAS_TPS: Readonly<Record<string, number>> = {
  GetMetricData: 50,
  ListMetrics: 25,
};
/** The data-point bucket of GetMetricData, taken with each request's points. */
export const GET_METRIC_DATA_POINTS = 'GetMetricData:datapoints';
export const GET_METRIC_DATA_POINTS_PER_SECOND = 180_000;

/**
 * Lambda: one control-plane quota of 15 requests per second per account is shared by every API but GetFunction,
 * GetPolicy and invocations (https://docs.aws.amazon.com/lambda/latest/dg/gettingstarted-limits.html); the three
 * mapping calls meshgov makes share it, so each gets a third.
 */
export const LAMBDA_QUOTAS_TPS: Readonly<Record<string, number>> = {
  ListEventSourceMappings: 5,
  CreateEventSourceMapping: 5,
  UpdateEventSourceMapping: 5,
};

/** Other services: conservative defaults (IAM and Organizations quotas are per account and lower than Kinesis'). */
export const OTHER_QUOTAS_TPS: Readonly<Record<string, number>> = {
  GetResources: 5,
  DescribeOrganization: 5,
  ListAccounts: 5,
  AssumeRole: 10,
  [GET_METRIC_DATA_POINTS]: GET_METRIC_DATA_POINTS_PER_SECOND,
};

/**
 * Share of a quota meshgov uses by default, leaving headroom for the account's other callers (its own consumers
 * and producers share the control-plane quotas). `RateLimiter`'s `share` changes it, e.g. in an account nothing
 * else calls.
 */
export const QUOTA_SHARE = 0.8;
const DEFAULT_TPS = 5;

/** A token bucket: `rate` tokens per second, at most `burst` stored. Waiters are served in arrival order. */
export class TokenBucket {
  private tokens: number;
  private last: number;
  private queue: Promise<void> = Promise.resolve();

  constructor(
    readonly rate: number,
    readonly burst: number,
    private readonly clock: Timer = systemClock,
  ) {
    this.tokens = burst;
    this.last = clock.now().getTime();
  }

  /** Resolve when `cost` tokens are available (and take them); a cost above the burst waits for a full bucket. */
  take(cost = 1): Promise<void> {
    const next = this.queue.then(() => this.takeNow(Math.min(cost, this.burst)));
    this.queue = next;
    return next;
  }

  private async takeNow(cost: number): Promise<void> {
    for (;;) {
      const now = this.clock.now().getTime();
      this.tokens = Math.min(this.burst, this.tokens + ((now - this.last) / 1000) * this.rate);
      this.last = now;
      if (this.tokens >= cost) {
        this.tokens -= cost;
        return;
      }
      await this.clock.sleep(Math.ceil(((cost - this.tokens) / this.rate) * 1000));
    }
  }
}

/**
 * One bucket per (account, operation), at `share` of the operation's quota times `scale` (0 or Infinity disables
 * limiting; tests and benchmarks scale).
 */
export class RateLimiter {
  private readonly buckets = new Map<string, TokenBucket>();
  constructor(
    private readonly scale = 1,
    private readonly clock: Timer = systemClock,
    private readonly share = QUOTA_SHARE,
  ) {}

  /** Requests per second meshgov allows itself for an operation by default (`QUOTA_SHARE` of its quota). */
  static rateFor(operation: string, share = QUOTA_SHARE): number {
    const quota =
      KINESIS_QUOTAS_TPS[operation] ??
      CLOUDWATCH_QUOTAS_TPS[operation] ??
      LAMBDA_QUOTAS_TPS[operation] ??
      OTHER_QUOTAS_TPS[operation] ??
      DEFAULT_TPS;
    return quota * share;
  }

  /** Waits until `cost` (1 request, or a request's data points) fits the (account, operation) budget. */
  async take(account: string, operation: string, cost = 1): Promise<void> {
    if (!(this.scale > 0) || this.scale === Infinity) return;
    const key = `${account}\u0000${operation}`;
    let b = this.buckets.get(key);
    if (!b) {
      const rate = RateLimiter.rateFor(operation, this.share) * this.scale;
      b = new TokenBucket(rate, Math.max(1, Math.floor(rate)), this.clock);
      this.buckets.set(key, b);
    }
    await b.take(cost);
  }
}
