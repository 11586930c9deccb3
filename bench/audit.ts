/**
 * Audit benchmark: GetMetricData requests that readShardMetrics (src/adapters/aws/cloudwatch.ts) makes for N shards
 * over a 1-hour window at 60 s periods, counted on an aws-sdk-client-mock CloudWatch client (no network). Five
 * metrics per shard and at most 500 queries per request, so the minimum is ceil(N * 5 / 500); 60 points per
 * series keep every response under the 100,800-point page, so no NextToken pages are expected.
 */
import { CloudWatchClient, GetMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import type { MetricDataQuery } from '@aws-sdk/client-cloudwatch';
import { mockClient } from 'aws-sdk-client-mock';
import { performance } from 'node:perf_hooks';
import { readShardMetrics } from '../src/adapters/aws/cloudwatch.js';
import type { ShardTarget } from '../src/adapters/aws/cloudwatch.js';

export interface AuditRow {
  shards: number;
  streams: number;
  calls: number;
  minimum: number;
  queries: number;
  maxQueriesPerCall: number;
  wallMs: number;
}

const END = new Date('2026-01-01T12:00:00Z');

export async function auditBench(shardCounts: readonly number[]): Promise<AuditRow[]> {
  const rows: AuditRow[] = [];
  for (const shards of shardCounts) {
    const mock = mockClient(CloudWatchClient);
    let queries = 0;
    let maxPerCall = 0;
    mock.on(GetMetricDataCommand).callsFake((input: { MetricDataQueries?: MetricDataQuery[]; StartTime?: Date }) => {
      const qs = input.MetricDataQueries ?? [];
      queries += qs.length;
      maxPerCall = Math.max(maxPerCall, qs.length);
      const t = input.StartTime ?? END;
      return { MetricDataResults: qs.map((q) => ({ Id: q.Id, StatusCode: 'Complete', Timestamps: [t], Values: [1] })) };
    });
    // 4 shards per stream, like a mid-sized provisioned stream.
    const targets: ShardTarget[] = [];
    for (let i = 0; i < shards; i += 4) {
      targets.push({
        stream: `stream-${i / 4}`,
        shardIds: Array.from({ length: Math.min(4, shards - i) }, (_, j) => `shardId-${String(j).padStart(12, '0')}`),
      });
    }
    // A fake clock: the limiter never waits on the wall clock, so the time is meshgov's own work.
    let now = END.getTime();
    const clock = { now: () => new Date(now), sleep: async (ms: number) => void (now += ms) };
    const client = new CloudWatchClient({
      region: 'eu-west-1',
      credentials: { accessKeyId: 'x', secretAccessKey: 'y' },
    });
    const t0 = performance.now();
    const snap = await readShardMetrics(
      client,
      '111111111111',
      targets,
      { start: new Date(END.getTime() - 3600_000), end: END },
      { clock },
    );
    const wallMs = performance.now() - t0;
    const calls = mock.commandCalls(GetMetricDataCommand).length;
    if (snap.calls !== calls) throw new Error(`readShardMetrics reports ${snap.calls} calls, the mock saw ${calls}`);
    rows.push({
      shards,
      streams: targets.length,
      calls,
      minimum: Math.ceil((shards * 5) / 500),
      queries,
      maxQueriesPerCall: maxPerCall,
      wallMs,
    });
    mock.restore();
    client.destroy();
  }
  return rows;
}

if (process.argv[1] && import.meta.url.endsWith(process.argv[1].replace(/^.*\//, ''))) {
  process.stdout.write(`${JSON.stringify(await auditBench([1, 100, 1000, 10_000, 40_000]))}\n`);
}
