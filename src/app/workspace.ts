/**
 * The default {@link MeshSources} and {@link FileSink}: mesh files and rule directories on disk, relative to a
 * working directory and (in CI) confined to the checkout.
 */
import { existsSync } from 'node:fs';
import { isAbsolute, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describeRefusal, readRegularFile } from '../adapters/fs/bounded-read.js';
import { fsProblem } from '../adapters/fs/problems.js';
import { writeRenderDir } from '../adapters/fs/render-dir.js';
import { writeTextFile } from '../adapters/fs/write.js';
import { redactKnown } from '../core/redact.js';
import { RENDER_MARKER } from '../output/render/files.js';
import { canonicalDir, isDirectory, readPolicyDir } from '../adapters/fs/policies.js';
import { fileReader } from '../adapters/fs/reader.js';
import type { Diagnostic } from '../core/diagnostics/diagnostic.js';
import { loadRules } from '../core/rules/index.js';
import { diagnostic } from '../core/source/source.js';
import type { FileSink, FileSource, MeshSources, RulePack } from './ports.js';
import type { RenderDirSink } from './render.js';

/** The default rule pack shipped with meshgov: `policies/` at the package root (from src/app or dist/app). */
export const BUILTIN_POLICIES_DIR = fileURLToPath(new URL('../../policies', import.meta.url));

export interface WorkspaceOptions {
  /** Directory relative names resolve against (the command's working directory). */
  cwd: string;
  /** The checkout every file read must stay in (GITHUB_WORKSPACE on GitHub Actions); no confinement when unset. */
  repoRoot?: string;
}

/** A file name for diagnostics: relative to the working directory when below it, absolute otherwise. */
function displayName(cwd: string, file: string): string {
  const rel = relative(cwd, resolve(cwd, file));
  return rel !== '' && !rel.startsWith('..') && !isAbsolute(rel) ? rel.replace(/\\/g, '/') : resolve(cwd, file);
}

/** The policy directories in effect: built-in, `./policies` (when it exists and differs), then `extra`. */
export function policyDirs(cwd: string, extra?: string): string[] | { notADirectory: string } {
  const dirs: string[] = [];
  const seen = new Set<string>();
  const add = (dir: string) => {
    const key = canonicalDir(dir);
    if (seen.has(key)) return;
    seen.add(key);
    dirs.push(dir);
  };
  add(BUILTIN_POLICIES_DIR);
  const local = resolve(cwd, 'policies');
  if (isDirectory(local)) add(local);
  if (extra !== undefined) {
    const dir = resolve(cwd, extra);
    if (!isDirectory(dir)) return { notADirectory: extra };
    add(dir);
  }
  return dirs;
}

/** Load the guardrail rules from every policy directory; malformed files come back as diagnostics. */
export function loadRulePack(o: WorkspaceOptions, extra?: string): RulePack {
  const dirs = policyDirs(o.cwd, extra);
  if (!Array.isArray(dirs)) return { kind: 'not-a-directory', dir: dirs.notADirectory };
  const files: { file: string; text: string }[] = [];
  const diagnostics: Diagnostic[] = [];
  for (const dir of dirs) {
    for (const f of readPolicyDir(dir, o.repoRoot, dir === resolve(o.cwd, 'policies'))) {
      const file = displayName(o.cwd, f.file);
      if (f.text instanceof Error) {
        const at = { start: { line: 1, column: 1 }, end: { line: 1, column: 1 } };
        const message = `Cannot read rule file ${file}: ${f.text.message}`;
        diagnostics.push(diagnostic(file, at, [], 'rule-file-unreadable', 'error', message));
      } else files.push({ file, text: f.text });
    }
  }
  const loaded = loadRules(files);
  return { kind: 'loaded', rules: loaded.value, diagnostics: [...diagnostics, ...loaded.diagnostics] };
}

/** Mesh files and rule directories on disk. */
export function workspaceSources(o: WorkspaceOptions): MeshSources {
  const reader = fileReader(o.repoRoot === undefined ? { cwd: o.cwd } : { cwd: o.cwd, repoRoot: o.repoRoot });
  return { reader, rules: (extra) => loadRulePack(o, extra) };
}

/**
 * Files written below a working directory (relative paths resolve against it), with the given secrets (the
 * environment's, see secretsOf) removed as stdout and stderr have them removed: a saved plan holds the notes of
 * calls that failed, whose text an endpoint wrote.
 */
export function workspaceFiles(cwd: string, secrets: readonly string[] = []): FileSink {
  return { write: (path, text) => writeTextFile(cwd, path, redactKnown(text, secrets)) };
}

/** Files read below a working directory (relative paths resolve against it; messages name the absolute path). */
export function workspaceInputs(cwd: string): FileSource {
  return {
    read(path, maxBytes) {
      const abs = resolve(cwd, path);
      const r = readRegularFile(abs, { maxBytes });
      if (r.ok) return { kind: 'text', text: r.text };
      if (r.refusal.kind === 'not-found') return { kind: 'not-found' };
      return { kind: 'refused', path: abs, reason: describeRefusal(r.refusal) };
    },
    exists: (path) => existsSync(resolve(cwd, path)),
  };
}

/** Render output directories below a working directory. */
export function workspaceRenderDirs(cwd: string): RenderDirSink {
  return {
    write(dir, files) {
      const abs = resolve(cwd, dir);
      const problem = writeRenderDir(abs, files);
      if (problem === undefined) return undefined;
      switch (problem.kind) {
        case 'not-a-directory':
          return { kind: 'usage', message: `--out ${abs} exists and is not a directory.` };
        case 'foreign':
          return {
            kind: 'usage',
            message:
              `--out ${abs} is not empty and was not written by \`meshgov render\` (no ${RENDER_MARKER} marker); ` +
              'choose a new or empty directory.',
          };
        case 'failed':
          return { kind: 'write-failed', path: dir, problem: fsProblem(problem.cause, abs, cwd) };
      }
    },
  };
}
