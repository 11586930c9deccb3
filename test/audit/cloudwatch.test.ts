/**
 * The CloudWatch adapter against aws-sdk-client-mock. The fake answers GetMetricData the way the API reference
 * documents it: MetricDataResults [{Id, Label, Timestamps, Values, StatusCode}], NextToken, Messages; at most 500
 * queries per request and at most 100,800 data points per response, the rest paged with NextToken
 * (StatusCode PartialData on the series that were cut).
 * https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_GetMetricData.html
 */
import { CloudWatchClient, GetMetricDataCommand, ListMetricsCommand } from '@aws-sdk/client-cloudwatch';
import type { GetMetricDataCommandInput, GetMetricDataCommandOutput, MetricDataResult } from '@aws-sdk/client-cloudwatch';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { GetMetricDataLimiter, buildShardQueries, discoverShardIds, readShardMetrics } from '../../src/adapters/aws/cloudwatch.js';
import type { LimiterClock, ShardTarget } from '../../src/adapters/aws/cloudwatch.js';
import { hotShardChecks } from '../../src/core/audit/hot-shards.js';
import { A, world } from './builders.js';

const cw = mockClient(CloudWatchClient);
afterEach(() => cw.reset());

type Value = (stream: string, shardId: string, metric: string, minute: number) => number;

/** A fake GetMetricData that pages by the documented data-point limit. */
function fakeCloudWatch(value: Value, extra: Partial<GetMetricDataCommandOutput> = {}) {
  const inputs: GetMetricDataCommandInput[] = [];
  cw.on(GetMetricDataCommand).callsFake((input: GetMetricDataCommandInput) => {
    inputs.push(input);
    const queries = input.MetricDataQueries ?? [];
    if (queries.length > 500) throw new Error('ValidationError: more than 500 queries');
    const start = (input.StartTime as Date).getTime();
    const minutes = Math.round(((input.EndTime as Date).getTime() - start) / 60_000);
    const [q0, p0] = input.NextToken ? (JSON.parse(input.NextToken) as [number, number]) : [0, 0];
    let budget = 100_800;
    const results: MetricDataResult[] = [];
    let next: string | undefined;
    for (let q = q0; q < queries.length; q++) {
      const query = queries[q];
      const dims = query?.MetricStat?.Metric?.Dimensions ?? [];
      const stream = dims.find((d) => d.Name === 'StreamName')?.Value as string;
      const shard = dims.find((d) => d.Name === 'ShardId')?.Value as string;
      const metric = query?.MetricStat?.Metric?.MetricName as string;
      const from = q === q0 ? p0 : 0;
      const take = Math.min(minutes - from, budget);
      const ts: Date[] = [];
      const vs: number[] = [];
      for (let m = from; m < from + take; m++) {
        const v = value(stream, shard, metric, m);
        if (Number.isNaN(v)) continue; // no data point in that minute
        ts.push(new Date(start + m * 60_000));
        vs.push(v);
      }
      budget -= take;
      const complete = from + take === minutes;
      results.push({ Id: query?.Id, Label: query?.Label, Timestamps: ts, Values: vs, StatusCode: complete ? 'Complete' : 'PartialData' });
      if (!complete) {
        next = JSON.stringify([q, from + take]);
        break;
      }
      if (budget === 0 && q + 1 < queries.length) {
        next = JSON.stringify([q + 1, 0]);
        break;
      }
    }
    return Promise.resolve({ MetricDataResults: results, NextToken: next, Messages: [], $metadata: {}, ...extra });
  });
  return inputs;
}

/** A fake clock: sleeping advances virtual time, no wall-clock waits. */
function fakeClock(startMs: number): LimiterClock & { slept: number } {
  let now = startMs;
  const clock = { slept: 0, now: () => now, sleep: async (ms: number) => { now += ms; clock.slept += ms; } };
  return clock;
}

const END = new Date('2026-11-25T12:00:00.000Z');
const hours = (h: number) => ({ start: new Date(END.getTime() - h * 3_600_000), end: END });
const shardIds = (n: number) => Array.from({ length: n }, (_v, i) => `shardId-${String(i).padStart(12, '0')}`);

