/**
 * Chargeback: the current monthly cost of every live stream, per domain, for the audit. Pure; the audit use case
 * calls `chargeback` with the live state it read, the mesh's usage (declared, overlaid with measured where the
 * window has shard-level metrics) and a price table, and renders it with src/output/cost/chargeback.ts.
 */
import { TAG_DOMAIN } from '../model/governance-tags.js';
import type { LiveState } from '../plan/live.js';
import { streamCost } from './model.js';
import { lineRows, liveConfig, NO_DOMAIN, priceSource, usd } from './plan-cost.js';
import type { ChargebackReport, StreamCurrentCost } from './report-types.js';
import type { PriceTable } from './types.js';
import { HOURS_PER_MONTH } from './types.js';
import type { UsageByStream } from './usage.js';
import { assumedUsage, usageKey } from './usage.js';

export interface ChargebackInput {
  live: LiveState;
  prices: PriceTable;
  usage: UsageByStream;
  /** Declared domain per `<account>/<stream>`; streams not in it fall back to their live `meshgov:domain` tag. */
  domains: ReadonlyMap<string, string>;
  /** ISO 8601 time of the report (for the age of the prices). */
  at: string;
}

const byCost = <T extends { monthlyUSD: number }>(a: T, b: T, tie: (x: T) => string): number =>
  b.monthlyUSD - a.monthlyUSD || (tie(a) < tie(b) ? -1 : tie(a) > tie(b) ? 1 : 0);

export function chargeback(input: ChargebackInput): ChargebackReport {
  const groups = new Map<string, StreamCurrentCost[]>();
  for (const a of input.live.accounts) {
    for (const s of a.streams) {
      if (s.status === 'DELETING') continue;
      const key = usageKey(a.account, s.name);
      const usage = input.usage.get(key) ?? assumedUsage();
      const e = streamCost(liveConfig(s), usage, input.prices);
      const domain = input.domains.get(key) ?? s.tags[TAG_DOMAIN] ?? NO_DOMAIN;
      const row: StreamCurrentCost = {
        account: a.account,
        stream: s.name,
        monthlyUSD: usd(e.monthlyUSD),
        usage: { basis: usage.basis, note: usage.note },
        lines: lineRows(e),
        assumptions: e.assumptions,
      };
      groups.set(domain, [...(groups.get(domain) ?? []), row]);
    }
  }
  const domains = [...groups]
    .map(([domain, streams]) => ({
      domain,
      monthlyUSD: usd(streams.reduce((n, s) => n + s.monthlyUSD, 0)),
      streams: streams.sort((x, y) => byCost(x, y, (s) => `${s.account}/${s.stream}`)),
    }))
    .sort((x, y) => byCost(x, y, (d) => d.domain));
  const measured = domains.flatMap((d) => d.streams).filter((s) => s.usage.basis === 'measured').length;
  return {
    currency: 'USD',
    hoursPerMonth: HOURS_PER_MONTH,
    prices: priceSource(input.prices, input.at),
    totalUSD: usd(domains.reduce((n, d) => n + d.monthlyUSD, 0)),
    domains,
    assumptions: [
      `a month is ${HOURS_PER_MONTH} hours; the current configuration and usage are taken to hold all month`,
      `${measured} stream(s) priced from usage measured by CloudWatch; the others from declared throughput or fixed charges only`,
    ],
  };
}
