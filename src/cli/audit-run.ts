/**
 * What `meshgov audit` does with the report of the audit use case (src/app/audit.ts): the output formats and the
 * `--fail-on` exit code.
 */
import { relative, resolve } from 'node:path';
import { auditFails } from '../core/audit/findings.js';
import type { AuditReport, FailOn } from '../core/audit/findings.js';
import { formatAuditJson } from '../output/audit/json.js';
import { formatAuditMarkdown } from '../output/audit/markdown.js';
import { sarifRoot } from './validation.js';
import { formatAuditSarif } from '../output/audit/sarif.js';
import { formatAuditText } from '../output/audit/text.js';
import type { CliIO } from './io.js';
import { EXIT_OK, EXIT_PENDING } from './io.js';
import { styleFor } from './style.js';
import { VERSION } from './version.js';

export const AUDIT_FORMATS = ['text', 'markdown', 'json', 'sarif'] as const;
export type AuditFormat = (typeof AUDIT_FORMATS)[number];
export const FAIL_ON = ['error', 'warning', 'never'] as const;

export interface FormatAuditOptions {
  noColor?: boolean;
  /** The root mesh file (SARIF default location). */
  meshFile: string;
}

export function formatAudit(report: AuditReport, format: AuditFormat, io: CliIO, options: FormatAuditOptions): string {
  switch (format) {
    case 'json':
      return formatAuditJson(report);
    case 'markdown':
      return formatAuditMarkdown(report);
    case 'sarif':
      return formatAuditSarif(report, {
        version: VERSION,
        defaultLocation: { file: options.meshFile, line: 1, column: 1 },
        // Relative to the same root as validate's SARIF (the checkout on GitHub Actions, else the repository).
        relativize: (f) => relative(sarifRoot(io), resolve(io.cwd, f)).replace(/\\/g, '/'),
      });
    default:
      return formatAuditText(report, styleFor(io, 'stdout', options.noColor));
  }
}

/**
 * `--fail-on`: 2 (EXIT_PENDING) when a finding is at or above the given severity, 0 otherwise (always 0 for `never`).
 * "Could not run" is 1 and never comes from here, so a script tells the two apart by the code alone.
 */
export function auditExit(report: AuditReport, failOn: FailOn): typeof EXIT_OK | typeof EXIT_PENDING {
  return auditFails(report.findings, failOn) ? EXIT_PENDING : EXIT_OK;
}
