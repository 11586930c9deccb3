/**
 * What `meshgov audit` does with the report of the audit use case (src/app/audit.ts): the output formats and the
 * `--fail-on` exit code.
 */
import { auditFails } from '../core/audit/findings.js';
import type { AuditReport, FailOn } from '../core/audit/findings.js';
import type { OutputFormat } from '../output/formats.js';
import type { CliIO } from './io.js';
import { EXIT_OK, EXIT_PENDING } from './io.js';
import { formatContext, formatFor } from './validation.js';

export const FAIL_ON = ['error', 'warning', 'never'] as const;

export interface FormatAuditOptions {
  noColor?: boolean;
  /** The root mesh file (SARIF default location). */
  meshFile: string;
}

/** The report in a format of the registry (src/output/formats.ts); one it does not hold is a usage error. */
export function formatAudit(report: AuditReport, format: OutputFormat, io: CliIO, options: FormatAuditOptions): string {
  const context = formatContext(io, {
    meshFile: options.meshFile,
    ...(options.noColor !== undefined ? { noColor: options.noColor } : {}),
  });
  return formatFor('audit', format, report, context);
}

/**
 * `--fail-on`: 2 (EXIT_PENDING) when a finding is at or above the given severity, 0 otherwise (always 0 for `never`).
 * "Could not run" is 1 and never comes from here, so a script tells the two apart by the code alone.
 */
export function auditExit(report: AuditReport, failOn: FailOn): typeof EXIT_OK | typeof EXIT_PENDING {
  return auditFails(report.findings, failOn) ? EXIT_PENDING : EXIT_OK;
}
