/** The terminal rendering of a plan (Terraform-like `+ ~ - -/+`); colour comes from the Style only. */
import type { Change, Plan } from '../../core/plan/types.js';
import type { Style } from '../style.js';
import type { Line } from './lines.js';
import { attributeLines, headerText, summaryLine } from './lines.js';

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
  const sign = l.sign === ' ' ? ' ' : l.sign;
  return `${indent}${colourFor(style, l.sign)(`${sign} ${l.text}`)}`;
}

export function renderPlanText(plan: Plan, style: Style): string {
  const out: string[] = [];
  const scope = [...plan.scope.domains.map((d) => `domain ${d}`), ...plan.scope.accounts.map((a) => `account ${a}`)];
  out.push(style.bold(`meshgov plan for mesh ${plan.mesh} (${plan.region}, ${plan.target} target${scope.length ? `, ${scope.join(', ')}` : ''})`), '');
  const changes = plan.changes.filter((c) => c.action !== 'no-op');
  if (changes.length) {
    out.push('meshgov will perform these actions, in this order:', '');
    for (const c of changes) {
      const sym = headerText(c).split(' ')[0] as string;
      out.push(`  ${colourFor(style, sym)(headerText(c))}${riskBadge(c, style)}`);
      for (const r of c.reasons) out.push(`      ${style.dim(`# ${r}`)}`);
      if (c.blocked) out.push(`      ${style.yellow(`# blocked, apply will not do it: ${c.blocked.message}`)}`);
      for (const l of attributeLines(c)) out.push(line(l, style, '      '));
      out.push('');
    }
  }
  if (plan.accessDiff.length) {
    out.push(style.bold('Access changes:'));
    for (const a of plan.accessDiff) {
      const sign = a.change === 'gain' ? '+' : '-';
      const consumer = a.consumer ? ` consumer ${a.consumer}` : '';
      out.push(`  ${colourFor(style, sign)(`${sign} ${a.principal} ${a.change === 'gain' ? 'gains' : 'loses'} ${a.access} on ${a.account}/${a.stream}${consumer} (via ${a.via})`)}`);
    }
    out.push('');
  }
  if (plan.unmanaged.length) {
    out.push(style.bold(`Unmanaged resources (listed, never changed; candidates for \`meshgov import\`): ${plan.unmanaged.length}`));
    for (const u of plan.unmanaged) out.push(`  ${u.address}: ${u.reason}`);
    out.push('');
  }
  if (plan.warnings.length) {
    out.push(style.bold(style.yellow('Warnings:')));
    for (const w of plan.warnings) out.push(`  ! ${w}`);
    out.push('');
  }
  if (plan.notChecked.length) {
    out.push(style.bold('Not checked against a live service:'));
    for (const n of plan.notChecked) out.push(`  - ${n}`);
    out.push('');
  }
  const s = plan.summary;
  const risk = s.destructive || s.disruptive ? ` ${s.destructive} destructive, ${s.disruptive} disruptive.` : '';
  const blocked = s.blocked > 0 ? ` ${s.blocked} blocked (not pending; see above).` : '';
  out.push(style.bold(summaryLine(s)) + (s.hasChanges ? risk : '') + blocked);
  return `${out.join('\n')}\n`;
}
