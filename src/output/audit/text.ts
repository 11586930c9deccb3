import type { AuditReport, Finding } from '../../core/audit/findings.js';
import { money } from '../cost/format.js';
import type { Style } from '../style.js';
import { terminalSafe } from '../terminal.js';
import { evidenceLine } from './evidence.js';

function sev(f: Finding, style: Style): string {
  return f.severity === 'error'
    ? style.red('error  ')
    : f.severity === 'warning'
      ? style.yellow('warning')
      : style.blue('info   ');
}

/** Waived findings listed in text and markdown (the JSON has all). */
export const WAIVED_SHOWN = 20;

/** Human text for a terminal (terminal-safe): one block per finding, then what did not run, notes and a summary line. */
export function formatAuditText(report: AuditReport, style: Style): string {
  const lines: string[] = [];
  lines.push(
    style.bold(`meshgov audit of ${report.mesh}`) +
      style.dim(`  window ${report.window.start} .. ${report.window.end} (period ${report.window.periodSeconds} s)`),
  );
  lines.push('');
  for (const f of report.findings) {
    lines.push(`${sev(f, style)}  ${style.bold(f.resource)}  ${style.dim(f.code)}`);
    lines.push(`         ${f.message}`);
    if (f.location)
      lines.push(style.dim(`         declared at ${f.location.file}:${f.location.line}:${f.location.column}`));
    lines.push(style.dim(`         evidence: ${evidenceLine(f.evidence)}`));
    lines.push(`         fix: ${f.remediation}`);
    if (f.help) lines.push(style.dim(`         see ${f.help}`));
  }
  if (report.findings.length > 0) lines.push('');
  lines.push(`Checks run: ${report.checksRun.join(', ') || 'none'}`);
  if (report.checksNotRun.length > 0) {
    lines.push('Checks not run:');
    for (const c of report.checksNotRun) lines.push(`  - ${c.check}: ${c.reason}`);
  }
  if (report.notes.length > 0) {
    lines.push('Notes:');
    for (const n of report.notes) lines.push(style.dim(`  - ${n}`));
  }
  const waived = report.waived ?? [];
  if (waived.length > 0) {
    // Silenced by a waiver of the mesh: not counted, but a reader sees what is accepted and until when.
    lines.push(`Waived (${waived.length}, not counted):`);
    for (const w of waived.slice(0, WAIVED_SHOWN)) {
      lines.push(style.dim(`  - ${w.code} ${w.resource} until ${w.waiver.expires}: ${w.waivedBy}`));
    }
    if (waived.length > WAIVED_SHOWN)
      lines.push(style.dim(`  - ${waived.length - WAIVED_SHOWN} more in --format json`));
  }
  if (report.chargeback !== undefined) {
    const c = report.chargeback;
    const top = c.domains
      .slice(0, 5)
      .map((d) => `${d.domain} ${money(d.monthlyUSD)}`)
      .join(', ');
    lines.push(
      `Monthly cost (USD): ${money(c.totalUSD)}${top !== '' ? ` (${top}${c.domains.length > 5 ? ', ...' : ''})` : ''}; ` +
        'per stream in --format markdown or json',
    );
  }
  const { error, warning, info } = report.summary;
  const summary = `${error} error${error === 1 ? '' : 's'}, ${warning} warning${warning === 1 ? '' : 's'}, ${info} info`;
  lines.push(
    error > 0 ? style.red(`✖ ${summary}`) : warning > 0 ? style.yellow(`! ${summary}`) : style.green(`✔ ${summary}`),
  );
  return terminalSafe(`${lines.join('\n')}\n`, style);
}
