/**
 * Hot-shard analysis (pure): per-shard write load against the per-shard limits, skew across a stream's shards,
 * throttling, consumers falling behind, and whether shard-level metrics are on at all.
 * Per-shard write limits: 1 MiB/s and 1,000 records/s.
 * https://docs.aws.amazon.com/streams/latest/dev/service-sizes-and-limits.html
 */
import type { LiveStream } from '../plan/live.js';
import type { Stream } from '../model/types.js';
import type { AuditContext, CheckResult } from './context.js';
import { emptyResult, indexAudit, locationOf } from './context.js';
import type { AuditIndex } from './context.js';
import type { Finding, ShardChart } from './findings.js';
import { shardResource, streamResource } from './findings.js';
import type { MetricsSnapshot, StreamMetrics } from './metrics.js';
import { SHARD_METRICS } from './metrics.js';
import type { ShardLoad } from './shard-load.js';
import { SHARD_WRITE_BYTES_PER_SECOND, SHARD_WRITE_RECORDS_PER_SECOND, shardLoad, sum } from './shard-load.js';

export { SHARD_WRITE_BYTES_PER_SECOND, SHARD_WRITE_RECORDS_PER_SECOND } from './shard-load.js';

const MONITORING_DOCS =
  'https://docs.aws.amazon.com/streams/latest/dev/monitoring-with-cloudwatch.html#kinesis-metrics-shard';
const RESHARD_DOCS = 'https://docs.aws.amazon.com/streams/latest/dev/kinesis-using-sdk-java-resharding.html';
const THROUGHPUT_DOCS = 'https://repost.aws/knowledge-center/kinesis-data-stream-throttling';
const ITERATOR_DOCS = 'https://repost.aws/knowledge-center/kinesis-data-streams-iteratorage-metric';

export interface HotShardOptions {
  /** Share of a per-shard write limit at which a shard counts as hot, in (0, 1]. Default 0.8. */
  loadShare: number;
  /** Ratio of the busiest shard's mean load to the stream's mean shard load that counts as skew. Default 2. */
  skewRatio: number;
  /** Skew is only reported when the busiest shard's mean load is at least this share of the limit. Default 0.05. */
  skewMinShare: number;
  /** Iterator age (ms) above which consumers are falling behind, unless the stream declares an SLA freshness. Default 60,000. */
  iteratorAgeMs: number;
  /** Most shards shown in one chart (the most loaded are kept). Default 40. */
  chartMaxShards: number;
}

export const DEFAULT_HOT_SHARD_OPTIONS: HotShardOptions = {
  loadShare: 0.8,
  skewRatio: 2,
  skewMinShare: 0.05,
  iteratorAgeMs: 60_000,
  chartMaxShards: 40,
};

export const HOT_SHARD_CHECKS = [
  'shard-metrics-disabled',
  'hot-shard',
  'skewed-stream',
  'write-throttled-shard',
  'read-throttled-shard',
  'consumer-lagging',
] as const;

/**
 * The caveat on shard load at a CloudWatch period: rates are Sum ÷ period (the per-shard limits are per second),
 * so a burst shorter than the period can exceed the limit while the period's average stays below it.
 */
export function burstNote(periodSeconds: number): string {
  const span =
    periodSeconds === 60
      ? 'a minute'
      : periodSeconds % 60 === 0
        ? `${periodSeconds / 60} minutes`
        : `${periodSeconds} s`;
  const average = periodSeconds === 60 ? 'minute' : `${periodSeconds} s`;
  return (
    `Shard load is computed from CloudWatch sums over ${periodSeconds} s periods; per-shard write limits are per second, ` +
    `so each rate is the period's Sum ÷ ${periodSeconds}. A burst shorter than ${span} can exceed the per-second limit ` +
    `(and be throttled) while its ${average} average stays below it: the coarser the period, the more bursts it hides. ` +
    'Throttling counts are exact.'
  );
}

/** The note at the one-minute period. */
export const BURST_NOTE = burstNote(60);

/** Shard-level metrics a stream has on: `ALL` means every one. */
export function enabledShardMetrics(live: Pick<LiveStream, 'enhancedMonitoring'>): Set<string> {
  return live.enhancedMonitoring.includes('ALL') ? new Set<string>(SHARD_METRICS) : new Set(live.enhancedMonitoring);
}

