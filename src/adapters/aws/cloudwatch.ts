/**
 * Shard-level Kinesis metrics from CloudWatch GetMetricData, for the hot-shard audit.
 *
 * - One query per (shard, metric): namespace AWS/Kinesis, dimensions StreamName + ShardId;
 *   `Sum` for IncomingBytes/IncomingRecords/…ThroughputExceeded, `Maximum` for IteratorAgeMilliseconds.
 *   https://docs.aws.amazon.com/streams/latest/dev/monitoring-with-cloudwatch.html#kinesis-metrics-shard
 * - At most 500 queries per request, so ceil(queries / 500) requests; a response holds at most 100,800 data
 *   points, beyond which CloudWatch pages with NextToken. The period is chosen from the window
 *   (`periodForWindow`): the smallest multiple of 60 s at which 500 series fit one response, so a full batch is
 *   one call (1 h: 60 s; 24 h: 480 s). NextToken is still followed as a safety net.
 *   https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_GetMetricData.html
 * - Query Ids must start with a lowercase letter and contain only letters, digits and underscores.
 * - Client-side rate limits from the one limiter (rate-limit.ts): requests per second are paced by the pool's
 *   clients, data points per second (GetMetricData's second quota) here, with each request's points.
 *
 * Takes a CloudWatchClient (one per account) from the caller; vendor types stop here.
 * IAM: cloudwatch:GetMetricData (and cloudwatch:ListMetrics for shard discovery).
 */
import { GetMetricDataCommand, ListMetricsCommand } from '@aws-sdk/client-cloudwatch';
import type {
  CloudWatchClient,
  GetMetricDataCommandOutput,
  ListMetricsCommandOutput,
  MetricDataQuery,
} from '@aws-sdk/client-cloudwatch';
import type { MetricsSnapshot, Series, ShardMetricName, StreamMetrics } from '../../core/audit/metrics.js';
import { SHARD_METRICS } from '../../core/audit/metrics.js';
import type { Timer } from '../../core/ports.js';
import { systemClock } from './clock.js';
import { GET_METRIC_DATA_POINTS, RateLimiter } from './rate-limit.js';

/** IAM actions this adapter calls. */
export const CLOUDWATCH_IAM_ACTIONS = ['cloudwatch:GetMetricData', 'cloudwatch:ListMetrics'] as const;

/** Queries per GetMetricData request (API maximum). */
export const MAX_QUERIES_PER_REQUEST = 500;
/** Data points per GetMetricData response page (API maximum). */
export const MAX_DATAPOINTS_PER_REQUEST = 100_800;

const STAT: Record<ShardMetricName, 'Sum' | 'Maximum'> = {
  IncomingBytes: 'Sum',
  IncomingRecords: 'Sum',
  WriteProvisionedThroughputExceeded: 'Sum',
  ReadProvisionedThroughputExceeded: 'Sum',
  IteratorAgeMilliseconds: 'Maximum',
};

/** A stream and the shards to read (the ids of the shards open during the window, from ListShards). */
export interface ShardTarget {
  stream: string;
  shardIds: string[];
}

export interface MetricsWindowRequest {
  start: Date;
  end: Date;
  /** Seconds, a multiple of 60; `periodForWindow(end - start)` by default. */
  periodSeconds?: number;
}

/** Data points one series may have so that a full request (500 queries) fits one response: 201. */
export const MAX_POINTS_PER_SERIES = Math.floor(MAX_DATAPOINTS_PER_REQUEST / MAX_QUERIES_PER_REQUEST);

/**
 * The CloudWatch period for a metrics window: the smallest multiple of 60 s (Kinesis publishes shard metrics every
 * minute; GetMetricData periods of one minute or more must be multiples of 60) such that
 * 500 queries x ceil(window / period) <= 100,800 data points, i.e. one response holds a whole batch.
 * Up to 3 h 21 min this is 60 s; 24 h gives 480 s (180 points per series); 15 days 6,480 s.
 */
