/**
 * The rule engine: for every rule, every entity of its kind, apply the selector, check the requirement and the
 * function, and turn failures into located diagnostics. Then waivers downgrade matching findings to info.
 * After cdk-nag: a rule that throws becomes a finding, never a crash.
 */
import type { ErrorObject, ValidateFunction } from 'ajv';
import type { Diagnostic, DocPath, Severity } from '../diagnostics/diagnostic.js';
import { appendAll } from '../diagnostics/diagnostic.js';
import type { Mesh } from '../model/types.js';
import type { Locator } from '../source/locator.js';
import { cacheOfRules, SchemaCache } from './compile.js';
import { RULE_FUNCTIONS } from './functions.js';
import { configurables, effectiveFor, resolveSettings } from './settings.js';
import type { Effective } from './settings.js';
import { renderTemplate } from './template.js';
import type { ParamValues, Rule, Spot } from './types.js';
import { eachView, indexMesh, spotFor } from './views.js';
import type { EntityView, MeshIndex } from './views.js';
import { applyWaivers } from './waivers.js';

export interface RuleContext {
  mesh: Mesh;
  locator: Locator;
  /** Today as YYYY-MM-DD (UTC). */
  today: string;
  rules: readonly Rule[];
  /** Shared compiled-schema cache (optional). */
  cache?: SchemaCache;
}

function pointerToPath(pointer: string): (string | number)[] {
  if (pointer === '') return [];
  return pointer
    .slice(1)
    .split('/')
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'))
    .map((s) => (/^(0|[1-9][0-9]*)$/.test(s) ? Number(s) : s));
}

/** The errors that say what failed: drop the branch errors under a failed anyOf/oneOf, keep the combinator's. */
export function leafErrors(errors: readonly ErrorObject[]): ErrorObject[] {
  const combinators = errors.filter((e) => e.keyword === 'anyOf' || e.keyword === 'oneOf').map((e) => e.schemaPath);
  return errors.filter(
    (e) => e.keyword !== 'if' && !combinators.some((c) => e.schemaPath !== c && e.schemaPath.startsWith(`${c}/`)),
  );
}

function valueAt(value: unknown, path: DocPath): unknown {
  let cur = value;
  for (const p of path) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string | number, unknown>)[p];
  }
  return cur;
}

interface Finding {
  spot: Spot;
  values: Record<string, unknown>;
}

const NO_FINDINGS: readonly Finding[] = [];

/** A compiled schema, or what compiling it threw (thrown again for each entity, as compiling it again would). */
type Compiled = { fn: ValidateFunction } | { error: unknown };

/**
 * A rule's settings for the entities of one domain, and its schemas compiled under them on first use: looked up
 * once per domain instead of per entity (two map lookups for the settings, two weak-map lookups per schema).
 */
interface Prepared {
  eff: Effective | undefined;
  selector?: Compiled;
  requirement?: Compiled;
}

function compiled(cache: SchemaCache, schema: Record<string, unknown>, params: ParamValues): Compiled {
  try {
    return { fn: cache.compile(schema, params) };
  } catch (error) {
    return { error };
  }
}

function use(c: Compiled): ValidateFunction {
  if ('error' in c) throw c.error;
  return c.fn;
}

