/**
 * Per-shard load from one shard's CloudWatch series (pure): peak and mean write rates against the per-shard write
 * limits, throttling totals and the worst iterator age.
 * https://docs.aws.amazon.com/streams/latest/dev/service-sizes-and-limits.html
 */
import type { MetricsSnapshot, Series, ShardMetricName } from './metrics.js';

/** Per-shard write limit, bytes per second (1 MiB/s). */
export const SHARD_WRITE_BYTES_PER_SECOND = 1024 * 1024;
/** Per-shard write limit, records per second. */
export const SHARD_WRITE_RECORDS_PER_SECOND = 1000;

export interface ShardLoad {
  shardId: string;
  peakBytesPerSecond: number;
  peakRecordsPerSecond: number;
  peakAt?: string;
  meanBytesPerSecond: number;
  meanRecordsPerSecond: number;
  /** max(peak bytes share, peak records share) of the per-shard limits. */
  peakShare: number;
  /** max(mean bytes share, mean records share). */
  meanShare: number;
  writeThrottled: number;
  readThrottled: number;
  maxIteratorAgeMs: number;
  maxIteratorAgeAt?: string;
}

export function sum(values: readonly number[]): number {
  let s = 0;
  for (const v of values) s += v;
  return s;
}

function peak(series: Series | undefined): { value: number; at?: string } {
  if (!series || series.values.length === 0) return { value: 0 };
  let best = 0;
  for (let i = 1; i < series.values.length; i++) if ((series.values[i] ?? 0) > (series.values[best] ?? 0)) best = i;
  const at = series.timestamps[best];
  return at === undefined ? { value: series.values[best] ?? 0 } : { value: series.values[best] ?? 0, at };
}

function windowSeconds(metrics: MetricsSnapshot): number {
  const ms = Date.parse(metrics.window.end) - Date.parse(metrics.window.start);
  return Math.max(metrics.window.periodSeconds, ms / 1000);
}

export function shardLoad(
  metrics: MetricsSnapshot,
  shardId: string,
  series: Partial<Record<ShardMetricName, Series>>,
): ShardLoad {
  const period = metrics.window.periodSeconds;
  const seconds = windowSeconds(metrics);
  const bytes = peak(series.IncomingBytes);
  const records = peak(series.IncomingRecords);
  const peakBytesPerSecond = bytes.value / period;
  const peakRecordsPerSecond = records.value / period;
  const meanBytesPerSecond = sum(series.IncomingBytes?.values ?? []) / seconds;
  const meanRecordsPerSecond = sum(series.IncomingRecords?.values ?? []) / seconds;
  const bytesShare = peakBytesPerSecond / SHARD_WRITE_BYTES_PER_SECOND;
  const recordsShare = peakRecordsPerSecond / SHARD_WRITE_RECORDS_PER_SECOND;
  const age = peak(series.IteratorAgeMilliseconds);
  const load: ShardLoad = {
    shardId,
    peakBytesPerSecond,
    peakRecordsPerSecond,
    meanBytesPerSecond,
    meanRecordsPerSecond,
    peakShare: Math.max(bytesShare, recordsShare),
    meanShare: Math.max(
      meanBytesPerSecond / SHARD_WRITE_BYTES_PER_SECOND,
      meanRecordsPerSecond / SHARD_WRITE_RECORDS_PER_SECOND,
    ),
    writeThrottled: sum(series.WriteProvisionedThroughputExceeded?.values ?? []),
    readThrottled: sum(series.ReadProvisionedThroughputExceeded?.values ?? []),
    maxIteratorAgeMs: age.value,
  };
  const at = bytesShare >= recordsShare ? bytes.at : records.at;
  if (at !== undefined) load.peakAt = at;
  if (age.at !== undefined) load.maxIteratorAgeAt = age.at;
  return load;
}
