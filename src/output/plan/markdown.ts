/**
 * The markdown rendering of a plan, for the PR comment. It opens with the summary and what needs attention
 * (destructive changes, access gained by principals outside the organisation or declared external, access to
 * confidential or restricted streams, capacity), then one row per grant with its mechanisms, justification and
 * expiry, roll-ups by domain, account and principal, and the full changes (policy documents and tag maps included)
 * collapsed. It fits `maxChars` (GitHub rejects bodies over 65,536 characters): the summary and every attention item
 * always; the other sections get what room is left, in order of use to a reviewer, each saying what it left out and
 * that the plan artefact (plan.json) has it all. Every string from the mesh or the accounts is escaped.
 */
import type { Change, Plan } from '../../core/plan/types.js';
import { costSectionMarkdown } from '../cost/plan-section.js';
import { codeBlock, codeSpan, escapeMessage, escapeTableCell, escapeText } from '../markdown/escape.js';
import { analyzerMarkdownDetails, analyzerMarkdownHead } from './analyzer.js';
import type { PlanReaderContext } from './context.js';
import { ACTION_SYMBOL, attributeLines, headerText, summaryLine } from './lines.js';
import type { GrantRow, PlanForReaders, RollUp } from './readers.js';
import {
  attentionCount,
  byStream,
  capacityText,
  forReaders,
  grantFactsText,
  plural,
  principalShort,
} from './readers.js';
import { renderValidationSection } from './validation.js';

/** Default size limit: GitHub's 65,536 less room for the comment marker, footer and a truncation note. */
export const PLAN_MARKDOWN_MAX_CHARS = 60_000;
/** Changes shown in full in the details block at most (more would not be read in a comment). */
export const MAX_DETAILED_CHANGES = 200;
/** Roll-up rows per dimension. */
const ROLL_UP_ROWS = 15;
/** Warnings listed at most; the rest are counted. */
const MAX_WARNINGS = 30;

export interface PlanMarkdownOptions {
  /** What the mesh says (organisation, classifications, grants); without it, what the plan carries. */
  context?: PlanReaderContext;
  /** Longest output, characters (default {@link PLAN_MARKDOWN_MAX_CHARS}). */
  maxChars?: number;
}

const WHERE_ALL = 'the plan artefact (`plan.json`, `plan.md`) has all of them';
const GRANT_COLUMNS = [
  '| Change | Principal | Access | Stream | Mechanisms | Justification, expiry |',
  '|---|---|---|---|---|---|',
];
const size = (lines: readonly string[]) => lines.reduce((n, l) => n + l.length + 1, 0);
const leftOut =
  (what: string) =>
  (n: number): string[] =>
    n > 0 ? ['', `_${plural(n, what)} not shown here; ${WHERE_ALL}._`] : [];

/**
 * Head lines, as many rows as fit in `budget` characters, then `more(left out)` when some were left out, then the
 * tail. Nothing (an empty list) when not even the head and the note fit.
 */
function fit(
  head: readonly string[],
  rows: readonly string[],
  tail: readonly string[],
  more: (n: number) => string[],
  budget: number,
): string[] {
  const all = [...head, ...rows, ...tail];
  if (size(all) <= budget) return all;
  const fixed = size(head) + size(tail) + size(more(rows.length));
  if (fixed > budget) return [];
  let used = fixed;
  let n = 0;
  while (n < rows.length && used + (rows[n] as string).length + 1 <= budget) used += (rows[n++] as string).length + 1;
  return [...head, ...rows.slice(0, n), ...more(rows.length - n), ...tail];
}

function stream(r: Pick<GrantRow, 'account' | 'stream'>): string {
  return codeSpan(`${r.account}/${r.stream}`);
}

/** A grant row's table cells from the principal on: principal, access, stream, mechanisms, justification and expiry. */
function grantCells(r: GrantRow): string[] {
  const facts = grantFactsText(r);
  const mechanisms = escapeTableCell(r.mechanisms.join(', '));
  return [codeSpan(r.principal), r.access, stream(r), mechanisms, facts === '' ? ' ' : escapeTableCell(facts)];
}

