/**
 * readBounded reads into one buffer sized from fstat, grows it when the file holds more than fstat said, and decides
 * on the bytes actually read: a size of 0 (devices, /proc) or a file that grew cannot get past the limit, and a
 * file that shrank is not padded.
 */
import {
  closeSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readFileSync,
  renameSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readBounded, readRegularFile } from '../../src/adapters/fs/bounded-read.js';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'meshgov-bounded-read-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A text of `n` characters mixing 1-, 2-, 3- and 4-byte UTF-8 sequences, so buffer growth lands inside some. */
function mixedText(n: number): string {
  const pieces = ['a', 'é', '€', '😀', '\n', 'stream: x'];
  let s = '';
  for (let i = 0; s.length < n; i++) s += pieces[(i * 7) % pieces.length];
  return s;
}

function withFd<T>(path: string, f: (fd: number) => T): T {
  const fd = openSync(path, 'r');
  try {
    return f(fd);
  } finally {
    closeSync(fd);
  }
}

describe('readBounded', () => {
  it('reads a file far larger than its size hint (0, as a device reports) whole, multi-byte characters intact', () => {
    const file = join(dir, 'big.txt');
    const text = mixedText(300_000);
    writeFileSync(file, text);
    const bytes = Buffer.byteLength(text);
    expect(bytes).toBeGreaterThan(4 * 64 * 1024);
    expect(withFd(file, (fd) => readBounded(fd, 1 << 20, 0))).toBe(text);
    expect(withFd(file, (fd) => readBounded(fd, 1 << 20, bytes))).toBe(text);
  });

  it('reads a file that is shorter than its size hint (it shrank) without padding', () => {
    const file = join(dir, 'short.txt');
    writeFileSync(file, 'apiVersion: meshgov/v1\n');
    expect(withFd(file, (fd) => readBounded(fd, 1 << 20, 5_000_000))).toBe('apiVersion: meshgov/v1\n');
  });

  it('accepts exactly the limit and refuses one byte more, whatever the hint says', () => {
    const at = join(dir, 'at-limit.txt');
    const over = join(dir, 'over-limit.txt');
    writeFileSync(at, 'x'.repeat(100_000));
    writeFileSync(over, 'x'.repeat(100_001));
    for (const hint of [0, 10, 100_000, 100_001, 10_000_000]) {
      expect(withFd(at, (fd) => readBounded(fd, 100_000, hint))?.length).toBe(100_000);
      expect(withFd(over, (fd) => readBounded(fd, 100_000, hint))).toBeUndefined();
    }
  });

  it('never sizes its buffer past the limit from the hint (a sparse file can claim a terabyte)', () => {
    const over = join(dir, 'sparse-claim.txt');
    writeFileSync(over, 'x'.repeat(100_001));
    expect(withFd(over, (fd) => readBounded(fd, 100_000, 2 ** 40))).toBeUndefined();
  });

  it('stops reading /dev/zero (size 0, endless) one byte past the limit', () => {
    if (!existsSync('/dev/zero')) return;
    expect(withFd('/dev/zero', (fd) => readBounded(fd, 3_000_000, 0))).toBeUndefined();
  });
});

describe('readRegularFile', () => {
  it('reads a regular file whose size says 0 (/proc) by what it holds', () => {
    if (!existsSync('/proc/self/status')) return;
    const r = readRegularFile('/proc/self/status', { maxBytes: 1 << 20 });
    expect(r.ok && r.text).toContain('Name:');
  });

  it('gives the same text as readFileSync for a large mixed file', () => {
    const file = join(dir, 'same.txt');
    writeFileSync(file, mixedText(200_000));
    const r = readRegularFile(file, { maxBytes: 1 << 20 });
    expect(r.ok && r.text).toBe(readFileSync(file, 'utf8'));
  });
});

describe('readRegularFile: a folder swapped for a link between the check and the open', () => {
  it('refuses what the open reached outside the root, naming its real path, and quotes nothing of it', () => {
    const base = mkdtempSync(join(tmpdir(), 'meshgov-race-'));
    const root = join(base, 'mesh');
    mkdirSync(join(root, 'sub'), { recursive: true });
    writeFileSync(join(root, 'sub', 'x.yaml'), 'inside: true\n');
    mkdirSync(join(base, 'outside', 'sub'), { recursive: true });
    writeFileSync(join(base, 'outside', 'sub', 'x.yaml'), 'SECRET_KEY_FROM_OUTSIDE: hunter2\n');
    const swap = () => {
      renameSync(join(root, 'sub'), join(root, 'sub.real'));
      symlinkSync(join(base, 'outside', 'sub'), join(root, 'sub'));
    };
    const r = readRegularFile(
      join(root, 'sub', 'x.yaml'),
      { maxBytes: 1024, within: [{ dir: root, name: 'the mesh directory' }] },
      { beforeOpen: swap },
    );
    expect(r).toEqual({
      ok: false,
      refusal: {
        kind: 'outside',
        realPath: join(base, 'outside', 'sub', 'x.yaml'),
        root,
        rootName: 'the mesh directory',
      },
    });
    expect(JSON.stringify(r)).not.toContain('hunter2');
  });

  it('reads the file when nothing moved', () => {
    const root = mkdtempSync(join(tmpdir(), 'meshgov-race-'));
    writeFileSync(join(root, 'x.yaml'), 'inside: true\n');
    const r = readRegularFile(
      join(root, 'x.yaml'),
      { maxBytes: 1024, within: [{ dir: root, name: 'the mesh directory' }] },
      { beforeOpen: () => undefined },
    );
    expect(r).toMatchObject({ ok: true, text: 'inside: true\n' });
  });
});

describe('readRegularFile: a pipe from the shell (<(...), /dev/fd/N)', () => {
  it('says what it is (here a socket), not "no such file"', async () => {
    const { spawn } = await import('node:child_process');
    const child = spawn('cat', [], { stdio: ['pipe', 'ignore', 'ignore'] });
    try {
      const fd = (child.stdin as unknown as { _handle: { fd: number } })._handle.fd;
      // libuv's stdio pipes are socket pairs: what matters is that it is named for what it is.
      expect(readRegularFile(`/proc/self/fd/${fd}`, { maxBytes: 10 })).toEqual({
        ok: false,
        refusal: { kind: 'not-regular', what: 'a socket' },
      });
    } finally {
      child.kill();
    }
  });
});
