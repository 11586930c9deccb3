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
import { codeBlock, codeSpan, escapeMessage, escapeTableCell, escapeText } from '../markdown/escape.js';
import type { PlanReaderContext } from './context.js';
import { ACTION_SYMBOL, attributeLines, headerText, summaryLine } from './lines.js';
import type { CapacityItem, GrantRow, PlanForReaders, RollUp } from './readers.js';
import { attentionCount, forReaders, grantFactsText, principalShort } from './readers.js';
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
const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;
const size = (lines: readonly string[]) => lines.reduce((n, l) => n + l.length + 1, 0);

/**
 * Head lines, as many rows as fit in `budget` characters, then `more(left out)` when some were left out, then the
 * tail. Nothing (an empty list) when not even the head and the note fit.
 */
function fit(head: readonly string[], rows: readonly string[], tail: readonly string[], more: (n: number) => string[], budget: number): string[] {
  const all = [...head, ...rows, ...tail];
  if (size(all) <= budget) return all;
  const fixed = size(head) + size(tail) + size(more(rows.length));
  if (fixed > budget) return [];
  let used = fixed;
  let n = 0;
  while (n < rows.length && used + (rows[n] as string).length + 1 <= budget) used += (rows[n++] as string).length + 1;
  return [...head, ...rows.slice(0, n), ...more(rows.length - n), ...tail];
}

function who(r: GrantRow, p: PlanForReaders): string {
  return codeSpan(principalShort(r, p.context));
}

function stream(r: Pick<GrantRow, 'account' | 'stream'>): string {
  return codeSpan(`${r.account}/${r.stream}`);
}

function factsCell(r: GrantRow): string {
  const facts = grantFactsText(r);
  return facts === '' ? ' ' : escapeTableCell(facts);
}

function capacityItem(item: CapacityItem): string {
  if (item.kind === 'change') {
    const c = item.change;
    const parts: string[] = [];
    if (c.before.mode !== undefined || c.after.mode !== undefined) parts.push(`mode ${c.before.mode ?? '?'} → ${c.after.mode ?? '?'}`);
    if (c.before.shards !== undefined || c.after.shards !== undefined) parts.push(`shards ${c.before.shards ?? '?'} → ${c.after.shards ?? '?'}`);
    return `- \`~\` ${codeSpan(c.address)}: ${parts.join(', ')}${c.risk !== 'safe' ? ` (${c.risk})` : ''}`;
  }
  const what = item.kind === 'new-streams' ? `\`+\` ${plural(item.streams, 'new stream')}` : `\`-\` ${plural(item.streams, 'stream')} removed`;
  return `- ${what}: ${item.provisioned} provisioned (${plural(item.shards, 'shard')}), ${item.onDemand} on-demand`;
}

/** The attention section: every item, always (compact where a plan is large). */
function attentionSection(p: PlanForReaders): string[] {
  const a = p.attention;
  const n = attentionCount(a);
  if (n === 0) {
    return ['#### Needs attention: nothing', '', 'No destructive change, no access for principals outside the organisation, no access to confidential or '
      + 'restricted streams, no capacity change.', ''];
  }
  const out = [`#### Needs attention (${n})`, ''];
  if (a.destructive.length) {
    out.push('> [!CAUTION]', `> **${plural(a.destructive.length, 'destructive change')}** (apply needs \`--allow-destructive\`):`);
    for (const c of a.destructive) out.push(`> - \`${ACTION_SYMBOL[c.action]}\` ${escapeText(c.resourceType)} ${codeSpan(c.address)}: ${escapeMessage(c.reasons.join('; '))}`);
    out.push('');
  }
  if (a.outside.length) {
    out.push(`**Access gained by principals outside the organisation or declared external (${a.outside.length})**`, '',
      '| Principal | Why | Access | Stream | Mechanisms | Justification, expiry |', '|---|---|---|---|---|---|');
    for (const r of a.outside) {
      out.push(`| ${codeSpan(r.principal)} | ${escapeTableCell(r.outside ?? '')} | ${r.access} | ${stream(r)} | ${escapeTableCell(r.mechanisms.join(', '))} | ${factsCell(r)} |`);
    }
    out.push('');
  }
  if (a.sensitive.length) {
    const byStream = new Map<string, GrantRow[]>();
    for (const r of a.sensitive) byStream.set(`${r.account}/${r.stream}`, [...(byStream.get(`${r.account}/${r.stream}`) ?? []), r]);
    // A stream name alone where it is unique in the plan (names are unique per account): the table stays compact.
    const names = new Map<string, number>();
    for (const rows of byStream.values()) names.set((rows[0] as GrantRow).stream, (names.get((rows[0] as GrantRow).stream) ?? 0) + 1);
    const list = (rows: readonly GrantRow[]) => rows.map((r) => who(r, p)).join(', ') || ' ';
    out.push(`**Access gained to confidential or restricted streams (${a.sensitive.length} on ${plural(byStream.size, 'stream')})**`, '',
      '| Stream | Class | New writers | New readers |', '|---|---|---|---|');
    for (const rows of byStream.values()) {
      const first = rows[0] as GrantRow;
      const name = names.get(first.stream) === 1 ? codeSpan(first.stream) : stream(first);
      out.push(`| ${name} | ${escapeTableCell(first.classification ?? '')} | ${list(rows.filter((r) => r.access === 'produce'))} | ${list(rows.filter((r) => r.access === 'consume'))} |`);
    }
    out.push('');
  }
  if (a.capacity.length) {
    out.push(`**Capacity (${a.capacity.length})**`, '', ...a.capacity.map(capacityItem), '');
  }
  return out;
}

