import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { xorshift32 } from '../support/xorshift.js';
import { generateMeshFiles } from '../../bench/generate-mesh.js';
import { loadMesh } from '../../src/core/model/load.js';
import { renderMesh } from '../../src/core/render/index.js';
import { prettyJsonChunks } from '../../src/output/pretty-json-chunks.js';
import { renderJson, renderJsonChunks } from '../../src/output/render/files.js';

// The oracle is V8's own JSON.stringify: the chunks, joined, must be its bytes exactly.
const oracle = (v: unknown) => `${JSON.stringify(v, null, 2)}\n`;

/**
 * A small deterministic generator of JSON-ish values, with what JSON.stringify drops or turns into null; `omitted`
 * counts object properties JSON.stringify leaves out.
 */
function randomValue(seed: number): { value: unknown; omitted: number } {
  let omitted = 0;
  // Seeds 1, 2, 3, ... spread over the generator's state.
  const next = xorshift32(Math.imul(seed, 2654435761) || 1);
  const strings = ['', 'a', 'with "quotes"', 'line\nbreak', 'tab\there', 'ünïcödé ✓', '\u2028', 'x'.repeat(40)];
  const gen = (depth: number): unknown => {
    const r = next();
    if (depth > 7 || r < 0.05 * depth) {
      const leaves: unknown[] = [
        null,
        true,
        false,
        0,
        -1.5,
        1e21,
        Number.NaN,
        strings[Math.floor(next() * strings.length)],
        undefined,
        () => 1,
        Symbol('s'),
        new Date(Date.UTC(2026, 0, 2)),
        { toJSON: () => ({ replaced: [1, 2] }) },
        { toJSON: () => undefined },
      ];
      return leaves[Math.floor(next() * leaves.length)];
    }
    if (r < 0.6) return Array.from({ length: Math.floor(next() * 5) }, () => gen(depth + 1));
    const o: Record<string, unknown> = Object.create(next() < 0.1 ? null : Object.prototype) as Record<string, unknown>;
    const n = Math.floor(next() * 5);
    for (let i = 0; i < n; i++) {
      const v = gen(depth + 1);
      if (v === undefined || typeof v === 'function' || typeof v === 'symbol') omitted++;
      o[strings[Math.floor(next() * strings.length)] + String(i)] = v;
    }
    return o;
  };
  return { value: gen(0), omitted };
}

describe('prettyJsonChunks', () => {
  it('joins to exactly JSON.stringify(v, null, 2) plus a newline, for values of every kind', () => {
    let deep = 0;
    let withOmitted = 0;
    for (let seed = 1; seed <= 400; seed++) {
      const { value: v, omitted } = randomValue(seed);
      if (JSON.stringify(v) === undefined) continue; // no document at all: not something meshgov prints
      expect([...prettyJsonChunks(v, 1)].join(''), `seed ${seed}`).toBe(oracle(v));
      expect([...prettyJsonChunks(v)].join(''), `seed ${seed}`).toBe(oracle(v));
      // Deeper than the levels that are opened (4): printed by JSON.stringify and re-indented.
      if (/^ {10}/m.test(oracle(v))) deep++;
      if (omitted > 0) withOmitted++;
    }
    // The cases cover what they are meant to.
    expect(deep).toBeGreaterThan(50);
    expect(withOmitted).toBeGreaterThan(50);
  });

  it('prints empty containers, nested arrays and keys that need escaping as JSON.stringify does', () => {
    const v = {
      empty: {},
      none: [],
      'a"b': { '\n': [[], [{}], [[1, [2, { deep: { deeper: { deepest: [3] } } }]]]] },
      dropped: undefined,
      nulls: [undefined, () => 0],
    };
    expect([...prettyJsonChunks(v, 1)].join('')).toBe(oracle(v));
  });

  it('hands out whole lines, each chunk about the size asked for', () => {
    const v = { accounts: Array.from({ length: 50 }, (_, i) => ({ account: String(i), streams: [{ n: i }] })) };
    const chunks = [...prettyJsonChunks(v, 200)];
    expect(chunks.length).toBeGreaterThan(5);
    for (const c of chunks) expect(c.endsWith('\n')).toBe(true);
    // Every chunk but the last reaches the size; none is larger than the size plus one printed entry.
    for (const c of chunks.slice(0, -1)) expect(c.length).toBeGreaterThanOrEqual(200);
    for (const c of chunks) expect(c.length).toBeLessThan(200 + 120);
  });
});

describe('render --format json in chunks', () => {
  const desiredOf = (file: string, read: (f: string) => string) => {
    const loaded = loadMesh(file, { read });
    expect(loaded.mesh).toBeDefined();
    return renderMesh(loaded.mesh!, { today: '2026-01-01' }).value;
  };

  it('is byte for byte the one-string document for the repository mesh and a generated one', () => {
    const root = new URL('../../', import.meta.url);
    const mine = desiredOf('mesh.yaml', (f) => readFileSync(new URL(f, root), 'utf8'));
    const generated = generateMeshFiles(
      { domains: 6, streamsPerDomain: 4, grantsPerStream: 3, domainsPerAccount: 2 },
      false,
    );
    const theirs = desiredOf('mesh.yaml', (f) => generated.get(f) ?? '');
    for (const desired of [mine, theirs]) {
      expect([...renderJsonChunks(desired)].join('')).toBe(renderJson(desired));
      expect([...renderJsonChunks(desired, [])].join('')).toBe(renderJson(desired, []));
    }
  });
});