describe('GetMetricData queries', () => {
  it('are one per shard and metric, with valid Ids, AWS/Kinesis, StreamName + ShardId, period 60 and the right stat', () => {
    const { queries } = buildShardQueries([{ stream: 'orders', shardIds: shardIds(2) }]);
    expect(queries).toHaveLength(10);
    for (const q of queries) {
      expect(q.Id).toMatch(/^[a-z][a-zA-Z0-9_]*$/);
      expect(q.MetricStat?.Metric?.Namespace).toBe('AWS/Kinesis');
      expect(q.MetricStat?.Metric?.Dimensions?.map((d) => d.Name)).toEqual(['StreamName', 'ShardId']);
      expect(q.MetricStat?.Period).toBe(60);
    }
    expect(queries.slice(0, 5).map((q) => [q.MetricStat?.Metric?.MetricName, q.MetricStat?.Stat])).toEqual([
      ['IncomingBytes', 'Sum'],
      ['IncomingRecords', 'Sum'],
      ['WriteProvisionedThroughputExceeded', 'Sum'],
      ['ReadProvisionedThroughputExceeded', 'Sum'],
      ['IteratorAgeMilliseconds', 'Maximum'],
    ]);
    expect(new Set(queries.map((q) => q.Id)).size).toBe(10);
  });
});

describe('readShardMetrics', () => {
  it('audits 2,000 shards with exactly ceil(2000 x 5 / 500) = 20 GetMetricData calls (1 h window fits one page)', async () => {
    const inputs = fakeCloudWatch(() => 1000);
    const targets: ShardTarget[] = Array.from({ length: 40 }, (_v, i) => ({ stream: `s${i}`, shardIds: shardIds(50) }));
    const clock = fakeClock(END.getTime());
    const snap = await readShardMetrics(new CloudWatchClient({ region: 'eu-west-1' }), A, targets, hours(1), { clock });
    expect(cw.commandCalls(GetMetricDataCommand)).toHaveLength(Math.ceil((2000 * 5) / 500));
    expect(snap.calls).toBe(20);
    expect(inputs.every((i) => (i.MetricDataQueries?.length ?? 0) <= 500)).toBe(true);
    expect(new Set(inputs.flatMap((i) => i.MetricDataQueries?.map((q) => q.Id))).size).toBe(10_000);
    expect(snap.streams).toHaveLength(40);
    expect(snap.streams.every((s) => s.shards.length === 50 && s.shards.every((sh) => sh.series.IncomingBytes?.values.length === 60))).toBe(true);
    // 20 requests x 30,000 points at 180,000 points/s (StartTime within 3 h): the limiter must have waited.
    expect(clock.slept).toBeGreaterThanOrEqual(((20 * 30_000 - 180_000) / 180_000) * 1000 - 20);
  });

  it('follows NextToken when a 24 h window exceeds 100,800 points per response, and loses no data point', async () => {
    fakeCloudWatch((_s, _sh, _m, minute) => minute);
    const targets: ShardTarget[] = [{ stream: 'big', shardIds: shardIds(100) }];
    const snap = await readShardMetrics(new CloudWatchClient({ region: 'eu-west-1' }), A, targets, hours(24), { clock: fakeClock(END.getTime()) });
    // 500 queries x 1,440 points = 720,000 points = ceil(720,000 / 100,800) = 8 pages for the single batch.
    expect(cw.commandCalls(GetMetricDataCommand)).toHaveLength(8);
    const calls = cw.commandCalls(GetMetricDataCommand).map((c) => c.args[0].input.NextToken);
    expect(calls[0]).toBeUndefined();
    expect(calls.slice(1).every((t) => typeof t === 'string')).toBe(true);
    const s = snap.streams[0]?.shards[99]?.series.IteratorAgeMilliseconds;
    expect(s?.values).toHaveLength(1440);
    expect(s?.values.slice(0, 3)).toEqual([0, 1, 2]);
    expect(s?.timestamps[0]).toBe('2026-11-24T12:00:00.000Z');
  });

  it('keeps request-level Messages and non-Complete status codes for the report', async () => {
    cw.on(GetMetricDataCommand).resolves({
      MetricDataResults: [{ Id: 'm0', Label: 'x', Timestamps: [], Values: [], StatusCode: 'Forbidden' }],
      Messages: [{ Code: 'MaxMetricsExceeded', Value: 'Maximum number of allowed metrics exceeded' }],
      $metadata: {},
    });
    const snap = await readShardMetrics(new CloudWatchClient({ region: 'eu-west-1' }), A, [{ stream: 'orders', shardIds: shardIds(1) }], hours(1), { clock: fakeClock(END.getTime()) });
    expect(snap.messages).toEqual(['MaxMetricsExceeded: Maximum number of allowed metrics exceeded', 'Forbidden for IncomingBytes of orders/shardId-000000000000']);
  });

  it('feeds the analysis: a hot shard, a skewed stream and a throttled consumer from CloudWatch-shaped data', async () => {
    const MiB = 1024 * 1024;
    fakeCloudWatch((_stream, shard, metric, minute) => {
      const hot = shard === 'shardId-000000000002';
      switch (metric) {
        case 'IncomingBytes':
          return hot ? (minute === 17 ? 0.95 * MiB * 60 : 0.5 * MiB * 60) : 0.05 * MiB * 60;
        case 'IncomingRecords':
          return hot ? 300 * 60 : 20 * 60;
        case 'ReadProvisionedThroughputExceeded':
          return shard === 'shardId-000000000000' && minute % 10 === 0 ? 2 : Number.NaN;
        case 'WriteProvisionedThroughputExceeded':
          return 0;
        default:
          return 150; // iterator age, ms
      }
    });
    const metrics = await readShardMetrics(new CloudWatchClient({ region: 'eu-west-1' }), A, [{ stream: 'orders', shardIds: shardIds(4) }], hours(1), { clock: fakeClock(END.getTime()) });
    const r = hotShardChecks(world().ctx, metrics);
    expect(r.findings.map((f) => [f.id, f.resource])).toEqual([
      ['read-throttled-shard', `${A}/stream/orders/shard/shardId-000000000000`],
      ['hot-shard', `${A}/stream/orders/shard/shardId-000000000002`],
      ['skewed-stream', `${A}/stream/orders`],
    ]);
    expect(r.findings[0]).toMatchObject({ evidence: { throttledGetRecordsCalls: 12 } });
    expect(r.findings[1]).toMatchObject({ evidence: { peakPercentOfLimit: 95, peakMinute: '2026-11-25T11:17:00.000Z' } });
  });
});

