import { describe, expect, it } from 'vitest';
import { checkFilters, checkPatternGrammar, MAX_PATTERN_CHARS } from '../../../src/core/model/checks/filters.js';
import { aCheckContext, aFilter, aFilteredGrant, aMesh, aProducerGrant } from '../../support/builders.js';

const withPatterns = (patterns: Record<string, unknown>[], maxFilters = 5) =>
  checkFilters(
    aCheckContext(aMesh({ grants: [aProducerGrant(), aFilteredGrant({ filter: aFilter({ patterns, maxFilters }) })] })),
  ).map((d) => [d.code, d.path.join('.')]);

describe('checkFilters', () => {
  it('compliant: real Lambda filter grammar', () => {
    expect(
      withPatterns([
        { data: { score: [{ numeric: ['>=', 0.9] }], decision: ['review', 'block'] } },
        { data: { merchant: { category: [{ prefix: 'crypto-' }] } } },
        {
          data: {
            country: [{ 'anything-but': ['DE', 'FR'] }],
            id: [{ exists: true }],
            note: [null],
            name: [{ 'equals-ignore-case': 'x' }],
          },
        },
        { data: { $or: [{ a: ['1'] }, { b: [{ suffix: '.png' }] }] } },
        { data: { amount: [{ numeric: ['>', 0, '<=', 100] }] } },
      ]),
    ).toEqual([]);
  });

  it('non-compliant: a key other than data', () => {
    expect(withPatterns([{ partitionKey: ['a'], data: { t: ['x'] } }])).toEqual([
      ['filter-pattern-invalid', 'grants.0.filter.patterns.0.partitionKey'],
    ]);
    expect(withPatterns([{ partitionKey: ['a'] }]).map((x) => x[1])).toEqual([
      'grants.0.filter.patterns.0.partitionKey',
      'grants.0.filter.patterns.0',
    ]);
  });

  it('more than maxFilters patterns (5 by default, 10 with a quota increase)', () => {
    const p = (n: number) => Array.from({ length: n }, (_, i) => ({ data: { t: [`t${i}`] } }));
    expect(withPatterns(p(5))).toEqual([]);
    expect(withPatterns(p(6))).toEqual([['filter-too-many', 'grants.0.filter.patterns']]);
    expect(withPatterns(p(10), 10)).toEqual([]);
    expect(withPatterns(p(11), 10)).toEqual([['filter-too-many', 'grants.0.filter.patterns']]);
  });

  it(`a pattern over ${MAX_PATTERN_CHARS} characters as JSON`, () => {
    const sized = (n: number) => ({ data: { id: [{ prefix: 'x'.repeat(n) }] } });
    const overhead = JSON.stringify(sized(0)).length;
    expect(withPatterns([sized(MAX_PATTERN_CHARS - overhead)])).toEqual([]);
    expect(withPatterns([sized(MAX_PATTERN_CHARS - overhead + 1)])).toEqual([
      ['filter-pattern-too-long', 'grants.0.filter.patterns.0'],
    ]);
  });

  it.each([
    ['an unknown operator', { data: { t: [{ contains: 'x' }] } }, 'data.t.0.contains'],
    ['numeric with a string operand', { data: { n: [{ numeric: ['>=', '100'] }] } }, 'data.n.0.numeric'],
    ['numeric with a bad operator', { data: { n: [{ numeric: ['!=', 1] }] } }, 'data.n.0.numeric'],
    ['numeric with three elements', { data: { n: [{ numeric: ['>', 1, '<'] }] } }, 'data.n.0.numeric'],
    ['an empty list', { data: { t: [] } }, 'data.t'],
    ['a bare value instead of a list', { data: { t: 'x' } }, 'data.t'],
    ['an empty data mapping', { data: {} }, 'data'],
    ['$or with one branch', { data: { $or: [{ a: ['1'] }] } }, 'data.$or'],
    ['exists with a string', { data: { t: [{ exists: 'yes' }] } }, 'data.t.0.exists'],
    ['prefix with an empty string', { data: { t: [{ prefix: '' }] } }, 'data.t.0.prefix'],
    ['two operators in one matcher', { data: { t: [{ prefix: 'a', suffix: 'b' }] } }, 'data.t.0'],
  ])('non-compliant grammar: %s', (_what, pattern, path) => {
    expect(checkPatternGrammar(pattern).map((p) => p.path.join('.'))).toEqual([path]);
    expect(withPatterns([pattern])).toEqual([['filter-pattern-invalid', `grants.0.filter.patterns.0.${path}`]]);
  });
});
