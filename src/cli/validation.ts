import { relative, resolve } from 'node:path';
import { findRepoRoot } from '../adapters/fs/repo-root.js';
import type { MeshSources, UsageProblem } from '../app/ports.js';
import { validate } from '../app/validate.js';
import { BUILTIN_POLICIES_DIR, workspaceSources } from '../app/workspace.js';
import type { Diagnostic } from '../core/diagnostics/diagnostic.js';
import type { SourceReader } from '../core/model/load.js';
import type { Rule } from '../core/rules/index.js';
import type { ValidateResult } from '../core/validate.js';
import { Option } from 'commander';
import type { RuleMeta } from '../output/findings/sarif.js';
import { UnsupportedFormat, formatChunks, formatResult, formatsOf } from '../output/formats.js';
import type { FormatContext, OutputFormat, ResultKind, Subjects } from '../output/formats.js';
import type { CliIO, OutputStream } from './io.js';
import { EXIT_USAGE, ExitError, today } from './io.js';
import { styleFor } from './style.js';
import { VERSION } from './version.js';

/** `-f, --format`: the choices of a result kind come from the formatter registry (src/output/formats.ts). */
export function formatOption(kind: ResultKind, description = 'output format', defaultFormat = 'text'): Option {
  return new Option('-f, --format <format>', description).choices(formatsOf(kind)).default(defaultFormat);
}

export interface ValidationOptions {
  /** Extra guardrail policy directory (see rules). */
  policies?: string;
}

export { BUILTIN_POLICIES_DIR };

/** The checkout on GitHub Actions (GITHUB_WORKSPACE), where every file read must stay; undefined elsewhere. */
export function ciRepoRoot(io: CliIO): string | undefined {
  const ws = io.env['GITHUB_WORKSPACE'];
  return ws !== undefined && ws !== '' ? resolve(io.cwd, ws) : undefined;
}

/** The mesh files and rule directories of a command: its working directory; in CI, confined to the checkout. */
export function cliSources(io: CliIO): MeshSources {
  const repoRoot = ciRepoRoot(io);
  return workspaceSources(repoRoot === undefined ? { cwd: io.cwd } : { cwd: io.cwd, repoRoot });
}

/** The mesh reader of a command: names resolve against its working directory; in CI, confined to the checkout. */
export function meshReader(io: CliIO): SourceReader {
  return cliSources(io).reader;
}

/** A use case's usage problem as the CLI's usage error (exit 64). */
export function usageError(p: UsageProblem): ExitError {
  return new ExitError(p.message, EXIT_USAGE);
}

/** Load the guardrail rules from every policy directory; malformed files come back as diagnostics. */
export function loadPolicies(io: CliIO, options: ValidationOptions = {}): { rules: Rule[]; diagnostics: Diagnostic[] } {
  const pack = cliSources(io).rules(options.policies);
  if (pack.kind === 'not-a-directory')
    throw usageError({ kind: 'usage', message: `--policies ${pack.dir}: not a directory.` });
  return { rules: pack.rules, diagnostics: pack.diagnostics };
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

/** The validate use case over the command's files (a usage problem throws the usage error). */
export function runValidation(
  file: string,
  io: CliIO,
  options: ValidationOptions = {},
): ValidateResult & { ruleMeta: Map<string, RuleMeta> } {
  const v = validate(file, { today: today(io), ...options }, cliSources(io));
  if (v.kind === 'usage') throw usageError(v);
  const { kind, rules, ...result } = v;
  return { ...result, ok: kind === 'valid', ruleMeta: ruleMetaOf(rules) };
}

/**
 * The directory SARIF artifact URIs are relative to: the checkout root on GitHub Actions (GITHUB_WORKSPACE), else the
 * repository containing the working directory, else the working directory. Code scanning resolves URIs from the
 * repository root, so `meshgov validate` run in a subdirectory still annotates the right file.
 */
export function sarifRoot(io: CliIO): string {
  return ciRepoRoot(io) ?? findRepoRoot(io.cwd) ?? io.cwd;
}

/** What the renderers of the registry need from the command: colour on `stream`, the SARIF root, the mesh file. */
export function formatContext(
  io: CliIO,
  options: { noColor?: boolean; meshFile?: string; stream?: 'stdout' | 'stderr' } = {},
): FormatContext {
  const context: FormatContext = {
    style: styleFor(io, options.stream ?? 'stdout', options.noColor),
    version: VERSION,
    // Relative to one root for validate and audit (the checkout on GitHub Actions, else the repository).
    relativize: (f) => relative(sarifRoot(io), resolve(io.cwd, f)).replace(/\\/g, '/'),
  };
  if (options.meshFile !== undefined) context.meshFile = options.meshFile;
  return context;
}

/** A result in a format of the registry; a format the registry does not hold for it is a usage error (exit 64). */
export function formatFor<K extends ResultKind>(kind: K, format: string, subject: Subjects[K], context: FormatContext) {
  return asUsageError(format, () => formatResult(kind, format, subject, context));
}

/** `render()`, with the registry's UnsupportedFormat turned into the usage error of `--format`. */
function asUsageError<T>(format: string, render: () => T): T {
  try {
    return render();
  } catch (e) {
    if (e instanceof UnsupportedFormat) throw new ExitError(`--format ${format}: ${e.message}`, EXIT_USAGE);
    throw e;
  }
}

/**
 * {@link formatFor}, written to `out` as the renderer hands it out: chunk by chunk for output too large to hold as
 * one string, each written once the one before has drained (each chunk passes the IO's redaction on its own;
 * chunks are whole lines, and no secret meshgov redacts spans a line).
 */
export async function writeFormatted<K extends ResultKind>(
  out: OutputStream,
  kind: K,
  format: string,
  subject: Subjects[K],
  context: FormatContext,
): Promise<void> {
  const rendered = asUsageError(format, () => formatChunks(kind, format, subject, context));
  if (typeof rendered === 'string') out.write(rendered);
  else
    for (const chunk of rendered) {
      out.write(chunk);
      await out.drain?.();
    }
}

/** Diagnostics in a format; `meshFile`, when given, is named in the github format's notice. */
export function formatDiagnostics(
  diagnostics: readonly Diagnostic[],
  format: OutputFormat,
  io: CliIO,
  ruleMeta: Map<string, RuleMeta>,
  noColor?: boolean,
  meshFile?: string,
): string {
  const options = { ...(noColor !== undefined ? { noColor } : {}), ...(meshFile !== undefined ? { meshFile } : {}) };
  return formatFor('validate', format, { diagnostics, ruleMeta }, formatContext(io, options));
}