describe('GetMetricDataLimiter', () => {
  it('spaces requests at 50 per second', async () => {
    const clock = fakeClock(0);
    const limiter = new GetMetricDataLimiter(50, 1_000_000, clock);
    for (let i = 0; i < 150; i++) await limiter.acquire(1);
    // The bucket starts full (50), the other 100 wait 20 ms each.
    expect(clock.now()).toBeGreaterThanOrEqual(2000 - 5);
    expect(clock.now()).toBeLessThanOrEqual(2000 + 150);
  });
  it('does not wait within the budget', async () => {
    const clock = fakeClock(0);
    const limiter = new GetMetricDataLimiter(50, 180_000, clock);
    for (let i = 0; i < 6; i++) await limiter.acquire(30_000);
    expect(clock.slept).toBe(0);
  });
});

describe('discoverShardIds', () => {
  it('lists shard ids from ListMetrics pages (StreamName + ShardId dimensions), skipping the stream-level metric', async () => {
    cw.on(ListMetricsCommand)
      .resolvesOnce({
        Metrics: [
          { Namespace: 'AWS/Kinesis', MetricName: 'IncomingBytes', Dimensions: [{ Name: 'StreamName', Value: 'orders' }] },
          { Namespace: 'AWS/Kinesis', MetricName: 'IncomingBytes', Dimensions: [{ Name: 'StreamName', Value: 'orders' }, { Name: 'ShardId', Value: 'shardId-000000000001' }] },
        ],
        NextToken: 'page2',
        $metadata: {},
      })
      .resolvesOnce({
        Metrics: [{ Namespace: 'AWS/Kinesis', MetricName: 'IncomingBytes', Dimensions: [{ Name: 'ShardId', Value: 'shardId-000000000000' }, { Name: 'StreamName', Value: 'orders' }] }],
        $metadata: {},
      });
    const targets = await discoverShardIds(new CloudWatchClient({ region: 'eu-west-1' }), ['orders'], { clock: fakeClock(0) });
    expect(targets).toEqual([{ stream: 'orders', shardIds: ['shardId-000000000000', 'shardId-000000000001'] }]);
    const calls = cw.commandCalls(ListMetricsCommand).map((c) => c.args[0].input);
    expect(calls.map((c) => c.NextToken)).toEqual([undefined, 'page2']);
    expect(calls[0]).toMatchObject({ Namespace: 'AWS/Kinesis', MetricName: 'IncomingBytes', Dimensions: [{ Name: 'StreamName', Value: 'orders' }] });
  });
});
