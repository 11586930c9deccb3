/**
 * One mapping with thousands of keys: locating every key is linear (counted, not timed), duplicate keys are found
 * with a set, and the report is capped per file.
 */
import { isMap } from 'yaml';
import type { Pair, YAMLMap } from 'yaml';
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { capDiagnostics, compareDiagnostics, MAX_DIAGNOSTICS_PER_FILE } from '../../src/core/diagnostics/diagnostic.js';
import type { Diagnostic } from '../../src/core/diagnostics/diagnostic.js';
import { validateWithRules } from '../../src/core/rules/index.js';
import { keyRangeAt, parseSource, rangeAt } from '../../src/core/source/source.js';
import { readFileSync } from 'node:fs';

/** `n` lines `<indent><prefix>i: i`. */
const keys = (n: number, prefix = 'k', indent = '  ') =>
  Array.from({ length: n }, (_, i) => `${indent}${prefix}${i}: ${i}\n`).join('');

/** Replace a mapping's items with a proxy that counts every element read. */
function countReads(map: YAMLMap): { reads: number } {
  const counter = { reads: 0 };
  const items = map.items as Pair[];
  map.items = new Proxy(items, {
    get(target, prop, receiver) {
      if (typeof prop === 'string' && /^\d+$/.test(prop)) counter.reads++;
      return Reflect.get(target, prop, receiver) as unknown;
    },
  });
  return counter;
}

describe('locating keys of one large mapping', () => {
  it('reads each key of the mapping a bounded number of times, however many are located', () => {
    const n = 4000;
    const src = parseSource('big.yaml', `top: { x: 1 }\nbig:\n${keys(n)}`).value;
    if (!src) throw new Error('not parsed');
    const big = src.doc.get('big', true);
    if (!isMap(big)) throw new Error('not a map');
    const counter = countReads(big);
    for (let i = 0; i < n; i++) {
      expect(keyRangeAt(src, ['big', `k${i}`]).start.line).toBe(i + 3);
      expect(rangeAt(src, ['big', `k${i}`]).start.line).toBe(i + 3);
    }
    // A scan per lookup reads n²/2 items (8,000,000 here); an index built once reads each item once.
    expect(counter.reads).toBeLessThanOrEqual(2 * n);
  });

  it('finds a key written as a number by its string form, and the first of a repeated key', () => {
    const src = parseSource('n.yaml', 'm:\n  1: a\n  "2": b\n').value;
    if (!src) throw new Error('not parsed');
    expect(rangeAt(src, ['m', 1]).start).toEqual({ line: 2, column: 6 });
    expect(rangeAt(src, ['m', '1']).start).toEqual({ line: 2, column: 6 });
    expect(rangeAt(src, ['m', 2]).start).toEqual({ line: 3, column: 8 });
  });
});

describe('duplicate keys (a set per mapping, yaml uniqueKeys off)', () => {
  const codes = (text: string) =>
    parseSource('d.yaml', text).diagnostics.map((d) => [d.code, d.line, d.column, d.message]);

  it('reports every repeat after the first, at the repeated key, in a large mapping', () => {
    const text = `m:\n${keys(5000)}  k17: again\n  k4999: again\n`;
    expect(codes(text)).toEqual([
      [
        'yaml-duplicate-key',
        5002,
        3,
        'Duplicate key `k17`: each key may appear only once in a mapping. Remove or rename one of them.',
      ],
      [
        'yaml-duplicate-key',
        5003,
        3,
        'Duplicate key `k4999`: each key may appear only once in a mapping. Remove or rename one of them.',
      ],
    ]);
  });

  it('compares keys within one mapping only, and by value and type', () => {
    expect(codes('a:\n  x: 1\nb:\n  x: 2\n')).toEqual([]);
    expect(codes('m:\n  1: a\n  "1": b\n')).toEqual([]);
    expect(codes('m:\n  "x": 1\n  x: 2\n').map((c) => c.slice(0, 3))).toEqual([['yaml-duplicate-key', 3, 3]]);
    expect(codes('- { a: 1, a: 2 }\n').map((c) => c.slice(0, 3))).toEqual([['yaml-duplicate-key', 1, 11]]);
  });
});

describe('diagnostics capped per file', () => {
  const d = (file: string, line: number, severity: Diagnostic['severity'] = 'error'): Diagnostic => ({
    code: 'c',
    severity,
    message: 'm',
    file,
    line,
    column: 1,
    path: [],
  });

  it('keeps the first N of each file and says how many more, with the worst hidden severity', () => {
    const input = [d('a', 1), d('a', 2, 'warning'), d('a', 3, 'info'), d('a', 4, 'warning'), d('b', 1)];
    const out = capDiagnostics(input, 2);
    expect(out.map((x) => [x.file, x.line, x.code, x.severity])).toEqual([
      ['a', 1, 'c', 'error'],
      ['a', 2, 'c', 'warning'],
      ['a', 3, 'diagnostics-truncated', 'warning'],
      ['b', 1, 'c', 'error'],
    ]);
    expect(out[2]?.message).toContain('2 more diagnostics in this file not shown');
    expect(capDiagnostics(input, 5)).toEqual(input);
  });

  it('capping a capped list with more diagnostics added equals capping all of them at once', () => {
    const diag = fc
      .record({
        file: fc.constantFrom('a', 'b'),
        line: fc.integer({ min: 1, max: 50 }),
        severity: fc.constantFrom<Diagnostic['severity']>('error', 'warning', 'info'),
      })
      .map((x) => d(x.file, x.line, x.severity));
    // Distinct messages make the order total, as real diagnostics at one place differ by code or message.
    const named = (xs: Diagnostic[], tag: string) => xs.map((x, i) => ({ ...x, message: `${tag}${i}` }));
    fc.assert(
      fc.property(
        fc.array(diag, { maxLength: 30 }),
        fc.array(diag, { maxLength: 30 }),
        fc.integer({ min: 1, max: 5 }),
        (xa, xb, max) => {
          const a = named(xa, 'a');
          const b = named(xb, 'b');
          const once = capDiagnostics([...a, ...b].sort(compareDiagnostics), max);
          const twice = capDiagnostics(
            [...capDiagnostics([...a].sort(compareDiagnostics), max), ...b].sort(compareDiagnostics),
            max,
          );
          expect(twice).toEqual(once);
        },
      ),
    );
  });

  it('a mesh with 1,500 unknown keys reports the first 1,000 and one entry for the other 500', () => {
    const base = readFileSync('test/fixtures/valid/split/mesh.yaml', 'utf8').replace(/include:\n( {2}- .*\n)+/, '');
    const text = base.replace('mesh:\n', `mesh:\n${keys(1500, 'unknownKey')}`);
    const r = validateWithRules('wide.yaml', { read: () => text }, { today: '2026-06-01', rules: [] });
    expect(r.ok).toBe(false);
    expect(r.diagnostics).toHaveLength(MAX_DIAGNOSTICS_PER_FILE + 1);
    const last = r.diagnostics[r.diagnostics.length - 1];
    expect([last?.code, last?.severity, last?.line]).toEqual(['diagnostics-truncated', 'error', 1000 + 6]);
    expect(last?.message).toContain('500 more diagnostics');
    expect(r.diagnostics.slice(0, -1).every((x) => x.code === 'schema-unknown-key')).toBe(true);
  });
});
