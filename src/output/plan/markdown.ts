/**
 * The markdown rendering of a plan, for a PR comment: summary line, destructive changes called out, the validation
 * findings (warnings, info, waived) with their locations, the access changes table, and details collapsed. Every string that came from the mesh or the accounts is escaped.
 */
import type { Plan } from '../../core/plan/types.js';
import { codeBlock, codeSpan, escapeTableCell, escapeText } from '../markdown/escape.js';
import { ACTION_SYMBOL, attributeLines, headerText, summaryLine } from './lines.js';
import { renderValidationSection } from './validation.js';

/** Changes shown in full in the details block; the rest are summarised (GitHub comments max out at 65,536 chars). */
export const MAX_DETAILED_CHANGES = 200;

export function renderPlanMarkdown(plan: Plan): string {
  const s = plan.summary;
  const out: string[] = [];
  out.push(`### meshgov plan: ${codeSpan(plan.mesh)}`, '');
  const risk = s.hasChanges ? ` ${s.destructive} destructive, ${s.disruptive} disruptive.` : '';
  out.push(`**${summaryLine(s)}**${risk} Access: ${s.accessGained} gained, ${s.accessLost} lost. Target: ${escapeText(plan.target)}, region ${codeSpan(plan.region)}.`, '');
  const blocked = plan.changes.filter((c) => c.action !== 'no-op' && c.blocked !== undefined);
  if (blocked.length) {
    out.push('> [!NOTE]', `> **${blocked.length} blocked change${blocked.length === 1 ? '' : 's'}** (apply will not make ${blocked.length === 1 ? 'it' : 'them'}; not pending):`);
    for (const c of blocked) out.push(`> - \`${ACTION_SYMBOL[c.action]}\` ${escapeText(c.resourceType)} ${codeSpan(c.address)}: ${escapeText(c.blocked?.message ?? '')}`);
    out.push('');
  }
  const destructive = plan.changes.filter((c) => c.action !== 'no-op' && c.risk === 'destructive' && c.blocked === undefined);
  if (destructive.length) {
    out.push('> [!CAUTION]', `> **${destructive.length} destructive change${destructive.length === 1 ? '' : 's'}** (apply needs \`--allow-destructive\`):`);
    for (const c of destructive) out.push(`> - \`${ACTION_SYMBOL[c.action]}\` ${escapeText(c.resourceType)} ${codeSpan(c.address)}: ${escapeText(c.reasons.join('; '))}`);
    out.push('');
  }
  if (plan.warnings.length) {
    out.push('> [!WARNING]');
    for (const w of plan.warnings) out.push(`> - ${escapeText(w)}`);
    out.push('');
  }
  out.push(...renderValidationSection(plan.diagnostics ?? []));
  if (plan.accessDiff.length) {
    out.push('#### Access changes', '', '| Change | Principal | Access | Stream | Via |', '|---|---|---|---|---|');
    for (const a of plan.accessDiff) {
      const stream = `${a.account}/${a.stream}${a.consumer ? ` (consumer ${a.consumer})` : ''}`;
      out.push(`| ${a.change === 'gain' ? ':heavy_plus_sign: gain' : ':heavy_minus_sign: lose'} | ${codeSpan(a.principal)} | ${escapeTableCell(a.access)} | ${codeSpan(stream)} | ${escapeTableCell(a.via)} |`);
    }
    out.push('');
  }
  const changes = plan.changes.filter((c) => c.action !== 'no-op');
  if (changes.length) {
    const shown = changes.slice(0, MAX_DETAILED_CHANGES);
    const body: string[] = [];
    for (const c of shown) {
      body.push(`${headerText(c)}${c.risk === 'safe' ? '' : `   [${c.risk}]`}${c.blocked ? `   [blocked: ${c.blocked.reason}]` : ''}`);
      for (const r of c.reasons) body.push(`#     ${r}`);
      for (const l of attributeLines(c)) body.push(`${l.sign === '#' ? '#' : l.sign}     ${l.text}`);
      body.push('');
    }
    out.push(`<details><summary>Changes (${changes.length})</summary>`, '', codeBlock(body.join('\n'), 'diff'), '');
    if (changes.length > shown.length) out.push(`${changes.length - shown.length} more change(s) not shown; see the plan JSON.`, '');
    out.push('</details>', '');
  }
  if (plan.unmanaged.length) {
    out.push(`<details><summary>Unmanaged resources (${plan.unmanaged.length}): listed, never changed</summary>`, '', '| Resource | Reason |', '|---|---|');
    for (const u of plan.unmanaged) out.push(`| ${codeSpan(u.address)} | ${escapeTableCell(u.reason)} |`);
    out.push('', '</details>', '');
  }
  if (plan.notChecked.length) {
    out.push(`<details><summary>Not checked against a live service (${plan.notChecked.length})</summary>`, '');
    for (const n of plan.notChecked) out.push(`- ${escapeText(n)}`);
    out.push('', '</details>', '');
  }
  out.push(`<sub>mesh digest ${codeSpan(plan.meshDigest.slice(0, 12))}, live fingerprint ${codeSpan(plan.liveFingerprint.slice(0, 12))}, planned ${escapeText(plan.createdAt)}</sub>`);
  return `${out.join('\n')}\n`;
}
