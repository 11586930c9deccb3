/**
 * The one way meshgov reads a file that someone else wrote (mesh files, includes, rule files, saved plans, report
 * inputs): only regular files, only up to a byte limit counted while reading, optionally only below given
 * directories by real path (symlinks resolved).
 */
import {
  closeSync,
  constants,
  fstatSync,
  lstatSync,
  openSync,
  readlinkSync,
  readSync,
  realpathSync,
  statSync,
} from 'node:fs';
import type { Stats } from 'node:fs';
import { isAbsolute, join, relative, sep } from 'node:path';

/** Why a file was not read. Nothing of a refused file's content is ever part of the refusal. */
export type ReadRefusal =
  | { kind: 'not-found' }
  | { kind: 'denied' }
  | { kind: 'not-regular'; what: string }
  | { kind: 'too-large'; limit: number }
  | { kind: 'outside'; realPath: string; root: string; rootName: string }
  | { kind: 'unreadable'; reason: string };

export type BoundedRead = { ok: true; text: string; realPath: string } | { ok: false; refusal: ReadRefusal };

/** A directory a file must stay below, by real path; `name` says what it is in messages ("the mesh directory"). */
export interface Confinement {
  dir: string;
  name: string;
}

export interface BoundedReadOptions {
  /** Most bytes accepted; one more byte read means the file is refused as too large. */
  maxBytes: number;
  /** Directories the file's real path must be below (every one of them). */
  within?: readonly Confinement[];
}

/** What a non-regular file is, for messages. */
function kindOf(st: Stats): string | undefined {
  if (st.isFile()) return undefined;
  if (st.isDirectory()) return 'a directory';
  if (st.isFIFO()) return 'a FIFO (named pipe)';
  if (st.isSocket()) return 'a socket';
  if (st.isCharacterDevice()) return 'a character device';
  if (st.isBlockDevice()) return 'a block device';
  return 'not a regular file';
}

function refusalOf(e: unknown): ReadRefusal {
  const err = e as NodeJS.ErrnoException;
  switch (err.code) {
    case 'ENOENT':
    case 'ENOTDIR':
      return { kind: 'not-found' };
    case 'EACCES':
    case 'EPERM':
      return { kind: 'denied' };
    case 'ELOOP':
      return { kind: 'unreadable', reason: 'too many levels of symbolic links' };
    case 'ENXIO':
      // open(2) of a socket, or of a device without a driver.
      return { kind: 'not-regular', what: 'a socket or device' };
    case 'EISDIR':
      return { kind: 'not-regular', what: 'a directory' };
    default:
      return { kind: 'unreadable', reason: err.code ?? 'read failed' };
  }
}

/** Whether `path` is `dir` or below it (both real paths). */
export function isWithin(dir: string, path: string): boolean {
  const rel = relative(dir, path);
  // `..` itself or a `../` prefix leaves `dir`; a name that starts with two dots (`..foo.yaml`) does not.
  return rel === '' || (rel !== '..' && !rel.startsWith(`..${sep}`) && !isAbsolute(rel));
}

/**
 * The first symbolic link on the way from `cwd` to `path` (absolute; `path` itself included), when `path` is named
 * inside `cwd`: folders of the working tree that a pull request could have committed as links, which would lead a
 * file meshgov keeps there (its apply log, the local target's data, an output) to any folder the runner can write.
 * Paths named outside `cwd` are the user's own choice and are not looked at.
 */
export function linkOnTheWay(cwd: string, path: string): string | undefined {
  if (!isWithin(cwd, path)) return undefined;
  let at = cwd;
  for (const part of relative(cwd, path).split(sep)) {
    if (part === '') continue;
    at = join(at, part);
    try {
      if (lstatSync(at).isSymbolicLink()) return at;
    } catch {
      // Not there (yet): nothing further down can be a link.
      return undefined;
    }
  }
  return undefined;
}

/**
 * Read a regular file as UTF-8, refusing anything else. The real path is resolved first and checked against
 * `within`; the file is opened by that real path with O_NONBLOCK (a FIFO cannot block the open) and O_NOFOLLOW,
 * the opened handle is fstat-ed (a stat of the path could be raced), and reading stops one byte past the limit
 * (a device's size says nothing: /dev/zero has size 0 and never ends). O_NOFOLLOW guards only the last name of the
 * path: a folder on the way swapped for a link between the check and the open would lead the open elsewhere, so
 * the confinement is checked again on what was opened (`/proc/self/fd`, or the same device and inode as the
 * checked path where there is no /proc).
 * `hooks.beforeOpen` runs between the check and the open (tests: the swap an attacker would race).
 */
