import { describe, expect, it } from 'vitest';
import {
  findTooDeep,
  keyRangeAt,
  MAX_DEPTH,
  parseSource,
  rangeAt,
  scalarSource,
} from '../../src/core/source/source.js';
import type { SourceFile } from '../../src/core/source/source.js';

function parsed(text: string): SourceFile {
  const r = parseSource('f.yaml', text);
  expect(r.diagnostics).toEqual([]);
  if (!r.value) throw new Error('not parsed');
  return r.value;
}

describe('parseSource positions', () => {
  const text = 'a:\n  b: 1\n  list:\n    - x\n    - { y: "z" }\n';

  it('locates values, keys and missing paths (at the nearest existing parent)', () => {
    const src = parsed(text);
    expect(rangeAt(src, ['a', 'b']).start).toEqual({ line: 2, column: 6 });
    expect(keyRangeAt(src, ['a', 'b']).start).toEqual({ line: 2, column: 3 });
    expect(rangeAt(src, ['a', 'list', 1, 'y']).start).toEqual({ line: 5, column: 12 });
    expect(rangeAt(src, ['a', 'missing']).start).toEqual({ line: 2, column: 3 });
    expect(rangeAt(src, ['a', 'list', 7]).start).toEqual({ line: 4, column: 5 });
    expect(scalarSource(src, ['a', 'b'])).toBe('1');
  });

  it('gives the same positions with CRLF line endings and a BOM', () => {
    const src = parsed(`\uFEFF${text.replace(/\n/g, '\r\n')}`);
    expect(rangeAt(src, ['a', 'b']).start).toEqual({ line: 2, column: 6 });
    expect(rangeAt(src, ['a', 'list', 1, 'y']).start).toEqual({ line: 5, column: 12 });
    expect(keyRangeAt(src, ['a']).start).toEqual({ line: 1, column: 1 });
  });

  it('keeps block collection ranges on their first line (CRLF excluded)', () => {
    const src = parsed('a:\r\n  b: 1\r\n  c: 2\r\n');
    expect(rangeAt(src, ['a'])).toEqual({ start: { line: 2, column: 3 }, end: { line: 2, column: 7 } });
  });
});

describe('findTooDeep', () => {
  it('accepts nesting up to the limit and reports the first place beyond it', () => {
    expect(findTooDeep(`k: ${'['.repeat(MAX_DEPTH)}${']'.repeat(MAX_DEPTH)}`)).toBeUndefined();
    expect(findTooDeep(`k: ${'['.repeat(MAX_DEPTH + 1)}`)).toEqual({ offset: 3 + MAX_DEPTH, depth: MAX_DEPTH + 1 });
  });

  it('ignores brackets in quotes and comments', () => {
    expect(findTooDeep(`k: "${'['.repeat(200)}"\nj: '${'{'.repeat(200)}'\n# ${'['.repeat(200)}\n`)).toBeUndefined();
  });

  it('counts block indentation and compact sequences', () => {
    expect(findTooDeep(`${' '.repeat(2 * MAX_DEPTH)}k: v\n`)).toBeUndefined();
    expect(findTooDeep(`a: 1\n${' '.repeat(2 * MAX_DEPTH + 2)}k: v\n`)?.offset).toBe(5 + 2 * MAX_DEPTH + 2);
    expect(findTooDeep(`${'- '.repeat(MAX_DEPTH + 1)}x\n`)).toBeDefined();
  });
});

describe('parseSource hostile input', () => {
  it.each([
    ['empty', '', 'file-empty'],
    ['whitespace only', ' \n\t\n', 'file-empty'],
    ['comments only', '# a\n  # b\n', 'file-empty'],
    ['NUL byte', 'a: 1\n\u0000', 'file-not-text'],
    ['replacement character', 'a: \uFFFD', 'file-not-text'],
  ])('%s -> %s', (_what, text, code) => {
    expect(parseSource('f.yaml', text).diagnostics.map((d) => d.code)).toEqual([code]);
  });

  it('finishes quickly on a long comment header before content (the old regex backtracked exponentially)', () => {
    const r = parseSource('f.yaml', `${'# c\n'.repeat(5000)}a: 1\n`);
    expect(r.diagnostics).toEqual([]);
    expect(r.value?.data).toEqual({ a: 1 });
  });
});
