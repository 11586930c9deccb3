/**
 * Just enough IAM condition evaluation for the audit: `aws:ResourceTag/<key>` with the string operators, which is
 * what ABAC policies use. Anything else is `unknown`: the audit then treats the statement as possibly applying
 * and says so in the evidence.
 */
import { asArray, wildcardRegExp } from './policy.js';

export type Tri = 'true' | 'false' | 'unknown';

function evalOperator(op: string, key: string, expected: unknown, tags: Record<string, string>): Tri {
  const m = /^aws:ResourceTag\/(.+)$/i.exec(key);
  if (!m || op.startsWith('ForAnyValue:') || op.startsWith('ForAllValues:')) return 'unknown';
  const ifExists = op.endsWith('IfExists');
  const base = ifExists ? op.slice(0, -'IfExists'.length) : op;
  const value = tags[m[1] as string];
  if (value === undefined) {
    if (ifExists) return 'true';
    return base.startsWith('StringNot') ? 'true' : base.startsWith('String') ? 'false' : 'unknown';
  }
  const values = asArray(expected as string | string[]).map(String);
  if (values.some((v) => v.includes('${'))) return 'unknown';
  switch (base) {
    case 'StringEquals':
      return values.includes(value) ? 'true' : 'false';
    case 'StringNotEquals':
      return values.includes(value) ? 'false' : 'true';
    case 'StringEqualsIgnoreCase':
      return values.some((v) => v.toLowerCase() === value.toLowerCase()) ? 'true' : 'false';
    case 'StringNotEqualsIgnoreCase':
      return values.some((v) => v.toLowerCase() === value.toLowerCase()) ? 'false' : 'true';
    case 'StringLike':
      return values.some((v) => wildcardRegExp(v, false).test(value)) ? 'true' : 'false';
    case 'StringNotLike':
      return values.some((v) => wildcardRegExp(v, false).test(value)) ? 'false' : 'true';
    default:
      return 'unknown';
  }
}

/** Evaluates a statement's Condition block against a resource's tags (all operators and keys are ANDed). */
export function evaluateCondition(condition: Record<string, Record<string, unknown>> | undefined, tags: Record<string, string>): Tri {
  if (!condition) return 'true';
  let result: Tri = 'true';
  for (const [op, keys] of Object.entries(condition)) {
    for (const [key, expected] of Object.entries(keys)) {
      const r = evalOperator(op, key, expected, tags);
      if (r === 'false') return 'false';
      if (r === 'unknown') result = 'unknown';
    }
  }
  return result;
}

/** Condition keys that narrow a wildcard principal to known callers. */
export const RESTRICTIVE_PRINCIPAL_KEYS = [
  'aws:principalorgid',
  'aws:principalorgpaths',
  'aws:principalaccount',
  'aws:principalarn',
  'aws:sourceaccount',
  'aws:sourcearn',
  'aws:sourceorgid',
  'aws:sourcevpce',
  'aws:sourcevpc',
];

/** The restrictive condition keys (lower-cased) a statement uses, with their values. */
export function restrictiveConditions(condition: Record<string, Record<string, unknown>> | undefined): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const [op, keys] of Object.entries(condition ?? {})) {
    if (/Not|IfExists/.test(op)) continue; // a negated or optional test does not narrow the principal
    for (const [key, v] of Object.entries(keys)) {
      const k = key.toLowerCase();
      if (RESTRICTIVE_PRINCIPAL_KEYS.includes(k)) out[k] = asArray(v as string | string[]).map(String);
    }
  }
  return out;
}