export function readRegularFile(
  path: string,
  options: BoundedReadOptions,
  hooks: { beforeOpen?: () => void } = {},
): BoundedRead {
  let real: string;
  try {
    real = realpathSync(path);
  } catch (e) {
    return { ok: false, refusal: refusalOf(e) };
  }
  const roots = (options.within ?? []).map((c) => {
    let root: string;
    try {
      root = realpathSync(c.dir);
    } catch {
      root = c.dir;
    }
    return { root, name: c.name };
  });
  for (const { root, name } of roots) {
    if (!isWithin(root, real)) return { ok: false, refusal: { kind: 'outside', realPath: real, root, rootName: name } };
  }
  // Early refusal without opening: opening some devices has side effects (a tape rewinds). fstat below decides.
  try {
    const what = kindOf(statSync(real));
    if (what !== undefined) return { ok: false, refusal: { kind: 'not-regular', what } };
  } catch (e) {
    // A pipe from the shell (`<(...)`, /dev/fd/N) has a "real path" that is no path (`/proc/N/fd/pipe:[...]`), but it
    // is there: say what it is rather than "no such file".
    try {
      const what = kindOf(statSync(path));
      if (what !== undefined) return { ok: false, refusal: { kind: 'not-regular', what } };
    } catch {
      // Not there at all.
    }
    return { ok: false, refusal: refusalOf(e) };
  }
  hooks.beforeOpen?.();
  let fd: number;
  try {
    fd = openSync(
      real,
      constants.O_RDONLY | constants.O_NONBLOCK | (constants.O_NOFOLLOW ?? 0) | (constants.O_NOCTTY ?? 0),
    );
  } catch (e) {
    return { ok: false, refusal: refusalOf(e) };
  }
  try {
    const st = fstatSync(fd);
    const what = kindOf(st);
    if (what !== undefined) return { ok: false, refusal: { kind: 'not-regular', what } };
    if (roots.length > 0) {
      const moved = movedOutside(fd, st, real, roots);
      if (moved !== undefined) return { ok: false, refusal: moved };
    }
    const text = readBounded(fd, options.maxBytes, st.size);
    if (text === undefined) return { ok: false, refusal: { kind: 'too-large', limit: options.maxBytes } };
    return { ok: true, text, realPath: real };
  } catch (e) {
    return { ok: false, refusal: refusalOf(e) };
  } finally {
    closeSync(fd);
  }
}

/**
 * Why the opened file is not the checked one, if it is not: outside a root by the path the kernel gives for the
 * handle, or (without /proc) another device or inode than the checked path now has.
 */
function movedOutside(
  fd: number,
  st: Stats,
  real: string,
  roots: readonly { root: string; name: string }[],
): ReadRefusal | undefined {
  let opened: string | undefined;
  try {
    opened = readlinkSync(`/proc/self/fd/${fd}`);
  } catch {
    opened = undefined;
  }
  if (opened !== undefined) {
    for (const { root, name } of roots)
      if (!isWithin(root, opened)) return { kind: 'outside', realPath: opened, root, rootName: name };
    return undefined;
  }
  try {
    const now = statSync(real);
    if (now.dev === st.dev && now.ino === st.ino) return undefined;
  } catch {
    // Gone meanwhile: not the file that was checked.
  }
  return { kind: 'unreadable', reason: 'the file changed while it was opened' };
}

/** First buffer for a file whose size says nothing (a device reports 0), and the step a growing file gets. */
const MIN_BUFFER = 64 * 1024;

/**
 * The whole content of `fd` as UTF-8, or undefined once more than `maxBytes` bytes were read. `sizeHint` (the
 * fstat size) only sizes the first buffer, so a regular file is read into one buffer without copies; what decides is
 * the bytes actually read, never the size.
 */
export function readBounded(fd: number, maxBytes: number, sizeHint: number): string | undefined {
  // One byte past the limit at most, and one past the size hint: a file that grew is read on, not cut.
  const limit = maxBytes + 1;
  let buf = Buffer.allocUnsafe(Math.min(limit, Math.max(MIN_BUFFER, sizeHint + 1)));
  let total = 0;
  for (;;) {
    if (total === buf.length) {
      if (total >= limit) return undefined;
      const bigger = Buffer.allocUnsafe(Math.min(limit, Math.max(total * 2, total + MIN_BUFFER)));
      buf.copy(bigger, 0, 0, total);
      buf = bigger;
    }
    const n = readSync(fd, buf, total, buf.length - total, null);
    if (n === 0) break;
    total += n;
  }
  if (total > maxBytes) return undefined;
  return buf.toString('utf8', 0, total);
}

/** A one-line reason for a refusal, for messages ("Cannot read x: <reason>"). */
export function describeRefusal(r: ReadRefusal): string {
  switch (r.kind) {
    case 'not-found':
      return 'no such file';
    case 'denied':
      return 'permission denied';
    case 'not-regular':
      return `it is ${r.what}, not a regular file`;
    case 'too-large':
      return `it is larger than ${r.limit} bytes, the most meshgov reads`;
    case 'outside':
      return `its real path (symbolic links resolved) is ${r.realPath}, outside ${r.rootName} (${r.root}); meshgov reads nothing outside it`;
    case 'unreadable':
      return r.reason;
  }
}
