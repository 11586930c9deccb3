/** Files meshgov writes where a pull request may have put something first (src/adapters/fs/write.ts). */
import { execFileSync, spawnSync } from 'node:child_process';
import {
  chmodSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { replaceFile, WriteRefused, writeTextFile } from '../../src/adapters/fs/write.js';
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

describe('a file that can be written but not replaced: written in place', () => {
  const repo = resolve(__dirname, '..', '..');
  const module = join(repo, 'src', 'adapters', 'fs', 'write.ts');
  /** writeTextFile(cwd, name, text) in a child process, as the user `uid` when given; its result on stdout. */
  const writeInChild = (cwd: string, name: string, text: string, prefix: string[] = [], uid?: number) => {
    const code = `import(${JSON.stringify(module)}).then((m) => process.stdout.write(JSON.stringify(m.writeTextFile(${JSON.stringify(cwd)}, ${JSON.stringify(name)}, ${JSON.stringify(text)}) ?? 'written')))`;
    const [command = process.execPath, ...args] = [...prefix, process.execPath, '--import', 'tsx', '-e', code];
    const run = spawnSync(command, args, {
      cwd: repo,
      encoding: 'utf8',
      ...(uid === undefined ? {} : { uid, gid: uid }),
    });
    return { status: run.status, stdout: run.stdout, stderr: run.stderr };
  };

  it('a folder this user may not write, around a file it may (root runs the write as nobody)', () => {
    const d = dir();
    writeFileSync(join(d, 'plan.json'), 'old');
    chmodSync(join(d, 'plan.json'), 0o666);
    const asRoot = process.getuid?.() === 0;
    // As root, permissions do not bind: the write runs as nobody, with the folder left root's own.
    chmodSync(d, asRoot ? 0o755 : 0o555);
    try {
      const written = asRoot
        ? writeInChild(d, 'plan.json', 'new', [], 65534)
        : { status: 0, stdout: JSON.stringify(writeTextFile(d, 'plan.json', 'new') ?? 'written'), stderr: '' };
      expect(written).toEqual({ status: 0, stdout: '"written"', stderr: '' });
    } finally {
      chmodSync(d, 0o755);
    }
    expect(readFileSync(join(d, 'plan.json'), 'utf8')).toBe('new');
    expect(statSync(join(d, 'plan.json')).mode & 0o777).toBe(0o666);
    expect(readdirSync(d)).toEqual(['plan.json']);
  });

  // Docker's `-v ./plan.json:/work/plan.json`: a rename over a mount point fails with EBUSY. A private mount
  // namespace (`unshare -m`) makes one without touching the machine's mounts; skipped where that is not allowed.
  const canMount = spawnSync('unshare', ['-m', 'sh', '-c', 'mount --bind /dev/null /dev/null'], { stdio: 'ignore' });
  it.skipIf(canMount.status !== 0)('a single-file bind mount', () => {
    const d = dir();
    const source = join(dir(), 'mounted.json');
    writeFileSync(source, 'old');
    writeFileSync(join(d, 'plan.json'), 'placeholder');
    const mount = [
      'unshare',
      '-m',
      'sh',
      '-c',
      'mount --bind "$0" "$1" && shift && exec "$@"',
      source,
      join(d, 'plan.json'),
    ];
    // `sh -c` numbers what follows its script from $0: the source and the mount point, then node and its arguments.
    const written = writeInChild(d, 'plan.json', 'new', mount);
    expect(written).toEqual({ status: 0, stdout: '"written"', stderr: '' });
    expect(readFileSync(source, 'utf8')).toBe('new');
    expect(readdirSync(d)).toEqual(['plan.json']);
  });

  it('refuses a file swapped for another, or for a link, before the in-place write', () => {
    const d = dir();
    const path = join(d, 'plan.json');
    const victim = join(dir(), 'victim.txt');
    const busy = (swap: () => void) => () => {
      swap();
      throw Object.assign(new Error('EBUSY: resource busy or locked'), { code: 'EBUSY' });
    };
    writeFileSync(path, 'old');
    const other = join(d, 'other.json');
    writeFileSync(other, 'keep me');
    expect(() => replaceFile(path, 'new', { rename: busy(() => renameSync(other, path)) })).toThrow(WriteRefused);
    expect(readFileSync(path, 'utf8')).toBe('keep me');

    writeFileSync(victim, 'keep me');
    const swapToLink = () => {
      rmSync(path);
      symlinkSync(victim, path);
    };
    expect(() => replaceFile(path, 'new', { rename: busy(swapToLink) })).toThrow(/ELOOP|symbolic link/);
    expect(readFileSync(victim, 'utf8')).toBe('keep me');
  });

  it('a rename that fails otherwise is reported, and nothing is written in place', () => {
    const d = dir();
    const path = join(d, 'plan.json');
    writeFileSync(path, 'old');
    const fail = () => {
      throw Object.assign(new Error('EIO: i/o error'), { code: 'EIO' });
    };
    expect(() => replaceFile(path, 'new', { rename: fail })).toThrow(/EIO/);
    expect(readFileSync(path, 'utf8')).toBe('old');
    expect(readdirSync(d)).toEqual(['plan.json']);
  });

  // Needs root to run the write as another user; the fallback is for a file that exists.
  it.skipIf(process.getuid?.() !== 0)('a new file in a folder this user may not write still fails', () => {
    const d = dir();
    chmodSync(d, 0o755);
    const written = writeInChild(d, 'plan.json', 'new', [], 65534);
    expect(written.status).toBe(0);
    expect(JSON.parse(written.stdout)).toEqual({
      kind: 'write-failed',
      path: 'plan.json',
      problem: 'permission denied',
    });
    expect(readdirSync(d)).toEqual([]);
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
