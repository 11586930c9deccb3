/**
 * Markdown for GitHub (issue body, job summary). Every user-written string goes through the shared escaping
 * helpers; per-shard charts are mermaid `xychart-beta` bar charts, which GitHub renders.
 * https://mermaid.js.org/syntax/xyChart.html
 */
import { renderChargebackMarkdown } from '../cost/chargeback.js';
import type { AuditReport, Finding, ShardChart } from '../../core/audit/findings.js';
import { codeBlock, codeSpan, escapeMessage, escapeTableCell, escapeText } from '../markdown/escape.js';
import { WAIVED_SHOWN } from './text.js';

const ICON = { error: '🔴 error', warning: '🟠 warning', info: '🔵 info' } as const;

export interface AuditMarkdownOptions {
  /** Most findings listed in detail. Default 50. */
  maxDetails?: number;
  /** Longest output, characters. Default {@link MAX_MARKDOWN_CHARS}. */
  maxChars?: number;
}

/** A mermaid-safe label: mermaid strings are double-quoted and have no escape, so keep a safe alphabet. */
export function mermaidLabel(s: string): string {
  return s.replace(/[^A-Za-z0-9 ._:/%-]/g, '_').slice(0, 80);
}

function shortShard(id: string): string {
  const m = /^shardId-0*(\d+)$/.exec(id);
  return m ? (m[1] as string) : id;
}

/** One chart: bars = peak write load per shard (% of the per-shard limit), line = the hot-shard threshold. */
export function mermaidShardChart(c: ShardChart): string {
  const max = Math.max(100, ...c.shards.map((s) => s.value), c.threshold);
  // 10% headroom, rounded up to a multiple of 10 (integer arithmetic: 100 * 1.1 is not 110 in floating point).
  const top = Math.ceil((Math.ceil(max) * 11) / 100) * 10;
  // A closed shard's label says so: mermaid bars take no per-bar colour, so the label carries the mark.
  const label = (s: ShardChart['shards'][number]) =>
    `${mermaidLabel(shortShard(s.shardId))}${s.closed ? ' (closed)' : ''}`;
  const labels = c.shards.map((s) => `"${label(s)}"`).join(', ');
  return [
    '```mermaid',
    'xychart-beta',
    `    title "${mermaidLabel(c.stream)}: peak write load per shard"`,
    `    x-axis "shard" [${labels}]`,
    `    y-axis "% of per-shard write limit" 0 --> ${top}`,
    `    bar [${c.shards.map((s) => s.value).join(', ')}]`,
    `    line [${c.shards.map(() => c.threshold).join(', ')}]`,
    '```',
  ].join('\n');
}

