/**
 * Property tests of the one policy model: parsing any JSON never throws, equivalence is an equivalence relation,
 * a policy is equivalent to every rewriting of it, and equivalence agrees with the test's own semantic oracle
 * (`semanticKey`), so it neither merges different policies nor splits equal ones.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { canonicalPolicy, parsePolicy, policiesEquivalent, policyDigest } from '../../src/core/policy/index.js';
import { abstractPolicyArb, garbledArb, render, semanticKey } from './arbitraries.js';

const RUNS = { numRuns: 300 };

/** Any value a policy may arrive as: well-formed renderings, garbled ones, and arbitrary JSON or JS values. */
const anyInput: fc.Arbitrary<unknown> = fc.oneof(
  fc.tuple(abstractPolicyArb, fc.nat()).map(([p, seed]) => render(p, seed)),
  garbledArb,
  fc.jsonValue(),
  fc.anything(),
);

describe('parsePolicy never throws', () => {
  it('on any JSON or JS value, and returns a model with statements and diagnostics', () => {
    fc.assert(
      fc.property(anyInput, (json) => {
        const r = parsePolicy(json);
        expect(Array.isArray(r.policy.statements)).toBe(true);
        expect(Array.isArray(r.diagnostics)).toBe(true);
        expect(typeof canonicalPolicy(r.policy)).toBe('string');
      }),
      { numRuns: 1000 },
    );
  });

  it('reports well-formed renderings without a diagnostic, and garbage with at least one (or as meaningless)', () => {
    fc.assert(
      fc.property(abstractPolicyArb, fc.nat(), (p, seed) => {
        expect(parsePolicy(render(p, seed)).diagnostics).toEqual([]);
      }),
      RUNS,
    );
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.integer(), fc.constant(null), fc.array(fc.jsonValue())), (json) => {
        expect(parsePolicy(json).diagnostics.map((d) => d.code)).toEqual(['policy-not-object']);
      }),
    );
  });
});

describe('policiesEquivalent is an equivalence relation', () => {
  it('reflexive, on any input (a deep copy of garbage equals the garbage)', () => {
    fc.assert(
      fc.property(fc.oneof(garbledArb, fc.jsonValue()), (json) => {
        expect(policiesEquivalent(json, structuredClone(json))).toBe(true);
      }),
      RUNS,
    );
  });

  it('symmetric', () => {
    fc.assert(
      fc.property(anyInput, anyInput, (a, b) => {
        expect(policiesEquivalent(a, b)).toBe(policiesEquivalent(b, a));
      }),
      RUNS,
    );
  });

  it('transitive (each of three policies is one of two abstract policies, so chains of equivalent ones occur)', () => {
    let chains = 0;
    const picks3 = fc.array(fc.tuple(fc.boolean(), fc.nat()), { minLength: 3, maxLength: 3 });
    fc.assert(
      fc.property(abstractPolicyArb, abstractPolicyArb, picks3, (p, q, picks) => {
        const [a, b, c] = picks.map(([first, seed]) => render(first ? p : q, seed));
        if (policiesEquivalent(a, b) && policiesEquivalent(b, c)) {
          chains++;
          expect(policiesEquivalent(a, c)).toBe(true);
        }
      }),
      RUNS,
    );
    // The property only means something if the premise happened.
    expect(chains).toBeGreaterThan(RUNS.numRuns / 10);
  });

  it('absent policies: undefined equals only undefined', () => {
    fc.assert(
      fc.property(anyInput, (a) => {
        expect(policiesEquivalent(undefined, a)).toBe(a === undefined);
      }),
    );
  });
});

