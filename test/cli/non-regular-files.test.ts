/**
 * Files that are not regular files (devices, FIFOs, directories) as mesh, include, rule file, saved plan or report
 * input: each is refused with a clear error, promptly. The built CLI runs in a child process with a timeout, so a
 * reader that blocks on a FIFO or reads /dev/zero forever fails the test instead of hanging the test runner.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readRegularFile } from '../../src/adapters/fs/bounded-read.js';
import { MAX_PLAN_BYTES } from '../../src/core/plan/types.js';

const BIN = resolve('bin/meshgov.js');
const STACK = /^\s+at /m;
let dir: string;

function run(...args: string[]) {
  const r = spawnSync(process.execPath, [BIN, ...args], {
    cwd: dir,
    encoding: 'utf8',
    timeout: 30_000,
    killSignal: 'SIGKILL',
    env: {
      ...process.env,
      NO_COLOR: '1',
      MESHGOV_DEBUG: '',
      GITHUB_WORKSPACE: '',
      GITHUB_ACTIONS: '',
      MESHGOV_LOCAL_DIR: join(dir, 'local'),
    },
  });
  return { code: r.status, signal: r.signal, stdout: r.stdout, stderr: r.stderr };
}

function mkfifo(path: string): void {
  execFileSync('mkfifo', [path]);
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'meshgov-nonregular-'));
  cpSync('test/fixtures/valid/split', join(dir, 'split'), { recursive: true });
  mkfifo(join(dir, 'mesh-fifo.yaml'));
  mkfifo(join(dir, 'plan-fifo.json'));
  rmSync(join(dir, 'split/domains/risk.yaml'));
  mkfifo(join(dir, 'split/domains/risk.yaml'));
  mkdirSync(join(dir, 'rules'));
  mkfifo(join(dir, 'rules/fifo-rule.yaml'));
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('non-regular files (built CLI)', () => {
  it('is built', () => {
    expect(existsSync('dist/cli/main.js'), 'run `npx tsc -p tsconfig.build.json` first').toBe(true);
  });

  it('validate /dev/zero: refused as a device, not read until memory runs out', () => {
    const r = run('validate', '/dev/zero');
    expect(r.signal).toBeNull();
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('file-unreadable');
    expect(r.stdout).toContain('it is a character device, not a regular file');
    expect(r.stderr).not.toMatch(STACK);
  });

  it('validate of a FIFO as the mesh file: refused, never blocks', () => {
    const r = run('validate', 'mesh-fifo.yaml');
    expect(r.signal).toBeNull();
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('mesh-fifo.yaml:1:1');
    expect(r.stdout).toContain('FIFO');
  });

  it('an include that is a FIFO: refused at its include entry', () => {
    const r = run('validate', '--format', 'json', 'split/mesh.yaml');
    expect(r.signal).toBeNull();
    expect(r.code).toBe(1);
    const diags = (
      JSON.parse(r.stdout) as {
        diagnostics: { file: string; code: string; line: number; column: number; message: string }[];
      }
    ).diagnostics;
    expect(diags.map((d) => [d.file, d.code, d.line, d.column])).toEqual([
      ['split/mesh.yaml', 'include-unreadable', 14, 5],
    ]);
    expect(diags[0]?.message).toContain('FIFO');
  });

  it('a rule file under --policies that is a FIFO: refused as a located rule-file error', () => {
    const r = run('validate', '--format', 'json', '--policies', 'rules', '/dev/null');
    expect(r.signal).toBeNull();
    const diags = (JSON.parse(r.stdout) as { diagnostics: { code: string; message: string }[] }).diagnostics;
    const rule = diags.find((d) => d.code === 'rule-file-unreadable');
    expect(rule?.message).toContain('FIFO');
  });

  it('apply of a saved plan that is a FIFO: a clear error before any target is touched', () => {
    const r = run('apply', '--local', '--auto-approve', 'plan-fifo.json');
    expect(r.signal).toBeNull();
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('FIFO');
    expect(r.stderr).not.toMatch(STACK);
  });

  it('apply of /dev/zero: refused as a device', () => {
    const r = run('apply', '--local', '--auto-approve', '/dev/zero');
    expect(r.signal).toBeNull();
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('character device');
  });

  it('apply of a saved plan over MAX_PLAN_BYTES: refused after reading one byte past the limit, not parsed', () => {
    // A sparse file: 128 MiB + 1 of zero bytes on disk in no time.
    const file = join(dir, 'huge-plan.json');
    writeFileSync(file, '');
    truncateSync(file, MAX_PLAN_BYTES + 1);
    const r = run('apply', '--local', '--auto-approve', 'huge-plan.json');
    expect(r.signal).toBeNull();
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`larger than ${MAX_PLAN_BYTES} bytes`);
    expect(r.stderr).not.toMatch(STACK);
  });

  it('report github --input of a FIFO: a usage error, never blocks', () => {
    const r = run('report', 'github', '--kind', 'plan', '--input', 'plan-fifo.json', '--dry-run');
    expect(r.signal).toBeNull();
    expect(r.code).toBe(64);
    expect(r.stderr).toContain('FIFO');
  });
});

describe('readRegularFile', () => {
  it('refuses /dev/zero, a FIFO and a directory by kind', () => {
    expect(readRegularFile('/dev/zero', { maxBytes: 1024 })).toEqual({
      ok: false,
      refusal: { kind: 'not-regular', what: 'a character device' },
    });
    expect(readRegularFile(join(dir, 'mesh-fifo.yaml'), { maxBytes: 1024 })).toEqual({
      ok: false,
      refusal: { kind: 'not-regular', what: 'a FIFO (named pipe)' },
    });
    expect(readRegularFile(dir, { maxBytes: 1024 })).toEqual({
      ok: false,
      refusal: { kind: 'not-regular', what: 'a directory' },
    });
  });

  it('bounds the read by bytes read: a file of exactly the limit is read, one byte more is refused', () => {
    const file = join(dir, 'sized.txt');
    writeFileSync(file, 'x'.repeat(1000));
    const exact = readRegularFile(file, { maxBytes: 1000 });
    expect(exact.ok && exact.text.length).toBe(1000);
    expect(readRegularFile(file, { maxBytes: 999 })).toEqual({ ok: false, refusal: { kind: 'too-large', limit: 999 } });
  });

  it.runIf(existsSync('/proc/self/maps'))(
    'bounds a regular file whose stat size is 0 (procfs) by what it actually holds',
    () => {
      // /proc files are regular files of size 0 with content: a limit taken from stat().size would not hold.
      expect(readRegularFile('/proc/self/maps', { maxBytes: 64 })).toEqual({
        ok: false,
        refusal: { kind: 'too-large', limit: 64 },
      });
    },
  );

  it('says "not-found" for a missing file and a dangling link', () => {
    expect(readRegularFile(join(dir, 'nope.yaml'), { maxBytes: 10 })).toEqual({
      ok: false,
      refusal: { kind: 'not-found' },
    });
    symlinkSync(join(dir, 'nowhere.yaml'), join(dir, 'dangling.yaml'));
    expect(readRegularFile(join(dir, 'dangling.yaml'), { maxBytes: 10 })).toEqual({
      ok: false,
      refusal: { kind: 'not-found' },
    });
  });
});
