/**
 * The CloudWatch adapter against aws-sdk-client-mock. The fake answers GetMetricData the way the API reference
 * documents it: MetricDataResults [{Id, Label, Timestamps, Values, StatusCode}], NextToken, Messages; at most 500
 * queries per request and at most 100,800 data points per response, the rest paged with NextToken
 * (StatusCode PartialData on the series that were cut).
 * https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_GetMetricData.html
 */
import { CloudWatchClient, GetMetricDataCommand, ListMetricsCommand } from '@aws-sdk/client-cloudwatch';
import type {
  GetMetricDataCommandInput,
  GetMetricDataCommandOutput,
  MetricDataResult,
} from '@aws-sdk/client-cloudwatch';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { KinesisClient, ListShardsCommand } from '@aws-sdk/client-kinesis';
import {
  alignWindow,
  buildShardQueries,
  discoverShardIds,
  periodForWindow,
  readShardMetrics,
} from '../../src/adapters/aws/cloudwatch.js';
import type { ShardTarget } from '../../src/adapters/aws/cloudwatch.js';
import { GET_METRIC_DATA_POINTS, RateLimiter } from '../../src/adapters/aws/rate-limit.js';
import type { Timer } from '../../src/core/ports.js';
import { ClientPool } from '../../src/adapters/aws/client-pool.js';
import { runAudit } from '../../src/app/audit.js';
import { auditWindow, readAuditMetrics } from '../../src/adapters/aws/metrics-source.js';
import { parseWindow } from '../../src/cli/commands/audit.js';
import { burstNote, hotShardChecks, streamsToMeasure } from '../../src/core/audit/hot-shards.js';
import type { Stream } from '../../src/core/model/types.js';
import { A, C, REGION, TODAY, aMesh, desiredFrom, liveFrom, world } from './builders.js';

const cw = mockClient(CloudWatchClient);
afterEach(() => cw.reset());

/** A value per (stream, shard, metric, index of the period in the window, period in seconds); NaN = no data point. */
type Value = (stream: string, shardId: string, metric: string, slot: number, periodSeconds: number) => number;