function rollUpTable(title: string, items: readonly RollUp[], cell: (key: string) => string): string[] {
  const out = [`| ${title} | Gained | Lost |`, '|---|--:|--:|'];
  for (const i of items.slice(0, ROLL_UP_ROWS)) out.push(`| ${cell(i.key)} | ${i.gained} | ${i.lost} |`);
  if (items.length > ROLL_UP_ROWS) out.push(`| _${items.length - ROLL_UP_ROWS} more_ | ${sum(items.slice(ROLL_UP_ROWS), 'gained')} | ${sum(items.slice(ROLL_UP_ROWS), 'lost')} |`);
  return [...out, ''];
}

function sum(items: readonly RollUp[], k: 'gained' | 'lost'): number {
  return items.reduce((n, i) => n + i[k], 0);
}

function rollUpSection(p: PlanForReaders, budget: number): string[] {
  if (p.rows.length === 0) return [];
  const alias = new Map(p.context.accounts.map((a) => [a.id, a.alias]));
  const lines = [
    '#### Access by domain, account and principal (grants)', '',
    ...rollUpTable('Domain', p.byDomain, escapeTableCell),
    ...rollUpTable('Account', p.byAccount, (k) => `${codeSpan(k)}${alias.get(k) ? ` (${escapeTableCell(alias.get(k) as string)})` : ''}`),
    ...rollUpTable('Principal', p.byPrincipal, codeSpan),
  ];
  return size(lines) <= budget ? lines : [];
}

function accessSection(p: PlanForReaders, budget: number): string[] {
  if (p.rows.length === 0) return [];
  const head = [`#### Access changes, one row per grant (${p.rows.length})`, '', '| Change | Principal | Access | Stream | Mechanisms | Justification, expiry |', '|---|---|---|---|---|---|'];
  const rows = p.rows.map((r) => `| ${r.change === 'gain' ? ':heavy_plus_sign: gain' : ':heavy_minus_sign: lose'} | ${codeSpan(r.principal)} | ${r.access} | ${stream(r)} | ${escapeTableCell(r.mechanisms.join(', '))} | ${factsCell(r)} |`);
  return fit(head, rows, [''], (n) => (n > 0 ? ['', `_${plural(n, 'more grant row')} not shown here; ${WHERE_ALL}._`] : []), budget);
}

function changeBlock(c: Change): string[] {
  const body = [`${headerText(c)}${c.risk === 'safe' ? '' : `   [${c.risk}]`}${c.blocked ? `   [blocked: ${c.blocked.reason}]` : ''}`];
  for (const r of c.reasons) body.push(`#     ${r}`);
  for (const l of attributeLines(c)) body.push(`${l.sign}     ${l.text}`);
  body.push('');
  return body;
}

/** The full changes, documents and tag maps included, collapsed; as many as fit. */
function changesSection(plan: Plan, budget: number): string[] {
  const changes = plan.changes.filter((c) => c.action !== 'no-op');
  if (changes.length === 0) return [];
  const summary = `<details><summary>Changes in apply order, with policy documents and tag maps (${changes.length})</summary>`;
  const blocks = changes.slice(0, MAX_DETAILED_CHANGES).map(changeBlock);
  for (let n = blocks.length; n >= 0; n--) {
    const shown = blocks.slice(0, n).flat();
    const left = changes.length - n;
    const lines = [summary, '', ...(n > 0 ? [codeBlock(shown.join('\n'), 'diff'), ''] : []),
      ...(left > 0 ? [`_${plural(left, 'more change')} not shown here; ${WHERE_ALL}._`, ''] : []), '</details>', ''];
    if (size(lines) <= budget) return lines;
    // Drop changes in big steps first: a block is at least a line, usually dozens.
    if (n > 20) n = Math.max(20, Math.floor(n * 0.8)) + 1;
  }
  return [];
}

