/** Canonical JSON (src/core/canonical-json.ts): sorted keys, hostile keys kept. */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { xorshift32 } from './support/xorshift.js';
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

describe('canonicalJson of values out of key order (their out-of-order objects copied in key order)', () => {
  /** Random JSON-ish values out of key order: index-like keys, hostile names, undefined, functions, Dates. */
  function randomValue(seed: number): unknown {
    // Seeds 1, 2, 3, ... spread over the generator's state.
    const next = xorshift32(Math.imul(seed, 2654435761) || 1);
    const keys = ['b', 'a', '10', '9', '0', '01', '4294967295', '4294967294', '__proto__', 'toJSON', 'é', 'A', ''];
    const gen = (depth: number): unknown => {
      const r = next();
      if (depth > 5 || r < 0.08 * depth) {
        const leaves: unknown[] = [null, true, 0, -0, 1.5, Number.NaN, 'x"y', '\u2028', undefined, () => 1];
        leaves.push(Symbol('s'), new Date(0));
        return leaves[Math.floor(next() * leaves.length)];
      }
      if (r < 0.5) return Array.from({ length: Math.floor(next() * 4) }, () => gen(depth + 1));
      const o = JSON.parse('{}') as Record<string, unknown>;
      const n = 1 + Math.floor(next() * 5);
      for (let i = 0; i < n; i++) {
        const k = keys[Math.floor(next() * keys.length)] as string;
        // A `__proto__` key as JSON.parse makes it: an own data property.
        Object.defineProperty(o, k, { value: gen(depth + 1), enumerable: true, writable: true, configurable: true });
      }
      return o;
    };
    return gen(0);
  }

  it('gives the bytes of the sorted copy for 2,000 random values', () => {
    let outOfOrder = 0;
    for (let seed = 1; seed <= 2000; seed++) {
      const v = randomValue(seed);
      expect(canonicalJson(v), `seed ${seed}`).toBe(sortedCopyJson(v));
      if (typeof v === 'object' && v !== null && JSON.stringify(v) !== sortedCopyJson(v)) outOfOrder++;
    }
    // Most cases are out of order (copied), not serialised as they are.
    expect(outOfOrder).toBeGreaterThan(500);
  });

  it('reads each member once: a getter out of key order is not asked twice', () => {
    let reads = 0;
    const v = {
      b: 1,
      get a() {
        return ++reads;
      },
    };
    expect(canonicalJson(v)).toBe('{"a":1,"b":1}');
    expect(reads).toBe(1);
  });

  it('an own toJSON method or a BigInt is left to the sorted copy', () => {
    const v = { b: 1, a: { toJSON: () => ({ z: 1, y: 2 }) } };
    expect(canonicalJson(v)).toBe(sortedCopyJson(v));
    expect(() => canonicalJson({ b: 1, a: 1n })).toThrow(TypeError);
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
