/**
 * The cost model against figures computed by hand in the test (literal arithmetic over the published us-east-1
 * prices, never through the code under test), and the boundaries of every rounding and retention window.
 */
import { describe, expect, it } from 'vitest';
import {
  billedOnDemandBytesPerSecond,
  putPayloadUnitsPerMonth,
  retentionWindows,
  streamCost,
} from '../../src/core/cost/model.js';
import { shippedPriceTable } from '../../src/core/cost/prices/shipped.js';
import type { StreamConfig, StreamUsage } from '../../src/core/cost/types.js';
import { declaredUsage } from '../../src/core/cost/usage.js';

const US = shippedPriceTable('us-east-1').table;
const MONTH_S = 730 * 3600;
const GIB = 1024 ** 3;

function usage(bytes: number, records: number, pollingReaders = 0): StreamUsage {
  return {
    writeBytesPerSecond: bytes,
    writeRecordsPerSecond: records,
    pollingReaders,
    basis: 'declared',
    note: 'test',
  };
}
function config(o: Partial<StreamConfig> = {}): StreamConfig {
  return { mode: 'PROVISIONED', shards: 1, retentionHours: 24, enhancedMetrics: 0, efoConsumers: 0, ...o };
}
const byDim = (e: ReturnType<typeof streamCost>) => Object.fromEntries(e.lines.map((l) => [l.dimension, l.monthlyUSD]));

describe('the shipped us-east-1 prices', () => {
  it('are the published ones (per unit, USD)', () => {
    expect(US.prices['provisioned-shard-hour']).toBe(0.015);
    expect(US.prices['provisioned-put-payload-unit'] * 1e6).toBeCloseTo(0.014, 12);
    expect(US.prices['on-demand-stream-hour']).toBe(0.04);
    expect(US.prices['on-demand-data-in-gb']).toBe(0.08);
    expect(US.asOf).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    expect(US.source).toContain('https://aws.amazon.com/kinesis/data-streams/pricing/');
  });

  it('a region without a shipped table gets us-east-1 prices, every dimension flagged as unconfirmed', () => {
    const r = shippedPriceTable('ap-southeast-2');
    expect(r.fallback).toBe(true);
    expect(r.table.region).toBe('ap-southeast-2');
    expect(r.table.source).toContain('us-east-1 prices stand in for ap-southeast-2');
    expect(r.table.unconfirmed.length).toBe(13);
  });
});

describe('provisioned stream (the worked example of docs/cost.md)', () => {
  // 2 shards, 48 h retention, 1 EFO consumer, 2 shard-level metrics, 1 MiB/s in 512 records/s (2 KiB records).
  const e = streamCost(
    config({ shards: 2, retentionHours: 48, efoConsumers: 1, enhancedMetrics: 2 }),
    usage(1024 * 1024, 512),
    US,
  );
  const hand = {
    'provisioned-shard-hour': 2 * 730 * 0.015, // 21.90
    'provisioned-put-payload-unit': ((512 * 1 * 2_628_000) / 1e6) * 0.014, // 18.837504
    'provisioned-extended-retention-shard-hour': 2 * 730 * 0.02, // 29.20
    'provisioned-efo-consumer-shard-hour': 1 * 2 * 730 * 0.015, // 21.90
    'provisioned-efo-data-gb': (2_628_000 / 1024) * 0.013, // 2,566.40625 GB -> 33.36328125
    'cloudwatch-metric-month': 2 * 2 * 0.3, // 1.20
  };

  it('prices every dimension as computed by hand', () => {
    const got = byDim(e);
    expect(Object.keys(got).sort()).toEqual(Object.keys(hand).sort());
    for (const [d, v] of Object.entries(hand)) expect([d, got[d]]).toEqual([d, expect.closeTo(v, 9)]);
  });

  it('totals $126.40 a month', () => {
    expect(e.monthlyUSD).toBeCloseTo(21.9 + 18.837504 + 29.2 + 21.9 + 33.36328125 + 1.2, 9);
    expect(e.monthlyUSD).toBeCloseTo(126.40078525, 8);
  });
});

