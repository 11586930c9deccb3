import type { AuditReport, Finding, WaivedFinding } from '../../core/audit/findings.js';

/**
 * A finding with the shared names of the one finding type (`code`, `message`, `help`, as validate's JSON) and, for
 * readers of formatVersion 1, the audit's earlier names beside them: `id` (= code), `title` (= message), `docsUrl`
 * (= help). docs/audit.md documents both; the earlier names go at the next formatVersion.
 */
function findingJson(f: Finding | WaivedFinding): Record<string, unknown> {
  const o: Record<string, unknown> = {
    code: f.code,
    id: f.code,
    severity: f.severity,
    resource: f.resource,
    account: f.account,
  };
  if (f.subject !== undefined) o['subject'] = f.subject;
  o['message'] = f.message;
  o['title'] = f.message;
  o['evidence'] = f.evidence;
  o['remediation'] = f.remediation;
  if (f.help !== undefined) {
    o['help'] = f.help;
    o['docsUrl'] = f.help;
  }
  if (f.location !== undefined) o['location'] = f.location;
  if (f.waivedBy !== undefined) o['waivedBy'] = f.waivedBy;
  if ('waiver' in f) o['waiver'] = f.waiver;
  return o;
}

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
    findings: report.findings.map(findingJson),
    ...(report.waived ? { waived: report.waived.map(findingJson) } : {}),
    checksRun: report.checksRun,
    checksNotRun: report.checksNotRun,
    notes: report.notes,
  };
  if (report.shardCharts) ordered['shardCharts'] = report.shardCharts;
  return `${JSON.stringify(ordered, null, 2)}\n`;
}
