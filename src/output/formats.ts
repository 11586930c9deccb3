/**
 * The one formatter registry (issue #18 §1, after Spectral's formatter map): a typed map from (result kind, format)
 * to a pure renderer. Every command asks it for its renderer, and its `--format` choices come from it
 * ({@link formatsOf}); a combination it does not hold is an {@link UnsupportedFormat}, never a silent fallback.
 * validate's and audit's SARIF and GitHub annotations come from the one writer of each (src/output/findings/).
 */
import { AUDIT_CHECK_BY_ID } from '../core/audit/checks.js';
import type { AuditReport } from '../core/audit/findings.js';
import type { Diagnostic } from '../core/diagnostics/diagnostic.js';
import type { Finding, SourceLocation } from '../core/findings/finding.js';
import type { Plan } from '../core/plan/types.js';
import type { DriftEventTemplate } from '../core/render/drift-events.js';
import type { DesiredState } from '../core/render/types.js';
import type { Rule } from '../core/rules/index.js';
import { formatAuditJson } from './audit/json.js';
import { formatAuditMarkdown } from './audit/markdown.js';
import { formatAuditText } from './audit/text.js';
import { formatJson } from './diagnostics/json.js';
import { formatStylish } from './diagnostics/stylish.js';
import { formatGithub } from './findings/github.js';
import { formatSarif, genericRuleMeta } from './findings/sarif.js';
import type { RuleMeta } from './findings/sarif.js';
import type { PlanReaderContext } from './plan/context.js';
import { renderPlanJson } from './plan/json.js';
import { renderPlanMarkdown } from './plan/markdown.js';
import { renderPlanText } from './plan/text.js';
import { renderValidationMarkdown } from './plan/validation.js';
import { renderJsonChunks } from './render/files.js';
import { listJson, listText } from './rules.js';
import type { Style } from './style.js';

/** Every output format a command can print. */
export const OUTPUT_FORMATS = ['text', 'json', 'sarif', 'github', 'markdown'] as const;
export type OutputFormat = (typeof OUTPUT_FORMATS)[number];

/** What the command side supplies to every renderer (the CLI builds it; renderers stay pure). */
export interface FormatContext {
  /** Colour (or not) for the terminal formats. */
  style: Style;
  /** meshgov's version, for SARIF's tool.driver.version. */
  version: string;
  /** A file as a URI relative to the SARIF root (the checkout or repository), forward slashes. */
  relativize: (file: string) => string;
  /** The root mesh file as the user named it: where undeclared live findings point; named in GitHub notices. */
  meshFile?: string;
}

/** validate's result: the findings and the metadata of the rules that were loaded. */
export interface ValidateSubject {
  diagnostics: readonly Diagnostic[];
  ruleMeta: ReadonlyMap<string, RuleMeta>;
}

export interface PlanSubject {
  plan: Plan;
  /** From the mesh: helps the human formats name owners and grants. */
  context?: PlanReaderContext;
}

/** The data of each result kind. */
export interface Subjects {
  validate: ValidateSubject;
  audit: AuditReport;
  plan: PlanSubject;
  rules: readonly Rule[];
  /** The desired state, and the drift-event templates when they were rendered (--github-repo). */
  render: { desired: DesiredState; driftEvents?: readonly DriftEventTemplate[] };
}
export type ResultKind = keyof Subjects;

/**
 * What a renderer returns: the text, or the same text as a sequence of chunks of whole lines, for output too large
 * to hold as one string (`render --format json` of a big mesh).
 */
export type Rendered = string | Iterable<string>;
type Renderer<T> = (subject: T, context: FormatContext) => Rendered;
type Registry = { readonly [K in ResultKind]: Readonly<Partial<Record<OutputFormat, Renderer<Subjects[K]>>>> };

const meshLocation = (c: FormatContext): SourceLocation => ({ file: c.meshFile ?? 'mesh.yaml', line: 1, column: 1 });

/** A validate code without metadata (schema and semantic codes) gets a generic descriptor. */
function validateRuleMeta(meta: ReadonlyMap<string, RuleMeta>): (code: string) => RuleMeta {
  return (code) => meta.get(code) ?? genericRuleMeta(code);
}

