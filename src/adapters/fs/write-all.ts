/**
 * Write several files as one: each goes to a temporary file beside its target first, and only when all are written
 * are they renamed into place. A failure removes the temporary files and names the file that failed and why.
 */
import { mkdirSync, renameSync, rmSync } from 'node:fs';
import { dirname } from 'node:path';
import { fsProblem } from './problems.js';
import { linkOnTheWay } from './bounded-read.js';
import { writeTemporaryBeside } from './write.js';

export interface FileToWrite {
  /** Absolute path. */
  path: string;
  text: string;
}

/** Why the files were not (all) written: `index` is the file that failed; `renaming` once every file was staged. */
export interface WriteAllFailure {
  index: number;
  problem: string;
  renaming: boolean;
}

export function writeAll(files: readonly FileToWrite[], cwd: string): WriteAllFailure | undefined {
  const staged: string[] = [];
  const unstage = () => {
    for (const tmp of staged) rmSync(tmp, { force: true });
  };
  for (const [index, { path, text }] of files.entries()) {
    // A folder of the working tree committed as a link would lead the report elsewhere.
    const link = linkOnTheWay(cwd, dirname(path));
    if (link !== undefined) {
      unstage();
      return { index, problem: `it is reached through the symbolic link ${link}`, renaming: false };
    }
    try {
      mkdirSync(dirname(path), { recursive: true });
      staged.push(writeTemporaryBeside(path, text));
    } catch (e) {
      unstage();
      return { index, problem: fsProblem(e, path, cwd), renaming: false };
    }
  }
  for (const [index, { path }] of files.entries()) {
    try {
      renameSync(staged[index] as string, path);
    } catch (e) {
      unstage();
      return { index, problem: fsProblem(e, path, cwd), renaming: true };
    }
  }
  return undefined;
}