describe('on-demand stream', () => {
  // 0.25 MiB/s in 100 records/s: 2,621.44-byte records, billed as 3 KiB; 10 days retention; 2 polling readers.
  const billed = 100 * 3072;
  const gbIn = (billed * MONTH_S) / GIB;
  const e = streamCost(
    config({ mode: 'ON_DEMAND', shards: undefined, retentionHours: 240, efoConsumers: 1 }),
    usage(0.25 * 1024 * 1024, 100, 2),
    US,
  );

  it('bills data in with records rounded up to 1 KB, data out per polling reader, EFO per GB', () => {
    expect(billedOnDemandBytesPerSecond(usage(0.25 * 1024 * 1024, 100))).toBe(307_200);
    const got = byDim(e);
    expect(got['on-demand-stream-hour']).toBeCloseTo(730 * 0.04, 9);
    expect(got['on-demand-data-in-gb']).toBeCloseTo(751.87683105 * 0.08, 6);
    expect(got['on-demand-data-out-gb']).toBeCloseTo(2 * 751.87683105 * 0.04, 6);
    expect(got['on-demand-efo-data-gb']).toBeCloseTo(751.87683105 * 0.05, 6);
    expect(gbIn).toBeCloseTo(751.87683105, 6);
  });

  it('prices extended retention (24 h - 7 d) and long-term retention (> 7 d) per GB-month of what is stored', () => {
    const got = byDim(e);
    // 144 h in the extended window, 72 h beyond 7 days, of 307,200 bytes/s.
    expect(got['on-demand-extended-retention-gb-month']).toBeCloseTo(148.3154296875 * 0.1, 9);
    expect(got['on-demand-long-term-retention-gb-month']).toBeCloseTo(74.15771484375 * 0.023, 9);
  });

  it('has no shard-hour, PUT unit or consumer-shard-hour charge', () => {
    const dims = e.lines.map((l) => l.dimension);
    expect(dims.filter((d) => d.startsWith('provisioned-'))).toEqual([]);
  });

  it('assumes 4 shards for shard-level metrics when the count is unknown, and says so', () => {
    const m = streamCost(config({ mode: 'ON_DEMAND', shards: undefined, enhancedMetrics: 7 }), usage(0, 0), US);
    expect(byDim(m)['cloudwatch-metric-month']).toBeCloseTo(7 * 4 * 0.3, 9);
    expect(m.assumptions.join(' ')).toContain('4 shards assumed');
    const known = streamCost(config({ mode: 'ON_DEMAND', shards: 6, enhancedMetrics: 7 }), usage(0, 0), US);
    expect(byDim(known)['cloudwatch-metric-month']).toBeCloseTo(7 * 6 * 0.3, 9);
    expect(known.assumptions).toEqual([]);
  });
});

describe('boundaries', () => {
  it.each([
    [1, 1],
    [25 * 1024, 1],
    [25 * 1024 + 1, 2],
    [45 * 1024, 2],
    [1024 * 1024, 41],
  ])('a %i-byte record is %i PUT payload unit(s)', (size, units) => {
    expect(putPayloadUnitsPerMonth(usage(size * 10, 10))).toBe(10 * units * MONTH_S);
  });

  it.each([
    [1024, 1024],
    [1025, 2048],
    [4.5 * 1024, 5 * 1024],
  ])('an on-demand record of %i bytes is billed as %i', (size, billed) => {
    expect(billedOnDemandBytesPerSecond(usage(size, 1))).toBe(billed);
  });

  it.each([
    [24, 0, 0],
    [25, 1, 0],
    [168, 144, 0],
    [169, 144, 1],
    [8760, 144, 8592],
  ])('retention %i h: %i h extended, %i h long-term', (hours, extended, longTerm) => {
    expect(retentionWindows(hours)).toEqual({ extended, longTerm });
  });

  it('a provisioned stream at 24 h retention pays no retention charge; at 25 h a full month of extended shard-hours', () => {
    const at24 = streamCost(config({ shards: 3 }), usage(1000, 1), US);
    expect(at24.lines.map((l) => l.dimension)).toEqual(['provisioned-shard-hour', 'provisioned-put-payload-unit']);
    const at25 = streamCost(config({ shards: 3, retentionHours: 25 }), usage(1000, 1), US);
    expect(byDim(at25)['provisioned-extended-retention-shard-hour']).toBeCloseTo(3 * 730 * 0.02, 9);
  });

  it('nothing written costs only the fixed charges', () => {
    const e = streamCost(config({ shards: 1, retentionHours: 8760 }), usage(0, 0), US);
    expect(e.monthlyUSD).toBeCloseTo(730 * 0.015 + 730 * 0.02, 9);
  });
});

describe('declared usage', () => {
  it('bytes and records: the declared average record size', () => {
    expect(declaredUsage({ writeMiBPerSecond: 2, writeRecordsPerSecond: 1000 }, 0)).toMatchObject({
      writeBytesPerSecond: 2 * 1048576,
      writeRecordsPerSecond: 1000,
      basis: 'declared',
    });
  });
  it('bytes only or records only: 1 KiB records assumed, and said', () => {
    const b = declaredUsage({ writeMiBPerSecond: 1 }, 0);
    expect(b).toMatchObject({ writeRecordsPerSecond: 1024, basis: 'declared' });
    expect(b?.note).toContain('records of 1024 bytes assumed');
    expect(declaredUsage({ writeRecordsPerSecond: 10 }, 0)).toMatchObject({ writeBytesPerSecond: 10240 });
  });
  it('hostile figures (negative, NaN, Infinity) are no declaration', () => {
    for (const n of [-1, Number.NaN, Number.POSITIVE_INFINITY]) {
      expect(declaredUsage({ writeMiBPerSecond: n, writeRecordsPerSecond: n }, 0)).toBeUndefined();
    }
  });
});