export function periodForWindow(windowMs: number): number {
  const seconds = Math.max(0, windowMs) / 1000;
  const minutes = Math.max(1, Math.ceil(seconds / (60 * MAX_POINTS_PER_SERIES)));
  return minutes * 60;
}

interface QueryRef {
  stream: string;
  shardId: string;
  metric: ShardMetricName;
}

/** The queries for the targets, Ids `m0`, `m1`, … (valid per the API), and what each Id means. */
export function buildShardQueries(
  targets: readonly ShardTarget[],
  periodSeconds = 60,
): { queries: MetricDataQuery[]; refs: Map<string, QueryRef> } {
  const queries: MetricDataQuery[] = [];
  const refs = new Map<string, QueryRef>();
  for (const t of targets) {
    for (const shardId of t.shardIds) {
      for (const metric of SHARD_METRICS) {
        const id = `m${queries.length}`;
        refs.set(id, { stream: t.stream, shardId, metric });
        queries.push({
          Id: id,
          Label: `${t.stream} ${shardId} ${metric}`,
          MetricStat: {
            Metric: {
              Namespace: 'AWS/Kinesis',
              MetricName: metric,
              Dimensions: [
                { Name: 'StreamName', Value: t.stream },
                { Name: 'ShardId', Value: shardId },
              ],
            },
            Period: periodSeconds,
            Stat: STAT[metric],
          },
          ReturnData: true,
        });
      }
    }
  }
  return { queries, refs };
}

/** Splits queries into requests of at most 500. */
export function batchQueries<T>(queries: readonly T[], size = MAX_QUERIES_PER_REQUEST): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < queries.length; i += size) out.push(queries.slice(i, i + size));
  return out;
}

/**
 * The window CloudWatch is asked for: `end` rounded down to the minute (CloudWatch rounds StartTime down to the
 * minute and lays the periods from there), and `start` a whole number of periods before it, covering at least
 * the window asked for. So every period is complete and the window holds ceil(window / period) points per series.
 */
export function alignWindow(start: Date, end: Date, periodSeconds: number): { start: Date; end: Date } {
  const minute = 60_000;
  const alignedEnd = Math.floor(end.getTime() / minute) * minute;
  const alignedStart = Math.floor(start.getTime() / minute) * minute;
  const periods = Math.max(1, Math.ceil((alignedEnd - alignedStart) / (periodSeconds * 1000)));
  return { start: new Date(alignedEnd - periods * periodSeconds * 1000), end: new Date(alignedEnd) };
}

export interface ReadShardMetricsOptions {
  /** The run's limiter (its data-point buckets are per account); a fresh one at the default quotas otherwise. */
  limiter?: RateLimiter;
  /** Clock of the default limiter. */
  clock?: Timer;
}