const row = (cells: readonly string[]) => `| ${cells.join(' | ')} |`;

function changeItem(c: Change, text: string): string {
  const what = `${escapeText(c.resourceType)} ${codeSpan(c.address)}`;
  return `- \`${ACTION_SYMBOL[c.action]}\` ${what}: ${escapeMessage(text)}`;
}

function sensitiveTable(p: PlanForReaders): string[] {
  const groups = byStream(p.attention.sensitive);
  // A stream name alone where it is unique in the plan (names are unique per account): the table stays compact.
  const seen = new Map<string, number>();
  for (const g of groups) seen.set((g[0] as GrantRow).stream, (seen.get((g[0] as GrantRow).stream) ?? 0) + 1);
  const list = (rows: readonly GrantRow[]) => rows.map((r) => codeSpan(principalShort(r, p.context))).join(', ') || ' ';
  const count = `${p.attention.sensitive.length} on ${plural(groups.length, 'stream')}`;
  const out = [
    `**Access gained to confidential or restricted streams (${count})**`,
    '',
    '| Stream | Class | New writers | New readers |',
    '|---|---|---|---|',
  ];
  for (const rows of groups) {
    const first = rows[0] as GrantRow;
    const name = seen.get(first.stream) === 1 ? codeSpan(first.stream) : stream(first);
    const writers = list(rows.filter((r) => r.access === 'produce'));
    const readers = list(rows.filter((r) => r.access === 'consume'));
    out.push(row([name, escapeTableCell(first.classification ?? ''), writers, readers]));
  }
  return [...out, ''];
}

/** The attention section: every item, always (compact where a plan is large). */
function attentionSection(p: PlanForReaders): string[] {
  const a = p.attention;
  const n = attentionCount(a);
  if (n === 0) {
    return [
      '#### Needs attention: nothing',
      '',
      'No destructive change, no access for principals outside the ' +
        'organisation, no access to confidential or restricted streams, no capacity change.',
      '',
    ];
  }
  const out = [`#### Needs attention (${n})`, ''];
  if (a.destructive.length) {
    const count = plural(a.destructive.length, 'destructive change');
    out.push('> [!CAUTION]', `> **${count}** (apply needs \`--allow-destructive\`):`);
    out.push(...a.destructive.map((c) => `> ${changeItem(c, c.reasons.join('; '))}`), '');
  }
  if (a.outside.length) {
    out.push(
      `**Access gained by principals outside the organisation or declared external (${a.outside.length})**`,
      '',
      '| Principal | Why | Access | Stream | Mechanisms | Justification, expiry |',
      '|---|---|---|---|---|---|',
    );
    for (const r of a.outside) {
      const [principal, ...rest] = grantCells(r);
      out.push(row([principal as string, escapeTableCell(r.outside ?? ''), ...rest]));
    }
    out.push('');
  }
  if (a.sensitive.length) out.push(...sensitiveTable(p));
  if (a.capacity.length) {
    out.push(`**Capacity (${a.capacity.length})**`, '');
    for (const item of a.capacity) {
      const t = capacityText(item, '→');
      out.push(`- \`${t.sign}\` ${t.subject !== undefined ? `${codeSpan(t.subject)}: ` : ''}${t.text}`);
    }
    out.push('');
  }
  return out;
}

function sum(items: readonly RollUp[], k: 'gained' | 'lost'): number {
  return items.reduce((n, i) => n + i[k], 0);
}

function rollUpTable(title: string, items: readonly RollUp[], cell: (key: string) => string): string[] {
  const out = [`| ${title} | Gained | Lost |`, '|---|--:|--:|'];
  for (const i of items.slice(0, ROLL_UP_ROWS)) out.push(`| ${cell(i.key)} | ${i.gained} | ${i.lost} |`);
  const rest = items.slice(ROLL_UP_ROWS);
  if (rest.length > 0) out.push(`| _${rest.length} more_ | ${sum(rest, 'gained')} | ${sum(rest, 'lost')} |`);
  return [...out, ''];
}

