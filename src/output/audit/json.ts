import type { AuditReport } from '../../core/audit/findings.js';

/**
 * The documented, stable JSON form of an audit (docs/audit.md): `formatVersion` first, then the findings.
 * The text and markdown renderers read the same object, so a saved report renders like a fresh one.
 */
export function formatAuditJson(report: AuditReport): string {
  const ordered: Record<string, unknown> = {
    formatVersion: report.formatVersion,
    mesh: report.mesh,
    generatedAt: report.generatedAt,
    window: report.window,
    summary: report.summary,
    findings: report.findings,
    ...(report.waived ? { waived: report.waived } : {}),
    checksRun: report.checksRun,
    checksNotRun: report.checksNotRun,
    notes: report.notes,
  };
  if (report.shardCharts) ordered['shardCharts'] = report.shardCharts;
  return `${JSON.stringify(ordered, null, 2)}\n`;
}
