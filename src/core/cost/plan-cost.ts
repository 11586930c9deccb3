/**
 * The plan's cost: every in-scope stream priced as live (before) and as desired (after), the delta per stream, per
 * change, per domain and in total. Pure; `planCost` is what `meshgov plan` calls once the plan is computed:
 *
 *     plan.cost = planCost({ plan, desired, live, prices, usage: usageFromMesh(mesh) });
 */
import { TAG_DOMAIN } from '../model/governance-tags.js';
import type { LiveState, LiveStream } from '../plan/live.js';
import { normaliseMetrics } from '../plan/diff-stream.js';
import { scopeDesired } from '../plan/scope.js';
import type { Change, Plan } from '../plan/types.js';
import type { DesiredState, DesiredStream } from '../render/types.js';
import { streamCost } from './model.js';
import type { ChangeCost, CostLineRow, CostPriceSource, DomainCost, PlanCost, StreamCostRow } from './report-types.js';
import type { PriceTable, StreamConfig, StreamCostEstimate, StreamUsage } from './types.js';
import { HOURS_PER_MONTH } from './types.js';
import type { UsageByStream } from './usage.js';
import { assumedUsage, usageKey } from './usage.js';

export const NO_DOMAIN = '(no domain)';

/** Money as stored: USD rounded to 1/10,000 (no float noise in the saved plan). */
export function usd(n: number): number {
  return Math.round(n * 10_000) / 10_000;
}

/** Whole days from `asOf` (YYYY-MM-DD) to `at` (ISO 8601); 0 when `at` is earlier or either is unreadable. */
export function ageInDays(asOf: string, at: string): number {
  const days = Math.floor((Date.parse(at) - Date.parse(`${asOf}T00:00:00Z`)) / 86_400_000);
  return Number.isFinite(days) && days > 0 ? days : 0;
}

export function priceSource(table: PriceTable, at: string): CostPriceSource {
  return {
    kind: table.kind,
    region: table.region,
    asOf: table.asOf,
    ageDays: ageInDays(table.asOf, at),
    source: table.source,
    unconfirmed: [...table.unconfirmed],
  };
}

export function liveConfig(ls: LiveStream): StreamConfig {
  return {
    mode: ls.mode,
    shards: ls.shards,
    retentionHours: ls.retentionHours,
    enhancedMetrics: normaliseMetrics(ls.enhancedMonitoring).length,
    efoConsumers: ls.consumers.filter((c) => c.status !== 'DELETING').length,
  };
}

function desiredConfig(ds: DesiredStream, efoConsumers: number, live: LiveStream | undefined): StreamConfig {
  // An on-demand stream's shard count is AWS's to choose: the live count when there is one.
  const shards = ds.mode === 'PROVISIONED' ? ds.shards : live?.mode === 'ON_DEMAND' ? live.shards : undefined;
  return {
    mode: ds.mode,
    ...(shards !== undefined ? { shards } : {}),
    retentionHours: ds.retentionHours,
    enhancedMetrics: normaliseMetrics(ds.enhancedMonitoring).length,
    efoConsumers,
  };
}

export function lineRows(e: StreamCostEstimate): CostLineRow[] {
  return e.lines.map((l) => ({
    dimension: l.dimension,
    quantity: l.quantity,
    unitPriceUSD: l.unitPriceUSD,
    monthlyUSD: usd(l.monthlyUSD),
    basis: l.basis,
  }));
}

/** The live config with just this change applied; undefined when the change does not touch the stream's cost. */
function applyChange(c: Change, before: StreamConfig): StreamConfig | null | undefined {
  switch (c.resourceType) {
    case 'stream-retention':
      return { ...before, retentionHours: c.after.retentionHours };
    case 'stream-capacity': {
      const mode = c.after.mode ?? before.mode;
      const shards = c.after.shards ?? (mode === before.mode ? before.shards : undefined);
      return { ...before, mode, ...(shards !== undefined ? { shards } : {}) };
    }
    case 'stream-monitoring':
      return { ...before, enhancedMetrics: normaliseMetrics(c.after.enhancedMonitoring).length };
    case 'consumer':
      return { ...before, efoConsumers: Math.max(0, before.efoConsumers + (c.action === 'create' ? 1 : -1)) };
    default:
      return undefined;
  }
}

interface StreamPair {
  account: string;
  stream: string;
  domain?: string;
  before?: StreamConfig;
  after?: StreamConfig;
}

function pairs(plan: Plan, desired: DesiredState, live: LiveState): StreamPair[] {
  const scoped = scopeDesired(desired, plan.scope);
  const liveByKey = new Map<string, LiveStream>();
  for (const a of live.accounts) for (const s of a.streams) liveByKey.set(usageKey(a.account, s.name), s);
  const out = new Map<string, StreamPair>();
  for (const a of scoped.accounts) {
    const efoCount = new Map<string, number>();
    for (const c of a.consumers) efoCount.set(c.stream, (efoCount.get(c.stream) ?? 0) + 1);
    for (const ds of a.streams) {
      const key = usageKey(a.account, ds.name);
      const ls = liveByKey.get(key);
      const current = ls !== undefined && ls.status !== 'DELETING' ? ls : undefined;
      const efo = efoCount.get(ds.name) ?? 0;
      out.set(key, {
        account: a.account,
        stream: ds.name,
        domain: ds.domain,
        ...(current !== undefined ? { before: liveConfig(current) } : {}),
        after: desiredConfig(ds, efo, current),
      });
    }
  }
  // Streams the plan deletes: priced as live, gone after.
  for (const c of plan.changes) {
    if (c.resourceType !== 'stream' || c.action !== 'delete') continue;
    const key = usageKey(c.account, c.target.stream);
    const ls = liveByKey.get(key);
    if (ls === undefined || out.has(key)) continue;
    const domain = c.domain ?? ls.tags[TAG_DOMAIN];
    out.set(key, {
      account: c.account,
      stream: c.target.stream,
      ...(domain !== undefined ? { domain } : {}),
      before: liveConfig(ls),
    });
  }
  return [...out.values()].sort((x, y) =>
    x.account + x.stream < y.account + y.stream ? -1 : x.account + x.stream > y.account + y.stream ? 1 : 0,
  );
}

