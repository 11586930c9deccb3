import type { ValidateFunction } from 'ajv';
import type { Ajv2020 } from 'ajv/dist/2020.js';
import { isPlainObject } from '../plain-object.js';
import { compileRuleSchema, ruleAjv } from './ajv.js';
import { byKey as builtinValidators } from './builtin-rule-validators.generated.js';
import type { ParamValues, Rule } from './types.js';

/** Replace every `{"$param": "name"}` object in a schema by the parameter's value. */
export function substituteParams(schema: unknown, params: ParamValues): unknown {
  if (Array.isArray(schema)) return schema.map((s) => substituteParams(s, params));
  if (schema === null || typeof schema !== 'object') return schema;
  const obj = schema as Record<string, unknown>;
  const keys = Object.keys(obj);
  if (keys.length === 1 && keys[0] === '$param' && typeof obj['$param'] === 'string') {
    const name = obj['$param'];
    // Own members only: `constructor` or `toString` are "in" every object, as functions.
    if (!Object.hasOwn(params, name)) throw new Error(`unknown parameter \`${name}\``);
    return params[name];
  }
  const out: Record<string, unknown> = {};
  // defineProperty: `out['__proto__'] = v` would make a rule file's `__proto__:` member the prototype, whose keywords
  // ajv reads but the schema's JSON text (the cache key) leaves out.
  for (const k of keys)
    Object.defineProperty(out, k, {
      value: substituteParams(obj[k], params),
      enumerable: true,
      writable: true,
      configurable: true,
    });
  return out;
}

/** Whether a value is JSON data exactly: what JSON.stringify writes of it is all there is. */
export function isJsonData(value: unknown): boolean {
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return true;
  if (typeof value === 'number') return Number.isFinite(value);
  if (typeof value !== 'object') return false;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) if (!(i in value) || !isJsonData(value[i])) return false;
    return true;
  }
  if (!isPlainObject(value)) return false;
  for (const k of Reflect.ownKeys(value)) {
    const d = Object.getOwnPropertyDescriptor(value, k);
    if (typeof k !== 'string' || d === undefined || !d.enumerable || !('value' in d) || !isJsonData(d.value))
      return false;
  }
  return true;
}

/** Names of the parameters a schema refers to with `{$param: name}`. */
export function paramRefs(schema: unknown, out: Set<string> = new Set()): Set<string> {
  if (Array.isArray(schema)) schema.forEach((s) => paramRefs(s, out));
  else if (schema !== null && typeof schema === 'object') {
    const obj = schema as Record<string, unknown>;
    if (typeof obj['$param'] === 'string' && Object.keys(obj).length === 1) out.add(obj['$param']);
    else Object.values(obj).forEach((v) => paramRefs(v, out));
  }
  return out;
}

/** Compiles rule schemas once per distinct parameter set. */
/** The built-in pack's selectors and requirements at their default parameters, compiled ahead of time. */
export const BUILTIN_VALIDATORS = builtinValidators as unknown as ReadonlyMap<string, ValidateFunction>;

export class SchemaCache {
  /** Made on the first schema that `precompiled` does not hold. */
  private ajv: Ajv2020 | undefined;
  private readonly cache = new Map<string, ValidateFunction>();
  /** Fast path by object identity: a rule's schema with one effective parameter set, used for many entities. */
  private readonly byIdentity = new WeakMap<object, WeakMap<object, ValidateFunction>>();

  /** `precompiled`: validators by the JSON text of their schema (parameters substituted), compiled ahead of time. */
  constructor(private readonly precompiled: ReadonlyMap<string, ValidateFunction> = BUILTIN_VALIDATORS) {}

  /** The compiled schema; throws (with ajv's message) when the schema is invalid. */
  compile(schema: Record<string, unknown>, params: ParamValues): ValidateFunction {
    let perSchema = this.byIdentity.get(schema);
    if (!perSchema) {
      perSchema = new WeakMap();
      this.byIdentity.set(schema, perSchema);
    }
    const hit = perSchema.get(params);
    if (hit) return hit;
    const fn = this.compileConcrete(schema, params);
    perSchema.set(params, fn);
    return fn;
  }

  private compileConcrete(schema: Record<string, unknown>, params: ParamValues): ValidateFunction {
    const concrete = substituteParams(schema, params) as Record<string, unknown>;
    // Both caches are keyed by the schema's JSON text, which is the schema only for JSON data exactly: JSON.stringify
    // writes NaN and Infinity (YAML's .nan, .inf) as null and drops functions and undefined, so another schema could
    // have the same key. Anything else is compiled on its own.
    if (!isJsonData(concrete)) return compileRuleSchema((this.ajv ??= ruleAjv()), concrete);
    const key = JSON.stringify(concrete);
    let fn = this.cache.get(key);
    if (!fn) {
      // The built-in pack at its default parameters was compiled ahead of time, with the same options
      // (scripts/schema-validators.ts); anything else is compiled now.
      fn = this.precompiled.get(key) ?? compileRuleSchema((this.ajv ??= ruleAjv()), concrete);
      this.cache.set(key, fn);
    }
    return fn;
  }
}

/**
 * The cache each rule was loaded (and its schemas compiled) with. runRules reuses it, so one validation compiles
 * each schema once: a cache of its own meant a second ajv instance, compiling ajv's meta-schema and every rule
 * schema again (~100 ms a run).
 */
const loadedWith = new WeakMap<Rule, SchemaCache>();

export function rememberCache(rule: Rule, cache: SchemaCache): void {
  loadedWith.set(rule, cache);
}

/** The cache all `rules` were loaded with, or undefined when they came from different loads (or none). */
export function cacheOfRules(rules: readonly Rule[]): SchemaCache | undefined {
  const first = rules[0] === undefined ? undefined : loadedWith.get(rules[0]);
  return first !== undefined && rules.every((r) => loadedWith.get(r) === first) ? first : undefined;
}
