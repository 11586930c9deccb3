/**
 * Plan and audit agree on policy equality (issue 14, defect 4), through their public entry points: for generated
 * desired/live pairs of a stream resource policy, `computePlan` has a stream-policy change exactly when
 * `driftChecks` reports resource-policy drift, and both match the test's own oracle on well-formed pairs.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { driftChecks } from '../../src/core/audit/drift.js';
import { computePlan, emptyScope } from '../../src/core/plan/index.js';
import type { PolicyDocument } from '../../src/core/render/types.js';
import { liveStream, world } from '../audit/builders.js';
import { abstractPolicyArb, garbledArb, render, semanticKey } from './arbitraries.js';

/** Plan's and audit's verdicts for one desired/live pair of the `orders` stream policy. */
function verdicts(desired: unknown, live: unknown): { plan: boolean; audit: boolean } {
  const w = world();
  const stream = w.desired.accounts.flatMap((a) => a.streams).find((s) => s.name === 'orders');
  if (!stream) throw new Error('the audit world has an orders stream');
  // Rendered forms are free here: the model reads desired documents as JSON too.
  stream.resourcePolicy = desired as PolicyDocument;
  liveStream(w.live, 'orders').resourcePolicy = live;
  const clock = { now: () => new Date(0) };
  const plan = computePlan({ desired: w.desired, live: w.live, meshDigest: 'd', clock, scope: emptyScope() });
  return {
    plan: plan.changes.some((c) => c.resourceType === 'stream-policy' && c.stream === 'orders'),
    audit: driftChecks(w.ctx).findings.some(
      (f) => f.code === 'resource-policy-drift' && f.resource.endsWith('/stream/orders'),
    ),
  };
}

describe('plan and audit agree on policy equality', () => {
  it('on generated pairs (half of them rewritings of one policy), and with the oracle', () => {
    const pairs = fc
      .tuple(abstractPolicyArb, abstractPolicyArb, fc.boolean())
      .map(([a, b, same]) => [a, same ? a : b] as const);
    let drifted = 0;
    fc.assert(
      fc.property(pairs, fc.nat(), fc.nat(), ([a, b], s1, s2) => {
        const v = verdicts(render(a, s1), render(b, s2));
        const expected = semanticKey(a) !== semanticKey(b);
        if (expected) drifted++;
        expect(v).toEqual({ plan: expected, audit: expected });
      }),
      { numRuns: 200 },
    );
    expect(drifted).toBeGreaterThan(20);
    expect(drifted).toBeLessThan(180);
  });

  it('on garbled live policies (never a crash, always the same answer)', () => {
    fc.assert(
      fc.property(abstractPolicyArb, fc.nat(), garbledArb, (a, s, live) => {
        const v = verdicts(render(a, s), live);
        expect(v.plan).toBe(v.audit);
      }),
      { numRuns: 200 },
    );
  });
});
