/**
 * A hard quota (kinesis-local started with SHARD_LIMIT=6; the example needs more shards than that) is reported,
 * not retried: the creates that would exceed it fail with the quota named, after exactly one quota answer each;
 * their dependants are skipped; everything else is applied.
 */
import { describe, expect, it } from 'vitest';
import { useKinesisLocal } from '../support/kinesis-local.js';
import { applyHarness } from '../apply/harness.js';

const k = useKinesisLocal({ env: { SHARD_LIMIT: '6' } });

describe('apply against a hard quota', () => {
  it('fails the steps that hit the shard limit without retrying them, and applies everything else', async () => {
    const h = applyHarness(k);
    const r = await h.apply(await h.plan());
    const failed = r.report.outcomes.filter((o) => o.status === 'failed');
    expect(failed.length).toBeGreaterThanOrEqual(1);
    for (const f of failed) {
      expect(f.resourceType).toBe('stream');
      expect(f.message).toMatch(
        /^CreateStream hit an account quota, not retried: LimitExceededException: .*shard limit/,
      );
      expect(
        r.log.entries.filter((e) => e.change === f.id && /LimitExceededException/.test(e.error ?? '')),
      ).toHaveLength(1);
    }
    for (const o of r.report.outcomes.filter((x) => x.status === 'skipped')) expect(o.skipReason).toBe('dependency');
    // What fitted was created, and is complete; nothing else exists.
    const inv = await h.inventory();
    const created = Object.entries(inv)
      .flatMap(([a, s]) => Object.keys(s).map((n) => `${a}/stream/${n}`))
      .sort();
    const creates = r.report.outcomes.filter((o) => o.resourceType === 'stream' && o.action === 'create');
    expect(created).toEqual(
      creates
        .filter((o) => o.status === 'done')
        .map((o) => o.address)
        .sort(),
    );
    expect(created.length).toBeGreaterThanOrEqual(1);
  });
});
