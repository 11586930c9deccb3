import { describe, expect, it } from 'vitest';
import { hotShardChecks } from '../../src/core/audit/hot-shards.js';
import type { AuditReport } from '../../src/core/audit/findings.js';
import { parseAuditReport } from '../../src/core/audit/parse-report.js';
import { formatAuditMarkdown } from '../../src/output/audit/markdown.js';
import type { ShardSpec } from './builders.js';
import { A, aSnapshot, flat, world } from './builders.js';

const MiB = 1024 * 1024;
const PARENT = 'shardId-000000000000';
const CHILD_1 = 'shardId-000000000001';
const CHILD_2 = 'shardId-000000000002';

/**
 * A split at minute 30 of a 60-minute window: the parent carried 0.9 MiB/s in minute 20 and had 12 records
 * throttled, then closed; the children share the load from minute 30 at 0.3 MiB/s each.
 */
function split(): ShardSpec[] {
  const parentBytes = [...flat(30, 0.4 * MiB * 60), ...flat(30, 0)];
  parentBytes[20] = 0.9 * MiB * 60;
  const parentThrottled = flat(60, 0);
  parentThrottled[20] = 12;
  const childBytes = [...flat(30, 0), ...flat(30, 0.3 * MiB * 60)];
  return [
    { shardId: PARENT, bytes: parentBytes, records: flat(60, 600), writeThrottled: parentThrottled, closed: true },
    { shardId: CHILD_1, bytes: childBytes, records: flat(60, 600), writeThrottled: flat(60, 0) },
    { shardId: CHILD_2, bytes: childBytes, records: flat(60, 600), writeThrottled: flat(60, 0) },
  ];
}

function run(shards: ShardSpec[]) {
  const w = world();
  return hotShardChecks(w.ctx, aSnapshot([{ account: A, stream: 'orders', shards }]));
}

describe('a parent shard closed by a split mid-window', () => {
  it('keeps its hot-shard and throttling evidence, marked closed', () => {
    const r = run(split());
    const parent = r.findings.filter((f) => f.resource === `${A}/stream/orders/shard/${PARENT}`);
    expect(parent.map((f) => f.code).sort()).toEqual(['hot-shard', 'write-throttled-shard']);
    for (const f of parent) {
      expect(f.evidence).toMatchObject({ closed: true });
      expect(f.message).toMatch(/\(shard closed by a reshard\)$/);
      expect(f.remediation).toMatch(/^This shard was closed by a reshard/);
    }
    expect(parent.find((f) => f.code === 'hot-shard')?.evidence).toMatchObject({ peakPercentOfLimit: 90 });
    expect(parent.find((f) => f.code === 'write-throttled-shard')?.evidence).toMatchObject({ throttledRecords: 12 });
  });

  it('does not mark open shards closed', () => {
    const shards = split().map((s) => (s.shardId === PARENT ? { ...s, closed: undefined } : s)) as ShardSpec[];
    const hot = run(shards).findings.filter((f) => f.code === 'hot-shard');
    expect(hot).toHaveLength(1);
    expect(hot[0]?.evidence).not.toHaveProperty('closed');
    expect(hot[0]?.message).not.toMatch(/closed/);
  });

  it('marks the closed bar in the chart, the markdown chart and a saved report read back', () => {
    const r = run(split());
    const chart = r.charts?.[0];
    expect(chart?.shards).toEqual([
      { shardId: PARENT, value: 90, closed: true },
      { shardId: CHILD_1, value: 30 },
      { shardId: CHILD_2, value: 30 },
    ]);
    const report: AuditReport = {
      formatVersion: 1,
      mesh: 'm',
      generatedAt: '2026-11-25T01:00:00.000Z',
      window: { start: '2026-11-25T00:00:00.000Z', end: '2026-11-25T01:00:00.000Z', periodSeconds: 60 },
      findings: [],
      checksRun: [],
      checksNotRun: [],
      notes: [],
      shardCharts: r.charts ?? [],
      summary: { error: 0, warning: 0, info: 0 },
    };
    const md = formatAuditMarkdown(report);
    expect(md).toContain('x-axis "shard" ["0 (closed)", "1", "2"]');
    expect(md).toMatch(/_Closed by a reshard \(open during the window\): ` ?shardId-000000000000 ?`\._/);
    const back = parseAuditReport(JSON.parse(JSON.stringify(report)));
    expect(back.report?.shardCharts?.[0]?.shards[0]).toEqual({ shardId: PARENT, value: 90, closed: true });
  });

  it('rejects a saved chart whose closed mark is not true', () => {
    const bad = {
      formatVersion: 1,
      mesh: 'm',
      generatedAt: 'x',
      window: { start: 'a', end: 'b', periodSeconds: 60 },
      findings: [],
      checksRun: [],
      checksNotRun: [],
      notes: [],
      summary: { error: 0, warning: 0, info: 0 },
      shardCharts: [
        {
          account: A,
          stream: 'o',
          metric: 'write-bytes-peak',
          unit: 'percent-of-limit',
          threshold: 80,
          shards: [{ shardId: PARENT, value: 1, closed: 'yes' }],
          omitted: 0,
        },
      ],
    };
    expect(parseAuditReport(bad).problem).toMatch(/shardCharts\.0\.shards\.0\.closed must be true/);
  });

  it('leaves the closed parent out of skew: its children alone are even', () => {
    // The parent wrote 0.8 MiB/s until the split, the children 0.05 MiB/s each after it: over the window the
    // parent's mean is 16x a child's, which is skew only if shards that never shared the load are compared.
    const shards: ShardSpec[] = [
      { shardId: PARENT, bytes: [...flat(30, 0.8 * MiB * 60), ...flat(30, 0)], closed: true },
      { shardId: CHILD_1, bytes: [...flat(30, 0), ...flat(30, 0.05 * MiB * 60)] },
      { shardId: CHILD_2, bytes: [...flat(30, 0), ...flat(30, 0.05 * MiB * 60)] },
    ];
    expect(run(shards).findings.filter((f) => f.code === 'skewed-stream')).toEqual([]);
    // The control: the same numbers with the parent open are skew.
    const open = shards.map((s) => ({ ...s, closed: undefined })) as ShardSpec[];
    expect(run(open).findings.filter((f) => f.code === 'skewed-stream')).toHaveLength(1);
  });
});
