/**
 * `meshgov audit --stream NAME`: the report narrowed to findings about the named streams (the stream, its shards
 * and consumers) in the accounts read. Used by the drift-event run of the audit workflow (docs/events.md), which
 * knows which stream changed. Findings about principals and grants are the full audit's: the report says so.
 */
import type { AuditReport, Finding } from './findings.js';
import { streamResource, summarise } from './findings.js';

/** True when the finding's resource is one of the streams (in any account) or below it. */
export function aboutStreams(finding: Pick<Finding, 'resource' | 'account'>, streams: readonly string[]): boolean {
  return streams.some((s) => {
    const r = streamResource(finding.account, s);
    return finding.resource === r || finding.resource.startsWith(`${r}/`);
  });
}

/** The report with only the streams' findings (and waived findings), summary recounted, and a note saying so. */
export function scopeReportToStreams(report: AuditReport, streams: readonly string[]): AuditReport {
  if (streams.length === 0) return report;
  const findings = report.findings.filter((f) => aboutStreams(f, streams));
  const waived = report.waived?.filter((f) => aboutStreams(f, streams));
  const names = [...new Set(streams)].sort().join(', ');
  const out: AuditReport = {
    ...report,
    findings,
    notes: [
      ...report.notes,
      `Scoped to stream(s) ${names}: findings about other streams, principals and grants are left to the full audit.`,
    ],
    summary: summarise(findings),
  };
  if (waived !== undefined && waived.length > 0) out.waived = waived;
  else delete out.waived;
  return out;
}
