import { describe, expect, it } from 'vitest';
import { loadKinesisActionCatalog } from '../../src/adapters/aws/iam-analysis.js';
import { audit } from '../../src/core/audit/audit.js';
import { A, aSnapshot, flat, world } from './builders.js';

describe('a live state that matches the mesh', () => {
  it('produces no findings at all, and runs every check', async () => {
    const { mesh, desired, live } = world();
    const actions = await loadKinesisActionCatalog();
    const shards = ['shardId-000000000000', 'shardId-000000000001', 'shardId-000000000002', 'shardId-000000000003'].map(
      (shardId) => ({
        shardId,
        bytes: flat(60, 100 * 1024 * 60), // 100 KiB/s: 10% of the limit, even across shards
        records: flat(60, 100 * 60),
        writeThrottled: flat(60, 0),
        readThrottled: flat(60, 0),
        iteratorAgeMs: flat(60, 200),
      }),
    );
    const metrics = aSnapshot([{ account: A, stream: 'orders', shards }]);
    const report = audit({ mesh, desired, live, metrics, today: '2026-11-26', options: { actions } });
    expect(report.findings).toEqual([]);
    expect(report.checksNotRun).toEqual([]);
    expect(report.checksRun).toEqual(
      expect.arrayContaining([
        'hot-shard',
        'skewed-stream',
        'retention-drift',
        'undeclared-principal',
        'identity-policy-overreach',
        'tag-tampering',
      ]),
    );
    expect(report.summary).toEqual({ error: 0, warning: 0, info: 0 });
    expect(report.shardCharts?.[0]?.shards.map((s) => s.value)).toEqual([10, 10, 10, 10]); // 100 records/s of 1,000 beats 100 KiB/s of 1 MiB
  });
});