/**
 * Whether a stream needs shard-level metrics: with more than one shard, stream-level metrics cannot show which
 * shard is hot; a stream that declares shard metrics needs them too.
 */
export function needsShardMetrics(live: LiveStream, declared: Stream | undefined): boolean {
  return live.shards > 1 || (declared?.enhancedMonitoring.length ?? 0) > 0;
}

const round = (n: number, digits = 2) => Number(n.toFixed(digits));
const pct = (share: number) => round(share * 100, 1);

function hotRemediation(live: LiveStream, shardId: string): string {
  if (live.mode === 'ON_DEMAND') {
    return (
      `The stream is on-demand, yet one shard carries most of the load: on-demand scaling cannot spread a single ` +
      `partition key over shards. Review the partition keys written to ${shardId} (use a higher-cardinality key or add a suffix).`
    );
  }
  return (
    `Split ${shardId} (SplitShard at the middle of its hash key range, or raise the shard count with UpdateShardCount and ` +
    `the mesh's capacity), review the partition keys if a few keys carry the load, or switch the stream to on-demand if the load is spiky.`
  );
}

/** Findings for one stream with metrics. */
function analyseStream(
  ctx: AuditContext,
  ix: AuditIndex,
  sm: StreamMetrics,
  metrics: MetricsSnapshot,
  opts: HotShardOptions,
): { findings: Finding[]; chart?: ShardChart } {
  const live = ix.liveStream(sm.account, sm.stream);
  const declared = ix.meshStream(sm.account, sm.stream);
  if (!live) return { findings: [] };
  const at = locationOf(ctx, declared?.at);
  const loads = sm.shards
    .map((s) => shardLoad(metrics, s.shardId, s.series))
    .sort((a, b) => (a.shardId < b.shardId ? -1 : 1));
  const closed = closedShardIds(sm);
  const findings: Finding[] = [];
  const evidenceLimits = {
    limitBytesPerSecond: SHARD_WRITE_BYTES_PER_SECOND,
    limitRecordsPerSecond: SHARD_WRITE_RECORDS_PER_SECOND,
  };
  for (const l of loads) {
    const shardFindingsFrom = findings.length;
    const resource = shardResource(sm.account, sm.stream, l.shardId);
    if (l.peakShare >= opts.loadShare) {
      findings.push({
        code: 'hot-shard',
        severity: l.peakShare >= 1 ? 'error' : 'warning',
        resource,
        account: sm.account,
        message: `Shard ${l.shardId} of ${sm.stream} peaked at ${pct(l.peakShare)}% of its write limit (threshold ${pct(opts.loadShare)}%)`,
        evidence: {
          peakBytesPerSecond: round(l.peakBytesPerSecond),
          peakRecordsPerSecond: round(l.peakRecordsPerSecond),
          ...evidenceLimits,
          peakPercentOfLimit: pct(l.peakShare),
          thresholdPercent: pct(opts.loadShare),
          ...(l.peakAt ? { peakMinute: l.peakAt } : {}),
          periodSeconds: metrics.window.periodSeconds,
          mode: live.mode,
        },
        remediation: hotRemediation(live, l.shardId),
        help: RESHARD_DOCS,
        ...at,
      });
    }
    if (l.writeThrottled > 0) {
      findings.push({
        code: 'write-throttled-shard',
        severity: 'error',
        resource,
        account: sm.account,
        message: `Shard ${l.shardId} of ${sm.stream} rejected ${l.writeThrottled} records (WriteProvisionedThroughputExceeded)`,
        evidence: {
          throttledRecords: l.writeThrottled,
          peakBytesPerSecond: round(l.peakBytesPerSecond),
          peakRecordsPerSecond: round(l.peakRecordsPerSecond),
          ...evidenceLimits,
          window: metrics.window,
        },
        remediation: `Producers are throttled on ${l.shardId}. ${hotRemediation(live, l.shardId)}`,
        help: THROUGHPUT_DOCS,
        ...at,
      });
    }
    if (l.readThrottled > 0) {
      findings.push({
        code: 'read-throttled-shard',
        severity: 'warning',
        resource,
        account: sm.account,
        message: `Consumers of ${sm.stream} were throttled ${l.readThrottled} times on shard ${l.shardId} (ReadProvisionedThroughputExceeded)`,
        evidence: {
          throttledGetRecordsCalls: l.readThrottled,
          window: metrics.window,
          consumersOnStream: live.consumers.length,
        },
        remediation:
          'Polling consumers share 5 GetRecords calls/s and 2 MB/s per shard. Move heavy readers to enhanced fan-out ' +
          '(a dedicated 2 MB/s per shard), lower the polling frequency, or add shards.',
        help: THROUGHPUT_DOCS,
        ...at,
      });
    }
    const slaMs = declared?.sla?.freshnessSeconds !== undefined ? declared.sla.freshnessSeconds * 1000 : undefined;
    const threshold = slaMs ?? opts.iteratorAgeMs;
    if (l.maxIteratorAgeMs > threshold) {
      const retentionMs = live.retentionHours * 3_600_000;
      const atRisk = l.maxIteratorAgeMs >= retentionMs / 2;
      findings.push({
        code: 'consumer-lagging',
        severity: atRisk ? 'error' : 'warning',
        resource,
        account: sm.account,
        message: `Consumers of ${sm.stream} fall behind on shard ${l.shardId}: iterator age reached ${round(l.maxIteratorAgeMs / 1000, 1)} s`,
        evidence: {
          maxIteratorAgeMilliseconds: l.maxIteratorAgeMs,
          ...(l.maxIteratorAgeAt ? { at: l.maxIteratorAgeAt } : {}),
          thresholdMilliseconds: threshold,
          thresholdSource: slaMs !== undefined ? 'stream sla.freshnessSeconds' : 'audit option iteratorAgeMs',
          retentionHours: live.retentionHours,
          percentOfRetention: round((l.maxIteratorAgeMs / retentionMs) * 100, 1),
        },
        remediation: atRisk
          ? 'Records are at risk of expiring before they are read: scale the consumer out (one worker per shard), fix failing batches, ' +
            'or raise retention while it catches up.'
          : 'Scale the consumer (more workers or a larger batch size), check it for errors and retries, or move it to enhanced fan-out.',
        help: ITERATOR_DOCS,
        ...at,
      });
    }
    if (closed.has(l.shardId)) {
      findings.splice(shardFindingsFrom, Infinity, ...findings.slice(shardFindingsFrom).map(asClosed));
    }
  }
  // Skew compares shards that share the load at the same time: a parent closed mid-window and its children are not.
  const open = loads.filter((l) => !closed.has(l.shardId));
  if (open.length >= 2) {
    const mean = sum(open.map((l) => l.meanShare)) / open.length;
    const busiest = open.reduce((a, b) => (b.meanShare > a.meanShare ? b : a));
    const ratio = mean > 0 ? busiest.meanShare / mean : 0;
    if (ratio >= opts.skewRatio && busiest.meanShare >= opts.skewMinShare) {
      findings.push({
        code: 'skewed-stream',
        severity: 'warning',
        resource: streamResource(sm.account, sm.stream),
        account: sm.account,
        message: `${sm.stream} is skewed: shard ${busiest.shardId} carries ${round(ratio, 1)}x the mean shard load`,
        evidence: {
          busiestShard: busiest.shardId,
          busiestMeanPercentOfLimit: pct(busiest.meanShare),
          meanShardPercentOfLimit: pct(mean),
          ratio: round(ratio, 2),
          skewThreshold: opts.skewRatio,
          shards: open.length,
        },
        remediation:
          'Review the partition keys: a few keys (or a low-cardinality key) map most records to one hash range. ' +
          'Use a higher-cardinality key; adding shards alone does not fix skew.',
        help: RESHARD_DOCS,
        ...at,
      });
    }
  }
  return { findings, chart: chartFor(sm, loads, opts, closed) };
}

