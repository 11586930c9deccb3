/**
 * Reading a saved plan back: untrusted input (it passes through CI artefact storage). It must be JSON of at most
 * {@link MAX_PLAN_CHARS} characters, carry no prototype-polluting keys, and satisfy the JSON Schema generated from the
 * plan types (schema/plan.schema.json: unknown keys, missing keys and wrong types are refused). Even a plan that
 * passes is only an expectation: apply recomputes its own plan and compares change sets (change-set.ts).
 */
import { lazyModule } from '../lazy-module.js';
import type { ErrorObject, ValidateFunction } from 'ajv';
import { PLAN_SCHEMA } from './plan-schema.generated.js';
import type { Plan } from './types.js';
import { MAX_PLAN_BYTES, PLAN_FORMAT_VERSION } from './types.js';
import { jsonSyntaxProblem } from '../json-syntax.js';

/** Characters of a saved plan: the byte limit of the reader (MAX_PLAN_BYTES, docs/limits.md) bounds them too. */
export const MAX_PLAN_CHARS = MAX_PLAN_BYTES;
const FORBIDDEN_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

// ajv's compiler is loaded when a saved plan is read, not by every run that imports this module (~60 ms).
const ajvModule = lazyModule<typeof import('ajv')>('ajv');
let validator: ValidateFunction | undefined;
function validate(data: unknown): ErrorObject[] {
  if (validator === undefined) {
    const { Ajv } = ajvModule();
    validator = new Ajv({ allErrors: false, strict: false }).compile(PLAN_SCHEMA);
  }
  return validator(data) ? [] : (validator.errors ?? []);
}

/** The first schema error as `path: what is wrong`, with the offending key for unknown properties. */
function describe(e: ErrorObject): string {
  const at = e.instancePath === '' ? 'the plan' : e.instancePath.slice(1).replace(/\//g, '.');
  if (e.keyword === 'additionalProperties')
    return `${at}: unknown key \`${String((e.params as { additionalProperty: string }).additionalProperty)}\``;
  if (e.keyword === 'required')
    return `${at}: missing key \`${String((e.params as { missingProperty: string }).missingProperty)}\``;
  if (e.keyword === 'enum' || e.keyword === 'const')
    return `${at}: ${e.message ?? 'invalid value'} (${JSON.stringify((e.params as { allowedValues?: unknown; allowedValue?: unknown }).allowedValues ?? (e.params as { allowedValue?: unknown }).allowedValue)})`;
  return `${at}: ${e.message ?? 'invalid'}`;
}

/** Parse plan JSON text. Errors are messages naming the first bad path (the CLI turns them into an ExitError); never throws. */
export function parsePlan(text: string): { plan?: Plan; error?: string } {
  if (text.length > MAX_PLAN_CHARS)
    return { error: `the plan is ${text.length} characters; a saved plan may have at most ${MAX_PLAN_CHARS}` };
  let data: unknown;
  let forbidden: string | undefined;
  try {
    data = JSON.parse(text, (key, value: unknown) => {
      if (FORBIDDEN_KEYS.has(key)) forbidden ??= key;
      return value;
    });
  } catch (e) {
    return { error: `not JSON (truncated or not a plan): ${jsonSyntaxProblem(text, e)}` };
  }
  if (forbidden !== undefined)
    return { error: `the plan contains the key \`${forbidden}\`, which meshgov never writes (prototype pollution)` };
  if (data === null || typeof data !== 'object' || Array.isArray(data))
    return { error: 'a plan must be a JSON object' };
  const version = (data as { formatVersion?: unknown }).formatVersion;
  if (version !== PLAN_FORMAT_VERSION)
    return {
      error: `unsupported plan formatVersion ${String(version)} (this meshgov reads ${PLAN_FORMAT_VERSION}; run plan again)`,
    };
  const errors = validate(data);
  if (errors.length > 0) return { error: `not a valid plan: ${describe(errors[0] as ErrorObject)}` };
  return { plan: data as Plan };
}
