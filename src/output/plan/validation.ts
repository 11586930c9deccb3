/**
 * Validation findings as GitHub markdown: the "Validation" section of the plan comment (warnings and info findings,
 * waived rule findings with their justification) and the whole document of `meshgov validate --format markdown`
 * (what the plan workflow posts when the mesh does not validate). Every location, message and justification
 * comes from the mesh and is escaped.
 */
import type { Diagnostic, Severity } from '../../core/diagnostics/diagnostic.js';
import { codeSpan, escapeMessage, escapeText } from '../markdown/escape.js';

/** Findings listed in full; the rest are counted (GitHub comments max out at 65,536 characters). */
export const MAX_LISTED_FINDINGS = 100;

const SEVERITY_LABEL: Record<Severity, string> = {
  error: ':x: error',
  warning: ':warning: warning',
  info: ':information_source: info',
};

/** `2 errors, 1 warning, 0 info` */
export function countLine(diagnostics: readonly Pick<Diagnostic, 'severity'>[]): string {
  const count = (s: Severity) => diagnostics.filter((d) => d.severity === s).length;
  const e = count('error');
  const w = count('warning');
  return `${e} error${e === 1 ? '' : 's'}, ${w} warning${w === 1 ? '' : 's'}, ${count('info')} info`;
}

/** The findings table: severity, `file:line:column`, message (plus the waiver's justification), code. */
export function findingsTable(diagnostics: readonly Diagnostic[]): string[] {
  const out = ['| Severity | Location | Finding | Code |', '|---|---|---|---|'];
  const shown = diagnostics.slice(0, MAX_LISTED_FINDINGS);
  for (const d of shown) {
    const severity = d.waivedBy !== undefined ? `${SEVERITY_LABEL[d.severity]} (waived)` : SEVERITY_LABEL[d.severity];
    const waived = d.waivedBy !== undefined ? ` **Waived:** ${escapeText(d.waivedBy)}` : '';
    out.push(
      `| ${severity} | ${codeSpan(`${d.file}:${d.line}:${d.column}`)} | ${escapeMessage(d.message)}${waived} | ${codeSpan(d.code)} |`,
    );
  }
  if (diagnostics.length > shown.length)
    out.push(
      '',
      `${diagnostics.length - shown.length} more finding(s) not shown; run \`meshgov validate\` for all of them.`,
    );
  return out;
}

/** The plan comment's section: the findings that did not stop the plan (warnings, info, waived). Empty when none. */
export function renderValidationSection(diagnostics: readonly Diagnostic[]): string[] {
  if (diagnostics.length === 0) return [];
  return [`#### Validation: ${countLine(diagnostics)}`, '', ...findingsTable(diagnostics), ''];
}

export interface ValidationDocumentOptions {
  /** Heading, e.g. `meshgov validate`; plain text, escaped here. */
  title: string;
  /** The mesh file the findings are about, when known. */
  file?: string;
  /** Said first when there are errors (e.g. why no plan follows). Plain text, escaped here. */
  onErrors?: string;
}

/** A whole markdown document of validation findings: heading, verdict and counts, then the table. */
export function renderValidationMarkdown(
  diagnostics: readonly Diagnostic[],
  options: ValidationDocumentOptions,
): string {
  const errors = diagnostics.some((d) => d.severity === 'error');
  const out: string[] = [
    `### ${escapeText(options.title)}${options.file !== undefined ? `: ${codeSpan(options.file)}` : ''}`,
    '',
  ];
  const verdict = errors
    ? `**The mesh is not valid: ${countLine(diagnostics)}.**`
    : `**The mesh is valid: ${countLine(diagnostics)}.**`;
  out.push(errors && options.onErrors !== undefined ? `${verdict} ${escapeText(options.onErrors)}` : verdict, '');
  if (diagnostics.length) out.push(...findingsTable(diagnostics), '');
  return `${out.join('\n')}`;
}
