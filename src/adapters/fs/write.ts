/** Writing a whole text file the user named, with failures as values in words (see problems.ts). */
import { randomBytes } from 'node:crypto';
import type { Stats } from 'node:fs';
import {
  chmodSync,
  closeSync,
  constants,
  fstatSync,
  ftruncateSync,
  lstatSync,
  mkdirSync,
  openSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { dirname, resolve } from 'node:path';
import { isWithin, linkOnTheWay } from './bounded-read.js';
import { fsProblem } from './problems.js';

/** A path meshgov will not write: a link, or something that is not a regular file. */
export class WriteRefused extends Error {
  override name = 'WriteRefused';
}

/**
 * A new temporary file beside `path`, created exclusively (O_EXCL: never an entry already there, so never through a
 * link put in its place). Rename it over `path` with {@link renameSync}; remove it if that is not done.
 */
export function writeTemporaryBeside(path: string, text: string, mode?: number): string {
  const tmp = `${path}.meshgov-${process.pid}-${randomBytes(4).toString('hex')}.tmp`;
  try {
    writeFileSync(tmp, text, { flag: 'wx' });
    // The mode of the file it replaces (a plan kept 0600 stays 0600).
    if (mode !== undefined) chmodSync(tmp, mode);
  } catch (e) {
    // Half written (a full disk, a file size limit): not left behind.
    rmSync(tmp, { force: true });
    throw e;
  }
  return tmp;
}

/**
 * Replace the file at `path` (absolute) with `text`. Output paths often sit in the working tree, which a pull request
 * can change: a link there is refused, never written through (`plan --out plan.json` would otherwise overwrite
 * whatever a committed `plan.json` link points at), and so is anything but a regular file (a FIFO would block the
 * write). The text goes to a new file renamed into place, so a reader never sees half of it, and a link swapped in
 * meanwhile is replaced, not followed. A file that can be written but not replaced is written in place.
 */
export function replaceFile(
  path: string,
  text: string,
  // Tests: a rename that fails the way a mount point or an unwritable folder makes it fail.
  hooks: { rename?: (from: string, to: string) => void } = {},
): void {
  let existing;
  try {
    existing = lstatSync(path);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
  }
  if (existing?.isSymbolicLink()) throw new WriteRefused(IS_A_LINK);
  if (existing !== undefined && !existing.isFile())
    throw new WriteRefused(existing.isDirectory() ? 'it is a directory, not a file' : NOT_REGULAR);
  let tmp;
  try {
    tmp = writeTemporaryBeside(path, text, existing === undefined ? undefined : existing.mode & 0o7777);
  } catch (e) {
    if (existing !== undefined && cannotReplace(e)) return overwriteInPlace(path, text, existing);
    throw e;
  }
  try {
    (hooks.rename ?? renameSync)(tmp, path);
  } catch (e) {
    if (existing === undefined || !cannotReplace(e)) {
      rmSync(tmp, { force: true });
      throw e;
    }
    try {
      overwriteInPlace(path, text, existing, tmp);
    } catch (inPlace) {
      // Kept when the file was left incomplete: it is then the only whole copy of the text.
      if (!(inPlace instanceof IncompleteWrite)) rmSync(tmp, { force: true });
      throw inPlace;
    }
    rmSync(tmp, { force: true });
  }
}

/** The sticky bit of a folder's mode (S_ISVTX; not among node's fs constants). */
const STICKY = 0o1000;

const IS_A_LINK = 'it is a symbolic link; meshgov does not write through links (remove it, or name another file)';
const NOT_REGULAR = 'it is not a regular file (a FIFO, socket or device)';

/** An in-place write that failed after the file was emptied: the file is left incomplete. */
class IncompleteWrite extends WriteRefused {}

/**
 * The file can be written but not replaced: its folder is not writable by this user (EACCES, EPERM; a read-only
 * folder or file system around a writable file, EROFS), or it is a mount point (EBUSY: Docker's single-file bind
 * mount, `-v ./plan.json:/work/plan.json`). Terraform and the AWS CLI write such a file; so does meshgov, in place.
 */
function cannotReplace(e: unknown): boolean {
  const code = (e as NodeJS.ErrnoException).code;
  return code === 'EACCES' || code === 'EPERM' || code === 'EROFS' || code === 'EBUSY';
}

/**
 * Write over the regular file `existing` was read from, in place, refusing what replacing would never have written
 * into:
 * - a link (opened without following one) or a FIFO (without blocking) swapped in since, or any other file than the
 *   one checked (device and inode);
 * - a file with other hard links, whose other names (anywhere on the file system) would change too;
 * - a file another user put in a shared sticky folder such as /tmp, as the kernel's `fs.protected_regular` refuses
 *   (it checks only opens that may create, and this one does not).
 * A reader may see it half written, which replacing avoids: this is only the fallback. `complete`: a whole copy of
 * the text, named in the error if the write fails after the file was emptied.
 */
function overwriteInPlace(path: string, text: string, existing: Stats, complete?: string): void {
  let fd;
  try {
    fd = openSync(path, constants.O_WRONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ELOOP') throw new WriteRefused(IS_A_LINK);
    // A FIFO without a reader, opened for writing without blocking.
    if (code === 'ENXIO') throw new WriteRefused(NOT_REGULAR);
    throw e;
  }
  try {
    const opened = fstatSync(fd);
    if (!opened.isFile()) throw new WriteRefused(NOT_REGULAR);
    if (opened.dev !== existing.dev || opened.ino !== existing.ino)
      throw new WriteRefused('it was replaced while meshgov was writing it; nothing was written');
    if (opened.nlink !== 1)
      throw new WriteRefused(
        'it has other hard links, which writing in place would change too; meshgov does not write through links (remove it, or name another file)',
      );
    const folder = statSync(dirname(path));
    const euid = process.geteuid?.();
    if ((folder.mode & STICKY) !== 0 && opened.uid !== euid && opened.uid !== folder.uid)
      throw new WriteRefused(
        'it belongs to another user, in a shared folder (sticky, like /tmp); meshgov does not write into it (remove it, or name another file)',
      );
    ftruncateSync(fd, 0);
    try {
      writeFileSync(fd, text);
    } catch (e) {
      const whole = complete === undefined ? '' : `; the whole text is in ${complete}`;
      throw new IncompleteWrite(
        `writing it in place failed (${fsProblem(e, path, dirname(path))}): it is now incomplete${whole}`,
      );
    }
  } finally {
    closeSync(fd);
  }
}

/**
 * Write a file the user named. Inside the working directory (`cwd`), which in CI is a pull request's checkout, the
 * file is replaced ({@link replaceFile}) and no folder on the way may be a link; outside it (`/dev/stdout`, a path
 * the user chose) it is written in place, as named.
 */
export function writeNamedFile(cwd: string, out: string, text: string): void {
  // Before creating folders: through a link on the way they would be made elsewhere.
  const link = linkOnTheWay(cwd, dirname(out));
  if (link !== undefined)
    throw new WriteRefused(`it is reached through the symbolic link ${link}; meshgov does not write through links`);
  mkdirSync(dirname(out), { recursive: true });
  if (isWithin(cwd, out)) replaceFile(out, text);
  else writeFileSync(out, text);
}

/** Write `text` to `path` (resolved against `cwd`, parents created); a failure comes back as a sentence. */
export function writeTextFile(
  cwd: string,
  path: string,
  text: string,
): { kind: 'write-failed'; path: string; problem: string } | undefined {
  const out = resolve(cwd, path);
  try {
    writeNamedFile(cwd, out, text);
    return undefined;
  } catch (e) {
    return { kind: 'write-failed', path, problem: e instanceof WriteRefused ? e.message : fsProblem(e, out, cwd) };
  }
}