describe('the same-document shortcut', () => {
  /** The value with every object's keys in reverse order: the same JSON data, written differently. */
  const reordered = (v: unknown): unknown =>
    Array.isArray(v)
      ? v.map(reordered)
      : v !== null && typeof v === 'object'
        ? Object.fromEntries(
            Object.entries(v)
              .reverse()
              .map(([k, x]) => [k, reordered(x)]),
          )
        : v;
  const byCanonicalForm = (a: unknown, b: unknown) =>
    canonicalPolicy(parsePolicy(a).policy) === canonicalPolicy(parsePolicy(b).policy);

  it('agrees with comparing canonical forms, for copies, reorderings and unrelated inputs', () => {
    fc.assert(
      fc.property(anyInput, anyInput, fc.nat(2), (a, other, how) => {
        const b = how === 0 ? structuredClone(a) : how === 1 ? reordered(a) : other;
        if (a === undefined || b === undefined) return;
        expect(policiesEquivalent(a, b)).toBe(byCanonicalForm(a, b));
      }),
      { numRuns: 1000 },
    );
  });
});

describe('equivalence is semantic', () => {
  it('a policy is equivalent to its rewritings (order, Sids, scalar/list, duplicates, account id/root, case)', () => {
    fc.assert(
      fc.property(abstractPolicyArb, fc.nat(), fc.nat(), (p, s1, s2) => {
        expect(policiesEquivalent(render(p, s1), render(p, s2))).toBe(true);
      }),
      { numRuns: 500 },
    );
  });

  it('agrees with the oracle on every pair: equivalent exactly when the abstract policies are the same', () => {
    let same = 0;
    let different = 0;
    // Half the pairs share their abstract policy (up to a clone), so both answers are exercised.
    const pairs = fc
      .tuple(abstractPolicyArb, abstractPolicyArb, fc.boolean())
      .map(([a, b, same]) => [a, same ? structuredClone(a) : b] as const);
    fc.assert(
      fc.property(pairs, fc.nat(), fc.nat(), ([a, b], s1, s2) => {
        const expected = semanticKey(a) === semanticKey(b);
        if (expected) same++;
        else different++;
        expect(policiesEquivalent(render(a, s1), render(b, s2))).toBe(expected);
      }),
      { numRuns: 500 },
    );
    expect(different).toBeGreaterThan(100);
    expect(same).toBeGreaterThan(100);
  });

  it('agrees with the oracle on near misses: one statement changed in one place', () => {
    fc.assert(
      fc.property(abstractPolicyArb, fc.nat(), fc.nat(), fc.nat(), (p, s1, s2, which) => {
        const q = structuredClone(p);
        const st = q.statements[which % q.statements.length];
        if (!st) return;
        const flip = which % 4;
        if (flip === 0) st.effect = st.effect === 'Allow' ? 'Deny' : 'Allow';
        else if (flip === 1 && st.action.kind === 'list') st.action.negated = !st.action.negated;
        else if (flip === 2 && st.principal.kind !== 'none') st.principal.negated = !st.principal.negated;
        else if (flip === 3) q.version = q.version === '2012-10-17' ? '2008-10-17' : '2012-10-17';
        expect(policiesEquivalent(render(p, s1), render(q, s2))).toBe(semanticKey(p) === semanticKey(q));
      }),
      RUNS,
    );
  });

  it('the digest is equal exactly when the policies are equivalent', () => {
    fc.assert(
      fc.property(abstractPolicyArb, abstractPolicyArb, fc.nat(), fc.nat(), (a, b, s1, s2) => {
        const da = policyDigest(parsePolicy(render(a, s1)).policy);
        const db = policyDigest(parsePolicy(render(b, s2)).policy);
        expect(da).toMatch(/^[0-9a-f]{64}$/);
        expect(da === db).toBe(semanticKey(a) === semanticKey(b));
      }),
      RUNS,
    );
  });

  it('garbage equals only the same garbage: a policy plus a statement that is not an object is another policy', () => {
    fc.assert(
      fc.property(abstractPolicyArb, fc.nat(), (p, seed) => {
        const intact = render(p, seed);
        const broken = structuredClone(intact) as Record<string, unknown>;
        const statements = Array.isArray(broken['Statement']) ? broken['Statement'] : [broken['Statement']];
        broken['Statement'] = [...statements, 'not a statement'];
        expect(policiesEquivalent(intact, broken)).toBe(false);
      }),
      RUNS,
    );
  });
});