/** A fake GetMetricData that honours each query's Period and pages by the documented data-point limit. */
function fakeCloudWatch(value: Value, extra: Partial<GetMetricDataCommandOutput> = {}) {
  const inputs: GetMetricDataCommandInput[] = [];
  cw.on(GetMetricDataCommand).callsFake((input: GetMetricDataCommandInput) => {
    inputs.push(input);
    const queries = input.MetricDataQueries ?? [];
    if (queries.length > 500) throw new Error('ValidationError: more than 500 queries');
    const start = (input.StartTime as Date).getTime();
    const [q0, p0] = input.NextToken ? (JSON.parse(input.NextToken) as [number, number]) : [0, 0];
    let budget = 100_800;
    const results: MetricDataResult[] = [];
    let next: string | undefined;
    for (let q = q0; q < queries.length; q++) {
      const query = queries[q];
      const period = query?.MetricStat?.Period as number;
      if (!Number.isInteger(period) || period % 60 !== 0) throw new Error(`ValidationError: period ${period}`);
      const slots = Math.floor(((input.EndTime as Date).getTime() - start) / (period * 1000));
      const dims = query?.MetricStat?.Metric?.Dimensions ?? [];
      const stream = dims.find((d) => d.Name === 'StreamName')?.Value as string;
      const shard = dims.find((d) => d.Name === 'ShardId')?.Value as string;
      const metric = query?.MetricStat?.Metric?.MetricName as string;
      const from = q === q0 ? p0 : 0;
      const take = Math.min(slots - from, budget);
      const ts: Date[] = [];
      const vs: number[] = [];
      for (let m = from; m < from + take; m++) {
        const v = value(stream, shard, metric, m, period);
        if (Number.isNaN(v)) continue; // no data point in that period
        ts.push(new Date(start + m * period * 1000));
        vs.push(v);
      }
      budget -= take;
      const complete = from + take === slots;
      results.push({
        Id: query?.Id,
        Label: query?.Label,
        Timestamps: ts,
        Values: vs,
        StatusCode: complete ? 'Complete' : 'PartialData',
      });
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
function fakeClock(startMs: number): Timer & { slept: number; ms: () => number } {
  let now = startMs;
  const clock = {
    slept: 0,
    now: () => new Date(now),
    ms: () => now,
    sleep: async (ms: number) => {
      now += ms;
      clock.slept += ms;
    },
  };
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

describe('periodForWindow', () => {
  it('is 60 s up to 3 h 21 min (500 x 201 points fit one response), 480 s for 24 h and 6,480 s for 15 days', () => {
    const m = 60_000;
    expect(periodForWindow(60 * m)).toBe(60);
    expect(periodForWindow(201 * m)).toBe(60);
    expect(periodForWindow(202 * m)).toBe(120);
    expect(periodForWindow(24 * 60 * m)).toBe(480);
    expect(periodForWindow(15 * 24 * 60 * m)).toBe(6480);
  });

  it('is the smallest multiple of 60 s at which 500 series of the window fit 100,800 data points', () => {
    for (let minutes = 1; minutes <= 15 * 24 * 60; minutes += 37) {
      const seconds = minutes * 60;
      const p = periodForWindow(seconds * 1000);
      expect(p % 60).toBe(0);
      expect(500 * Math.ceil(seconds / p)).toBeLessThanOrEqual(100_800);
      if (p > 60) expect(500 * Math.ceil(seconds / (p - 60))).toBeGreaterThan(100_800);
    }
  });
});

describe('alignWindow', () => {
  it('rounds the end down to the minute and starts a whole number of periods before it, covering the window', () => {
    const now = new Date('2026-11-25T12:00:42.500Z');
    const w = alignWindow(new Date(now.getTime() - 24 * 3_600_000), now, 480);
    expect(w).toEqual({ start: new Date('2026-11-24T12:00:00.000Z'), end: new Date('2026-11-25T12:00:00.000Z') });
    // 7 days at 3,060 s: 197.6 periods become 198 whole ones, so the start moves back 18 minutes.
    const week = alignWindow(new Date(now.getTime() - 7 * 86_400_000), now, 3060);
    expect(week.end.toISOString()).toBe('2026-11-25T12:00:00.000Z');
    expect((week.end.getTime() - week.start.getTime()) / 1000).toBe(198 * 3060);
    expect(week.start.toISOString()).toBe('2026-11-18T11:42:00.000Z');
  });
});

describe('readShardMetrics', () => {
  const twoThousandShards = (): ShardTarget[] =>
    Array.from({ length: 40 }, (_v, i) => ({ stream: `s${i}`, shardIds: shardIds(50) }));

  it.each([
    [1, 60, 60],
    [24, 480, 180],
  ])(
    'audits 2,000 shards over %i h with exactly ceil(2000 x 5 / 500) = 20 GetMetricData calls (period %i s, %i points a series)',
    async (h, period, points) => {
      const inputs = fakeCloudWatch(() => 1000);
      const clock = fakeClock(END.getTime());
      const snap = await readShardMetrics(
        new CloudWatchClient({ region: 'eu-west-1' }),
        A,
        twoThousandShards(),
        hours(h),
        { clock },
      );
      expect(cw.commandCalls(GetMetricDataCommand)).toHaveLength(Math.ceil((2000 * 5) / 500));
      expect(snap.calls).toBe(20);
      expect(inputs.every((i) => i.NextToken === undefined)).toBe(true);
      expect(inputs.every((i) => (i.MetricDataQueries?.length ?? 0) <= 500)).toBe(true);
      expect(new Set(inputs.flatMap((i) => i.MetricDataQueries?.map((q) => q.MetricStat?.Period)))).toEqual(
        new Set([period]),
      );
      expect(new Set(inputs.flatMap((i) => i.MetricDataQueries?.map((q) => q.Id))).size).toBe(10_000);
      expect(snap.window).toEqual({
        start: hours(h).start.toISOString(),
        end: END.toISOString(),
        periodSeconds: period,
      });
      expect(snap.streams).toHaveLength(40);
      expect(
        snap.streams.every(
          (s) => s.shards.length === 50 && s.shards.every((sh) => sh.series.IncomingBytes?.values.length === points),
        ),
      ).toBe(true);
    },
  );

  it('waits for the data-point quota: 20 requests x 30,000 points at (80 % of) 180,000 points/s', async () => {
    fakeCloudWatch(() => 1000);
    const clock = fakeClock(END.getTime());
    await readShardMetrics(new CloudWatchClient({ region: 'eu-west-1' }), A, twoThousandShards(), hours(1), { clock });
    expect(clock.slept).toBeGreaterThanOrEqual(((20 * 30_000 - 180_000) / 180_000) * 1000 - 20);
  });

  it('still follows NextToken when a response is cut (24 h at an explicit 60 s period), and loses no data point', async () => {
    fakeCloudWatch((_s, _sh, _m, slot) => slot);
    const targets: ShardTarget[] = [{ stream: 'big', shardIds: shardIds(100) }];
    const snap = await readShardMetrics(
      new CloudWatchClient({ region: 'eu-west-1' }),
      A,
      targets,
      { ...hours(24), periodSeconds: 60 },
      { clock: fakeClock(END.getTime()) },
    );
    // 500 queries x 1,440 points = 720,000 points = ceil(720,000 / 100,800) = 8 pages for the single batch.
    expect(cw.commandCalls(GetMetricDataCommand)).toHaveLength(8);
    expect(snap.calls).toBe(8);
    const calls = cw.commandCalls(GetMetricDataCommand).map((c) => c.args[0].input.NextToken);
    expect(calls[0]).toBeUndefined();
    expect(calls.slice(1).every((t) => typeof t === 'string')).toBe(true);
    const s = snap.streams[0]?.shards[99]?.series.IteratorAgeMilliseconds;
    expect(s?.values).toHaveLength(1440);
    expect(s?.values.slice(0, 3)).toEqual([0, 1, 2]);
    expect(s?.timestamps[0]).toBe('2026-11-24T12:00:00.000Z');
    expect(snap.window.periodSeconds).toBe(60);
  });

  it('rejects a period that is not a multiple of 60 s', async () => {
    await expect(
      readShardMetrics(
        new CloudWatchClient({ region: 'eu-west-1' }),
        A,
        [{ stream: 'o', shardIds: shardIds(1) }],
        { ...hours(1), periodSeconds: 90 },
        { clock: fakeClock(END.getTime()) },
      ),
    ).rejects.toThrow(/multiple of 60/);
  });

  it('keeps request-level Messages and non-Complete status codes for the report', async () => {
    cw.on(GetMetricDataCommand).resolves({
      MetricDataResults: [{ Id: 'm0', Label: 'x', Timestamps: [], Values: [], StatusCode: 'Forbidden' }],
      Messages: [{ Code: 'MaxMetricsExceeded', Value: 'Maximum number of allowed metrics exceeded' }],
      $metadata: {},
    });
    const snap = await readShardMetrics(
      new CloudWatchClient({ region: 'eu-west-1' }),
      A,
      [{ stream: 'orders', shardIds: shardIds(1) }],
      hours(1),
      { clock: fakeClock(END.getTime()) },
    );
    expect(snap.messages).toEqual([
      'MaxMetricsExceeded: Maximum number of allowed metrics exceeded',
      'Forbidden for IncomingBytes of orders/shardId-000000000000',
    ]);
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
    const metrics = await readShardMetrics(
      new CloudWatchClient({ region: 'eu-west-1' }),
      A,
      [{ stream: 'orders', shardIds: shardIds(4) }],
      hours(1),
      { clock: fakeClock(END.getTime()) },
    );
    const r = hotShardChecks(world().ctx, metrics);
    expect(r.findings.map((f) => [f.code, f.resource])).toEqual([
      ['read-throttled-shard', `${A}/stream/orders/shard/shardId-000000000000`],
      ['hot-shard', `${A}/stream/orders/shard/shardId-000000000002`],
      ['skewed-stream', `${A}/stream/orders`],
    ]);
    expect(r.findings[0]).toMatchObject({ evidence: { throttledGetRecordsCalls: 12 } });
    expect(r.findings[1]).toMatchObject({
      evidence: { peakPercentOfLimit: 95, peakMinute: '2026-11-25T11:17:00.000Z' },
    });
  });

  it('converts Sum per 480 s period to per-second rates over a 24 h window (not per 60 s)', async () => {
    const MiB = 1024 * 1024;
    // Sums per period: the hot shard writes 0.9 MiB/s and 100 records/s in period 90, 0.1 MiB/s otherwise.
    fakeCloudWatch((_stream, shard, metric, slot, period) => {
      const hot = shard === 'shardId-000000000001' && slot === 90;
      if (metric === 'IncomingBytes') return (hot ? 0.9 : 0.1) * MiB * period;
      if (metric === 'IncomingRecords') return (hot ? 100 : 10) * period;
      return metric === 'IteratorAgeMilliseconds' ? 100 : 0;
    });
    const metrics = await readShardMetrics(
      new CloudWatchClient({ region: 'eu-west-1' }),
      A,
      [{ stream: 'orders', shardIds: shardIds(4) }],
      hours(24),
      { clock: fakeClock(END.getTime()) },
    );
    expect(metrics.window.periodSeconds).toBe(480);
    const r = hotShardChecks(world().ctx, metrics);
    expect(r.findings.map((f) => [f.code, f.resource])).toEqual([
      ['hot-shard', `${A}/stream/orders/shard/shardId-000000000001`],
    ]);
    expect(r.findings[0]).toMatchObject({
      severity: 'warning',
      evidence: {
        peakPercentOfLimit: 90,
        peakBytesPerSecond: 0.9 * MiB,
        peakRecordsPerSecond: 100,
        periodSeconds: 480,
        peakMinute: new Date(hours(24).start.getTime() + 90 * 480_000).toISOString(),
      },
    });
    expect(r.notes).toContain(burstNote(480));
    expect(burstNote(480)).toMatch(/Sum ÷ 480\. A burst shorter than 8 minutes/);
  });
});

describe('the audit command path (streamsToMeasure -> readAuditMetrics -> runAudit)', () => {
  const kinesis = mockClient(KinesisClient);
  afterEach(() => kinesis.reset());

  /** The example world plus 40 streams of 50 open shards (2,000) with shard metrics on, 20 in account A and 20 in C. */
  function bigWorld() {
    const mesh = aMesh();
    const all = [
      'IncomingBytes',
      'IncomingRecords',
      'IteratorAgeMilliseconds',
      'ReadProvisionedThroughputExceeded',
      'WriteProvisionedThroughputExceeded',
    ];
    const base = mesh.streams[1] as Stream;
    mesh.streams = Array.from({ length: 40 }, (_v, i): Stream => ({
      ...base,
      name: `big-${i}`,
      account: i < 20 ? A : C,
      capacity: { mode: 'PROVISIONED', shards: 50 },
      enhancedMonitoring: all as Stream['enhancedMonitoring'],
      at: { file: 'mesh.yaml', path: ['domains', 0, 'streams', i] },
    }));
    mesh.grants = [];
    const desired = desiredFrom(mesh);
    const live = liveFrom(desired);
    return { mesh, desired, live };
  }

  it.each([
    ['1h', 60],
    ['24h', 480],
  ])(
    'reads 2,000 shards in two accounts with 20 GetMetricData calls over --window %s (period %i s)',
    async (w, period) => {
      const { mesh, desired, live } = bigWorld();
      // ListShards (FROM_TIMESTAMP at the window start): 49 open shards and one closed by resharding in the window
      // (EndingSequenceNumber), which is read too and marked closed: 50 shards a stream.
      kinesis.on(ListShardsCommand).resolves({
        Shards: [
          {
            ShardId: 'shardId-000000000099',
            HashKeyRange: { StartingHashKey: '0', EndingHashKey: '1' },
            SequenceNumberRange: { StartingSequenceNumber: '1', EndingSequenceNumber: '2' },
          },
          ...shardIds(49).map((ShardId) => ({
            ShardId,
            HashKeyRange: { StartingHashKey: '0', EndingHashKey: '1' },
            SequenceNumberRange: { StartingSequenceNumber: '3' },
          })),
        ],
        $metadata: {},
      });
      const MiB = 1024 * 1024;
      const inputs = fakeCloudWatch((stream, shard, metric, slot, p) => {
        if (metric === 'IncomingBytes')
          return (stream === 'big-7' && shard === 'shardId-000000000003' && slot === 5 ? 0.95 : 0.1) * MiB * p;
        if (metric === 'IncomingRecords') return 10 * p;
        return metric === 'IteratorAgeMilliseconds' ? 100 : 0;
      });
      const pairs = streamsToMeasure({ mesh, live });
      expect(pairs).toHaveLength(40);
      const window = auditWindow(END, parseWindow(w));
      expect(window.periodSeconds).toBe(period);
      const pool = new ClientPool({
        target: 'local',
        region: REGION,
        partition: 'aws',
        command: 'audit',
        rateLimitScale: 0,
      });
      try {
        const metrics = await readAuditMetrics(pool, pairs, window, { clock: fakeClock(END.getTime()) });
        expect(cw.commandCalls(GetMetricDataCommand)).toHaveLength(20);
        expect(metrics?.calls).toBe(20);
        expect(kinesis.commandCalls(ListShardsCommand)).toHaveLength(40);
        expect(
          inputs.every(
            (i) => i.NextToken === undefined && i.MetricDataQueries?.every((q) => q.MetricStat?.Period === period),
          ),
        ).toBe(true);
        expect(
          kinesis
            .commandCalls(ListShardsCommand)
            .every(
              (c) =>
                c.args[0].input.ShardFilter?.Type === 'FROM_TIMESTAMP' &&
                c.args[0].input.ShardFilter.Timestamp?.getTime() === window.start.getTime(),
            ),
        ).toBe(true);
        const closedQueries = inputs
          .flatMap((i) => i.MetricDataQueries ?? [])
          .filter((q) => q.MetricStat?.Metric?.Dimensions?.some((d) => d.Value === 'shardId-000000000099'));
        expect(closedQueries).toHaveLength(40 * 5);
        const big7 = metrics?.streams.find((sm) => sm.account === A && sm.stream === 'big-7');
        expect(big7?.shards.filter((sh) => sh.closed).map((sh) => sh.shardId)).toEqual(['shardId-000000000099']);
        const asked = {
          start: window.start.toISOString(),
          end: window.end.toISOString(),
          periodSeconds: window.periodSeconds,
        };
        const report = runAudit({ mesh, desired, live, metrics, today: TODAY, options: { window: asked } });
        expect(report.window).toEqual(asked);
        expect(report.notes).toContain(burstNote(period));
        const hot = report.findings.filter((f) => f.code === 'hot-shard');
        expect(hot.map((f) => f.resource)).toEqual([`${A}/stream/big-7/shard/shardId-000000000003`]);
        expect(hot[0]?.evidence).toMatchObject({ peakPercentOfLimit: 95, periodSeconds: period });
      } finally {
        pool.destroy();
      }
    },
  );
});

describe('GetMetricData in the one limiter', () => {
  it('spaces requests at 80 % of 50 per second', async () => {
    const clock = fakeClock(0);
    const limiter = new RateLimiter(1, clock);
    for (let i = 0; i < 120; i++) await limiter.take(A, 'GetMetricData');
    // The bucket starts full (40), the other 80 wait 25 ms each.
    expect(clock.ms()).toBeGreaterThanOrEqual(2000 - 5);
    expect(clock.ms()).toBeLessThanOrEqual(2000 + 150);
  });
  it('charges data points by cost, per account, without waiting within the budget', async () => {
    const clock = fakeClock(0);
    const limiter = new RateLimiter(1, clock);
    // 80 % of 180,000 points per second: four requests of 36,000 points fit the full bucket, a fifth waits 250 ms.
    for (let i = 0; i < 4; i++) await limiter.take(A, GET_METRIC_DATA_POINTS, 36_000);
    await limiter.take('222222222222', GET_METRIC_DATA_POINTS, 36_000);
    expect(clock.slept).toBe(0);
    await limiter.take(A, GET_METRIC_DATA_POINTS, 36_000);
    expect(clock.slept).toBe(250);
  });
});

describe('discoverShardIds', () => {
  it('lists shard ids from ListMetrics pages (StreamName + ShardId dimensions), skipping the stream-level metric', async () => {
    cw.on(ListMetricsCommand)
      .resolvesOnce({
        Metrics: [
          {
            Namespace: 'AWS/Kinesis',
            MetricName: 'IncomingBytes',
            Dimensions: [{ Name: 'StreamName', Value: 'orders' }],
          },
          {
            Namespace: 'AWS/Kinesis',
            MetricName: 'IncomingBytes',
            Dimensions: [
              { Name: 'StreamName', Value: 'orders' },
              { Name: 'ShardId', Value: 'shardId-000000000001' },
            ],
          },
        ],
        NextToken: 'page2',
        $metadata: {},
      })
      .resolvesOnce({
        Metrics: [
          {
            Namespace: 'AWS/Kinesis',
            MetricName: 'IncomingBytes',
            Dimensions: [
              { Name: 'ShardId', Value: 'shardId-000000000000' },
              { Name: 'StreamName', Value: 'orders' },
            ],
          },
        ],
        $metadata: {},
      });
    const targets = await discoverShardIds(new CloudWatchClient({ region: 'eu-west-1' }), ['orders']);
    expect(targets).toEqual([{ stream: 'orders', shardIds: ['shardId-000000000000', 'shardId-000000000001'] }]);
    const calls = cw.commandCalls(ListMetricsCommand).map((c) => c.args[0].input);
    expect(calls.map((c) => c.NextToken)).toEqual([undefined, 'page2']);
    expect(calls[0]).toMatchObject({
      Namespace: 'AWS/Kinesis',
      MetricName: 'IncomingBytes',
      Dimensions: [{ Name: 'StreamName', Value: 'orders' }],
    });
  });
});
