/**
 * The plan's monthly cost (docs/cost.md) and the cost cap guardrail at plan time (policies/cost-within-cap.yaml):
 * priced by the target (the Price List API on AWS, the shipped dated table elsewhere), capped with the rule's
 * effective settings per domain. Plan shows both; apply refuses a plan over an error-severity cap.
 */
import { capsFromParams, costCapDiagnostics, costCapFindings, COST_CAP_RULE_ID } from '../core/cost/cap.js';
import { planCost, shippedPriceTable, usageFromMesh } from '../core/cost/index.js';
import type { PlanCost, PriceTable } from '../core/cost/index.js';
import type { Diagnostic } from '../core/diagnostics/diagnostic.js';
import type { Mesh } from '../core/model/types.js';
import { scopeDesired } from '../core/plan/index.js';
import type { LiveState, Plan, PlanScope } from '../core/plan/index.js';
import type { Clock } from '../core/ports.js';
import { cacheOfRules, SchemaCache } from '../core/rules/compile.js';
import type { Rule } from '../core/rules/index.js';
import { effectiveFor, resolveSettings } from '../core/rules/settings.js';
import type { RuleSettings } from '../core/rules/settings.js';
import type { DesiredState } from '../core/render/types.js';
import type { Locator } from '../core/source/locator.js';
import type { Target } from './target.js';

export interface Priced {
  cost: PlanCost;
  /** Caps the plan goes over, as diagnostics at the domain (empty when the rule is off, as by default). */
  capDiagnostics: Diagnostic[];
}

/** The target's prices (the Price List API on AWS), or the shipped dated table when the target cannot say. */
export async function pricesFor(
  target: Target,
  region: string,
  clock: Clock,
  signal?: AbortSignal,
): Promise<{ table: PriceTable; notes: string[] }> {
  const answered = await target.prices?.(region, () => clock.now(), signal);
  if (answered !== undefined) return answered;
  const shipped = shippedPriceTable(region).table;
  return { table: shipped, notes: [`prices: the shipped table of ${shipped.asOf}`] };
}

export async function priceAndCap(
  computed: Plan,
  p: { mesh: Mesh; desired: DesiredState; scope: PlanScope; locator?: Locator },
  rules: readonly Rule[],
  live: LiveState,
  target: Target,
  clock: Clock,
  given: {
    /** The cap settings when the caller resolved them already (`capsInForce`); resolved here otherwise. */
    settings?: RuleSettings | undefined;
    /** The prices when the caller asked for them already (plan: while it reads); asked here otherwise. */
    pricing?: Promise<{ table: PriceTable; notes: string[] }>;
  } = {},
): Promise<Priced> {
  const settings = given.settings ?? capSettings(p, rules);
  const prices = await (given.pricing ?? pricesFor(target, p.mesh.region, clock));
  const priced = planCost({
    plan: computed,
    desired: scopeDesired(p.desired, p.scope),
    live,
    prices: prices.table,
    usage: usageFromMesh(p.mesh),
  });
  const cost = { ...priced, assumptions: [...prices.notes, ...priced.assumptions] };
  if (settings === undefined || p.locator === undefined) return { cost, capDiagnostics: [] };
  const findings = costCapFindings(cost, (domain) => effectiveFor(settings, COST_CAP_RULE_ID, domain));
  return { cost, capDiagnostics: costCapDiagnostics(findings, p.mesh, p.locator) };
}

/** The cost cap rule's settings, when it is loaded. Validation reported invalid settings already. */
function capSettings(p: { mesh: Mesh; locator?: Locator }, rules: readonly Rule[]): RuleSettings | undefined {
  const rule = rules.find((r) => r.id === COST_CAP_RULE_ID);
  if (rule === undefined || p.locator === undefined) return undefined;
  return resolveSettings(p.mesh, new Map([[rule.id, rule]]), p.locator, cacheOfRules(rules) ?? new SchemaCache());
}

/**
 * The cost cap rule's settings when some domain has a cap in force (the rule is off, with no caps, by default);
 * undefined when none has, so apply prices nothing.
 */
export function capsInForce(p: { mesh: Mesh; locator?: Locator }, rules: readonly Rule[]): RuleSettings | undefined {
  const settings = capSettings(p, rules);
  if (settings === undefined) return undefined;
  const capped = [settings.base, ...settings.byDomain.values()].some((m) => {
    const e = m.get(COST_CAP_RULE_ID);
    return e !== undefined && e.severity !== 'off' && Object.keys(capsFromParams(e.params)).length > 0;
  });
  return capped ? settings : undefined;
}
