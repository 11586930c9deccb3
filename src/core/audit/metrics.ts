/**
 * Shard-level metrics as the audit consumes them: produced by the CloudWatch adapter
 * (src/adapters/aws/cloudwatch.ts), or recorded as a JSON fixture. Plain JSON.
 */
import type { AccountId } from '../model/types.js';
import type { AuditWindow } from './findings.js';

/**
 * The enhanced (shard-level) metrics the audit reads, as CloudWatch names them at shard level (dimensions
 * StreamName + ShardId). The stream-level iterator age is `GetRecords.IteratorAgeMilliseconds`; at shard level
 * it is `IteratorAgeMilliseconds`.
 * https://docs.aws.amazon.com/streams/latest/dev/monitoring-with-cloudwatch.html#kinesis-metrics-shard
 */
export const SHARD_METRICS = [
  'IncomingBytes',
  'IncomingRecords',
  'WriteProvisionedThroughputExceeded',
  'ReadProvisionedThroughputExceeded',
  'IteratorAgeMilliseconds',
] as const;
export type ShardMetricName = (typeof SHARD_METRICS)[number];

/** A time series: `values[i]` was observed in the period starting at `timestamps[i]` (ISO 8601, ascending). */
export interface Series {
  timestamps: string[];
  values: number[];
}

/**
 * One shard's series. IncomingBytes/IncomingRecords/…Exceeded are per-period `Sum`s; IteratorAgeMilliseconds is
 * the per-period `Maximum`. A missing series means CloudWatch returned no data points (idle shard, or metric
 * not enabled).
 */
export interface ShardMetrics {
  shardId: string;
  /**
   * The shard was closed by a reshard (split or merge) before the audit read it, yet was open during the window:
   * its evidence stays in the report, marked closed. Absent for open shards (and for recorded snapshots without it).
   */
  closed?: true;
  series: Partial<Record<ShardMetricName, Series>>;
}

export interface StreamMetrics {
  account: AccountId;
  stream: string;
  shards: ShardMetrics[];
}

export interface MetricsSnapshot {
  window: AuditWindow;
  streams: StreamMetrics[];
  /** Messages CloudWatch returned (request-level Messages and non-Complete StatusCodes), for the report. */
  messages: string[];
  /** Number of GetMetricData calls it took (for the report and tests). */
  calls: number;
}

/** Merges per-account snapshots of the same window into one (streams sorted by account, then name). */
export function mergeSnapshots(snapshots: readonly MetricsSnapshot[]): MetricsSnapshot | undefined {
  const first = snapshots[0];
  if (!first) return undefined;
  return {
    window: first.window,
    streams: snapshots
      .flatMap((s) => s.streams)
      .sort((a, b) =>
        a.account + a.stream < b.account + b.stream ? -1 : a.account + a.stream > b.account + b.stream ? 1 : 0,
      ),
    messages: snapshots.flatMap((s) => s.messages),
    calls: snapshots.reduce((n, s) => n + s.calls, 0),
  };
}
