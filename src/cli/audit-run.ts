/**
 * What `meshgov audit` runs once the live state and metrics are read: the pure audit, the output formats and
 * the `--fail-on` exit code. The command file (src/cli/commands/audit.ts) wires argv, the readers and the clock.
 */
import { relative, resolve } from 'node:path';
import { audit } from '../core/audit/audit.js';
import type { AuditOptions } from '../core/audit/audit.js';
import { auditFails } from '../core/audit/findings.js';
import type { AuditReport, FailOn } from '../core/audit/findings.js';
import type { MetricsSnapshot } from '../core/audit/metrics.js';
import type { Mesh } from '../core/model/types.js';
import type { LiveState } from '../core/plan/live.js';
import type { DesiredState } from '../core/render/types.js';
import type { Locator } from '../core/source/locator.js';
import { formatAuditJson } from '../output/audit/json.js';
import { formatAuditMarkdown } from '../output/audit/markdown.js';
import { formatAuditSarif } from '../output/audit/sarif.js';
import { formatAuditText } from '../output/audit/text.js';
import type { CliIO } from './io.js';
import { EXIT_OK, EXIT_PENDING } from './io.js';
import { styleFor } from './style.js';
import { VERSION } from './version.js';

export const AUDIT_FORMATS = ['text', 'markdown', 'json', 'sarif'] as const;
export type AuditFormat = (typeof AUDIT_FORMATS)[number];
export const FAIL_ON = ['error', 'warning', 'never'] as const;

export interface RunAuditOptions extends Omit<AuditOptions, 'locate'> {
  /** From validateMesh: gives findings about declared entities a mesh.yaml line/column (SARIF). */
  locator?: Locator;
}

export interface RunAuditInput {
  mesh: Mesh;
  desired: DesiredState;
  live: LiveState;
  /** Shard metrics from readShardMetrics (merged per account with mergeSnapshots); undefined on the local target. */
  metrics: MetricsSnapshot | undefined;
  /** YYYY-MM-DD, from the CLI clock. */
  today: string;
  options?: RunAuditOptions;
}

/** Runs the audit: pure, all reading happened before. */
export function runAudit({ mesh, desired, live, metrics, today, options = {} }: RunAuditInput): AuditReport {
  const { locator, ...rest } = options;
  const auditOptions: AuditOptions = { ...rest };
  if (locator) {
    auditOptions.locate = (ref, sub = []) => {
      const d = locator.at(ref, sub, 'audit', 'info', '');
      return { file: d.file, line: d.line, column: d.column };
    };
  }
  return audit({ mesh, desired, live, metrics, today, options: auditOptions });
}

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
        relativize: (f) => relative(io.cwd, resolve(io.cwd, f)).replace(/\\/g, '/'),
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
