/** Writing a whole text file the user named, with failures as values in words (see problems.ts). */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fsProblem } from './problems.js';

/** Write `text` to `path` (resolved against `cwd`, parents created); a failure comes back as a sentence. */
export function writeTextFile(
  cwd: string,
  path: string,
  text: string,
): { kind: 'write-failed'; path: string; problem: string } | undefined {
  const out = resolve(cwd, path);
  try {
    mkdirSync(dirname(out), { recursive: true });
    writeFileSync(out, text);
    return undefined;
  } catch (e) {
    return { kind: 'write-failed', path, problem: fsProblem(e, out, cwd) };
  }
}
