import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

/**
 * The root of the repository containing `dir`: the nearest ancestor holding `.git` (a directory, or a file for
 * worktrees and submodules), or undefined when `dir` is not inside a repository.
 */
export function findRepoRoot(dir: string): string | undefined {
  let cur = resolve(dir);
  for (;;) {
    if (existsSync(join(cur, '.git'))) return cur;
    const parent = dirname(cur);
    if (parent === cur) return undefined;
    cur = parent;
  }
}
