/**
 * The cost section of the plan's text and markdown renderings, after Infracost's PR comment: the monthly total before
 * and after with the delta, the changes that move the cost most, the delta per domain, where usage figures came
 * from, and which prices were used and how old they are. Bounded in size whatever the plan: at most
 * {@link TOP_CHANGES} changes and {@link TOP_DOMAINS} domains are listed, the rest counted.
 */
import type { PlanCost } from '../../core/cost/report-types.js';
import { codeSpan, escapeMessage, escapeTableCell } from '../markdown/escape.js';
import type { Style } from '../style.js';
import { terminalInline } from '../terminal.js';
import { delta, money, percent, priceSourceText, unconfirmedText } from './format.js';

export const TOP_CHANGES = 10;
export const TOP_DOMAINS = 15;

function usageCounts(cost: PlanCost): string {
  const n = { declared: 0, measured: 0, assumed: 0 };
  for (const s of cost.streams) n[s.usage.basis]++;
  const parts = [
    n.declared ? `${n.declared} from declared throughput` : '',
    n.measured ? `${n.measured} from measured CloudWatch metrics` : '',
    n.assumed ? `${n.assumed} with no throughput declared (fixed charges only)` : '',
  ].filter((p) => p !== '');
  return `Usage: ${parts.join(', ') || 'no streams'}.`;
}

function domainsChanged(cost: PlanCost) {
  return cost.domains.filter((d) => d.deltaUSD !== 0).sort((a, b) => Math.abs(b.deltaUSD) - Math.abs(a.deltaUSD));
}

/** Lines of the terminal rendering (terminal-safe: names go through terminalInline). */
export function costSectionText(cost: PlanCost, style: Style): string[] {
  const t = cost.total;
  const out = [
    style.bold(
      `Monthly cost (USD, ${cost.hoursPerMonth} h): ${money(t.beforeUSD)} -> ${money(t.afterUSD)}, ` +
        `${delta(t.deltaUSD)}${percent(t.deltaUSD, t.beforeUSD)}`,
    ),
    `  Prices: ${priceSourceText(cost.prices)}. ${style.dim(terminalInline(cost.prices.source))}`,
  ];
  const unconfirmed = unconfirmedText(cost.prices);
  if (unconfirmed !== undefined) out.push(`  ${style.yellow(`! ${unconfirmed}`)}`);
  if (cost.changes.length > 0) {
    out.push(`  Top changes by cost (${Math.min(TOP_CHANGES, cost.changes.length)} of ${cost.changes.length}):`);
    for (const c of cost.changes.slice(0, TOP_CHANGES)) {
      out.push(`    ${delta(c.deltaUSD).padStart(12)}  ${terminalInline(c.changeId)}`);
    }
  }
  const domains = domainsChanged(cost);
  if (domains.length > 0) {
    const shown = domains.slice(0, TOP_DOMAINS).map((d) => `${terminalInline(d.domain)} ${delta(d.deltaUSD)}`);
    const more = domains.length > TOP_DOMAINS ? `, and ${domains.length - TOP_DOMAINS} more` : '';
    out.push(`  By domain: ${shown.join(', ')}${more}`);
  }
  out.push(`  ${usageCounts(cost)} Assumptions: ${cost.assumptions.map(terminalInline).join('; ')}.`, '');
  return out;
}

/** Lines of the markdown rendering (every name escaped). */
export function costSectionMarkdown(cost: PlanCost): string[] {
  const t = cost.total;
  const out = [
    `#### Monthly cost: ${delta(t.deltaUSD)}${percent(t.deltaUSD, t.beforeUSD)}`,
    '',
    `${money(t.beforeUSD)} → **${money(t.afterUSD)}** per month (USD, ${cost.hoursPerMonth} hours). ` +
      `Prices: ${escapeMessage(priceSourceText(cost.prices, true))}.`,
    '',
  ];
  const unconfirmed = unconfirmedText(cost.prices);
  if (unconfirmed !== undefined) out.push(`> [!NOTE]`, `> ${escapeMessage(unconfirmed)}.`, '');
  if (cost.changes.length > 0) {
    out.push('| Change | Monthly delta |', '|---|--:|');
    for (const c of cost.changes.slice(0, TOP_CHANGES)) out.push(`| ${codeSpan(c.changeId)} | ${delta(c.deltaUSD)} |`);
    const rest = cost.changes.slice(TOP_CHANGES);
    if (rest.length > 0) out.push(`| _${rest.length} more_ | ${delta(rest.reduce((n, c) => n + c.deltaUSD, 0))} |`);
    out.push('');
  }
  const domains = domainsChanged(cost);
  if (domains.length > 0) {
    out.push('| Domain | Before | After | Delta |', '|---|--:|--:|--:|');
    for (const d of domains.slice(0, TOP_DOMAINS)) {
      out.push(
        `| ${escapeTableCell(d.domain)} | ${money(d.beforeUSD)} | ${money(d.afterUSD)} | ${delta(d.deltaUSD)} |`,
      );
    }
    const rest = domains.slice(TOP_DOMAINS);
    if (rest.length > 0) out.push(`| _${rest.length} more_ | | | ${delta(rest.reduce((n, d) => n + d.deltaUSD, 0))} |`);
    out.push('');
  }
  out.push(
    '<details><summary>How this is estimated</summary>',
    '',
    `- ${escapeMessage(usageCounts(cost))}`,
    ...cost.assumptions.map((a) => `- ${escapeMessage(a)}`),
    `- Price source: ${escapeMessage(cost.prices.source)}`,
    '- The model and every price dimension: docs/cost.md',
    '',
    '</details>',
    '',
  );
  return out;
}
