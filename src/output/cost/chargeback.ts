/**
 * The audit's chargeback: the current monthly cost per domain, as markdown (for the audit report and issue) and as
 * JSON (stable, the {@link ChargebackReport} itself). Pure renderers; every name is escaped.
 */
import type { ChargebackReport } from '../../core/cost/report-types.js';
import { codeSpan, escapeMessage, escapeTableCell } from '../markdown/escape.js';
import { money, priceSourceText, unconfirmedText } from './format.js';

/** Streams listed per domain in the markdown (the JSON has all). */
export const STREAMS_PER_DOMAIN = 10;

export function renderChargebackJson(report: ChargebackReport): string {
  return `${JSON.stringify(report, null, 2)}\n`;
}

function share(part: number, total: number): string {
  return total > 0 ? `${((part / total) * 100).toFixed(1)}%` : '-';
}

export function renderChargebackMarkdown(report: ChargebackReport): string {
  const out = [
    '### Monthly cost per domain (chargeback)',
    '',
    `**${money(report.totalUSD)}** per month in total (USD, ${report.hoursPerMonth} hours). ` +
      `Prices: ${escapeMessage(priceSourceText(report.prices, true))}.`,
    '',
  ];
  const unconfirmed = unconfirmedText(report.prices);
  if (unconfirmed !== undefined) out.push('> [!NOTE]', `> ${escapeMessage(unconfirmed)}.`, '');
  out.push('| Domain | Streams | Monthly | Share |', '|---|--:|--:|--:|');
  for (const d of report.domains) {
    out.push(
      `| ${escapeTableCell(d.domain)} | ${d.streams.length} | ${money(d.monthlyUSD)} | ${share(d.monthlyUSD, report.totalUSD)} |`,
    );
  }
  out.push('');
  for (const d of report.domains) {
    out.push(
      `<details><summary>${escapeMessage(d.domain)}: ${money(d.monthlyUSD)}</summary>`,
      '',
      '| Stream | Monthly | Usage |',
      '|---|--:|---|',
    );
    for (const s of d.streams.slice(0, STREAMS_PER_DOMAIN)) {
      out.push(
        `| ${codeSpan(`${s.account}/${s.stream}`)} | ${money(s.monthlyUSD)} | ${escapeTableCell(`${s.usage.basis}: ${s.usage.note}`)} |`,
      );
    }
    const rest = d.streams.length - STREAMS_PER_DOMAIN;
    if (rest > 0) out.push(`| _${rest} more (see the JSON report)_ | | |`);
    out.push('', '</details>', '');
  }
  out.push(
    ...report.assumptions.map((a) => `- ${escapeMessage(a)}`),
    `- Price source: ${escapeMessage(report.prices.source)}`,
    '',
  );
  return `${out.join('\n')}\n`;
}