function detail(f: Finding): string {
  const lines = [
    `#### ${ICON[f.severity]}: ${escapeMessage(f.message)}`,
    '',
    `- **Check:** ${codeSpan(f.code)}`,
    `- **Resource:** ${codeSpan(f.resource)} (account ${codeSpan(f.account)})`,
  ];
  if (f.location)
    lines.push(`- **Declared at:** ${codeSpan(`${f.location.file}:${f.location.line}:${f.location.column}`)}`);
  lines.push(`- **Remediation:** ${escapeMessage(f.remediation)}`);
  if (f.help && /^https:\/\/[A-Za-z0-9./_#?=&%-]+$/.test(f.help)) lines.push(`- **Docs:** <${f.help}>`);
  lines.push(
    '',
    '<details><summary>Evidence</summary>',
    '',
    codeBlock(JSON.stringify(f.evidence, null, 2), 'json'),
    '',
    '</details>',
    '',
  );
  return lines.join('\n');
}

/** GitHub rejects issue and comment bodies over 65,536 characters; stay clear of it. */
export const MAX_MARKDOWN_CHARS = 60_000;

/**
 * The audit as GitHub markdown, at most `maxChars` long: details are dropped first, then table rows, each with a
 * note pointing at the JSON report.
 */
export function formatAuditMarkdown(report: AuditReport, options: AuditMarkdownOptions = {}): string {
  const maxChars = options.maxChars ?? MAX_MARKDOWN_CHARS;
  let details = options.maxDetails ?? 50;
  let rows = report.findings.length;
  // The chargeback (bounded per domain, but the number of domains is not) goes first when space runs out.
  let out = render(report, details, rows);
  if (out.length > maxChars && report.chargeback !== undefined) {
    report = { ...report, chargeback: undefined };
    out = render(report, details, rows);
  }
  while (out.length > maxChars && details > 0) {
    details = Math.floor(details / 2);
    out = render(report, details, rows);
  }
  while (out.length > maxChars && rows > 0) {
    rows = Math.floor(rows / 2);
    out = render(report, details, rows);
  }
  return out;
}

function render(report: AuditReport, maxDetails: number, maxRows: number): string {
  const { error, warning, info } = report.summary;
  const out: string[] = [];
  out.push(`## meshgov audit: ${codeSpan(report.mesh)}`, '');
  out.push(
    `**${error} error${error === 1 ? '' : 's'} · ${warning} warning${warning === 1 ? '' : 's'} · ${info} info** — window ${codeSpan(report.window.start)} to ${codeSpan(report.window.end)}, period ${report.window.periodSeconds} s, generated ${codeSpan(report.generatedAt)}.`,
    '',
  );
  if (report.findings.length === 0) {
    out.push('No findings. ✅', '');
  } else {
    out.push('| Severity | Check | Resource | Finding |', '| --- | --- | --- | --- |');
    for (const f of report.findings.slice(0, maxRows))
      out.push(`| ${ICON[f.severity]} | ${codeSpan(f.code)} | ${codeSpan(f.resource)} | ${escapeMessage(f.message)} |`);
    if (report.findings.length > maxRows)
      out.push('', `_${report.findings.length - maxRows} more findings not listed: see the JSON report._`);
    if (maxDetails > 0) {
      out.push('', '### Details', '');
      for (const f of report.findings.slice(0, maxDetails)) out.push(detail(f));
    }
    if (report.findings.length > maxDetails)
      out.push(
        '',
        `_Details of ${report.findings.length - Math.min(maxDetails, report.findings.length)} findings left out: see the JSON report._`,
        '',
      );
  }
  if (report.shardCharts && report.shardCharts.length > 0) {
    out.push('### Shard load', '');
    for (const c of report.shardCharts) {
      out.push(
        `**${escapeText(c.stream)}** (account ${codeSpan(c.account)}): peak write load per shard (busiest ${report.window.periodSeconds} s period, Sum ÷ ${report.window.periodSeconds}) as % of 1 MiB/s or 1,000 records/s, whichever is higher; the line is the ${c.threshold}% threshold.`,
        '',
      );
      out.push(mermaidShardChart(c), '');
      if (c.omitted > 0) out.push(`_${c.omitted} less loaded shards not shown._`, '');
      const closed = c.shards.filter((s) => s.closed).map((s) => codeSpan(s.shardId));
      if (closed.length > 0) out.push(`_Closed by a reshard (open during the window): ${closed.join(', ')}._`, '');
    }
  }
  if (report.checksNotRun.length > 0) {
    out.push('### Checks not run', '');
    for (const c of report.checksNotRun) out.push(`- ${codeSpan(c.check)}: ${escapeMessage(c.reason)}`);
    out.push('');
  }
  const waived = report.waived ?? [];
  if (waived.length > 0) {
    // Accepted by a waiver of the mesh: not counted, listed so compliance sees what is accepted and until when.
    out.push(
      `<details><summary>${waived.length} waived finding${waived.length === 1 ? '' : 's'} (not counted)</summary>`,
      '',
    );
    out.push('| Check | Resource | Until | Justification |', '| --- | --- | --- | --- |');
    for (const w of waived.slice(0, WAIVED_SHOWN)) {
      out.push(
        `| ${codeSpan(w.code)} | ${codeSpan(w.resource)} | ${codeSpan(w.waiver.expires)} | ${escapeTableCell(w.waivedBy)} |`,
      );
    }
    if (waived.length > WAIVED_SHOWN) out.push('', `_${waived.length - WAIVED_SHOWN} more: see the JSON report._`);
    out.push('', '</details>', '');
  }
  if (report.notes.length > 0) {
    out.push('### Notes', '');
    for (const n of report.notes) out.push(`- ${escapeMessage(n)}`);
    out.push('');
  }
  if (report.chargeback !== undefined) out.push(renderChargebackMarkdown(report.chargeback));
  else if ('chargeback' in report) out.push('_The monthly cost per domain did not fit: see the JSON report._', '');
  out.push(`<sub>Checks run: ${report.checksRun.map(codeSpan).join(', ')}</sub>`);
  return `${out.join('\n')}\n`;
}
