/**
 * Rule settings: the governance file (mesh.rules) may relax or tighten any rule; a domain (domain.rules) may only
 * tighten, and its settings apply to the entities of that domain. A relaxing domain setting is an error and is
 * ignored.
 */
import { AUDIT_CHECKS } from '../audit/checks.js';
import type { Diagnostic, Severity } from '../diagnostics/diagnostic.js';
import { didYouMeanSuffix } from '../model/did-you-mean.js';
import type { Mesh, RuleSetting } from '../model/types.js';
import type { Locator } from '../source/locator.js';
import type { SchemaCache } from './compile.js';
import { defaultParams, paramTypeOk } from './load-rules.js';
import type { ParamValues, Rule } from './types.js';

export type EffectiveSeverity = Severity | 'off';

/**
 * What settings and waivers need of a check: a guardrail rule, or an audit check (no parameters, no schemas).
 * Both kinds share one id space, one `rules:` setting syntax and one waiver list.
 */
export type Configurable = Pick<Rule, 'id' | 'severity' | 'params'> & Partial<Pick<Rule, 'selector' | 'requirement'>>;

/**
 * Every id a setting or waiver may name: the audit checks, then the loaded rules (a rule file that reuses an audit
 * check id is configured as that rule).
 */
export function configurables(rules: Iterable<Rule>): Map<string, Configurable> {
  const out = new Map<string, Configurable>(
    AUDIT_CHECKS.map((c) => [c.id, { id: c.id, severity: c.severity, params: {} }]),
  );
  for (const r of rules) out.set(r.id, r);
  return out;
}

/** What a rule does for one entity. */
export interface Effective {
  severity: EffectiveSeverity;
  params: ParamValues;
}

const RANK: Record<EffectiveSeverity, number> = { off: 0, info: 1, warning: 2, error: 3 };

/** The effective settings of every rule: governance level, and per domain. */
export interface RuleSettings {
  base: Map<string, Effective>;
  byDomain: Map<string, Map<string, Effective>>;
  diagnostics: Diagnostic[];
}

/** The first schema compile error of a rule under `params`, if any (e.g. an overridden pattern that is no regex). */
function compileError(rule: Configurable, params: ParamValues, cache: SchemaCache): string | undefined {
  for (const schema of [rule.selector, rule.requirement]) {
    if (!schema) continue;
    try {
      cache.compile(schema, params);
    } catch (e) {
      return (e as Error).message;
    }
  }
  return undefined;
}

