/**
 * The terminal rendering of a plan (Terraform-like `+ ~ - -/+`), for a reader: the summary and what needs attention
 * first, one line per grant, roll-ups by domain, account and principal, the changes in apply order with whole policy
 * documents and tag maps summarised, those in full at the end, and the summary line last. Colour comes from the
 * Style only; the output is terminal-safe (names from the mesh or the accounts cannot send control sequences).
 */
import type { Change, Plan } from '../../core/plan/types.js';
import { costSectionText } from '../cost/plan-section.js';
import type { Style } from '../style.js';
import { terminalInline, terminalSafe } from '../terminal.js';
import { analyzerTextLines } from './analyzer.js';
import type { PlanReaderContext } from './context.js';
import type { Line } from './lines.js';
import { headerText, splitAttributeLines, summaryLine } from './lines.js';
import type { CapacityItem, GrantRow, PlanForReaders, RollUp } from './readers.js';
import {
  attentionCount,
  byStream,
  capacityText,
  forReaders,
  grantFactsText,
  plural,
  principalShort,
} from './readers.js';

export interface PlanTextOptions {
  /** What the mesh says (organisation, classifications, grants); without it, what the plan carries. */
  context?: PlanReaderContext;
}

/** Roll-up entries shown per dimension; the rest are counted. */
const ROLL_UP_SHOWN = 10;

function colourFor(style: Style, sign: string): (s: string) => string {
  if (sign === '+') return style.green;
  if (sign === '-') return style.red;
  if (sign === '~' || sign === '-/+') return style.yellow;
  return (s) => s;
}

function riskBadge(c: Change, style: Style): string {
  if (c.blocked) return ` ${style.yellow(`[blocked: ${c.blocked.reason}]`)}`;
  if (c.risk === 'destructive') return ` ${style.bold(style.red('[destructive]'))}`;
  if (c.risk === 'disruptive') return ` ${style.yellow('[disruptive]')}`;
  return '';
}

function line(l: Line, style: Style, indent: string): string {
  return `${indent}${colourFor(style, l.sign)(`${l.sign} ${l.text}`)}`;
}

/** `+ role@alias gains consume on 111111111111/orders via grant tag, stream policy; justification: …` */
function grantLine(r: GrantRow, style: Style): string {
  const sign = r.change === 'gain' ? '+' : '-';
  const facts = grantFactsText(r);
  const outside = r.outside !== undefined && r.change === 'gain' ? ` [${r.outside}]` : '';
  const verb = r.change === 'gain' ? 'gains' : 'loses';
  const text = `${sign} ${r.principal} ${verb} ${r.access} on ${r.account}/${r.stream} via ${r.mechanisms.join(', ')}`;
  const why = facts ? style.dim(`; ${terminalInline(facts)}`) : '';
  return `  ${colourFor(style, sign)(text)}${style.bold(outside)}${why}`;
}

function capacityLine(item: CapacityItem): string {
  const t = capacityText(item, '->');
  return `${t.sign} ${t.subject !== undefined ? `${t.subject}: ` : ''}${t.text}`;
}

function attentionLines(r: PlanForReaders, style: Style): string[] {
  const a = r.attention;
  const n = attentionCount(a);
  if (n === 0) {
    return [
      `${style.bold('Needs attention: nothing.')} No destructive change, no access for principals outside the ` +
        'organisation, no access to confidential or restricted streams, no capacity change.',
      '',
    ];
  }
  const out = [style.bold(style.yellow(`Needs attention (${n}):`))];
  if (a.destructive.length) {
    out.push(`  ${style.bold(`Destructive (${a.destructive.length}), applied only with --allow-destructive:`)}`);
    for (const c of a.destructive) out.push(`    ${style.red(headerText(c))}: ${c.reasons.join('; ')}`);
  }
  if (a.outside.length) {
    const title = `Access gained by principals outside the organisation or declared external (${a.outside.length}):`;
    out.push(`  ${style.bold(title)}`);
    for (const g of a.outside) out.push(`  ${grantLine(g, style)}`);
  }
  if (a.sensitive.length) {
    const groups = byStream(a.sensitive);
    const count = `${a.sensitive.length} on ${plural(groups.length, 'stream')}`;
    out.push(`  ${style.bold(`Access gained to confidential or restricted streams (${count}):`)}`);
    for (const gains of groups) {
      const first = gains[0] as GrantRow;
      const who = gains.map((g) => `${principalShort(g, r.context)} ${g.access}`).join(', ');
      out.push(`    ${first.account}/${first.stream} (${first.classification ?? ''}): ${who}`);
    }
  }
  if (a.capacity.length) {
    out.push(`  ${style.bold(`Capacity (${a.capacity.length}):`)}`);
    for (const item of a.capacity) out.push(`    ${capacityLine(item)}`);
  }
  out.push('');
  return out;
}