function changeCosts(
  plan: Plan,
  byKey: Map<string, { pair: StreamPair; usage: StreamUsage }>,
  table: PriceTable,
): ChangeCost[] {
  const out: ChangeCost[] = [];
  for (const c of plan.changes) {
    if (c.action === 'no-op' || c.blocked !== undefined || c.stream === undefined) continue;
    const entry = byKey.get(usageKey(c.account, c.stream));
    if (entry === undefined) continue;
    const { pair, usage } = entry;
    const cost = (cfg: StreamConfig | undefined) => (cfg === undefined ? 0 : streamCost(cfg, usage, table).monthlyUSD);
    let delta: number;
    if (c.resourceType === 'stream')
      delta = c.action === 'create' ? cost(pair.after) : c.action === 'delete' ? -cost(pair.before) : 0;
    else if (pair.before === undefined)
      continue; // a setting of a stream that does not exist yet: priced by its create
    else {
      const changed = applyChange(c, pair.before);
      if (changed === undefined || changed === null) continue;
      delta = cost(changed) - cost(pair.before);
    }
    const rounded = usd(delta);
    if (rounded === 0) continue;
    out.push({
      changeId: c.id,
      address: c.address,
      account: c.account,
      stream: c.stream,
      ...(pair.domain !== undefined ? { domain: pair.domain } : {}),
      deltaUSD: rounded,
    });
  }
  return out.sort((a, b) => Math.abs(b.deltaUSD) - Math.abs(a.deltaUSD) || (a.changeId < b.changeId ? -1 : 1));
}

export interface PlanCostInput {
  plan: Plan;
  /** The desired state the plan was computed from (scoped here like the plan). */
  desired: DesiredState;
  live: LiveState;
  prices: PriceTable;
  /** Usage per `<account>/<stream>`; streams without an entry get {@link assumedUsage}. */
  usage: UsageByStream;
}

/** The plan's monthly cost estimate. Never throws on any plan computePlan makes. */
export function planCost(input: PlanCostInput): PlanCost {
  const { plan, prices } = input;
  const byKey = new Map<string, { pair: StreamPair; usage: StreamUsage }>();
  const streams: StreamCostRow[] = [];
  for (const pair of pairs(plan, input.desired, input.live)) {
    const key = usageKey(pair.account, pair.stream);
    const usage = input.usage.get(key) ?? assumedUsage();
    byKey.set(key, { pair, usage });
    const before = pair.before !== undefined ? streamCost(pair.before, usage, prices) : undefined;
    const after = pair.after !== undefined ? streamCost(pair.after, usage, prices) : undefined;
    const shown = (after ?? before) as StreamCostEstimate;
    streams.push({
      account: pair.account,
      stream: pair.stream,
      ...(pair.domain !== undefined ? { domain: pair.domain } : {}),
      beforeUSD: before !== undefined ? usd(before.monthlyUSD) : null,
      afterUSD: after !== undefined ? usd(after.monthlyUSD) : null,
      deltaUSD: usd((after?.monthlyUSD ?? 0) - (before?.monthlyUSD ?? 0)),
      usage: { basis: usage.basis, note: usage.note },
      lines: lineRows(shown),
      assumptions: [...new Set([...(before?.assumptions ?? []), ...(after?.assumptions ?? [])])],
    });
  }
  const domains = new Map<string, DomainCost>();
  for (const s of streams) {
    const name = s.domain ?? NO_DOMAIN;
    const d = domains.get(name) ?? { domain: name, beforeUSD: 0, afterUSD: 0, deltaUSD: 0 };
    d.beforeUSD = usd(d.beforeUSD + (s.beforeUSD ?? 0));
    d.afterUSD = usd(d.afterUSD + (s.afterUSD ?? 0));
    d.deltaUSD = usd(d.afterUSD - d.beforeUSD);
    domains.set(name, d);
  }
  const domainList = [...domains.values()].sort((a, b) => (a.domain < b.domain ? -1 : a.domain > b.domain ? 1 : 0));
  const beforeUSD = usd(domainList.reduce((n, d) => n + d.beforeUSD, 0));
  const afterUSD = usd(domainList.reduce((n, d) => n + d.afterUSD, 0));
  return {
    currency: 'USD',
    hoursPerMonth: HOURS_PER_MONTH,
    prices: priceSource(prices, plan.createdAt),
    total: { beforeUSD, afterUSD, deltaUSD: usd(afterUSD - beforeUSD) },
    domains: domainList,
    streams,
    changes: changeCosts(plan, byKey, prices),
    assumptions: planAssumptions(streams),
  };
}

function planAssumptions(streams: readonly StreamCostRow[]): string[] {
  const out = [
    `a month is ${HOURS_PER_MONTH} hours; data volumes follow from the average write rate over the whole month`,
    'prices are list prices in USD without tax, free tier, savings plans or data transfer between regions',
  ];
  const assumed = streams.filter((s) => s.usage.basis === 'assumed').length;
  if (assumed > 0) out.push(`${assumed} stream(s) declare no throughput: only their fixed charges are counted`);
  return out;
}
