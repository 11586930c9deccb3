/**
 * The position tree read with js-yaml's listener (src/core/source/positions.ts) must locate exactly like yaml's
 * positioned parse: every path of every fast-path YAML file in the repository (fixtures, example mesh, rule packs,
 * workflows), plus a missing key below each, is located by both and compared.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { LineCounter, parseDocument } from 'yaml';
import { describe, expect, it } from 'vitest';
import type { DocPath } from '../../src/core/diagnostics/diagnostic.js';
import { fastLoad, hasPath, keyRangeAt, parseSource, rangeAt, scalarSource } from '../../src/core/source/source.js';
import type { SourceFile } from '../../src/core/source/source.js';
import { positionTree } from '../../src/core/source/positions.js';

function yamlFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => {
    const p = join(dir, n);
    if (statSync(p).isDirectory()) return n === 'node_modules' || n.startsWith('.') ? [] : yamlFiles(p);
    return /\.ya?ml$/.test(n) ? [p] : [];
  });
}

/** Every path to a node of plain data. */
function pathsOf(data: unknown, prefix: DocPath = []): DocPath[] {
  const out: DocPath[] = [prefix];
  if (Array.isArray(data)) data.forEach((v, i) => out.push(...pathsOf(v, [...prefix, i])));
  else if (data !== null && typeof data === 'object')
    for (const [k, v] of Object.entries(data)) out.push(...pathsOf(v, [...prefix, k]));
  return out;
}

const FILES = ['mesh.yaml', ...yamlFiles('test/fixtures'), ...yamlFiles('policies'), ...yamlFiles('.github')].filter(
  (f) => {
    const text = readFileSync(f, 'utf8').replace(/^\uFEFF/, '');
    return fastLoad(text).ok;
  },
);

/** Shapes the fixtures may not have: empty values and items, nesting of flow in block, comments, CRLF, odd keys. */
const SNIPPETS: string[] = [
  'a:\nb: 1\nc:\n  - \n  - x\n  -\n    d: 2\n',
  'a: { b: [1, { c: "d" }], e: }\nf: [ ]\ng: {}\n',
  'list:\n- - a\n  - b\n- - { x: 1 }\n',
  '"quoted key": 1\n\'single\': two\n1: one\ntrue: yes\nnull: ~\n',
  'a:    # comment\n  # another\n  b: 1 # trailing\n\nc: >\n  folded\n  text\n\nd: |-\n  kept\ne: plain\n  continued\n',
  'a:\r\n  b: 1\r\n  c:\r\n    - x\r\n',
  '- { a: 1, b: 2 }\n- [x, y]\n- plain\n- "q"\n',
  'k: {a: 1,\n  b: 2}\nl: [1,\n  2]\n',
];

describe('position tree (js-yaml listener) vs yaml positioned parse', () => {
  it('covers many files, each read into a tree (not the fallback)', () => {
    expect(FILES.length).toBeGreaterThan(50);
    expect(FILES.filter((f) => positionTree(readFileSync(f, 'utf8').replace(/^\uFEFF/, '')) === undefined)).toEqual([]);
  });

  it('gives up (the yaml parse locates instead) for a sequence entry without a node of its own', () => {
    expect(positionTree('a:\n  - \n  - x\n')).toBeUndefined();
    expect(positionTree('a: [b: 1]\n')).toBeUndefined();
    expect(positionTree('a:\n  - y\n  - x\n')).toBeDefined();
  });

  it.each([...FILES, ...SNIPPETS.map((_, i) => `snippet ${i}`)])('%s', (file) => {
    const text = file.startsWith('snippet ')
      ? (SNIPPETS[Number(file.slice(8))] as string)
      : readFileSync(file, 'utf8').replace(/^\uFEFF/, '');
    expect(fastLoad(text).ok).toBe(true);
    const lazy = parseSource(file, text).value;
    if (!lazy) return;
    const lines = new LineCounter();
    const positioned: SourceFile = {
      file,
      text,
      doc: parseDocument(text, { uniqueKeys: false, strict: true, version: '1.2', lineCounter: lines }),
      lines,
      data: lazy.data,
    };
    for (const path of pathsOf(lazy.data)) {
      for (const p of [path, [...path, 'zz-missing'], [...path, 99999]]) {
        expect([p, rangeAt(lazy, p)]).toEqual([p, rangeAt(positioned, p)]);
        expect([p, keyRangeAt(lazy, p)]).toEqual([p, keyRangeAt(positioned, p)]);
        expect([p, scalarSource(lazy, p)]).toEqual([p, scalarSource(positioned, p)]);
        expect([p, hasPath(lazy, p)]).toEqual([p, hasPath(positioned, p)]);
      }
    }
  });
});
