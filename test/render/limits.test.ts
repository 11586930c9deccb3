import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  MAX_MANAGED_POLICY_CHARS,
  jsonLength,
  packStatements,
  partNames,
  policySize,
} from '../../src/core/render/limits.js';
import type { PolicyStatement } from '../../src/core/render/types.js';

const stmt = (sid: string, resources: number): PolicyStatement => ({
  Sid: sid,
  Effect: 'Allow',
  Action: ['kinesis:DescribeStream'],
  Resource: Array.from(
    { length: resources },
    (_, i) => `arn:aws:kinesis:eu-west-1:111111111111:stream/stream-number-${String(i).padStart(4, '0')}`,
  ),
});

describe('policy size', () => {
  it('counts compact JSON (no whitespace), as IAM does', () => {
    const doc = { Version: '2012-10-17' as const, Statement: [stmt('A', 1)] };
    expect(policySize(doc)).toBe(JSON.stringify(doc).length);
    expect(policySize(doc)).toBeLessThan(JSON.stringify(doc, null, 2).length);
  });
});

describe('jsonLength: the length of JSON.stringify without the string', () => {
  const nullProto = Object.assign(Object.create(null) as Record<string, unknown>, { a: 'x', b: [1] });
  it.each([
    ['escapes', { 'k"\\': 'quote " backslash \\ newline \n tab \t nul \u0000 bell \u0007 del \u007f' }],
    ['non-ASCII and surrogates', ['é', '€', '😀', '\ud800', 'a\udc00b', 'ſ']],
    ['numbers', [0, -0, 1.5, -2e-7, 1e21, 123456789012, NaN, Infinity, -Infinity]],
    ['booleans, null and skipped members', { a: true, b: false, c: null, d: undefined, e: () => 1, f: Symbol('s') }],
    ['arrays with skipped items and holes', [undefined, () => 1, Symbol('s'), , null]], // eslint-disable-line no-sparse-arrays
    ['empty containers', [{}, [], '', { a: {} }, [[]]]],
    ['a null-prototype object', nullProto],
    ['integer-like keys', { '10': 1, '9': 2, a: 3 }],
    ['a Date', { when: new Date(0) }],
    ['a toJSON method', { a: { toJSON: (key: string) => `key ${key}` } }],
    ['a boxed string and number', [new String('ab'), new Number(12)]],
    [
      'a class instance',
      {
        a: new (class X {
          y = 'z';
        })(),
      },
    ],
    ['a Map (no own keys)', { a: new Map([[1, 2]]) }],
    ['an IAM statement', stmt('Sid', 3)],
  ])('%s', (_, value) => {
    expect(jsonLength(value)).toBe((JSON.stringify(value) as string).length);
  });

  it('matches JSON.stringify on arbitrary JSON values (any UTF-16 code units in strings, lone surrogates included)', () => {
    fc.assert(
      fc.property(
        fc.jsonValue({ stringUnit: 'binary' }),
        (value) => jsonLength(value) === (JSON.stringify(value) as string).length,
      ),
      { numRuns: 2000 },
    );
  });
});

describe('packing statements into managed policies', () => {
  it.each([
    ['one small statement', [stmt('A', 1)], 1],
    ['several that fit together', [stmt('A', 10), stmt('B', 10)], 1],
    ['two that do not fit together', [stmt('A', 50), stmt('B', 50)], 2],
    ['one too large: its resources are split', [stmt('A', 200)], 3],
  ])('%s', (_n, statements, parts) => {
    const r = packStatements(statements);
    expect(r.problem).toBeUndefined();
    expect(r.parts).toHaveLength(parts);
    for (const p of r.parts) expect(policySize(p)).toBeLessThanOrEqual(MAX_MANAGED_POLICY_CHARS);
    // Nothing lost, nothing duplicated.
    const resources = (ss: PolicyStatement[]) => ss.flatMap((s) => [s.Resource].flat());
    expect(resources(r.parts.flatMap((p) => p.Statement))).toEqual(resources(statements));
    // Deterministic.
    expect(packStatements(statements)).toEqual(r);
  });

  it('reports a statement that cannot be split', () => {
    const big: PolicyStatement = {
      Sid: 'Big',
      Effect: 'Allow',
      Action: 'kinesis:GetRecords',
      Resource: `arn:aws:kinesis:eu-west-1:1:stream/${'x'.repeat(7000)}`,
    };
    expect(packStatements([big]).problem).toMatch(/statement Big alone is \d+ characters/);
  });

  it('reports when a role would need more than 10 managed policies', () => {
    expect(packStatements([stmt('A', 1000)]).problem).toMatch(/need \d+ managed policies .* at most 10/);
  });

  it('fills each part greedily up to the limit exactly (sizes from the whole document, to the character)', () => {
    const statement = fc
      .record({ sid: fc.stringMatching(/^[A-Z][a-z0-9]{0,6}$/), pad: fc.nat(300) })
      .map(({ sid, pad }): PolicyStatement => ({
        Sid: sid,
        Effect: 'Allow',
        Action: 'kinesis:GetRecords',
        Resource: `arn:aws:kinesis:eu-west-1:1:stream/${'s'.repeat(pad)}`,
      }));
    fc.assert(
      fc.property(
        fc.array(statement, { minLength: 1, maxLength: 12 }),
        fc.integer({ min: 100, max: 1500 }),
        (statements, limit) => {
          const r = packStatements(statements, limit, 100);
          const doc = (ss: PolicyStatement[]) => ({ Version: '2012-10-17' as const, Statement: ss });
          if (r.problem !== undefined) {
            const n = Number(/alone is (\d+) characters/.exec(r.problem)?.[1]);
            const culprit = statements.find((x) => policySize(doc([x])) > limit) as PolicyStatement;
            expect(n).toBe(policySize(doc([culprit])));
            return;
          }
          expect(r.parts.flatMap((p) => p.Statement)).toEqual(statements);
          r.parts.forEach((p, i) => {
            expect(policySize(p)).toBeLessThanOrEqual(limit);
            const next = r.parts[i + 1]?.Statement[0];
            // Greedy: the next part's first statement would not have fitted in this one.
            if (next !== undefined) expect(policySize(doc([...p.Statement, next]))).toBeGreaterThan(limit);
          });
        },
      ),
      { numRuns: 300 },
    );
  });

  it.each([
    [1, ['p']],
    [3, ['p-1', 'p-2', 'p-3']],
  ])('names %i part(s)', (n, names) => {
    expect(partNames('p', n)).toEqual(names);
  });
});