function unmanagedSection(plan: Plan, budget: number): string[] {
  if (plan.unmanaged.length === 0) return [];
  const head = [`<details><summary>Unmanaged resources (${plan.unmanaged.length}): listed, never changed</summary>`, '', '| Resource | Reason |', '|---|---|'];
  const rows = plan.unmanaged.map((u) => `| ${codeSpan(u.address)} | ${escapeMessage(u.reason)} |`);
  return fit(head, rows, ['', '</details>', ''], (n) => (n > 0 ? ['', `_${n} more; ${WHERE_ALL}._`] : []), budget);
}

function notCheckedSection(plan: Plan, budget: number): string[] {
  if (plan.notChecked.length === 0) return [];
  const head = [`<details><summary>Not checked against a live service (${plan.notChecked.length})</summary>`, ''];
  const rows = plan.notChecked.map((n) => `- ${escapeMessage(n)}`);
  return fit(head, rows, ['', '</details>', ''], (n) => (n > 0 ? ['', `_${n} more; ${WHERE_ALL}._`] : []), budget);
}

/** One line: how many changes of each resource type and action. */
function changeCounts(plan: Plan): string {
  const counts = new Map<string, number>();
  for (const c of plan.changes) if (c.action !== 'no-op') counts.set(`${c.resourceType} ${ACTION_SYMBOL[c.action]}`, (counts.get(`${c.resourceType} ${ACTION_SYMBOL[c.action]}`) ?? 0) + 1);
  return [...counts].sort((a, b) => b[1] - a[1]).map(([k, n]) => `${n} ${k.replace(/ (\S+)$/, ' `$1`')}`).join(', ');
}

export function renderPlanMarkdown(plan: Plan, options: PlanMarkdownOptions = {}): string {
  const max = options.maxChars ?? PLAN_MARKDOWN_MAX_CHARS;
  const p = forReaders(plan, options.context);
  const s = plan.summary;
  const gained = p.rows.filter((r) => r.change === 'gain').length;
  const head: string[] = [`### meshgov plan: ${codeSpan(plan.mesh)}`, ''];
  const risk = s.hasChanges ? ` ${s.destructive} destructive, ${s.disruptive} disruptive.` : '';
  head.push(`**${summaryLine(s)}**${risk} Access: ${plural(gained, 'grant')} gained, ${p.rows.length - gained} lost. Target: ${escapeText(plan.target)}, region ${codeSpan(plan.region)}.`, '');
  if (s.hasChanges || s.blocked > 0) head.push(`Changes: ${changeCounts(plan)}.`, '');
  if (!p.fromMesh && p.rows.length > 0) {
    head.push('_Rendered without the mesh: classifications come from the tags this plan sets, and principals outside the accounts it touches count as outside._', '');
  }
  const notes: string[] = [];
  const blocked = plan.changes.filter((c) => c.action !== 'no-op' && c.blocked !== undefined);
  if (blocked.length) {
    notes.push('> [!NOTE]', `> **${plural(blocked.length, 'blocked change')}** (apply will not make ${blocked.length === 1 ? 'it' : 'them'}; not pending):`);
    for (const c of blocked) notes.push(`> - \`${ACTION_SYMBOL[c.action]}\` ${escapeText(c.resourceType)} ${codeSpan(c.address)}: ${escapeMessage(c.blocked?.message ?? '')}`);
    notes.push('');
  }
  if (plan.warnings.length) {
    notes.push('> [!WARNING]', ...plan.warnings.slice(0, MAX_WARNINGS).map((w) => `> - ${escapeMessage(w)}`));
    if (plan.warnings.length > MAX_WARNINGS) notes.push(`> - _${plan.warnings.length - MAX_WARNINGS} more warnings; ${WHERE_ALL}._`);
    notes.push('');
  }
  const foot = [`<sub>mesh digest ${codeSpan(plan.meshDigest.slice(0, 12))}, live fingerprint ${codeSpan(plan.liveFingerprint.slice(0, 12))}, planned ${escapeText(plan.createdAt)}</sub>`];
  const attention = attentionSection(p);
  // What always goes in; the sections below share what is left, most useful first.
  let left = max - size([...head, ...attention, ...notes, ...foot]);
  const take = (lines: string[]) => {
    left -= size(lines);
    return lines;
  };
  const validation = take(size(renderValidationSection(plan.diagnostics ?? [])) <= left ? renderValidationSection(plan.diagnostics ?? []) : []);
  const rollUps = take(rollUpSection(p, left));
  const access = take(accessSection(p, left));
  const unmanaged = take(unmanagedSection(plan, left));
  const notChecked = take(notCheckedSection(plan, left));
  const changes = take(changesSection(plan, left));
  const out = [...head, ...attention, ...notes, ...validation, ...access, ...rollUps, ...changes, ...unmanaged, ...notChecked, ...foot];
  return `${out.join('\n')}\n`;
}
