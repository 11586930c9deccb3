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
