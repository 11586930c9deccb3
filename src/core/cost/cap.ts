/**
 * The cost cap guardrail (policies/cost-within-cap.yaml): a domain's monthly cost at most `maxDomainMonthlyUSD`, a
 * single change adding at most `maxChangeDeltaUSD` a month. A cap of 0 is no cap, and both default to 0: the rule is
 * off until the governance file sets a cap. Two checks share the rule's settings:
 * - at plan time, `costCapFindings` over the plan's cost (the prices and usage the plan used): the real check;
 * - at validation, the rule function `domain-cost-within-cap`, over the declared configuration and throughput at the
 *   shipped prices of the mesh region (no live state, no API): an early warning that a domain is over its cap.
 */
import { readsThroughConsumer } from '../model/grant-consumer.js';
import type { Diagnostic, Severity } from '../diagnostics/diagnostic.js';
import type { Mesh, Stream } from '../model/types.js';
import { normaliseMetrics } from '../plan/diff-stream.js';
import type { RuleFunction } from '../rules/functions.js';
import type { FunctionFinding, ParamValues } from '../rules/types.js';
import type { Locator } from '../source/locator.js';
import { streamCost } from './model.js';
import { NO_DOMAIN } from './plan-cost.js';
import { shippedPriceTable } from './prices/shipped.js';
import type { PlanCost } from './report-types.js';
import type { StreamConfig } from './types.js';
import { assumedUsage, usageFromMesh, usageKey } from './usage.js';

export const COST_CAP_RULE_ID = 'cost-within-cap';

/** The caps of one domain; undefined fields are no cap. */
export interface CostCaps {
  maxDomainMonthlyUSD?: number;
  maxChangeDeltaUSD?: number;
}

/** Caps from rule parameters: a positive finite number is a cap, anything else none. */
export function capsFromParams(params: ParamValues): CostCaps {
  const cap = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) && v > 0 ? v : undefined);
  const domain = cap(params['maxDomainMonthlyUSD']);
  const change = cap(params['maxChangeDeltaUSD']);
  return {
    ...(domain !== undefined ? { maxDomainMonthlyUSD: domain } : {}),
    ...(change !== undefined ? { maxChangeDeltaUSD: change } : {}),
  };
}

/** A cap the plan goes over. */
export type CostCapFinding =
  | { kind: 'domain'; domain: string; monthlyUSD: number; capUSD: number; severity: Severity }
  | { kind: 'change'; domain: string; changeId: string; deltaUSD: number; capUSD: number; severity: Severity };

/** The rule's effective setting for a domain, as src/core/rules/settings.ts resolves it (`effectiveFor`). */
export type CapSetting = (domain: string) => { severity: Severity | 'off'; params: ParamValues } | undefined;

/** Caps the plan's cost goes over. Domains after the plan; changes by their own delta. */
export function costCapFindings(cost: PlanCost, setting: CapSetting): CostCapFinding[] {
  const out: CostCapFinding[] = [];
  const capsOf = (domain: string) => {
    const s = setting(domain);
    return s === undefined || s.severity === 'off'
      ? undefined
      : { severity: s.severity, caps: capsFromParams(s.params) };
  };
  for (const d of cost.domains) {
    const c = capsOf(d.domain);
    const cap = c?.caps.maxDomainMonthlyUSD;
    // Only a plan that raises a domain's cost is blamed for the domain being over its cap.
    if (c !== undefined && cap !== undefined && d.afterUSD > cap && d.deltaUSD > 0) {
      out.push({ kind: 'domain', domain: d.domain, monthlyUSD: d.afterUSD, capUSD: cap, severity: c.severity });
    }
  }
  for (const ch of cost.changes) {
    const domain = ch.domain ?? NO_DOMAIN;
    const c = capsOf(domain);
    const cap = c?.caps.maxChangeDeltaUSD;
    if (c !== undefined && cap !== undefined && ch.deltaUSD > cap) {
      out.push({
        kind: 'change',
        domain,
        changeId: ch.changeId,
        deltaUSD: ch.deltaUSD,
        capUSD: cap,
        severity: c.severity,
      });
    }
  }
  return out;
}

const usd = (n: number) => `$${n.toFixed(2)}`;

