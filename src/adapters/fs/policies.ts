import { readdirSync, realpathSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { MAX_SOURCE_BYTES } from '../../core/source/source.js';
import { describeRefusal, isWithin, readRegularFile } from './bounded-read.js';

/** A policy file read from disk: its name (as given, joined to the directory) and text. */
export interface PolicyFileText {
  file: string;
  text: string;
}

/** Whether `dir` exists and is a directory. */
export function isDirectory(dir: string): boolean {
  try {
    return statSync(dir).isDirectory();
  } catch {
    return false;
  }
}

/** The canonical path of a directory (for de-duplicating the same directory reached twice). */
export function canonicalDir(dir: string): string {
  try {
    return realpathSync(dir);
  } catch {
    return dir;
  }
}

/**
 * The `*.yaml`/`*.yml` files directly in `dir`, sorted by name, with their text. A file that is not a regular file,
 * is too large or is unreadable comes back as an Error value (without content) so the caller can report it as a
 * diagnostic. When `repoRoot` is given (CI) and `dir` is named inside it (even through a link that leads out of it),
 * each file must stay inside it by real path.
 */
export function readPolicyDir(
  dir: string,
  repoRoot?: string,
  /** The `./policies` meshgov found in the working directory (not one the user named): confined whenever in CI. */
  discovered = false,
): { file: string; text: string | Error }[] {
  const names = readdirSync(dir)
    .filter((n) => /\.ya?ml$/.test(n))
    .sort();
  const root = repoRoot === undefined ? undefined : canonicalDir(repoRoot);
  // Where the directory is named, not where it leads: a `policies` link committed in the checkout that points
  // outside it is still a directory of the checkout, and its files must stay inside it.
  const named = resolve(dir);
  // The working directory itself may be reached through a link out of the checkout: found there, still confined.
  const inRepo =
    repoRoot !== undefined &&
    root !== undefined &&
    (discovered || isWithin(resolve(repoRoot), named) || isWithin(root, named));
  const within = inRepo && root !== undefined ? [{ dir: root, name: 'the repository (GITHUB_WORKSPACE)' }] : [];
  return names.map((n) => {
    const file = join(dir, n);
    const r = readRegularFile(file, { maxBytes: MAX_SOURCE_BYTES, within });
    return { file, text: r.ok ? r.text : new Error(describeRefusal(r.refusal)) };
  });
}
