/** The end-of-apply summary: steps done/failed/skipped and the mutating calls by API, from the audit entries. */
import type { ApplyReport, AuditEntry } from './types.js';

export interface CallSummary {
  /** Attempts per API (`kinesis:CreateStream`), sorted by API. */
  byApi: Record<string, { ok: number; error: number }>;
  total: number;
  errors: number;
}

export function summariseCalls(entries: readonly AuditEntry[]): CallSummary {
  const byApi: Record<string, { ok: number; error: number }> = {};
  for (const e of entries) {
    const s = (byApi[e.api] ??= { ok: 0, error: 0 });
    s[e.result]++;
  }
  const sorted = Object.fromEntries(Object.entries(byApi).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
  return { byApi: sorted, total: entries.length, errors: entries.filter((e) => e.result === 'error').length };
}

/** Plain-text report (the CLI colours nothing here; it is also what CI logs show). */
export function renderApplyReport(report: ApplyReport, calls: CallSummary, logFile?: string): string {
  const lines: string[] = [];
  for (const o of report.outcomes) {
    if (o.status === 'done') continue;
    lines.push(`  ${o.status === 'failed' ? 'FAILED ' : 'skipped'} ${o.resourceType} ${o.address}: ${o.message ?? ''}`);
  }
  const out: string[] = [];
  if (lines.length) out.push('Not applied:', ...lines, '');
  out.push(`Mutating calls: ${calls.total} (${calls.errors} failed attempt(s))${logFile ? `, logged to ${logFile}` : ''}`);
  for (const [api, s] of Object.entries(calls.byApi)) out.push(`  ${api}: ${s.ok} ok${s.error ? `, ${s.error} error` : ''}`);
  const hint: string[] = [];
  if (report.outcomes.some((o) => o.skipReason === 'destructive')) hint.push('rerun with --allow-destructive to apply destructive changes');
  if (report.failed) hint.push('rerun apply to retry: every step re-reads live state first, so a rerun converges');
  out.push('', `Apply: ${report.done} done, ${report.failed} failed, ${report.skipped} skipped.${hint.length ? ` (${hint.join('; ')})` : ''}`);
  return `${out.join('\n')}\n`;
}
