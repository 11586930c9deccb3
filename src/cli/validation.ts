import { isAbsolute, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { canonicalDir, isDirectory, readPolicyDir } from '../adapters/fs/policies.js';
import { fileReader } from '../adapters/fs/reader.js';
import { findRepoRoot } from '../adapters/fs/repo-root.js';
import type { Diagnostic } from '../core/diagnostics/diagnostic.js';
import type { SourceReader } from '../core/model/load.js';
import { appendAll, capDiagnostics, compareDiagnostics, hasErrors } from '../core/diagnostics/diagnostic.js';
import { loadRules, runRules } from '../core/rules/index.js';
import type { Rule } from '../core/rules/index.js';
import { diagnostic } from '../core/source/source.js';
import { validateMesh } from '../core/validate.js';
import type { ValidateResult } from '../core/validate.js';
import { formatGithub } from '../output/diagnostics/github.js';
import { formatJson } from '../output/diagnostics/json.js';
import { formatSarif } from '../output/diagnostics/sarif.js';
import type { RuleMeta } from '../output/diagnostics/sarif.js';
import { formatStylish } from '../output/diagnostics/stylish.js';
import { renderValidationMarkdown } from '../output/plan/validation.js';
import type { CliIO } from './io.js';
import { EXIT_USAGE, ExitError, today } from './io.js';
import { styleFor } from './style.js';
import { VERSION } from './version.js';

export const DIAGNOSTIC_FORMATS = ['text', 'json', 'sarif', 'github', 'markdown'] as const;
export type DiagnosticFormat = (typeof DIAGNOSTIC_FORMATS)[number];

export interface ValidationOptions {
  /** Extra guardrail policy directory (see rules). */
  policies?: string;
}

/** The default rule pack shipped with meshgov: `policies/` at the package root (from src/cli or dist/cli). */
export const BUILTIN_POLICIES_DIR = fileURLToPath(new URL('../../policies', import.meta.url));

/** The checkout on GitHub Actions (GITHUB_WORKSPACE), where every file read must stay; undefined elsewhere. */
export function ciRepoRoot(io: CliIO): string | undefined {
  const ws = io.env['GITHUB_WORKSPACE'];
  return ws !== undefined && ws !== '' ? resolve(io.cwd, ws) : undefined;
}

/** The mesh reader of a command: names resolve against its working directory; in CI, confined to the checkout. */
export function meshReader(io: CliIO): SourceReader {
  const repoRoot = ciRepoRoot(io);
  return fileReader(repoRoot === undefined ? { cwd: io.cwd } : { cwd: io.cwd, repoRoot });
}

/** A file name for diagnostics: relative to the working directory when below it, absolute otherwise. */
function displayName(io: CliIO, file: string): string {
  const rel = relative(io.cwd, resolve(io.cwd, file));
  return rel !== '' && !rel.startsWith('..') && !isAbsolute(rel) ? rel.replace(/\\/g, '/') : resolve(io.cwd, file);
}

/** The policy directories in effect: built-in, `./policies` (when it exists and differs), then `--policies`. */
export function policyDirs(io: CliIO, options: ValidationOptions): string[] {
  const dirs: string[] = [];
  const seen = new Set<string>();
  const add = (dir: string) => {
    const key = canonicalDir(dir);
    if (seen.has(key)) return;
    seen.add(key);
    dirs.push(dir);
  };
  add(BUILTIN_POLICIES_DIR);
  const local = resolve(io.cwd, 'policies');
  if (isDirectory(local)) add(local);
  if (options.policies !== undefined) {
    const extra = resolve(io.cwd, options.policies);
    if (!isDirectory(extra)) throw new ExitError(`--policies ${options.policies}: not a directory.`, EXIT_USAGE);
    add(extra);
  }
  return dirs;
}

/** Load the guardrail rules from every policy directory; malformed files come back as diagnostics. */
export function loadPolicies(io: CliIO, options: ValidationOptions = {}): { rules: Rule[]; diagnostics: Diagnostic[] } {
  const files: { file: string; text: string }[] = [];
  const diagnostics: Diagnostic[] = [];
  const repoRoot = ciRepoRoot(io);
  for (const dir of policyDirs(io, options)) {
    for (const f of readPolicyDir(dir, repoRoot)) {
      const file = displayName(io, f.file);
      if (f.text instanceof Error) {
        diagnostics.push(diagnostic(file, { start: { line: 1, column: 1 }, end: { line: 1, column: 1 } }, [], 'rule-file-unreadable', 'error', `Cannot read rule file ${file}: ${f.text.message}`));
      } else files.push({ file, text: f.text });
    }
  }
  const loaded = loadRules(files);
  return { rules: loaded.value, diagnostics: [...diagnostics, ...loaded.diagnostics] };
}

/** SARIF rule metadata of the loaded rules. */
export function ruleMetaOf(rules: readonly Rule[]): Map<string, RuleMeta> {
  const meta = new Map<string, RuleMeta>();
  for (const r of rules) {
    const m: RuleMeta = { id: r.id, title: r.title, description: r.description.trim(), severity: r.severity };
    if (r.helpUrl !== undefined) m.helpUri = r.helpUrl;
    meta.set(r.id, m);
  }
  return meta;
}

function capped(r: ValidateResult): ValidateResult {
  return { ...r, diagnostics: capDiagnostics(r.diagnostics) };
}

/** Load, check and run the guardrail rules: every command starts here. */
export function runValidation(file: string, io: CliIO, options: ValidationOptions = {}): ValidateResult & { ruleMeta: Map<string, RuleMeta> } {
  const day = today(io);
  // Names stay as the user gave them (for diagnostics); reads resolve against the command's working directory.
  // Capped before the rules run, so 100,000 located diagnostics do not stay alive while the rules add theirs.
  const result = capped(validateMesh(file, meshReader(io), { today: day }));
  const policies = loadPolicies(io, options);
  const diagnostics = [...result.diagnostics, ...policies.diagnostics];
  if (result.mesh) appendAll(diagnostics, runRules({ mesh: result.mesh, locator: result.locator, today: day, rules: policies.rules }));
  diagnostics.sort(compareDiagnostics);
  const all = capDiagnostics(diagnostics);
  return { ...result, diagnostics: all, ok: !hasErrors(all), ruleMeta: ruleMetaOf(policies.rules) };
}

/**
 * The directory SARIF artifact URIs are relative to: the checkout root on GitHub Actions (GITHUB_WORKSPACE), else the
 * repository containing the working directory, else the working directory. Code scanning resolves URIs from the
 * repository root, so `meshgov validate` run in a subdirectory still annotates the right file.
 */
export function sarifRoot(io: CliIO): string {
  return ciRepoRoot(io) ?? findRepoRoot(io.cwd) ?? io.cwd;
}

/** `meshFile`, when given, is named in the github format's notice as the way to list every finding. */
export function formatDiagnostics(
  diagnostics: readonly Diagnostic[], format: DiagnosticFormat, io: CliIO, ruleMeta: Map<string, RuleMeta>, noColor?: boolean, meshFile?: string,
): string {
  switch (format) {
    case 'json':
      return formatJson(diagnostics);
    case 'sarif':
      return formatSarif(diagnostics, {
        version: VERSION,
        rules: ruleMeta,
        relativize: (f) => relative(sarifRoot(io), resolve(io.cwd, f)).replace(/\\/g, '/'),
      });
    case 'github':
      return formatGithub(diagnostics, meshFile !== undefined ? { fullListCommand: `meshgov validate ${meshFile}` } : {});
    case 'markdown':
      // For a PR comment or job summary (`meshgov report github --input`): located, escaped findings.
      return renderValidationMarkdown(diagnostics, { title: 'meshgov validate', onErrors: 'Fix the errors below: nothing is planned or applied until the mesh validates.' });
    default:
      return formatStylish(diagnostics, styleFor(io, 'stdout', noColor));
  }
}