function rollUpSection(p: PlanForReaders, budget: number): string[] {
  if (p.rows.length === 0) return [];
  const alias = new Map(p.context.accounts.map((a) => [a.id, a.alias]));
  const account = (k: string) => `${codeSpan(k)}${alias.get(k) ? ` (${escapeTableCell(alias.get(k) as string)})` : ''}`;
  const lines = [
    '#### Access by domain, account and principal (grants)',
    '',
    ...rollUpTable('Domain', p.byDomain, escapeTableCell),
    ...rollUpTable('Account', p.byAccount, account),
    ...rollUpTable('Principal', p.byPrincipal, codeSpan),
  ];
  return size(lines) <= budget ? lines : [];
}

function accessSection(p: PlanForReaders, budget: number): string[] {
  if (p.rows.length === 0) return [];
  const head = [`#### Access changes, one row per grant (${p.rows.length})`, '', ...GRANT_COLUMNS];
  const change = (r: GrantRow) => (r.change === 'gain' ? ':heavy_plus_sign: gain' : ':heavy_minus_sign: lose');
  const rows = p.rows.map((r) => row([change(r), ...grantCells(r)]));
  return fit(head, rows, [''], leftOut('more grant row'), budget);
}

function changeBlock(c: Change): string[] {
  const badges = `${c.risk === 'safe' ? '' : `   [${c.risk}]`}${c.blocked ? `   [blocked: ${c.blocked.reason}]` : ''}`;
  const body = [`${headerText(c)}${badges}`];
  for (const r of c.reasons) body.push(`#     ${r}`);
  for (const l of attributeLines(c)) body.push(`${l.sign}     ${l.text}`);
  body.push('');
  return body;
}

/** The full changes, documents and tag maps included, collapsed; as many as fit. */
function changesSection(plan: Plan, budget: number): string[] {
  const changes = plan.changes.filter((c) => c.action !== 'no-op');
  if (changes.length === 0) return [];
  const summary =
    '<details><summary>Changes in apply order, with policy documents and tag maps ' + `(${changes.length})</summary>`;
  const blocks = changes.slice(0, MAX_DETAILED_CHANGES).map(changeBlock);
  for (let n = blocks.length; n >= 0; n--) {
    const shown = blocks.slice(0, n).flat();
    const lines = [
      summary,
      '',
      ...(n > 0 ? [codeBlock(shown.join('\n'), 'diff'), ''] : []),
      ...leftOut('more change')(changes.length - n).slice(1),
      '',
      '</details>',
      '',
    ];
    if (size(lines) <= budget) return lines;
    // Drop changes in big steps first: a block is at least a line, usually dozens.
    if (n > 20) n = Math.max(20, Math.floor(n * 0.8)) + 1;
  }
  return [];
}

function unmanagedSection(plan: Plan, budget: number): string[] {
  if (plan.unmanaged.length === 0) return [];
  const head = [
    `<details><summary>Unmanaged resources (${plan.unmanaged.length}): listed, never changed</summary>`,
    '',
    '| Resource | Reason |',
    '|---|---|',
  ];
  const rows = plan.unmanaged.map((u) => `| ${codeSpan(u.address)} | ${escapeMessage(u.reason)} |`);
  return fit(head, rows, ['', '</details>', ''], leftOut('more unmanaged resource'), budget);
}

function notCheckedSection(plan: Plan, budget: number): string[] {
  if (plan.notChecked.length === 0) return [];
  const head = [`<details><summary>Not checked against a live service (${plan.notChecked.length})</summary>`, ''];
  const rows = plan.notChecked.map((n) => `- ${escapeMessage(n)}`);
  return fit(head, rows, ['', '</details>', ''], leftOut('more note'), budget);
}

