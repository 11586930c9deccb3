/** Canonical JSON (src/core/canonical-json.ts): sorted keys, hostile keys kept. */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { canonicalJson } from '../src/core/canonical-json.js';
import { filterCriteria } from '../src/core/render/event-source-mapping.js';
import { validateMesh } from '../src/core/validate.js';

describe('canonicalJson', () => {
  it('sorts keys recursively, keeps array order and drops undefined members', () => {
    expect(canonicalJson({ b: [3, 1], a: { d: 2, c: undefined, e: null } })).toBe('{"a":{"d":2,"e":null},"b":[3,1]}');
  });

  // JSON.parse makes `__proto__` an own data property; a plain-object copy would turn it into a prototype.
  it.each([
    ['{"data":{"type":["order"],"__proto__":["x"]}}', '{"data":{"__proto__":["x"],"type":["order"]}}'],
    ['{"constructor":{"prototype":[1]},"a":[0]}', '{"a":[0],"constructor":{"prototype":[1]}}'],
    ['{"__proto__":{"__proto__":{"polluted":[true]}}}', '{"__proto__":{"__proto__":{"polluted":[true]}}}'],
    ['{"hasOwnProperty":[1],"toString":[2],"valueOf":[3]}', '{"hasOwnProperty":[1],"toString":[2],"valueOf":[3]}'],
  ])('keeps hostile keys: %s', (input, expected) => {
    expect(canonicalJson(JSON.parse(input))).toBe(expected);
  });

  it('does not pollute Object.prototype', () => {
    canonicalJson(JSON.parse('{"__proto__":{"polluted":true}}'));
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
  });

  it('gives the same bytes for the same data in any key order', () => {
    expect(canonicalJson(JSON.parse('{"__proto__":[1],"b":2}'))).toBe(
      canonicalJson(JSON.parse('{"b":2,"__proto__":[1]}')),
    );
  });
});

/** canonicalJson as it was before it serialised values already in key order as they are: the reference it must match. */
function sortedCopyJson(value: unknown): string {
  const sortDeep = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(sortDeep);
    if (v === null || typeof v !== 'object') return v;
    const out = Object.create(null) as Record<string, unknown>;
    for (const k of Object.keys(v).sort()) {
      const x = (v as Record<string, unknown>)[k];
      if (x !== undefined) Object.defineProperty(out, k, { value: sortDeep(x), enumerable: true, writable: true });
    }
    return out;
  };
  return JSON.stringify(sortDeep(value));
}

describe('canonicalJson of values already in key order (serialised without a sorted copy)', () => {
  const nullProto = Object.assign(Object.create(null) as Record<string, unknown>, { a: 1, b: [{ c: 2 }] });
  it.each([
    ['sorted plain data', { a: [1, 'x', null, true], b: { c: { d: [] } } }],
    ['a nested object out of order', { a: { c: 1, b: 2 } }],
    ['objects in an array out of order', [{ a: 1 }, { c: 1, b: 2 }]],
    ['integer-like keys (enumerated in numeric order, not sorted as strings)', { '9': 1, '10': 2, a: 3 }],
    ['integer-like keys in string order', { '1': 1, '2': 2 }],
    ['undefined members and array holes', { a: undefined, b: [undefined, , 1], c: 1 }], // eslint-disable-line no-sparse-arrays
    ['a null-prototype object', nullProto],
    ['a Date (no own keys)', { a: new Date(0) }],
    [
      'a class instance',
      {
        a: new (class X {
          y = 1;
          x = 2;
        })(),
      },
    ],
    ['a toJSON method', { a: { toJSON: () => 'z', b: 1 } }],
    ['a toJSON member that is data', { a: { b: 1, toJSON: 'z' } }],
    ['an array with a toJSON method', { a: Object.assign([1, 2], { toJSON: () => 'z' }) }],
    ['a boxed string', { a: new String('xy') }],
    ['a JSON.parse `__proto__` key in order', JSON.parse('{"__proto__":[1],"a":2}') as unknown],
  ])('%s: the same bytes as the sorted copy', (_, value) => {
    expect(canonicalJson(value)).toBe(sortedCopyJson(value));
  });
});

describe('a filter pattern with hostile keys, from YAML to the rendered FilterCriteria', () => {
  it('keeps `__proto__`, `constructor` and `prototype` fields', () => {
    const yaml = readFileSync('test/fixtures/malformed/filter-empty-list.yaml', 'utf8').replace(
      'type: []',
      'type: [order]\n                __proto__: [x]\n                constructor: [y]\n                prototype: [z]',
    );
    const result = validateMesh('mesh.yaml', { read: () => yaml }, { today: '2026-06-01' });
    expect(result.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
    const grant = result.mesh?.grants.find((g) => g.id === 'alerts-filter-orders');
    expect(filterCriteria(grant?.filter?.patterns ?? [])).toEqual({
      Filters: [{ Pattern: '{"data":{"__proto__":["x"],"constructor":["y"],"prototype":["z"],"type":["order"]}}' }],
    });
  });
});
