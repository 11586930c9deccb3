/**
 * No-crash property test: mutated versions of the example mesh (deterministic PRNG) never make validateMesh throw,
 * and every diagnostic is located at a 1-based line and column that exists in the file.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { validateMesh } from '../../src/core/validate.js';
import { xorshift32 } from '../support/xorshift.js';

const MESH = readFileSync('mesh.yaml', 'utf8');
const MUTANTS = 400;

const GARBAGE = [
  '*',
  '&a',
  '*a',
  '{',
  '}',
  '[',
  ']',
  ':',
  ': :',
  '- ',
  '\t',
  '#',
  '"',
  "'",
  '|',
  '>',
  '!!binary',
  '!tag',
  '? ',
  '---',
  '...',
  '%YAML 1.1',
  '\u0000',
  '\uFEFF',
  '\r',
  '\u2028',
  'arn:aws:iam::*:role/*',
  '${aws:username}',
  '99999999999999999999',
  '1e999',
  '~',
  'null',
  '<<: *a',
  '__proto__: {}',
];

function mutate(text: string, rand: () => number): string {
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)] as T;
  let lines = text.split('\n');
  const steps = 1 + Math.floor(rand() * 4);
  for (let s = 0; s < steps; s++) {
    const i = Math.floor(rand() * lines.length);
    switch (Math.floor(rand() * 7)) {
      case 0: // delete a line
        lines.splice(i, 1);
        break;
      case 1: // duplicate a line
        lines.splice(i, 0, lines[i] ?? '');
        break;
      case 2: {
        // swap two lines
        const j = Math.floor(rand() * lines.length);
        const a = lines[i] ?? '';
        lines[i] = lines[j] ?? '';
        lines[j] = a;
        break;
      }
      case 3: {
        // flip a character
        const line = lines[i] ?? '';
        const c = Math.floor(rand() * (line.length + 1));
        const ch = String.fromCharCode(32 + Math.floor(rand() * 95));
        lines[i] = line.slice(0, c) + ch + line.slice(c + 1);
        break;
      }
      case 4: {
        // insert garbage inside a line
        const line = lines[i] ?? '';
        const c = Math.floor(rand() * (line.length + 1));
        lines[i] = line.slice(0, c) + pick(GARBAGE) + line.slice(c);
        break;
      }
      case 5: // truncate the file
        lines = lines.slice(0, i);
        if (rand() < 0.5 && lines.length > 0)
          lines[lines.length - 1] = (lines[lines.length - 1] ?? '').slice(0, Math.floor(rand() * 20));
        break;
      default: // change indentation
        lines[i] = (rand() < 0.5 ? ' ' : '') + (lines[i] ?? '').replace(/^ /, rand() < 0.5 ? '' : '   ');
    }
  }
  return lines.join('\n');
}

describe('validateMesh on mutated mesh.yaml', () => {
  it('the unmutated example is valid', () => {
    const r = validateMesh('mesh.yaml', { read: () => MESH }, { today: '2026-06-01' });
    expect(r.diagnostics).toEqual([]);
  });

  it(`never throws and always locates diagnostics (${MUTANTS} mutants)`, () => {
    const rand = xorshift32(20261126);
    let withErrors = 0;
    for (let n = 0; n < MUTANTS; n++) {
      const mutated = mutate(MESH, rand);
      // Every fifth mutant also gets CRLF line endings and a BOM.
      const text = n % 5 === 0 ? `\uFEFF${mutated.replace(/\n/g, '\r\n')}` : mutated;
      const lineCount = text.split('\n').length;
      let result: ReturnType<typeof validateMesh> | undefined;
      expect(() => {
        result = validateMesh('mesh.yaml', { read: () => text }, { today: '2026-06-01' });
      }, `mutant ${n}`).not.toThrow();
      for (const d of result?.diagnostics ?? []) {
        const where = `mutant ${n}: ${d.code} at ${d.line}:${d.column}`;
        expect(Number.isInteger(d.line) && d.line >= 1 && d.line <= lineCount, where).toBe(true);
        expect(Number.isInteger(d.column) && d.column >= 1, where).toBe(true);
        expect(d.message.length, where).toBeGreaterThan(10);
        expect(d.file, where).toBe('mesh.yaml');
      }
      if (result && !result.ok) withErrors++;
    }
    // The mutations are real: most mutants must be rejected.
    expect(withErrors).toBeGreaterThan(MUTANTS / 2);
  });
});
