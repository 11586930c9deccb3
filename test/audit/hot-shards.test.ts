import { describe, expect, it } from 'vitest';
import type { CheckResult } from '../../src/core/audit/context.js';
import type { Finding } from '../../src/core/audit/findings.js';
import { BURST_NOTE, hotShardChecks, streamsToMeasure } from '../../src/core/audit/hot-shards.js';
import type { ShardSpec } from './builders.js';
import { A, aSnapshot, flat, liveStream, world } from './builders.js';

const MiB = 1024 * 1024;
const ids = ['shardId-000000000000', 'shardId-000000000001', 'shardId-000000000002', 'shardId-000000000003'];
/** Every shard at `kibPerSecond` KiB/s and 10 records/s, nothing throttled, consumers current. */
const even = (kibPerSecond: number): ShardSpec[] =>
  ids.map((shardId) => ({
    shardId,
    bytes: flat(60, kibPerSecond * 1024 * 60),
    records: flat(60, 600),
    writeThrottled: flat(60, 0),
    readThrottled: flat(60, 0),
    iteratorAgeMs: flat(60, 0),
  }));

function run(shards: ShardSpec[], mutate?: (w: ReturnType<typeof world>) => void, options = {}) {
  const w = world();
  mutate?.(w);
  return hotShardChecks(w.ctx, aSnapshot([{ account: A, stream: 'orders', shards }]), options);
}
const ofId = (r: CheckResult, id: string): Finding[] => r.findings.filter((f) => f.code === id);

describe('hot-shard', () => {
  it('flags a shard whose peak minute is at or above 80% of 1 MiB/s, with the numbers', () => {
    const shards = even(100);
    const bytes = flat(60, 100 * 1024 * 60);
    bytes[30] = 0.9 * MiB * 60; // one minute at 0.9 MiB/s
    (shards[2] as ShardSpec).bytes = bytes;
    const r = run(shards);
    const hot = ofId(r, 'hot-shard');
    expect(hot).toHaveLength(1);
    expect(hot[0]).toMatchObject({
      severity: 'warning',
      resource: `${A}/stream/orders/shard/shardId-000000000002`,
      account: A,
      evidence: {
        peakBytesPerSecond: 0.9 * MiB,
        peakPercentOfLimit: 90,
        thresholdPercent: 80,
        peakMinute: '2026-11-25T00:30:00.000Z',
        limitBytesPerSecond: MiB,
      },
    });
    expect(hot[0]?.remediation).toMatch(/Split shardId-000000000002.*partition keys.*on-demand/);
  });

  it('flags records/s too, and is an error at 100% of the limit', () => {
    const shards = even(10);
    (shards[0] as ShardSpec).records = flat(60, 1000 * 60);
    const hot = ofId(run(shards), 'hot-shard');
    expect(hot.map((f) => [f.code, f.severity])).toEqual([['hot-shard', 'error']]);
  });

  it('does not flag 79% of the limit, and honours a configured share', () => {
    const shards = even(0.79 * 1024);
    expect(ofId(run(shards), 'hot-shard')).toEqual([]);
    expect(ofId(run(shards, undefined, { loadShare: 0.5 }), 'hot-shard')).toHaveLength(4);
  });

  it('recommends partition-key review rather than splitting for an on-demand stream', () => {
    const shards = even(900);
    const r = run(shards, (w) => {
      liveStream(w.live, 'orders').mode = 'ON_DEMAND';
    });
    expect(ofId(r, 'hot-shard')[0]).toMatchObject({ evidence: { mode: 'ON_DEMAND' } });
    expect(ofId(r, 'hot-shard')[0]?.remediation).toMatch(/on-demand.*partition key/);
  });
});

describe('skewed-stream', () => {
  it('flags a stream whose busiest shard carries >= 2x the mean shard load', () => {
    const shards = even(20);
    (shards[1] as ShardSpec).bytes = flat(60, 400 * 1024 * 60);
    const skew = ofId(run(shards), 'skewed-stream');
    expect(skew).toHaveLength(1);
    expect(skew[0]).toMatchObject({
      resource: `${A}/stream/orders`,
      evidence: {
        busiestShard: 'shardId-000000000001',
        ratio: 3.48 /* 400 / ((400 + 3 x 20) / 4) */,
        skewThreshold: 2,
        shards: 4,
      },
    });
  });
  it('does not flag an even stream, nor an idle one with a relatively busier shard', () => {
    expect(ofId(run(even(300)), 'skewed-stream')).toEqual([]);
    const idle = ids.map((shardId, i) => ({
      shardId,
      bytes: flat(60, i === 0 ? 6000 : 10),
      records: flat(60, i === 0 ? 10 : 1),
    }));
    expect(ofId(run(idle), 'skewed-stream')).toEqual([]);
  });
});

