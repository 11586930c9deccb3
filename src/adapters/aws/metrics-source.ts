/**
 * The audit's shard metrics read: open shard ids from ListShards, then CloudWatch GetMetricData per account at the
 * window's period (cloudwatch.ts). Vendor client types stop here; the use case sees {@link AuditMetricsWindow} and
 * a MetricsSnapshot.
 */
import type { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import type { KinesisClient } from '@aws-sdk/client-kinesis';
import { mergeSnapshots } from '../../core/audit/metrics.js';
import type { MetricsSnapshot } from '../../core/audit/metrics.js';
import { alignWindow, periodForWindow, readShardMetrics } from './cloudwatch.js';
import { listOpenShards } from './shards.js';
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
 * Shard metrics for the streams `streamsToMeasure` picked: open shard ids from ListShards, then GetMetricData per
 * account at the window's period (ceil(shards x 5 / 500) calls per account). Undefined when there is nothing to read.
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
      for (const stream of streams) targets.push({ stream, shardIds: await listOpenShards(clients.kinesis(account), stream) });
      const clock = options.clock ? { clock: options.clock } : {};
      return readShardMetrics(clients.cloudwatch(account), account, targets, window, clock);
    }),
  );
  return mergeSnapshots(snapshots);
}
