/**
 * File-system failures as sentences: `cannot write --out x/y: x is a file, not a directory` instead of a raw
 * `ENOTDIR: not a directory, mkdir '/abs/x/y'`. Used wherever a command writes a path the user named.
 */
import { statSync } from 'node:fs';
import { dirname, relative, resolve } from 'node:path';

const REASONS: Readonly<Record<string, string>> = {
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  ENOENT: 'no such file or directory',
  EISDIR: 'it is a directory, not a file',
  EEXIST: 'it already exists',
  ENOSPC: 'no space left on the device',
  EROFS: 'the file system is read-only',
  ENAMETOOLONG: 'the name is too long',
  ELOOP: 'too many symbolic links',
};

/** The nearest existing ancestor of `path` (itself included) that is not a directory, if any. */
function fileInTheWay(path: string): string | undefined {
  for (let p = path; ; p = dirname(p)) {
    try {
      if (!statSync(p).isDirectory()) return p;
    } catch {
      // Does not exist (or cannot be read): look further up.
    }
    if (dirname(p) === p) return undefined;
  }
}

/** Why writing `path` (absolute) failed, as shown relative to `cwd` where it is below it. */
export function fsProblem(e: unknown, path: string, cwd: string): string {
  const code = (e as NodeJS.ErrnoException | undefined)?.code;
  const show = (p: string) => {
    const rel = relative(cwd, p);
    return rel !== '' && !rel.startsWith('..') ? rel : p;
  };
  if (code === 'ENOTDIR' || code === 'EEXIST') {
    const file = fileInTheWay(resolve(cwd, path));
    if (file !== undefined) return `${show(file)} is a file, not a directory`;
  }
  if (code !== undefined && REASONS[code] !== undefined) return REASONS[code] as string;
  return (e as Error | undefined)?.message ?? String(e);
}
