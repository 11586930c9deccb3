/**
 * The audit's shard metrics read: the shards open at any time in the window from ListShards, then CloudWatch
 * GetMetricData per account at the window's period (cloudwatch.ts). Vendor client types stop here; the use case
 * sees {@link AuditMetricsWindow} and a MetricsSnapshot.
 */
import type { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import type { KinesisClient } from '@aws-sdk/client-kinesis';
import { mergeSnapshots } from '../../core/audit/metrics.js';
import type { MetricsSnapshot, StreamMetrics } from '../../core/audit/metrics.js';
import { alignWindow, periodForWindow, readShardMetrics } from './cloudwatch.js';
import { listWindowShards } from './shards.js';
import type { ShardTarget } from './cloudwatch.js';
import type { Timer } from '../../core/ports.js';

/** The window an audit reads metrics over: whole minutes, a whole number of periods (seconds, a multiple of 60). */
export interface AuditMetricsWindow {
  start: Date;
  end: Date;
  periodSeconds: number;
}

/**
 * The audit window ending at `now`: the CloudWatch period chosen for its length (`periodForWindow`) and the
 * bounds aligned as `readShardMetrics` reads them, so the report states the same window whether or not metrics
 * were read.
 */
export function auditWindow(now: Date, windowMs: number): AuditMetricsWindow {
  const periodSeconds = periodForWindow(windowMs);
  return { ...alignWindow(new Date(now.getTime() - windowMs), now, periodSeconds), periodSeconds };
}

/** The clients the metrics read needs per account (a ClientPool has them). */
export interface AuditMetricsClients {
  kinesis(account: string): KinesisClient;
  cloudwatch(account: string): CloudWatchClient;
}

/**
 * Shard metrics for the streams `streamsToMeasure` picked: every shard open at any time in the window from
 * ListShards (FROM_TIMESTAMP at the window's start, so a parent closed by a split mid-window keeps its evidence),
 * then GetMetricData per account at the window's period (ceil(shards x 5 / 500) calls per account). Closed shards
 * are marked `closed` in the snapshot. Undefined when there is nothing to read.
 */
export async function readAuditMetrics(
  clients: AuditMetricsClients,
  pairs: readonly { account: string; stream: string }[],
  window: AuditMetricsWindow,
  options: { clock?: Timer } = {},
): Promise<MetricsSnapshot | undefined> {
  const byAccount = new Map<string, string[]>();
  for (const p of pairs) byAccount.set(p.account, [...(byAccount.get(p.account) ?? []), p.stream]);
  const snapshots = await Promise.all(
    [...byAccount].map(async ([account, streams]) => {
      const targets: ShardTarget[] = [];
      const closed = new Set<string>();
      for (const stream of streams) {
        const shards = await listWindowShards(clients.kinesis(account), stream, window.start, account);
        for (const s of shards) if (s.closed) closed.add(`${stream}\u0000${s.shardId}`);
        targets.push({ stream, shardIds: shards.map((s) => s.shardId) });
      }
      const clock = options.clock ? { clock: options.clock } : {};
      const snapshot = await readShardMetrics(clients.cloudwatch(account), account, targets, window, clock);
      return { ...snapshot, streams: snapshot.streams.map((sm) => markClosed(sm, closed)) };
    }),
  );
  return mergeSnapshots(snapshots);
}

/** Marks the shards ListShards reported closed (keys `<stream>\0<shardId>`). */
function markClosed(sm: StreamMetrics, closed: ReadonlySet<string>): StreamMetrics {
  return {
    ...sm,
    shards: sm.shards.map((s) => (closed.has(`${sm.stream}\u0000${s.shardId}`) ? { ...s, closed: true as const } : s)),
  };
}