function applySetting(
  rule: Configurable,
  start: Effective,
  setting: RuleSetting,
  locator: Locator,
  out: Diagnostic[],
  tightenOnly: boolean,
  owner: string,
  cache: SchemaCache,
): Effective {
  const next: Effective = { severity: start.severity, params: { ...start.params } };
  if (setting.severity !== undefined) {
    if (tightenOnly && RANK[setting.severity] < RANK[start.severity]) {
      out.push(
        locator.at(
          setting.at,
          ['severity'],
          'rule-override-relaxes',
          'error',
          `${owner} lowers \`${rule.id}\` from ${start.severity} to ${setting.severity}; a domain may only tighten a rule. Ask the governance team to relax it in the governance file (\`rules:\` in the root mesh file) or add a waiver.`,
        ),
      );
    } else next.severity = setting.severity;
  }
  for (const [name, value] of Object.entries(setting.params ?? {})) {
    const decl = Object.hasOwn(rule.params, name) ? rule.params[name] : undefined;
    if (!decl) {
      const known = Object.keys(rule.params);
      out.push(
        locator.atKey(
          setting.at,
          ['params', name],
          'rule-param-unknown',
          'error',
          `Rule \`${rule.id}\` has no parameter \`${name}\`.${didYouMeanSuffix(name, known)}${known.length > 0 ? ` Parameters: ${known.join(', ')}.` : ' It takes no parameters.'}`,
        ),
      );
      continue;
    }
    if (!paramTypeOk(decl.type, value)) {
      out.push(
        locator.at(
          setting.at,
          ['params', name],
          'rule-param-type',
          'error',
          `Parameter \`${name}\` of \`${rule.id}\` must be a${decl.type === 'integer' ? 'n' : ''} ${decl.type}, not ${JSON.stringify(value)}.`,
        ),
      );
      continue;
    }
    const v = value as string | number | boolean;
    const cur = start.params[name] as string | number | boolean;
    if (tightenOnly && v !== cur) {
      const relaxes =
        decl.tighten === 'fixed' || (decl.tighten === 'lower' ? Number(v) > Number(cur) : Number(v) < Number(cur));
      if (relaxes) {
        const why =
          decl.tighten === 'fixed'
            ? 'only the governance file may change it'
            : `a domain may only ${decl.tighten === 'lower' ? 'lower' : 'raise'} it (currently ${String(cur)})`;
        out.push(
          locator.at(
            setting.at,
            ['params', name],
            'rule-override-relaxes',
            'error',
            `${owner} sets \`${name}\` of \`${rule.id}\` to ${JSON.stringify(v)}, which relaxes the rule: ${why}.`,
          ),
        );
        continue;
      }
    }
    next.params[name] = v;
  }
  if (setting.params !== undefined) {
    const err = compileError(rule, next.params, cache);
    if (err !== undefined) {
      out.push(
        locator.at(
          setting.at,
          ['params'],
          'rule-param-invalid',
          'error',
          `These parameters make rule \`${rule.id}\` invalid: ${err}. The setting is ignored.`,
        ),
      );
      return { severity: next.severity, params: { ...start.params } };
    }
  }
  return next;
}

function unknownRule(
  id: string,
  setting: RuleSetting,
  rules: ReadonlyMap<string, Configurable>,
  locator: Locator,
): Diagnostic {
  return locator.atKey(
    setting.at,
    [],
    'rule-unknown',
    'error',
    `No guardrail rule or audit check \`${id}\` is loaded.${didYouMeanSuffix(id, rules.keys())} Run \`meshgov rules list\` for the active rules.`,
  );
}

/**
 * Resolve the governance and per-domain settings of every rule and audit check in `rules`, reporting invalid
 * settings.
 */
export function resolveSettings(
  mesh: Mesh,
  rules: ReadonlyMap<string, Configurable>,
  locator: Locator,
  cache: SchemaCache,
): RuleSettings {
  const diagnostics: Diagnostic[] = [];
  const base = new Map<string, Effective>();
  for (const rule of rules.values()) base.set(rule.id, { severity: rule.severity, params: defaultParams(rule) });
  for (const [id, setting] of Object.entries(mesh.rules)) {
    const rule = rules.get(id);
    const start = base.get(id);
    if (!rule || !start) {
      diagnostics.push(unknownRule(id, setting, rules, locator));
      continue;
    }
    base.set(id, applySetting(rule, start, setting, locator, diagnostics, false, 'The governance file', cache));
  }
  const byDomain = new Map<string, Map<string, Effective>>();
  for (const d of mesh.domains) {
    const settings = new Map(base);
    for (const [id, setting] of Object.entries(d.rules)) {
      const rule = rules.get(id);
      const start = settings.get(id);
      if (!rule || !start) {
        diagnostics.push(unknownRule(id, setting, rules, locator));
        continue;
      }
      settings.set(id, applySetting(rule, start, setting, locator, diagnostics, true, `Domain \`${d.name}\``, cache));
    }
    byDomain.set(d.name, settings);
  }
  return { base, byDomain, diagnostics };
}

/** The settings of `ruleId` for an entity of `domain` (or the governance level). */
export function effectiveFor(
  settings: RuleSettings,
  ruleId: string,
  domain: string | undefined,
): Effective | undefined {
  return (domain !== undefined ? settings.byDomain.get(domain)?.get(ruleId) : undefined) ?? settings.base.get(ruleId);
}