/** Shards the metrics source marked closed (a reshard closed them during or after the window). */
export function closedShardIds(sm: StreamMetrics): Set<string> {
  return new Set(sm.shards.filter((s) => s.closed === true).map((s) => s.shardId));
}

/**
 * A finding about a shard a reshard has closed: the evidence stays (that is the point of reading closed shards),
 * marked closed, and the remediation says the shard no longer takes writes.
 */
function asClosed(f: Finding): Finding {
  return {
    ...f,
    message: `${f.message} (shard closed by a reshard)`,
    evidence: { ...f.evidence, closed: true },
    remediation:
      'This shard was closed by a reshard (split or merge) and takes no more writes; check that its child ' +
      `shards do not inherit the problem. What applied while it was open: ${f.remediation}`,
  };
}

function chartFor(
  sm: StreamMetrics,
  loads: readonly ShardLoad[],
  opts: HotShardOptions,
  closed: ReadonlySet<string>,
): ShardChart | undefined {
  if (loads.length === 0) return undefined;
  const kept = [...loads]
    .sort((a, b) => b.peakShare - a.peakShare || (a.shardId < b.shardId ? -1 : 1))
    .slice(0, opts.chartMaxShards);
  kept.sort((a, b) => (a.shardId < b.shardId ? -1 : 1));
  return {
    account: sm.account,
    stream: sm.stream,
    metric: 'write-bytes-peak',
    unit: 'percent-of-limit',
    threshold: pct(opts.loadShare),
    shards: kept.map((l) => ({
      shardId: l.shardId,
      value: pct(l.peakShare),
      ...(closed.has(l.shardId) ? { closed: true as const } : {}),
    })),
    omitted: loads.length - kept.length,
  };
}