export function costCapMessage(f: CostCapFinding): string {
  return f.kind === 'domain'
    ? `Domain \`${f.domain}\` would cost ${usd(f.monthlyUSD)} a month after this plan, above its cap of ${usd(f.capUSD)} (rule ${COST_CAP_RULE_ID}).`
    : `Change \`${f.changeId}\` adds ${usd(f.deltaUSD)} a month, above the cap of ${usd(f.capUSD)} per change (rule ${COST_CAP_RULE_ID}).`;
}

/** The findings as diagnostics at the domain's declaration (for `Plan.diagnostics`). */
export function costCapDiagnostics(
  findings: readonly CostCapFinding[],
  mesh: Pick<Mesh, 'domains' | 'at'>,
  locator: Locator,
): Diagnostic[] {
  return findings.map((f) => {
    const at = mesh.domains.find((d) => d.name === f.domain)?.at ?? mesh.at;
    const d = locator.at(
      at,
      [],
      COST_CAP_RULE_ID,
      f.severity,
      costCapMessage(f),
      'Lower the cost (fewer shards, shorter retention, fewer EFO consumers) or raise the cap in the governance file. See docs/cost.md.',
    );
    d.ruleId = COST_CAP_RULE_ID;
    return d;
  });
}

/** What a declared stream costs as configured (on-demand shard counts assumed). */
export function declaredConfig(s: Stream, efoConsumers: number): StreamConfig {
  return {
    mode: s.capacity.mode,
    ...(s.capacity.mode === 'PROVISIONED' ? { shards: s.capacity.shards ?? 0 } : {}),
    retentionHours: s.retentionHours,
    enhancedMetrics: normaliseMetrics(s.enhancedMonitoring).length,
    efoConsumers,
  };
}

/** Declared monthly cost per domain, computed once per mesh (the rule runs once per domain). */
const domainCosts = new WeakMap<object, Map<string, number>>();

/** A domain's declared monthly cost at the shipped prices of the mesh region (validation-time estimate). */
export function declaredDomainCost(mesh: Pick<Mesh, 'region' | 'streams' | 'grants'>, domain: string): number {
  let costs = domainCosts.get(mesh);
  if (costs === undefined) {
    const prices = shippedPriceTable(mesh.region).table;
    const usage = usageFromMesh(mesh);
    const efo = new Map<string, number>();
    for (const g of mesh.grants) if (readsThroughConsumer(g)) efo.set(g.stream, (efo.get(g.stream) ?? 0) + 1);
    costs = new Map();
    for (const s of mesh.streams) {
      const u = usage.get(usageKey(s.account, s.name)) ?? assumedUsage();
      const c = streamCost(declaredConfig(s, efo.get(s.name) ?? 0), u, prices).monthlyUSD;
      costs.set(s.domain, (costs.get(s.domain) ?? 0) + c);
    }
    domainCosts.set(mesh, costs);
  }
  return costs.get(domain) ?? 0;
}

/**
 * The validation-time check of one domain (the rule function's body; src/core/rules/functions.ts registers it):
 * its declared cost against `maxDomainMonthlyUSD`.
 */
export function domainCapFindings(
  mesh: Pick<Mesh, 'region' | 'streams' | 'grants'>,
  domain: string,
  params: ParamValues,
): FunctionFinding[] {
  const cap = capsFromParams(params).maxDomainMonthlyUSD;
  if (cap === undefined) return [];
  const cost = declaredDomainCost(mesh, domain);
  return cost > cap ? [{ path: ['streams'], values: { monthlyUSD: cost.toFixed(2), capUSD: cap.toFixed(2) } }] : [];
}

/** The rule function `domain-cost-within-cap`, registered in src/core/rules/functions.ts. */
export const domainCostWithinCap: RuleFunction = {
  appliesTo: ['domain'],
  params: ['maxDomainMonthlyUSD', 'maxChangeDeltaUSD'],
  description:
    "The domain's declared monthly cost (configuration and declared throughput at the shipped prices of the " +
    "mesh region) stays within `maxDomainMonthlyUSD` (0: no cap). `meshgov plan` checks both caps on the plan's cost.",
  run(view, params, index) {
    return domainCapFindings(index.mesh, String(view.value['name']), params);
  },
};