/** One line: how many changes of each resource type and action, most first. */
function changeCounts(plan: Plan): string {
  const counts = new Map<string, number>();
  for (const c of plan.changes) {
    if (c.action === 'no-op') continue;
    const key = `${c.resourceType} \`${ACTION_SYMBOL[c.action]}\``;
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return [...counts]
    .sort((a, b) => b[1] - a[1])
    .map(([k, n]) => `${n} ${k}`)
    .join(', ');
}

function headSection(plan: Plan, p: PlanForReaders): string[] {
  const s = plan.summary;
  const gained = p.rows.filter((r) => r.change === 'gain').length;
  const risk = s.hasChanges ? ` ${s.destructive} destructive, ${s.disruptive} disruptive.` : '';
  const access = `Access: ${plural(gained, 'grant')} gained, ${p.rows.length - gained} lost.`;
  const out = [
    `### meshgov plan: ${codeSpan(plan.mesh)}`,
    '',
    `**${summaryLine(s)}**${risk} ${access} Target: ${escapeText(plan.target)}, region ${codeSpan(plan.region)}.`,
    '',
  ];
  if (s.hasChanges || s.blocked > 0) out.push(`Changes: ${changeCounts(plan)}.`, '');
  if (!p.fromMesh && p.rows.length > 0) {
    out.push(
      '_Rendered without the mesh: classifications come from the tags this plan sets, and principals ' +
        'outside the accounts it touches count as outside._',
      '',
    );
  }
  return out;
}

function notesSection(plan: Plan): string[] {
  const out: string[] = [];
  const blocked = plan.changes.filter((c) => c.action !== 'no-op' && c.blocked !== undefined);
  if (blocked.length) {
    const it = blocked.length === 1 ? 'it' : 'them';
    const count = plural(blocked.length, 'blocked change');
    out.push('> [!NOTE]', `> **${count}** (apply will not make ${it}; not pending):`);
    out.push(...blocked.map((c) => `> ${changeItem(c, c.blocked?.message ?? '')}`), '');
  }
  if (plan.warnings.length) {
    out.push('> [!WARNING]', ...plan.warnings.slice(0, MAX_WARNINGS).map((w) => `> - ${escapeMessage(w)}`));
    const more = plan.warnings.length - MAX_WARNINGS;
    if (more > 0) out.push(`> - _${more} more warnings; ${WHERE_ALL}._`);
    out.push('');
  }
  return out;
}

export function renderPlanMarkdown(plan: Plan, options: PlanMarkdownOptions = {}): string {
  const p = forReaders(plan, options.context);
  const head = headSection(plan, p);
  const attention = attentionSection(p);
  const notes = [...notesSection(plan), ...analyzerMarkdownHead(plan.analyzer)];
  // Bounded (top changes and domains only), so it always goes in, like the attention items.
  const cost = plan.cost !== undefined ? costSectionMarkdown(plan.cost) : [];
  const digests =
    `mesh digest ${codeSpan(plan.meshDigest.slice(0, 12))}, ` +
    `live fingerprint ${codeSpan(plan.liveFingerprint.slice(0, 12))}`;
  const foot = [`<sub>${digests}, planned ${escapeText(plan.createdAt)}</sub>`];
  // What always goes in; the sections below share what is left, most useful first.
  let left = (options.maxChars ?? PLAN_MARKDOWN_MAX_CHARS) - size([...head, ...attention, ...notes, ...cost, ...foot]);
  const take = (lines: string[]) => {
    left -= size(lines);
    return lines;
  };
  const findings = renderValidationSection(plan.diagnostics ?? []);
  const validation = take(size(findings) <= left ? findings : []);
  const analyzer = take(analyzerMarkdownDetails(plan.analyzer, left));
  const rollUps = take(rollUpSection(p, left));
  const access = take(accessSection(p, left));
  const unmanaged = take(unmanagedSection(plan, left));
  const notChecked = take(notCheckedSection(plan, left));
  const changes = take(changesSection(plan, left));
  const out = [
    ...head,
    ...attention,
    ...notes,
    ...cost,
    ...validation,
    ...analyzer,
    ...access,
    ...rollUps,
    ...changes,
    ...unmanaged,
    ...notChecked,
    ...foot,
  ];
  return `${out.join('\n')}\n`;
}
