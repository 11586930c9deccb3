/** Money and price-source wording shared by the cost renderers (plan text, plan markdown, chargeback). */
import type { CostPriceSource } from '../../core/cost/report-types.js';

// Made on first use: the first Intl formatter of a process loads ICU's number data (~15 ms), which runs that print
// no amount (validate, a plan's start-up) need not wait for.
let moneyFormat: Intl.NumberFormat | undefined;
const MONEY = {
  format: (n: number) =>
    (moneyFormat ??= new Intl.NumberFormat('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 })).format(n),
};

/** `$1,234.56`. */
export function money(usd: number): string {
  const s = MONEY.format(Math.abs(usd));
  return usd < 0 && s !== '0.00' ? `-$${s}` : `$${s}`;
}

/** `+$29.20`, `-$32.85`, `$0.00`. */
export function delta(usd: number): string {
  const s = MONEY.format(Math.abs(usd));
  if (s === '0.00') return '$0.00';
  return `${usd > 0 ? '+' : '-'}$${s}`;
}

/** ` (+5.3%)` of `before`, or `` when there is nothing to compare with. */
export function percent(deltaUSD: number, beforeUSD: number): string {
  if (beforeUSD <= 0 || deltaUSD === 0) return '';
  const p = (deltaUSD / beforeUSD) * 100;
  return ` (${p > 0 ? '+' : ''}${p.toFixed(1)}%)`;
}

/**
 * Which prices were used and how old they are, one sentence (untrusted parts are the caller's to escape):
 * `shipped price table of 2026-12-01 for eu-west-1, 3 days old`. `marked`: day and region in backticks, for
 * escapeMessage to show as code.
 */
export function priceSourceText(p: CostPriceSource, marked = false): string {
  const m = (s: string) => (marked ? `\`${s}\`` : s);
  const what = p.kind === 'shipped' ? 'shipped price table' : 'AWS Price List API answer';
  const age = `${p.ageDays} day${p.ageDays === 1 ? '' : 's'} old`;
  return `${what} of ${m(p.asOf)} for ${m(p.region)}, ${age}`;
}

/** `12 of the prices are estimates not confirmed against the source`, or undefined when all are confirmed. */
export function unconfirmedText(p: CostPriceSource): string | undefined {
  const n = p.unconfirmed.length;
  if (n === 0) return undefined;
  return `${n} price${n === 1 ? ' is an estimate' : 's are estimates'} not confirmed against the source (${p.unconfirmed.join(', ')})`;
}