/** Audit check metadata from the check registry (src/core/audit/checks.ts); unregistered ids from their findings. */
function auditRuleMeta(code: string, first: Finding): RuleMeta {
  const check = AUDIT_CHECK_BY_ID.get(code);
  const meta: RuleMeta = {
    id: code,
    title: check?.title ?? `meshgov audit check ${code}`,
    severity: check?.severity ?? first.severity,
  };
  const help = check?.helpUrl ?? first.help;
  if (help !== undefined) meta.helpUri = help;
  return meta;
}

/** Insertion order per kind is the order of its `--format` choices (and of its help text). */
const REGISTRY: Registry = {
  validate: {
    text: (s, c) => formatStylish(s.diagnostics, c.style),
    json: (s) => formatJson(s.diagnostics),
    sarif: (s, c) =>
      formatSarif(s.diagnostics, {
        version: c.version,
        ruleMeta: validateRuleMeta(s.ruleMeta),
        relativize: c.relativize,
      }),
    github: (s, c) =>
      formatGithub(s.diagnostics, {
        relativize: c.relativize,
        ...(c.meshFile !== undefined ? { fullListCommand: `meshgov validate ${c.meshFile}` } : {}),
      }),
    // For a PR comment or job summary (`meshgov report github --input`): located, escaped findings.
    markdown: (s) =>
      renderValidationMarkdown(s.diagnostics, {
        title: 'meshgov validate',
        onErrors: 'Fix the errors below: nothing is planned or applied until the mesh validates.',
      }),
  },
  audit: {
    text: (r, c) => formatAuditText(r, c.style),
    markdown: (r) => formatAuditMarkdown(r),
    json: (r) => formatAuditJson(r),
    sarif: (r, c) =>
      formatSarif(r.findings, {
        version: c.version,
        ruleMeta: auditRuleMeta,
        relativize: c.relativize,
        defaultLocation: meshLocation(c),
        automationId: `meshgov-audit/${r.mesh}/`,
      }),
    github: (r, c) =>
      formatGithub(r.findings, {
        defaultLocation: meshLocation(c),
        relativize: c.relativize,
        ...(c.meshFile !== undefined ? { fullListCommand: `meshgov audit --format text ${c.meshFile}` } : {}),
      }),
  },
  plan: {
    text: (s, c) => renderPlanText(s.plan, c.style, s.context !== undefined ? { context: s.context } : {}),
    markdown: (s) => renderPlanMarkdown(s.plan, s.context !== undefined ? { context: s.context } : {}),
    json: (s) => renderPlanJson(s.plan),
  },
  rules: {
    text: (rules) => listText(rules),
    json: (rules) => listJson(rules),
  },
  render: {
    json: (s) => renderJsonChunks(s.desired, s.driftEvents),
  },
};

/** The formats of a result kind, in the order its `--format` choices list them. */
export function formatsOf(kind: ResultKind): OutputFormat[] {
  return Object.keys(REGISTRY[kind]) as OutputFormat[];
}

/** A (result kind, format) the registry does not hold: a usage error for the command (exit 64). */
export class UnsupportedFormat extends Error {
  override name = 'UnsupportedFormat';
  constructor(
    readonly kind: ResultKind,
    readonly format: string,
  ) {
    super(`${kind} has no ${format} output; use one of ${formatsOf(kind).join(', ')}.`);
  }
}

/** Render a result in a format as one string, or throw {@link UnsupportedFormat}. */
export function formatResult<K extends ResultKind>(
  kind: K,
  format: string,
  subject: Subjects[K],
  context: FormatContext,
): string {
  const out = formatChunks(kind, format, subject, context);
  return typeof out === 'string' ? out : [...out].join('');
}

/**
 * Render a result in a format as its renderer hands it out (a string, or chunks of whole lines to write one by one),
 * or throw {@link UnsupportedFormat}.
 */
export function formatChunks<K extends ResultKind>(
  kind: K,
  format: string,
  subject: Subjects[K],
  context: FormatContext,
): Rendered {
  const renderers: Readonly<Partial<Record<string, Renderer<Subjects[K]>>>> = REGISTRY[kind];
  // Own keys only: `toString` or `__proto__` is not a format.
  const render = Object.hasOwn(renderers, format) ? renderers[format] : undefined;
  if (render === undefined) throw new UnsupportedFormat(kind, format);
  return render(subject, context);
}
