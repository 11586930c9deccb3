/**
 * The plan's IAM Access Analyzer section (docs/analyzer.md), for the terminal and for markdown: why the checks did
 * not run, or that they failed, or their findings, errors first (apply refuses while there are any). Findings come
 * from an API answer: every string is escaped, and a "learn more" link is shown only when it points at AWS's docs.
 */
import type { AnalyzerFinding, AnalyzerReport } from '../../core/analyzer/types.js';
import { codeSpan, escapeMessage } from '../markdown/escape.js';
import type { Style } from '../style.js';

/** Errors listed in markdown at most (all count; plan.json has them all). */
const MAX_MARKDOWN_ERRORS = 30;
const AWS_DOCS = 'https://docs.aws.amazon.com/';

function counts(findings: readonly AnalyzerFinding[]): Record<AnalyzerFinding['severity'], number> {
  const n = { error: 0, warning: 0, info: 0 };
  for (const f of findings) n[f.severity]++;
  return n;
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

function checkedText(r: Extract<AnalyzerReport, { status: 'ran' }>): string {
  const c = r.checked;
  return (
    `${c.validatePolicy} ValidatePolicy, ${c.checkNoPublicAccess} CheckNoPublicAccess, ` +
    `${c.checkNoNewAccess} CheckNoNewAccess` +
    ` from account ${r.account} (${r.region})`
  );
}

function where(f: AnalyzerFinding): { statement: string; path: string } {
  const s = f.statement;
  return {
    statement: s ? `statement ${s.index}${s.sid !== undefined ? ` (Sid ${s.sid})` : ''}` : '',
    path: f.path ?? '',
  };
}

/** The terminal section; empty for a plan without a report (made before the checks existed). */
export function analyzerTextLines(report: AnalyzerReport | undefined, style: Style): string[] {
  if (report === undefined) return [];
  if (report.status === 'not-run') return [style.dim(`Access Analyzer checks not run: ${report.reason}.`), ''];
  if (report.status === 'failed') {
    return [
      style.bold(style.yellow(`Access Analyzer checks failed (account ${report.account}, ${report.region}):`)),
      `  ! ${report.message}`,
      '  ! The rendered policies were not checked by AWS; apply does not wait for them.',
      '',
    ];
  }
  const n = counts(report.findings);
  if (report.findings.length === 0) return [`Access Analyzer: no findings (${checkedText(report)}).`, ''];
  const title =
    `Access Analyzer findings: ${plural(n.error, 'error')}, ${plural(n.warning, 'warning')}, ${n.info} info` +
    ` (${checkedText(report)})${n.error > 0 ? '; apply will refuse until the errors are fixed' : ''}:`;
  const out = [style.bold(n.error > 0 ? style.red(title) : style.yellow(title))];
  for (const f of report.findings) {
    const w = where(f);
    const sign = f.severity === 'error' ? style.red('E') : f.severity === 'warning' ? style.yellow('!') : 'i';
    const at = [w.statement, w.path !== '' ? `at ${w.path}` : ''].filter((x) => x !== '').join(' ');
    const issue = `${f.findingType ?? f.check} ${f.issueCode}`;
    out.push(`  ${sign} ${f.policy.address}${at !== '' ? `, ${at}` : ''}: ${issue}: ${f.message}`);
  }
  out.push('');
  return out;
}

function markdownItem(f: AnalyzerFinding): string {
  const w = where(f);
  const at = [w.statement !== '' ? escapeMessage(w.statement) : '', w.path !== '' ? `at ${codeSpan(w.path)}` : '']
    .filter((x) => x !== '')
    .join(' ');
  const safe = f.learnMoreLink?.startsWith(AWS_DOCS) && !/[\s()<>[\]]/.test(f.learnMoreLink);
  const link = safe ? ` ([learn more](${f.learnMoreLink}))` : '';
  return (
    `- **${f.severity}** ${codeSpan(f.policy.address)}${at !== '' ? `, ${at}` : ''}: ` +
    `${codeSpan(`${f.findingType ?? f.check} ${f.issueCode}`)} ${escapeMessage(f.message)}${link}`
  );
}

/** What the markdown always shows: the status, and every error (up to a cap) since they block apply. */
export function analyzerMarkdownHead(report: AnalyzerReport | undefined): string[] {
  if (report === undefined) return [];
  if (report.status === 'not-run') return [`_Access Analyzer checks not run: ${escapeMessage(report.reason)}._`, ''];
  if (report.status === 'failed') {
    return [
      '> [!WARNING]',
      `> **Access Analyzer checks failed** (account ${codeSpan(report.account)}): ` +
        `${escapeMessage(report.message)} The rendered policies were not checked by AWS.`,
      '',
    ];
  }
  const errors = report.findings.filter((f) => f.severity === 'error');
  if (report.findings.length === 0) {
    return [`Access Analyzer: no findings (${escapeMessage(checkedText(report))}).`, ''];
  }
  if (errors.length === 0) return [];
  const more = errors.length - MAX_MARKDOWN_ERRORS;
  return [
    '> [!CAUTION]',
    `> **Access Analyzer: ${plural(errors.length, 'error')}; apply will refuse** until they are fixed.`,
    ...errors.slice(0, MAX_MARKDOWN_ERRORS).map((f) => `> ${markdownItem(f)}`),
    ...(more > 0 ? [`> - _${more} more; the plan artefact (\`plan.json\`) has all of them._`] : []),
    '',
  ];
}

/** Warnings and info, collapsed, in at most `budget` characters (nothing when not even the head fits). */
export function analyzerMarkdownDetails(report: AnalyzerReport | undefined, budget: number): string[] {
  if (report?.status !== 'ran') return [];
  const rest = report.findings.filter((f) => f.severity !== 'error');
  if (rest.length === 0) return [];
  const n = counts(rest);
  const head = [
    `<details><summary>Access Analyzer: ${plural(n.warning, 'warning')}, ${n.info} info ` +
      `(${escapeMessage(checkedText(report))})</summary>`,
    '',
  ];
  const tail = ['', '</details>', ''];
  const size = (lines: readonly string[]) => lines.reduce((s, l) => s + l.length + 1, 0);
  const note = (k: number) =>
    k > 0 ? ['', `_${k} more not shown here; the plan artefact (\`plan.json\`) has all of them._`] : [];
  let used = size(head) + size(tail) + size(note(rest.length));
  if (used > budget) return [];
  const rows: string[] = [];
  for (const f of rest) {
    const item = markdownItem(f);
    if (used + item.length + 1 > budget) break;
    used += item.length + 1;
    rows.push(item);
  }
  return [...head, ...rows, ...note(rest.length - rows.length), ...tail];
}
