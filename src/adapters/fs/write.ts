/** Writing a whole text file the user named, with failures as values in words (see problems.ts). */
import { randomBytes } from 'node:crypto';
import { lstatSync, mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fsProblem } from './problems.js';

/** A path meshgov will not write: a link, or something that is not a regular file. */
export class WriteRefused extends Error {
  override name = 'WriteRefused';
}

/**
 * A new temporary file beside `path`, created exclusively (O_EXCL: never an entry already there, so never through a
 * link put in its place). Rename it over `path` with {@link renameSync}; remove it if that is not done.
 */
export function writeTemporaryBeside(path: string, text: string): string {
  const tmp = `${path}.meshgov-${process.pid}-${randomBytes(4).toString('hex')}.tmp`;
  writeFileSync(tmp, text, { flag: 'wx' });
  return tmp;
}

/**
 * Replace the file at `path` (absolute) with `text`. Output paths often sit in the working tree, which a pull request
 * can change: a link there is refused, never written through (`plan --out plan.json` would otherwise overwrite
 * whatever a committed `plan.json` link points at), and so is anything but a regular file (a FIFO would block the
 * write). The text goes to a new file renamed into place, so a reader never sees half of it, and a link swapped in
 * meanwhile is replaced, not followed.
 */
export function replaceFile(path: string, text: string): void {
  let existing;
  try {
    existing = lstatSync(path);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
  }
  if (existing?.isSymbolicLink())
    throw new WriteRefused(
      'it is a symbolic link; meshgov does not write through links (remove it, or name another file)',
    );
  if (existing !== undefined && !existing.isFile())
    throw new WriteRefused(
      existing.isDirectory() ? 'it is a directory, not a file' : 'it is not a regular file (a FIFO, socket or device)',
    );
  const tmp = writeTemporaryBeside(path, text);
  try {
    renameSync(tmp, path);
  } catch (e) {
    rmSync(tmp, { force: true });
    throw e;
  }
}

/** Write `text` to `path` (resolved against `cwd`, parents created); a failure comes back as a sentence. */
export function writeTextFile(
  cwd: string,
  path: string,
  text: string,
): { kind: 'write-failed'; path: string; problem: string } | undefined {
  const out = resolve(cwd, path);
  try {
    mkdirSync(dirname(out), { recursive: true });
    replaceFile(out, text);
    return undefined;
  } catch (e) {
    return { kind: 'write-failed', path, problem: e instanceof WriteRefused ? e.message : fsProblem(e, out, cwd) };
  }
}
