/**
 * Changes apply will refuse whatever flag it gets are shown as blocked, with the reason, and are not pending:
 * a deletion-protected stream the mesh no longer declares (it used to show up in every plan as an ordinary
 * destructive delete that apply always refused), and capacity changes over the daily scaling budget.
 */
import { describe, expect, it } from 'vitest';
import { buildSteps } from '../../src/core/apply/steps.js';
import type { AuditEntry } from '../../src/core/apply/types.js';
import { computePlan } from '../../src/core/plan/index.js';
import type { Plan } from '../../src/core/plan/index.js';
import type { ScalingHistory } from '../../src/core/plan/blocked.js';
import { renderPlanMarkdown, renderPlanText } from '../../src/output/plan/index.js';
import { plainStyle } from '../../src/output/style.js';
import { A1, aDesiredStream, clock, desiredState, liveOf, liveState } from './builders.js';

const plan = (
  d: ReturnType<typeof desiredState>,
  l: ReturnType<typeof liveState>,
  scalingHistory?: ScalingHistory,
): Plan => computePlan({ desired: d, live: l, meshDigest: 'd', clock, ...(scalingHistory ? { scalingHistory } : {}) });

describe('blocked changes', () => {
  const kept = aDesiredStream();
  const gone = aDesiredStream({ name: 'retired.v1' });
  const protectedGone = liveOf(gone, { tags: { ...gone.tags, 'meshgov:deletion-protection': 'true' } });

  it('a deletion-protected stream no longer declared: blocked, not pending, and the plan says what to do', () => {
    const p = plan(desiredState([{ streams: [kept] }]), liveState([{ streams: [liveOf(kept), protectedGone] }]));
    const del = p.changes.find((c) => c.action === 'delete');
    expect(del).toMatchObject({
      resourceType: 'stream',
      address: `${A1}/stream/retired.v1`,
      risk: 'destructive',
      blocked: { reason: 'deletion-protected' },
    });
    expect(del?.blocked?.message).toContain('deletionProtection: false');
    expect(p.summary).toMatchObject({ blocked: 1, destroy: 1, hasChanges: false });
    const text = renderPlanText(p, plainStyle);
    expect(text).toContain('[blocked: deletion-protected]');
    expect(text.trimEnd().split('\n').pop()).toBe(
      'No changes. The live accounts match the mesh. 1 blocked (not pending; see above).',
    );
    const md = renderPlanMarkdown(p);
    expect(md).toContain('**1 blocked change** (apply will not make it; not pending)');
    expect(md).not.toContain('[!CAUTION]');
    // Apply skips it with the same reason, never as "rerun with --allow-destructive".
    const steps = buildSteps(p.changes, { allowDestructive: true, history: [], now: new Date('2026-01-02T03:04:05Z') });
    expect(steps.skipped).toMatchObject([{ skipReason: 'deletion-protected' }]);
  });

  it('an unprotected stream no longer declared stays an ordinary pending destructive delete', () => {
    const p = plan(desiredState([{ streams: [kept] }]), liveState([{ streams: [liveOf(kept), liveOf(gone)] }]));
    expect(p.changes.find((c) => c.action === 'delete')?.blocked).toBeUndefined();
    expect(p.summary).toMatchObject({ blocked: 0, hasChanges: true });
  });

  it('a capacity change over the daily UpdateShardCount budget is blocked only when the history says so', () => {
    const s = aDesiredStream({ shards: 4 });
    const d = desiredState([{ streams: [s] }]);
    const l = liveState([{ streams: [liveOf(s, { shards: 2 })] }]);
    const now = new Date('2026-01-02T03:04:05Z');
    const call = (i: number): AuditEntry => ({
      time: new Date(now.getTime() - (i + 1) * 60_000).toISOString(),
      account: A1,
      api: 'kinesis:UpdateShardCount',
      resource: s.arn,
      result: 'ok',
      attempt: 1,
    });
    expect(plan(d, l).changes.find((c) => c.resourceType === 'stream-capacity')?.blocked).toBeUndefined();
    expect(plan(d, l, { entries: Array.from({ length: 9 }, (_, i) => call(i)), now }).summary.blocked).toBe(0);
    const spent = plan(d, l, { entries: Array.from({ length: 10 }, (_, i) => call(i)), now });
    expect(spent.changes.find((c) => c.resourceType === 'stream-capacity')?.blocked).toMatchObject({
      reason: 'budget',
    });
    expect(spent.summary).toMatchObject({ blocked: 1, hasChanges: false });
    // Calls older than 24 hours do not count.
    const old = Array.from({ length: 10 }, (_, i) => ({
      ...call(i),
      time: new Date(now.getTime() - 25 * 3600_000 - i).toISOString(),
    }));
    expect(plan(d, l, { entries: old, now }).summary.blocked).toBe(0);
  });
});
