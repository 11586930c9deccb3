import { readdirSync, realpathSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fsReader } from './reader.js';

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
 * The `*.yaml`/`*.yml` files directly in `dir`, sorted by name, with their text. An unreadable file comes back
 * as an Error value so the caller can report it as a diagnostic.
 */
export function readPolicyDir(dir: string): { file: string; text: string | Error }[] {
  const names = readdirSync(dir).filter((n) => /\.ya?ml$/.test(n)).sort();
  return names.map((n) => {
    const file = join(dir, n);
    return { file, text: fsReader.read(file) };
  });
}
