/**
 * The fast path (js-yaml, core schema) must read exactly what the positioned parser (yaml) reads, or step aside.
 * For every input where the fast path answers, the positioned parse must agree: no errors and equal data.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { parseDocument } from 'yaml';
import { describe, expect, it } from 'vitest';
import { fastLoad, parseSource, rangeAt } from '../../src/core/source/source.js';
import { xorshift32 } from '../support/xorshift.js';

const REPO = new URL('../..', import.meta.url).pathname;

function positioned(text: string): { errors: number; data: unknown } {
  const doc = parseDocument(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text, {
    prettyErrors: false,
    uniqueKeys: true,
    strict: true,
    version: '1.2',
    logLevel: 'silent',
  });
  if (doc.errors.length) return { errors: doc.errors.length, data: undefined };
  try {
    return { errors: 0, data: doc.toJS({ maxAliasCount: 1000 }) };
  } catch {
    return { errors: 1, data: undefined };
  }
}

function yamlFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => {
    const p = join(dir, n);
    return statSync(p).isDirectory() ? yamlFiles(p) : /\.ya?ml$/.test(n) ? [p] : [];
  });
}

describe('fast path', () => {
  it('reads the example mesh through the fast path, with the same data as the positioned parser', () => {
    const text = readFileSync(join(REPO, 'mesh.yaml'), 'utf8');
    const fast = fastLoad(text);
    expect(fast.ok).toBe(true);
    expect(fast.ok && fast.data).toEqual(positioned(text).data);
  });

  it('steps aside for anchors, aliases, tags, explicit keys, directives and errors', () => {
    for (const text of [
      'a: &x 1\nb: *x\n',
      'a: !!str 1\n',
      '? a\n: b\n',
      '%YAML 1.2\n---\na: 1\n',
      'a: 1\na: 2\n',
      'a: [1, 2\n',
      '---\na: 1\n---\nb: 2\n',
    ]) {
      expect(fastLoad(text).ok, text).toBe(false);
    }
  });

  it('leaves `---` glued to text at a line start to the positioned parser, which reads it as YAML does', () => {
    // js-yaml would take `---a: 1` for a document marker and `a: 1` (found by the plain reader's attack review).
    for (const [text, key] of [
      ['---a: 1\n', '---a'],
      ['# note\n----: 1\n', '----'],
      ['x: 1\n---y: 2\n', '---y'],
    ] as const) {
      expect(fastLoad(text).ok, text).toBe(false);
      const data = parseSource('mesh.yaml', text).value?.data as Record<string, unknown>;
      expect(Object.keys(data), text).toContain(key);
    }
  });

  it('agrees with the positioned parser on every fixture it accepts', () => {
    const files = [...yamlFiles(join(REPO, 'test/fixtures')), join(REPO, 'mesh.yaml')];
    let accepted = 0;
    for (const f of files) {
      const text = readFileSync(f, 'utf8');
      const fast = fastLoad(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text);
      if (!fast.ok) continue;
      accepted++;
      const slow = positioned(text);
      expect(slow.errors, f).toBe(0);
      expect(fast.data, f).toEqual(slow.data);
    }
    expect(accepted).toBeGreaterThan(20);
  });

  it('agrees with the positioned parser on 600 mutants of mesh.yaml', () => {
    const lines = readFileSync(join(REPO, 'mesh.yaml'), 'utf8').split('\n');
    const rand = xorshift32(20261126);
    let accepted = 0;
    for (let i = 0; i < 600; i++) {
      const m = [...lines];
      for (let k = 0; k < 1 + Math.floor(rand() * 3); k++) {
        const at = Math.floor(rand() * m.length);
        const op = Math.floor(rand() * 5);
        const line = m[at] ?? '';
        if (op === 0) m.splice(at, 1);
        else if (op === 1) m.splice(at, 0, line);
        else if (op === 2) m[at] = ` ${line}`;
        else if (op === 3) m[at] = line.slice(0, Math.floor(rand() * line.length));
        else m[at] = line.replace(/:/, ' :');
      }
      const text = m.join('\n');
      const fast = fastLoad(text);
      if (!fast.ok) continue;
      accepted++;
      const slow = positioned(text);
      expect(slow.errors, text).toBe(0);
      expect(fast.data).toEqual(slow.data);
    }
    expect(accepted).toBeGreaterThan(100);
  });

  it('still locates nodes of a fast-path source (positions are parsed on demand)', () => {
    const text = 'apiVersion: meshgov/v1\nmesh:\n  name: demo\n';
    const src = parseSource('m.yaml', text).value!;
    expect(rangeAt(src, ['mesh', 'name']).start).toEqual({ line: 3, column: 9 });
  });
});
