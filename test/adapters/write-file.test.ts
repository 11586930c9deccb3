/** Files meshgov writes where a pull request may have put something first (src/adapters/fs/write.ts). */
import { execFileSync } from 'node:child_process';
import { lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { writeTextFile } from '../../src/adapters/fs/write.js';
import { writeApplyResult } from '../../src/adapters/github/apply-result-file.js';
import type { ApplyResult } from '../../src/core/github/apply-result.js';

const dir = () => mkdtempSync(join(tmpdir(), 'meshgov-write-'));

describe('writeTextFile', () => {
  it('writes a new file, and replaces a regular one whole', () => {
    const d = dir();
    expect(writeTextFile(d, 'out/plan.json', 'one')).toBeUndefined();
    expect(readFileSync(join(d, 'out/plan.json'), 'utf8')).toBe('one');
    expect(writeTextFile(d, 'out/plan.json', 'two')).toBeUndefined();
    expect(readFileSync(join(d, 'out/plan.json'), 'utf8')).toBe('two');
    // No temporary file left behind.
    expect(readdirSync(join(d, 'out'))).toEqual(['plan.json']);
  });

  it('refuses a link at the path, whatever it points at, and writes nothing through it', () => {
    const d = dir();
    const victim = join(dir(), 'victim.txt');
    writeFileSync(victim, 'keep me');
    for (const target of [victim, join(d, 'missing-target'), '/dev/null']) {
      const name = `link-${readdirSync(d).length}.json`;
      symlinkSync(target, join(d, name));
      expect(writeTextFile(d, name, 'plan')).toEqual({
        kind: 'write-failed',
        path: name,
        problem: expect.stringContaining('symbolic link') as unknown as string,
      });
      expect(lstatSync(join(d, name)).isSymbolicLink()).toBe(true);
    }
    expect(readFileSync(victim, 'utf8')).toBe('keep me');
  });

  it('refuses a FIFO (without blocking) and a directory', () => {
    const d = dir();
    execFileSync('mkfifo', [join(d, 'fifo.json')]);
    mkdirSync(join(d, 'folder.json'));
    expect(writeTextFile(d, 'fifo.json', 'plan')?.problem).toContain('not a regular file');
    expect(writeTextFile(d, 'folder.json', 'plan')?.problem).toContain('a directory');
  });
});

describe('a folder on the way that is a link', () => {
  it('inside the working directory: refused, nothing written through it', () => {
    const d = dir();
    const elsewhere = dir();
    symlinkSync(elsewhere, join(d, '.meshgov'));
    expect(writeTextFile(d, '.meshgov/plan.json', 'plan')?.problem).toContain(
      `reached through the symbolic link ${join(d, '.meshgov')}`,
    );
    expect(() => writeApplyResult(join(d, '.meshgov', 'result.json'), {} as ApplyResult, d)).toThrow(/symbolic link/);
    // Nor a folder made through it.
    expect(writeTextFile(d, '.meshgov/out/plan.json', 'plan')?.problem).toContain('symbolic link');
    expect(readdirSync(elsewhere)).toEqual([]);
  });

  it('outside it (a path the user chose, /dev/stdout): written as named', () => {
    const d = dir();
    const elsewhere = dir();
    symlinkSync(join(elsewhere, 'target.json'), join(elsewhere, 'link.json'));
    expect(writeTextFile(d, join(elsewhere, 'link.json'), 'plan')).toBeUndefined();
    expect(readFileSync(join(elsewhere, 'target.json'), 'utf8')).toBe('plan');
  });

  it('keeps the mode of the file it replaces', () => {
    const d = dir();
    writeFileSync(join(d, 'plan.json'), 'old', { mode: 0o600 });
    expect(writeTextFile(d, 'plan.json', 'new')).toBeUndefined();
    expect(lstatSync(join(d, 'plan.json')).mode & 0o777).toBe(0o600);
  });
});

describe('writeApplyResult', () => {
  it('refuses a link at --result, naming it', () => {
    const d = dir();
    const victim = join(dir(), 'victim.txt');
    writeFileSync(victim, 'keep me');
    symlinkSync(victim, join(d, 'apply-result.json'));
    expect(() => writeApplyResult(join(d, 'apply-result.json'), {} as ApplyResult, d)).toThrow(
      /cannot write the apply result .*apply-result\.json: it is a symbolic link/,
    );
    expect(readFileSync(victim, 'utf8')).toBe('keep me');
  });
});

describe('workspaceFiles', () => {
  it('removes the given secrets (the environment’s) from what it writes, and nothing else', async () => {
    const { workspaceFiles } = await import('../../src/app/workspace.js');
    const d = dir();
    const secret = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY';
    const text = `{"note": "echo ${secret} and ${encodeURIComponent(secret)}", "tag": "Bearer not-a-secret-1234"}`;
    expect(workspaceFiles(d, [secret]).write('plan.json', text)).toBeUndefined();
    expect(readFileSync(join(d, 'plan.json'), 'utf8')).toBe(
      '{"note": "echo *** and ***", "tag": "Bearer not-a-secret-1234"}',
    );
  });
});