function checkEntity(
  rule: Rule,
  view: EntityView,
  prepared: Prepared,
  params: ParamValues,
  cache: SchemaCache,
  index: MeshIndex,
): readonly Finding[] {
  if (rule.selector) {
    prepared.selector ??= compiled(cache, rule.selector, params);
    if (!use(prepared.selector)(view.value)) return NO_FINDINGS;
  }
  let findings: Finding[] | undefined;
  if (rule.requirement) {
    prepared.requirement ??= compiled(cache, rule.requirement, params);
    const validate = use(prepared.requirement);
    if (!validate(view.value)) {
      findings = [];
      for (const e of leafErrors(validate.errors ?? [])) {
        let path: DocPath = pointerToPath(e.instancePath);
        if (path.length === 0 && rule.locate) path = rule.locate;
        findings.push({ spot: spotFor(view, path), values: { actual: valueAt(view.value, path) } });
      }
    }
  }
  if (rule.function) {
    const fn = RULE_FUNCTIONS.get(rule.function);
    for (const f of fn ? fn.run(view, params, index) : []) {
      const path = f.path ?? rule.locate ?? [];
      (findings ??= []).push({ spot: f.spot ?? spotFor(view, path), values: { ...(f.values ?? {}) } });
    }
  }
  // Most entities pass every rule; one finding needs no de-duplication.
  if (findings === undefined) return NO_FINDINGS;
  if (findings.length < 2) return findings;
  const seen = new Set<string>();
  return findings.filter((f) => {
    const key = `${f.spot.ref.file}#${JSON.stringify([...f.spot.ref.path, ...f.spot.path])}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/** One help string per rule, shared by its findings (100,000 findings must not make 100,000 copies). */
const helpTexts = new WeakMap<Rule, string | undefined>();

function help(rule: Rule): string | undefined {
  if (helpTexts.has(rule)) return helpTexts.get(rule);
  const parts = [rule.remediation, rule.helpUrl ? `See ${rule.helpUrl}` : undefined].filter(
    (p) => p !== undefined && p !== '',
  );
  const text = parts.length > 0 ? parts.join(' ') : undefined;
  helpTexts.set(rule, text);
  return text;
}

const own = (o: object, k: string) => Object.prototype.hasOwnProperty.call(o, k);
/** What a name the object merge below does not hold resolves to: a plain object's inherited members. */
const PLAIN: Record<string, unknown> = {};

function finding(
  rule: Rule,
  view: EntityView,
  f: Finding,
  severity: Severity,
  params: ParamValues,
  locator: Locator,
): Diagnostic {
  // The message sees `{ ...view.value, params, ...f.values, ruleId, address }` (and `stream` on streams), looked up
  // name by name: merging a copy of the view for each of 100,000 findings was most of what the rules allocated.
  const vars = (name: string): unknown => {
    if (name === 'stream' && view.kind === 'stream') return view.value['name'];
    if (name === 'address') return view.address;
    if (name === 'ruleId') return rule.id;
    if (own(f.values, name)) return f.values[name];
    if (name === 'params') return params;
    if (own(view.value, name)) return view.value[name];
    return PLAIN[name];
  };
  const d = locator.at(f.spot.ref, f.spot.path, rule.id, severity, renderTemplate(rule.message, vars), help(rule));
  d.ruleId = rule.id;
  return d;
}

/**
 * Run the guardrail rules over a (semantically checked) mesh.
 *
 * Entity by entity: each view is built once, checked against every rule of its kind and dropped, so the views of
 * 100,000 grants are never all alive at once (they copied every grant: about a third of the heap of a huge mesh).
 * Findings are kept per rule and joined in rule order, the order a rule-by-rule loop gives.
 */
export function runRules(ctx: RuleContext): Diagnostic[] {
  const { mesh, locator, today } = ctx;
  const cache = ctx.cache ?? cacheOfRules(ctx.rules) ?? new SchemaCache();
  // Audit checks are configured and waived in the same mesh keys: their settings are checked here too.
  const known = configurables(ctx.rules);
  const settings = resolveSettings(mesh, known, locator, cache);
  const index = indexMesh(mesh, today);
  const out: Diagnostic[] = [...settings.diagnostics];
  const perRule: Located[][] = ctx.rules.map(() => []);
  const kinds = new Map<Rule['appliesTo'], number[]>();
  ctx.rules.forEach((rule, i) => {
    const list = kinds.get(rule.appliesTo);
    if (list) list.push(i);
    else kinds.set(rule.appliesTo, [i]);
  });
  const preparedByDomain = new Map<string | undefined, Prepared[]>();
  for (const [kind, ruleIndexes] of kinds) {
    for (const view of eachView(index, kind)) {
      let prepared = preparedByDomain.get(view.domain);
      if (!prepared) {
        prepared = [];
        preparedByDomain.set(view.domain, prepared);
      }
      for (const i of ruleIndexes) {
        const rule = ctx.rules[i] as Rule;
        const p = (prepared[i] ??= { eff: effectiveFor(settings, rule.id, view.domain) });
        checkView(rule, view, perRule[i] as Located[], p, cache, index, locator);
      }
    }
  }
  const findings: Located[] = [];
  for (const list of perRule) appendAll(findings, list);
  appendAll(out, applyWaivers(findings, mesh, known, locator, today));
  return out;
}

/** A located finding and the waiver address of its entity. */
interface Located {
  diagnostic: Diagnostic;
  address: string;
}

function checkView(
  rule: Rule,
  view: EntityView,
  into: Located[],
  prepared: Prepared,
  cache: SchemaCache,
  index: MeshIndex,
  locator: Locator,
): void {
  const eff = prepared.eff;
  if (!eff || eff.severity === 'off') return;
  const severity = eff.severity;
  let results: readonly Finding[];
  try {
    results = checkEntity(rule, view, prepared, eff.params, cache, index);
  } catch (e) {
    const d = locator.at(
      view.at,
      [],
      rule.id,
      'error',
      `Rule \`${rule.id}\` could not be evaluated for \`${view.address}\`: ${(e as Error)?.message ?? String(e)}. Fix the rule file ${rule.file} or its parameters.`,
    );
    d.ruleId = rule.id;
    into.push({ diagnostic: d, address: view.address });
    return;
  }
  for (const f of results)
    into.push({ diagnostic: finding(rule, view, f, severity, eff.params, locator), address: view.address });
}