describe('throttling', () => {
  it('flags write throttling as an error and read throttling (a throttled consumer) as a warning', () => {
    const shards = even(100);
    const w = flat(60, 0);
    w[5] = 12;
    (shards[3] as ShardSpec).writeThrottled = w;
    const rd = flat(60, 0);
    rd[7] = 3;
    rd[8] = 4;
    (shards[0] as ShardSpec).readThrottled = rd;
    const r = run(shards);
    expect(ofId(r, 'write-throttled-shard')).toMatchObject([
      {
        severity: 'error',
        resource: `${A}/stream/orders/shard/shardId-000000000003`,
        evidence: { throttledRecords: 12 },
      },
    ]);
    expect(ofId(r, 'read-throttled-shard')).toMatchObject([
      {
        severity: 'warning',
        resource: `${A}/stream/orders/shard/shardId-000000000000`,
        evidence: { throttledGetRecordsCalls: 7 },
      },
    ]);
  });
  it('does not flag shards with zero throttling counts', () => {
    const r = run(even(100));
    expect(ofId(r, 'write-throttled-shard')).toEqual([]);
    expect(ofId(r, 'read-throttled-shard')).toEqual([]);
  });
});

describe('consumer-lagging', () => {
  it('flags iterator age above the threshold, and as an error past half the retention', () => {
    const shards = even(10);
    (shards[1] as ShardSpec).iteratorAgeMs = flat(60, 120_000);
    (shards[2] as ShardSpec).iteratorAgeMs = flat(60, 90 * 3_600_000); // 90 h of 168 h retention
    const lag = ofId(run(shards), 'consumer-lagging');
    expect(lag.map((f) => [f.resource.split('/').pop(), f.severity])).toEqual([
      ['shardId-000000000001', 'warning'],
      ['shardId-000000000002', 'error'],
    ]);
    expect(lag[0]).toMatchObject({
      evidence: { maxIteratorAgeMilliseconds: 120_000, thresholdMilliseconds: 60_000, retentionHours: 168 },
    });
  });
  it('uses the stream SLA freshness as the threshold when declared, and does not flag a current consumer', () => {
    const shards = even(10);
    (shards[1] as ShardSpec).iteratorAgeMs = flat(60, 10_000);
    expect(ofId(run(shards), 'consumer-lagging')).toEqual([]);
    const r = run(shards, (w) => {
      (w.mesh.streams[0] as { sla?: object }).sla = { freshnessSeconds: 5 };
    });
    expect(ofId(r, 'consumer-lagging')).toMatchObject([
      { evidence: { thresholdMilliseconds: 5000, thresholdSource: 'stream sla.freshnessSeconds' } },
    ]);
  });
});

describe('shard-metrics-disabled', () => {
  it('warns that shard-level metrics are not enabled on a multi-shard stream', () => {
    const r = run(even(10), (w) => {
      liveStream(w.live, 'orders').enhancedMonitoring = ['IncomingBytes'];
    });
    const f = ofId(r, 'shard-metrics-disabled');
    expect(f).toHaveLength(1);
    expect(f[0]?.message).toContain('shard-level metrics are not enabled');
    expect(f[0]).toMatchObject({
      evidence: {
        missing: [
          'IncomingRecords',
          'WriteProvisionedThroughputExceeded',
          'ReadProvisionedThroughputExceeded',
          'IteratorAgeMilliseconds',
        ],
      },
    });
  });
  it('accepts ALL, and does not ask a single-shard stream that declares no metrics', () => {
    expect(
      ofId(
        run(even(10), (w) => {
          liveStream(w.live, 'orders').enhancedMonitoring = ['ALL'];
        }),
        'shard-metrics-disabled',
      ),
    ).toEqual([]);
    // clicks: 1 shard, no metrics declared or enabled
    expect(ofId(run(even(10)), 'shard-metrics-disabled')).toEqual([]);
  });
});

describe('without metrics', () => {
  it('runs only the monitoring check and says which checks could not run', () => {
    const w = world();
    const r = hotShardChecks(w.ctx, undefined);
    expect(r.checksRun).toEqual(['shard-metrics-disabled']);
    expect(r.checksNotRun.map((c) => c.check)).toEqual([
      'hot-shard',
      'skewed-stream',
      'write-throttled-shard',
      'read-throttled-shard',
      'consumer-lagging',
    ]);
  });
  it('notes that per-minute metrics can hide sub-minute bursts when metrics are read', () => {
    expect(run(even(10)).notes).toContain(BURST_NOTE);
    expect(BURST_NOTE).toMatch(/burst shorter than a minute/);
  });
});

describe('streamsToMeasure', () => {
  it('lists declared live streams with shard-level metrics enabled', () => {
    const w = world();
    expect(streamsToMeasure(w.ctx)).toEqual([{ account: A, stream: 'orders' }]);
    liveStream(w.live, 'orders').enhancedMonitoring = [];
    expect(streamsToMeasure(w.ctx)).toEqual([]);
  });
});
