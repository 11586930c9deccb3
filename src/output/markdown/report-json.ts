/**
 * A minimal JSON report shape that `meshgov report github` renders to markdown itself, for producers that do
 * not render markdown (scripts, other tools). Every string in it is untrusted and escaped here.
 *
 * ```json
 * { "title": "Plan for mesh.yaml", "summary": "2 changes", "clean": false,
 *   "items": [{ "level": "destructive", "subject": "orders.events", "message": "retention 168 h -> 24 h" }] }
 * ```
 */
import { codeSpan, escapeTableCell, escapeText } from './escape.js';

export interface ReportItem {
  /** e.g. `error`, `warning`, `info` (audit) or `safe`, `disruptive`, `destructive` (plan). */
  level: string;
  /** What the item is about: a stream, grant, principal or file:line. */
  subject: string;
  message: string;
}

export interface ReportJson {
  title?: string;
  summary?: string;
  /** For audits: true when nothing was found. Defaults to `items.length === 0`. */
  clean?: boolean;
  items: ReportItem[];
}

/** Check an untrusted JSON value against {@link ReportJson}; returns problems as messages (empty when valid). */
export function checkReportJson(value: unknown): { report?: ReportJson; problems: string[] } {
  const problems: string[] = [];
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    return { problems: ['the report must be a JSON object with an "items" array'] };
  const v = value as Record<string, unknown>;
  for (const key of ['title', 'summary'] as const)
    if (v[key] !== undefined && typeof v[key] !== 'string') problems.push(`"${key}" must be a string`);
  if (v['clean'] !== undefined && typeof v['clean'] !== 'boolean') problems.push('"clean" must be true or false');
  if (!Array.isArray(v['items'])) problems.push('"items" must be an array of {level, subject, message}');
  else {
    v['items'].forEach((item: unknown, i) => {
      const it = item as Record<string, unknown> | null;
      for (const key of ['level', 'subject', 'message']) {
        if (typeof it !== 'object' || it === null || typeof it[key] !== 'string')
          problems.push(`items[${i}].${key} must be a string`);
      }
    });
  }
  return problems.length > 0 ? { problems } : { report: value as ReportJson, problems };
}

const ICONS: Record<string, string> = {
  error: ':x:',
  destructive: ':warning:',
  warning: ':warning:',
  disruptive: ':large_orange_diamond:',
  info: ':information_source:',
  safe: ':white_check_mark:',
};

/** Render the report as markdown: heading, summary, and a table with one escaped row per item. */
export function renderReportJson(report: ReportJson, kind: 'plan' | 'audit'): string {
  const title = report.title ?? (kind === 'plan' ? 'meshgov plan' : 'meshgov audit');
  const lines = [`### ${escapeText(title)}`, ''];
  if (report.summary !== undefined) lines.push(escapeText(report.summary), '');
  if (report.items.length === 0) {
    lines.push(kind === 'plan' ? 'No changes.' : 'No findings.');
    return `${lines.join('\n')}\n`;
  }
  const destructive = report.items.filter((i) => i.level === 'destructive').length;
  if (destructive > 0)
    lines.push(
      `> [!CAUTION]\n> **${destructive} destructive change${destructive === 1 ? '' : 's'}**: review before merging.`,
      '',
    );
  lines.push('| | Level | Subject | Details |', '|---|---|---|---|');
  for (const item of report.items) {
    lines.push(
      `| ${ICONS[item.level] ?? ''} | ${escapeTableCell(item.level)} | ${codeSpan(item.subject)} | ${escapeTableCell(item.message)} |`,
    );
  }
  return `${lines.join('\n')}\n`;
}
