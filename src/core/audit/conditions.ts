/**
 * Just enough IAM condition evaluation for the audit: `aws:ResourceTag/<key>` with the string operators, which is
 * what ABAC policies use. Anything else is `unknown`: the audit then treats the statement as possibly applying
 * and says so in the evidence.
 */
import { globMatch } from '../policy/index.js';
import type { Condition } from '../policy/index.js';

export type Tri = 'true' | 'false' | 'unknown';

function evalOperator(c: Condition, tags: Record<string, string>): Tri {
  const m = /^aws:ResourceTag\/(.+)$/i.exec(c.key);
  if (!m || c.set !== 'single') return 'unknown';
  const base = c.base;
  const value = Object.hasOwn(tags, m[1] as string) ? tags[m[1] as string] : undefined;
  if (value === undefined) {
    if (c.ifExists) return 'true';
    return base.startsWith('StringNot') ? 'true' : base.startsWith('String') ? 'false' : 'unknown';
  }
  const values = c.values;
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
      return values.some((v) => globMatch(v, value, false)) ? 'true' : 'false';
    case 'StringNotLike':
      return values.some((v) => globMatch(v, value, false)) ? 'false' : 'true';
    default:
      return 'unknown';
  }
}

/** Evaluates a statement's conditions against a resource's tags (all tests are ANDed; none is `true`). */
export function evaluateCondition(conditions: readonly Condition[], tags: Record<string, string>): Tri {
  let result: Tri = 'true';
  for (const c of conditions) {
    const r = evalOperator(c, tags);
    if (r === 'false') return 'false';
    if (r === 'unknown') result = 'unknown';
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
export function restrictiveConditions(conditions: readonly Condition[]): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const c of conditions) {
    if (/Not/.test(c.base) || c.ifExists) continue; // a negated or optional test does not narrow the principal
    const k = c.key.toLowerCase();
    if (RESTRICTIVE_PRINCIPAL_KEYS.includes(k)) out[k] = [...c.values];
  }
  return out;
}