/** Streams whose shard-level metrics are missing or incomplete: a `shard-metrics-disabled` warning each. */
function monitoringFindings(ctx: AuditContext, ix: AuditIndex): Finding[] {
  const findings: Finding[] = [];
  for (const declared of ctx.mesh.streams) {
    const live = ix.liveStream(declared.account, declared.name);
    if (!live || !needsShardMetrics(live, declared)) continue;
    const enabled = enabledShardMetrics(live);
    const missing = SHARD_METRICS.filter((m) => !enabled.has(m));
    if (missing.length === 0) continue;
    findings.push({
      code: 'shard-metrics-disabled',
      severity: 'warning',
      resource: streamResource(declared.account, declared.name),
      account: declared.account,
      message: `${declared.name}: shard-level metrics are not enabled (${missing.join(', ')})`,
      evidence: { shards: live.shards, enabled: [...live.enhancedMonitoring], missing },
      remediation:
        `Declare enhancedMonitoring: [${SHARD_METRICS.join(', ')}] on the stream and apply (EnableEnhancedMonitoring); ` +
        'without them hot shards, skew and per-shard lag cannot be seen. Shard-level metrics are billed per shard and metric.',
      help: MONITORING_DOCS,
      ...locationOf(ctx, declared.at),
    });
  }
  return findings;
}

/**
 * Streams worth reading shard metrics for: declared, live, and with at least one of the five shard-level metrics
 * enabled (the CLI passes their open shard ids to the CloudWatch adapter).
 */
export function streamsToMeasure(ctx: Pick<AuditContext, 'mesh' | 'live'>): { account: string; stream: string }[] {
  const out: { account: string; stream: string }[] = [];
  const ix = indexAudit(ctx);
  for (const d of ctx.mesh.streams) {
    const live = ix.liveStream(d.account, d.name);
    if (!live) continue;
    const enabled = enabledShardMetrics(live);
    if (SHARD_METRICS.some((m) => enabled.has(m))) out.push({ account: d.account, stream: d.name });
  }
  return out;
}

/** The hot-shard checks. Without metrics (e.g. the local target) only the monitoring check runs. */
export function hotShardChecks(
  ctx: AuditContext,
  metrics: MetricsSnapshot | undefined,
  options: Partial<HotShardOptions> = {},
): CheckResult {
  const opts = { ...DEFAULT_HOT_SHARD_OPTIONS, ...options };
  const result = emptyResult();
  const ix = indexAudit(ctx);
  result.findings.push(...monitoringFindings(ctx, ix));
  result.checksRun.push('shard-metrics-disabled');
  const metricChecks = HOT_SHARD_CHECKS.filter((c) => c !== 'shard-metrics-disabled');
  if (!metrics) {
    for (const check of metricChecks)
      result.checksNotRun.push({
        check,
        reason: 'no CloudWatch metrics were read (CloudWatch is not available on this target)',
      });
    return result;
  }
  result.checksRun.push(...metricChecks);
  result.notes = [burstNote(metrics.window.periodSeconds), ...metrics.messages.map((m) => `CloudWatch: ${m}`)];
  result.charts = [];
  for (const sm of metrics.streams) {
    const { findings, chart } = analyseStream(ctx, ix, sm, metrics, opts);
    result.findings.push(...findings);
    if (chart) result.charts.push(chart);
  }
  return result;
}
