/**
 * docs/library.md's example, run as written: the js block after the `library-example` marker, in a repository
 * scaffolded like `meshgov init`, importing `meshgov` by name (the package, through its `exports`: a link in
 * node_modules to this checkout, so dist/ must be built).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { scaffoldFiles, TEMPLATE_FILES } from '../../src/core/scaffold/scaffold.js';

const REPO = fileURLToPath(new URL('../..', import.meta.url));

/** The fenced js block right after the marker comment. */
export function exampleCode(markdown: string): string {
  const m = /<!-- library-example[^>]*-->\s*```js\n([\s\S]*?)\n```/.exec(markdown);
  if (!m) throw new Error('docs/library.md has no library-example block');
  return m[1] as string;
}

describe('docs/library.md example', () => {
  it('runs as written against a scaffolded repository and prints the first plan', () => {
    expect(existsSync(join(REPO, 'dist', 'index.js')), 'run `npx tsc -p tsconfig.build.json` first').toBe(true);
    const dir = mkdtempSync(join(tmpdir(), 'meshgov-library-'));
    const templates = new Map(
      TEMPLATE_FILES.map((t) => [t.template, readFileSync(join(REPO, 'templates', t.template), 'utf8')]),
    );
    for (const f of scaffoldFiles(templates, { version: '0.0.0' })) {
      mkdirSync(dirname(join(dir, f.path)), { recursive: true });
      writeFileSync(join(dir, f.path), f.text);
    }
    mkdirSync(join(dir, 'node_modules'));
    symlinkSync(REPO, join(dir, 'node_modules', 'meshgov'), 'dir');
    writeFileSync(join(dir, 'package.json'), '{ "type": "module", "private": true }\n');
    writeFileSync(join(dir, 'example.js'), exampleCode(readFileSync(join(REPO, 'docs', 'library.md'), 'utf8')));

    const r = spawnSync(process.execPath, ['example.js'], { cwd: dir, encoding: 'utf8', timeout: 60_000 });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    // The scaffolded mesh: one account with one stream, and its governance artefacts.
    expect(r.stdout).toMatch(/^111111111111: 1 stream\(s\), \d+ IAM artefact\(s\)$/m);
    expect(r.stdout).toContain('example.events.v1');
    expect(r.stdout).toContain('Plan: 1 to add, 0 to change, 0 to destroy.');
  });

  it('finds the block after the marker only', () => {
    expect(exampleCode('```js\nno\n```\n<!-- library-example: x -->\n```js\nyes\n```')).toBe('yes');
    expect(() => exampleCode('```js\nno\n```')).toThrow('no library-example block');
  });
});
