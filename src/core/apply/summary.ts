/** The end-of-apply summary: steps done/failed/skipped and the mutating calls by API, from the audit entries. */
import type { ApplyReport, AuditEntry } from './types.js';

export interface CallSummary {
  /** Attempts per API (`kinesis:CreateStream`) that ended, sorted by API. */
  byApi: Record<string, { ok: number; error: number }>;
  /** Attempts that ended. */
  total: number;
  errors: number;
  /** Attempts started (an intent line) whose outcome is not in the log: they may have reached the service. */
  unanswered: number;
}

/** Intents without an outcome line of the same id. */
export function unansweredIntents(entries: readonly AuditEntry[]): AuditEntry[] {
  const ended = new Set(entries.flatMap((e) => (e.result !== 'started' && e.id !== undefined ? [e.id] : [])));
  return entries.filter((e) => e.result === 'started' && !ended.has(e.id));
}

export function summariseCalls(entries: readonly AuditEntry[]): CallSummary {
  const byApi: Record<string, { ok: number; error: number }> = {};
  const outcomes = entries.filter((e) => e.result !== 'started');
  for (const e of outcomes) {
    const s = (byApi[e.api] ??= { ok: 0, error: 0 });
    if (e.result === 'ok') s.ok++;
    else s.error++;
  }
  const sorted = Object.fromEntries(Object.entries(byApi).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
  return {
    byApi: sorted,
    total: outcomes.length,
    errors: outcomes.filter((e) => e.result === 'error').length,
    unanswered: unansweredIntents(entries).length,
  };
}

function mark(o: ApplyReport['outcomes'][number]): string {
  if (o.status === 'failed') return 'FAILED ';
  return o.skipReason === 'interrupted' ? 'not started' : 'skipped';
}

/**
 * Plain-text report (the CLI colours nothing here; it is also what CI logs show). `interruptedBy` names the signal
 * that stopped the run: the changes it kept from starting are listed as "not started".
 */
export function renderApplyReport(
  report: ApplyReport,
  calls: CallSummary,
  logFile?: string,
  o: { interruptedBy?: string } = {},
): string {
  const lines: string[] = [];
  for (const x of report.outcomes) {
    if (x.status === 'done') continue;
    lines.push(`  ${mark(x)} ${x.resourceType} ${x.address}: ${x.message ?? ''}`);
  }
  const out: string[] = [];
  if (lines.length) out.push('Not applied:', ...lines, '');
  out.push(
    `Mutating calls: ${calls.total} (${calls.errors} failed attempt(s))${logFile ? `, logged to ${logFile}` : ''}`,
  );
  for (const [api, s] of Object.entries(calls.byApi))
    out.push(`  ${api}: ${s.ok} ok${s.error ? `, ${s.error} error` : ''}`);
  if (calls.unanswered) {
    out.push(`  ${calls.unanswered} call(s) started without an answer: they may have reached the service`);
  }
  const notStarted = report.outcomes.filter((x) => x.skipReason === 'interrupted').length;
  const hint: string[] = [];
  if (report.outcomes.some((x) => x.skipReason === 'destructive')) {
    hint.push('rerun with --allow-destructive to apply destructive changes');
  }
  if (report.failed || notStarted || o.interruptedBy) {
    hint.push('rerun apply to finish: every step re-reads live state first, so a rerun converges');
  }
  const notStartedCount = o.interruptedBy ? `, ${notStarted} not started` : '';
  const skipped = report.skipped - notStarted;
  const counts = `${report.done} done, ${report.failed} failed, ${skipped} skipped${notStartedCount}`;
  const head = o.interruptedBy ? `Apply interrupted (${o.interruptedBy})` : 'Apply';
  out.push('', `${head}: ${counts}.${hint.length ? ` (${hint.join('; ')})` : ''}`);
  return `${out.join('\n')}\n`;
}
