/**
 * Writing `meshgov render --out DIR`: the directory must be new, empty, or a previous render output (it holds the
 * marker listing the files that render owns); files a previous render wrote and this one does not are removed,
 * nothing else is touched.
 */
import {
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmdirSync,
  statSync,
  unlinkSync,
  writeFileSync,
} from 'node:fs';
import { dirname, join } from 'node:path';
import { RENDER_MARKER } from '../../output/render/files.js';
import type { RenderedFile } from '../../output/render/files.js';

/** Why the directory was not written: `not-a-directory` and `foreign` are refusals (nothing was touched). */
export type RenderDirProblem = { kind: 'not-a-directory' } | { kind: 'foreign' } | { kind: 'failed'; cause: unknown };

/** Files listed by a previous render's marker, or undefined when `dir` is not a render output directory. */
function previousFiles(dir: string): string[] | undefined {
  const marker = join(dir, RENDER_MARKER);
  if (!existsSync(marker)) return undefined;
  return readFileSync(marker, 'utf8')
    .split('\n')
    .filter((l) => l !== '' && !l.startsWith('#'));
}

function removeEmptyParents(root: string, from: string): void {
  let d = from;
  while (d.startsWith(root) && d !== root && readdirSync(d).length === 0) {
    rmdirSync(d);
    d = dirname(d);
  }
}

/**
 * Write the files into `dir` (absolute). Refuses a non-empty directory without the marker; removes files the
 * previous render wrote (per its marker) that this one does not, and directories that became empty; writes the
 * marker last.
 */
export function writeRenderDir(dir: string, files: readonly RenderedFile[]): RenderDirProblem | undefined {
  try {
    if (existsSync(dir)) {
      if (!statSync(dir).isDirectory()) return { kind: 'not-a-directory' };
      const previous = previousFiles(dir);
      if (previous === undefined && readdirSync(dir).length > 0) return { kind: 'foreign' };
      const keep = new Set(files.map((f) => f.path));
      for (const old of previous ?? []) {
        if (keep.has(old) || old.split('/').some((s) => s === '..' || s === '')) continue;
        const path = join(dir, old);
        if (existsSync(path) && statSync(path).isFile()) {
          unlinkSync(path);
          removeEmptyParents(dir, dirname(path));
        }
      }
    }
    mkdirSync(dir, { recursive: true });
    // Each directory is made once: a large mesh renders tens of thousands of files into a few thousand directories.
    const made = new Set<string>();
    for (const f of files) {
      const path = join(dir, f.path);
      const parent = dirname(path);
      if (!made.has(parent)) {
        mkdirSync(parent, { recursive: true });
        made.add(parent);
      }
      writeFileSync(path, f.content);
    }
    const marker = [
      '# Written by `meshgov render`; lists the files it owns in this directory.',
      ...files.map((f) => f.path),
      '',
    ].join('\n');
    writeFileSync(join(dir, RENDER_MARKER), marker);
    return undefined;
  } catch (e) {
    return { kind: 'failed', cause: e };
  }
}