/** Reads the five shard-level metrics of every target shard in one account. */
export async function readShardMetrics(
  client: CloudWatchClient,
  account: string,
  targets: readonly ShardTarget[],
  window: MetricsWindowRequest,
  options: ReadShardMetricsOptions = {},
): Promise<MetricsSnapshot> {
  const period = window.periodSeconds ?? periodForWindow(window.end.getTime() - window.start.getTime());
  if (!Number.isInteger(period) || period < 60 || period % 60 !== 0)
    throw new RangeError(`CloudWatch period ${period} s: expected a multiple of 60`);
  const { start, end } = alignWindow(window.start, window.end, period);
  const limiter = options.limiter ?? new RateLimiter(1, options.clock ?? systemClock);
  const pointsPerSeries = Math.max(1, Math.ceil((end.getTime() - start.getTime()) / (period * 1000)));
  const { queries, refs } = buildShardQueries(targets, period);
  const series = new Map<string, Series>();
  const messages: string[] = [];
  let calls = 0;
  for (const batch of batchQueries(queries)) {
    let nextToken: string | undefined;
    do {
      await limiter.take(
        account,
        GET_METRIC_DATA_POINTS,
        Math.min(MAX_DATAPOINTS_PER_REQUEST, batch.length * pointsPerSeries),
      );
      const out: GetMetricDataCommandOutput = await client.send(
        new GetMetricDataCommand({
          MetricDataQueries: batch,
          StartTime: start,
          EndTime: end,
          ScanBy: 'TimestampAscending',
          NextToken: nextToken,
        }),
      );
      calls++;
      for (const m of out.Messages ?? []) messages.push(`${m.Code ?? 'Message'}: ${m.Value ?? ''}`.trim());
      for (const r of out.MetricDataResults ?? []) {
        if (!r.Id || !refs.has(r.Id)) continue;
        const s = series.get(r.Id) ?? { timestamps: [], values: [] };
        const ts = r.Timestamps ?? [];
        const vs = r.Values ?? [];
        for (let i = 0; i < Math.min(ts.length, vs.length); i++) {
          s.timestamps.push(new Date(ts[i] as Date).toISOString());
          s.values.push(vs[i] as number);
        }
        series.set(r.Id, s);
        if (r.StatusCode === 'Forbidden' || r.StatusCode === 'InternalError') {
          const ref = refs.get(r.Id) as QueryRef;
          messages.push(`${r.StatusCode} for ${ref.metric} of ${ref.stream}/${ref.shardId}`);
        }
        for (const m of r.Messages ?? []) messages.push(`${r.Id}: ${m.Code ?? ''} ${m.Value ?? ''}`.trim());
      }
      nextToken = out.NextToken;
    } while (nextToken);
  }
  return {
    window: { start: start.toISOString(), end: end.toISOString(), periodSeconds: period },
    streams: assemble(account, targets, refs, series),
    messages: [...new Set(messages)],
    calls,
  };
}

function assemble(
  account: string,
  targets: readonly ShardTarget[],
  refs: ReadonlyMap<string, QueryRef>,
  series: ReadonlyMap<string, Series>,
): StreamMetrics[] {
  const byStream = new Map<string, Map<string, Partial<Record<ShardMetricName, Series>>>>();
  for (const t of targets) byStream.set(t.stream, new Map(t.shardIds.map((id) => [id, {}])));
  for (const [id, s] of series) {
    const ref = refs.get(id) as QueryRef;
    const shard = byStream.get(ref.stream)?.get(ref.shardId);
    if (shard) shard[ref.metric] = sortSeries(s);
  }
  return [...byStream.entries()].map(([stream, shards]) => ({
    account,
    stream,
    shards: [...shards.entries()].map(([shardId, s]) => ({ shardId, series: s })),
  }));
}

/** Pages may interleave; keep the series in ascending time order. */
function sortSeries(s: Series): Series {
  const idx = s.timestamps
    .map((_t, i) => i)
    .sort((a, b) => ((s.timestamps[a] as string) < (s.timestamps[b] as string) ? -1 : 1));
  return { timestamps: idx.map((i) => s.timestamps[i] as string), values: idx.map((i) => s.values[i] as number) };
}

/**
 * Shard ids that published IncomingBytes for each stream in the last two weeks (ListMetrics, dimensions StreamName
 * + ShardId). A fallback when the caller has no ListShards result: it also returns shards closed by resharding
 * within that time, which simply show no data in the window. Paced by the pool's clients (ListMetrics' quota).
 */
export async function discoverShardIds(client: CloudWatchClient, streams: readonly string[]): Promise<ShardTarget[]> {
  const out: ShardTarget[] = [];
  for (const stream of streams) {
    const ids = new Set<string>();
    let nextToken: string | undefined;
    do {
      const page: ListMetricsCommandOutput = await client.send(
        new ListMetricsCommand({
          Namespace: 'AWS/Kinesis',
          MetricName: 'IncomingBytes',
          Dimensions: [{ Name: 'StreamName', Value: stream }],
          NextToken: nextToken,
        }),
      );
      for (const m of page.Metrics ?? []) {
        const shard = m.Dimensions?.find((d) => d.Name === 'ShardId')?.Value;
        if (shard) ids.add(shard);
      }
      nextToken = page.NextToken;
    } while (nextToken);
    out.push({ stream, shardIds: [...ids].sort() });
  }
  return out;
}
