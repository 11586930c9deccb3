/** Files meshgov writes where a pull request may have put something first (src/adapters/fs/write.ts). */
import { execFileSync, spawnSync } from 'node:child_process';
import {
  chmodSync,
  chownSync,
  linkSync,
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
import { replaceFile, writeTextFile } from '../../src/adapters/fs/write.js';
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
  // Mounts need a private mount namespace (`unshare -m`), which does not touch the machine's mounts; the cases that
  // need one are skipped where that is not allowed.
  const canMount = spawnSync('unshare', ['-m', 'sh', '-c', 'mount --bind /dev/null /dev/null'], { stdio: 'ignore' });
  /**
   * A prefix for writeInChild: `setup` run in a private mount namespace, then the child. `sh -c` numbers what follows
   * its script from $0: `first` and `second`, then node and its arguments.
   */
  const inMountNamespace = (setup: string, first: string, second: string) => [
    'unshare',
    '-m',
    'sh',
    '-c',
    `${setup} && shift && exec "$@"`,
    first,
    second,
  ];
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

  // Docker's `-v ./plan.json:/work/plan.json`: a rename over a mount point fails with EBUSY.
  it.skipIf(canMount.status !== 0)('a single-file bind mount', () => {
    const d = dir();
    const source = join(dir(), 'mounted.json');
    writeFileSync(source, 'old');
    writeFileSync(join(d, 'plan.json'), 'placeholder');
    const mount = inMountNamespace('mount --bind "$0" "$1"', source, join(d, 'plan.json'));
    const written = writeInChild(d, 'plan.json', 'new', mount);
    expect(written).toEqual({ status: 0, stdout: '"written"', stderr: '' });
    expect(readFileSync(source, 'utf8')).toBe('new');
    expect(readdirSync(d)).toEqual(['plan.json']);
  });

  /** A rename hook that fails with `code` (as a mount point or an unwritable folder makes it fail), after `swap`. */
  const failing =
    (code: string, swap: () => void = () => undefined) =>
    () => {
      swap();
      throw Object.assign(new Error(`${code}: rename failed`), { code });
    };

  it('the rename failures that mean “cannot replace” fall back to writing in place; a shorter text leaves no old tail', () => {
    for (const code of ['EBUSY', 'EACCES', 'EPERM', 'EROFS']) {
      const d = dir();
      const path = join(d, 'plan.json');
      writeFileSync(path, 'an old plan, longer than the new one');
      replaceFile(path, 'new', { rename: failing(code) });
      expect([code, readFileSync(path, 'utf8')]).toEqual([code, 'new']);
      expect(readdirSync(d)).toEqual(['plan.json']);
    }
  });

  it('a rename that fails otherwise is reported, and nothing is written in place', () => {
    for (const code of ['EIO', 'ENOSPC', 'EXDEV', 'EDQUOT']) {
      const d = dir();
      const path = join(d, 'plan.json');
      writeFileSync(path, 'old');
      expect(() => replaceFile(path, 'new', { rename: failing(code) })).toThrow(code);
      expect(readFileSync(path, 'utf8')).toBe('old');
      expect(readdirSync(d)).toEqual(['plan.json']);
    }
  });

  it('refuses a file swapped for another, for a link or for a FIFO before the in-place write, naming what it found', () => {
    const d = dir();
    const path = join(d, 'plan.json');
    writeFileSync(path, 'old');
    const other = join(d, 'other.json');
    writeFileSync(other, 'keep me');
    expect(() => replaceFile(path, 'new', { rename: failing('EBUSY', () => renameSync(other, path)) })).toThrow(
      'it was replaced while meshgov was writing it; nothing was written',
    );
    expect(readFileSync(path, 'utf8')).toBe('keep me');

    const victim = join(dir(), 'victim.txt');
    writeFileSync(victim, 'keep me');
    const swapTo = (make: () => void) => () => {
      rmSync(path);
      make();
    };
    expect(() =>
      replaceFile(path, 'new', {
        rename: failing(
          'EBUSY',
          swapTo(() => symlinkSync(victim, path)),
        ),
      }),
    ).toThrow('it is a symbolic link; meshgov does not write through links');
    expect(readFileSync(victim, 'utf8')).toBe('keep me');

    rmSync(path);
    writeFileSync(path, 'old');
    // No reader: a blocking open for writing would wait forever.
    expect(() =>
      replaceFile(path, 'new', {
        rename: failing(
          'EBUSY',
          swapTo(() => execFileSync('mkfifo', [path])),
        ),
      }),
    ).toThrow('it is not a regular file (a FIFO, socket or device)');
    expect(readdirSync(d).sort()).toEqual(['plan.json']);
  });

  it('refuses a file with other hard links: writing in place would change it under its other names', () => {
    const d = dir();
    const path = join(d, 'plan.json');
    const elsewhere = join(dir(), 'authorized_keys');
    writeFileSync(elsewhere, 'keep me');
    linkSync(elsewhere, path);
    expect(() => replaceFile(path, 'new', { rename: failing('EACCES') })).toThrow(/other hard links/);
    expect(readFileSync(elsewhere, 'utf8')).toBe('keep me');
    expect(readdirSync(d)).toEqual(['plan.json']);
  });

  // chown needs root. The kernel's fs.protected_regular refuses such a file only to an open that may create it.
  it.skipIf(process.getuid?.() !== 0)(
    'refuses a file another user put in a shared sticky folder (like /tmp), and writes one of the folder’s owner',
    () => {
      const d = dir();
      chmodSync(d, 0o1777);
      const path = join(d, 'plan.json');
      writeFileSync(path, 'planted', { mode: 0o666 });
      chownSync(path, 1000, 1000);
      expect(() => replaceFile(path, 'new', { rename: failing('EPERM') })).toThrow(/belongs to another user/);
      expect(readFileSync(path, 'utf8')).toBe('planted');
      // The folder's owner's (root's) file: written.
      chownSync(path, 0, 0);
      replaceFile(path, 'new', { rename: failing('EPERM') });
      expect(readFileSync(path, 'utf8')).toBe('new');
    },
  );

  // A single-file bind mount from a full file system: the write in place fails after the file was emptied.
  it.skipIf(canMount.status !== 0)('a write in place that fails partway says so, and keeps the whole text', () => {
    const d = dir();
    const small = dir();
    writeFileSync(join(d, 'plan.json'), 'placeholder');
    const mount = inMountNamespace(
      'mount -t tmpfs -o size=64k none "$0" && printf old > "$0/plan.json" && mount --bind "$0/plan.json" "$1"',
      small,
      join(d, 'plan.json'),
    );
    const text = `${'x'.repeat(100_000)}\n`; // (an argument of the child: under Linux's 128 KiB per argument)
    const written = writeInChild(d, 'plan.json', text, mount);
    expect(written.status).toBe(0);
    const result = JSON.parse(written.stdout) as { kind: string; problem: string };
    expect(result.kind).toBe('write-failed');
    expect(result.problem).toMatch(
      /^writing it in place failed \(no space left on the device\): it is now incomplete; the whole text is in .*plan\.json\.meshgov-\d+-[0-9a-f]{8}\.tmp$/,
    );
    const kept = readdirSync(d).filter((name) => name !== 'plan.json');
    expect(kept).toHaveLength(1);
    expect(readFileSync(join(d, kept[0] ?? ''), 'utf8')).toBe(text);
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
