/**
 * The file side of `meshgov init`: read the templates shipped in the package, find what already exists at the
 * destinations, and write the new files without ever following a symbolic link below the target directory.
 */
import { lstatSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** `templates/` at the package root (from src/adapters/scaffold or dist/adapters/scaffold). */
export const TEMPLATES_DIR = fileURLToPath(new URL('../../../templates', import.meta.url));

/** The named templates' texts, by name. Throws when one is missing (a broken installation). */
export function readTemplates(names: readonly string[], dir: string = TEMPLATES_DIR): Map<string, string> {
  return new Map(names.map((n) => [n, readFileSync(join(dir, n), 'utf8')]));
}

export interface TargetState {
  /** Destinations that exist as files (overwritten only with --force). */
  existing: string[];
  /**
   * Paths (a destination or a directory on the way to it) that cannot be written even with --force: a symbolic
   * link (writing would land outside the target), a directory where a file goes, a file where a directory goes.
   */
  blocked: { path: string; reason: string }[];
}

type Kind = 'missing' | 'file' | 'directory' | 'symlink' | 'other';

function kindOf(path: string): Kind {
  try {
    const st = lstatSync(path);
    if (st.isSymbolicLink()) return 'symlink';
    if (st.isDirectory()) return 'directory';
    return st.isFile() ? 'file' : 'other';
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return 'missing';
    throw e;
  }
}

/** What is already at each destination below `root` (`/`-separated relative paths). */
export function inspectTargets(root: string, paths: readonly string[]): TargetState {
  const existing: string[] = [];
  const blocked = new Map<string, string>();
  // The target itself may be a link (the user named it); it must be a directory or not exist yet.
  let rootKind: Kind;
  try {
    rootKind = statSync(root).isDirectory() ? 'directory' : 'file';
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
    rootKind = 'missing';
  }
  if (rootKind === 'file') return { existing, blocked: [{ path: root, reason: 'is not a directory' }] };
  for (const path of paths) {
    const parts = path.split('/');
    for (let i = 1; i <= parts.length; i++) {
      const rel = parts.slice(0, i).join('/');
      const last = i === parts.length;
      const kind = kindOf(join(root, rel));
      if (kind === 'missing') break;
      if (kind === 'symlink') blocked.set(rel, 'is a symbolic link; meshgov init does not write through links');
      else if (!last && kind !== 'directory') blocked.set(rel, 'is not a directory');
      else if (last && kind === 'directory') blocked.set(rel, 'is a directory');
      else if (last && kind === 'other') blocked.set(rel, 'is not a regular file');
      else if (last) existing.push(rel);
      if (kind !== 'directory') break;
    }
  }
  return { existing, blocked: [...blocked].map(([path, reason]) => ({ path, reason })) };
}

/**
 * Write the files below `root`, creating directories. Each file is created exclusively (`wx`): a file that
 * appeared since `inspectTargets` is not overwritten unless `force`, and then it is removed first, so a link put
 * in its place is replaced, not followed. Returns the paths written, in order.
 */
export function writeFiles(root: string, files: readonly { path: string; text: string }[], force: boolean): string[] {
  const written: string[] = [];
  for (const f of files) {
    const target = join(root, f.path);
    mkdirSync(dirname(target), { recursive: true });
    if (force) rmSync(target, { force: true });
    writeFileSync(target, f.text, { flag: 'wx' });
    written.push(f.path);
  }
  return written;
}