function rollUpLine(title: string, items: readonly RollUp[]): string {
  const shown = items.slice(0, ROLL_UP_SHOWN).map((i) => `${i.key} +${i.gained}/-${i.lost}`);
  const more = items.length > ROLL_UP_SHOWN ? `, and ${items.length - ROLL_UP_SHOWN} more` : '';
  return `  ${title}: ${shown.join(', ')}${more}`;
}

export function renderPlanText(plan: Plan, style: Style, options: PlanTextOptions = {}): string {
  const r = forReaders(plan, options.context);
  const s = plan.summary;
  const out: string[] = [];
  const scope = [...plan.scope.domains.map((d) => `domain ${d}`), ...plan.scope.accounts.map((a) => `account ${a}`)];
  const where = `${plan.region}, ${plan.target} target${scope.length ? `, ${scope.join(', ')}` : ''}`;
  out.push(style.bold(`meshgov plan for mesh ${plan.mesh} (${where})`), '');
  const gained = r.rows.filter((g) => g.change === 'gain').length;
  const risk = s.hasChanges ? ` ${s.destructive} destructive, ${s.disruptive} disruptive.` : '';
  const access = ` Access: ${plural(gained, 'grant')} gained, ${r.rows.length - gained} lost.`;
  const blocked = s.blocked > 0 ? ` ${s.blocked} blocked (not pending).` : '';
  out.push(`${style.bold(summaryLine(s))}${risk}${access}${blocked}`, '');
  out.push(...attentionLines(r, style));
  if (plan.cost !== undefined) out.push(...costSectionText(plan.cost, style));
  if (!r.fromMesh && r.rows.length > 0) {
    out.push(
      style.dim(
        '(Rendered without the mesh: classifications come from the tags this plan sets, and principals ' +
          'outside the accounts it touches count as outside.)',
      ),
      '',
    );
  }
  if (r.rows.length) {
    out.push(style.bold(`Access changes, one line per grant (${r.rows.length}):`));
    for (const g of r.rows) out.push(grantLine(g, style));
    out.push('', style.bold('Access by domain, account and principal (grants gained/lost):'));
    out.push(rollUpLine('domains', r.byDomain), rollUpLine('accounts', r.byAccount));
    out.push(rollUpLine('principals', r.byPrincipal), '');
  }
  const changes = plan.changes.filter((c) => c.action !== 'no-op');
  const details: string[] = [];
  if (changes.length) {
    out.push(style.bold('meshgov will perform these actions, in this order:'), '');
    for (const c of changes) {
      const sym = headerText(c).split(' ')[0] as string;
      out.push(`  ${colourFor(style, sym)(headerText(c))}${riskBadge(c, style)}`);
      for (const reason of c.reasons) out.push(`      ${style.dim(`# ${reason}`)}`);
      if (c.blocked) out.push(`      ${style.yellow(`# blocked, apply will not do it: ${c.blocked.message}`)}`);
      const split = splitAttributeLines(c);
      for (const l of split.inline) out.push(line(l, style, '      '));
      out.push('');
      if (split.details.length === 0) continue;
      details.push(`  ${colourFor(style, sym)(headerText(c))}`);
      details.push(...split.details.map((l) => line(l, style, '      ')), '');
    }
  }
  if (plan.unmanaged.length) {
    const title =
      'Unmanaged resources (listed, never changed; candidates for `meshgov import`): ' + `${plan.unmanaged.length}`;
    out.push(style.bold(title));
    for (const u of plan.unmanaged) out.push(`  ${u.address}: ${u.reason}`);
    out.push('');
  }
  if (plan.warnings.length) {
    out.push(style.bold(style.yellow('Warnings:')));
    for (const w of plan.warnings) out.push(`  ! ${w}`);
    out.push('');
  }
  out.push(...analyzerTextLines(plan.analyzer, style));
  if (plan.notChecked.length) {
    out.push(style.bold(`Not checked against a live service (${plan.notChecked.length}):`));
    for (const n of plan.notChecked) out.push(`  - ${n}`);
    out.push('');
  }
  if (details.length) out.push(style.bold('Details: policy documents and tag maps, in apply order'), '', ...details);
  const attention = attentionCount(r.attention);
  const analyzerErrors =
    plan.analyzer?.status === 'ran' ? plan.analyzer.findings.filter((f) => f.severity === 'error').length : 0;
  const tail = [
    s.hasChanges && (s.destructive || s.disruptive) ? `${s.destructive} destructive, ${s.disruptive} disruptive.` : '',
    s.blocked > 0 ? `${s.blocked} blocked (not pending; see above).` : '',
    attention > 0 ? `${attention} need${attention === 1 ? 's' : ''} attention (see the top).` : '',
    analyzerErrors > 0
      ? `${analyzerErrors} Access Analyzer error${analyzerErrors === 1 ? '' : 's'}: apply will refuse.`
      : '',
  ].filter((x) => x !== '');
  // The summary line is the last line, as in Terraform: what a reader sees when the plan has scrolled past.
  out.push(style.bold(summaryLine(s)) + (tail.length ? ` ${tail.join(' ')}` : ''));
  return terminalSafe(`${out.join('\n')}\n`, style);
}
