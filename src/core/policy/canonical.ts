/**
 * Semantic equality of policies through one canonical form. Ignored, because IAM gives them no meaning: statement
 * order, Sids and Id, a single value versus a one-element list, the order and repetition of values, a bare account
 * id versus its root ARN, the case of actions and condition keys, and repeated statements. Kept: everything else,
 * including what the parser could not understand (so garbage only equals the same garbage).
 */
import { createHash } from 'node:crypto';
import { canonicalJson } from '../canonical-json.js';
import { isPlainObject } from '../plain-object.js';
import type {
  ActionElement,
  Condition,
  ParseOptions,
  Policy,
  PrincipalElement,
  ResourceElement,
  Statement,
  Unparsed,
} from './model.js';
import { parsePolicy } from './parse.js';
import { principalKey } from './principal.js';

/** IAM reads a document without `Version` as the 2008 language (no policy variables). */
const DEFAULT_VERSION = '2008-10-17';

const sortedUnique = (xs: readonly string[]): string[] => [...new Set(xs)].sort();

function principalForm(e: PrincipalElement): unknown {
  if (e.kind === 'none') return { kind: e.kind };
  return { kind: e.kind, principals: sortedUnique(e.principals.map(principalKey)) };
}

function patternForm(e: ActionElement | ResourceElement, fold: (s: string) => string): unknown {
  return e.kind === 'none' ? { kind: e.kind } : { kind: e.kind, patterns: sortedUnique(e.patterns.map(fold)) };
}

// The forms below list their keys in sorted order, so canonicalJson serialises them as they are (no sorted copy).

function conditionForm(c: Condition): string {
  return canonicalJson({ key: c.key.toLowerCase(), operator: c.operator, values: sortedUnique(c.values) });
}

function unparsedForm(u: readonly Unparsed[]): string[] {
  return sortedUnique(u.map((x) => `${x.at}=${x.json}`));
}

/** Canonical JSON of one statement: equal exactly when the statements mean the same (Sid and position ignored). */
export function canonicalStatement(s: Statement): string {
  return canonicalJson({
    action: patternForm(s.action, (a) => a.toLowerCase()),
    conditions: sortedUnique(s.conditions.map(conditionForm)),
    effect: s.effect,
    principal: principalForm(s.principal),
    resource: patternForm(s.resource, (r) => r),
    unparsed: unparsedForm(s.unparsed),
  });
}

/** Canonical JSON of a policy: statements as a sorted set of canonical statements. */
export function canonicalPolicy(p: Policy): string {
  return canonicalJson({
    statements: sortedUnique(p.statements.map(canonicalStatement)),
    unparsed: unparsedForm(p.unparsed),
    version: p.version ?? DEFAULT_VERSION,
  });
}

/** sha256 (hex) of the canonical form: equivalent policies have the same digest. */
export function policyDigest(p: Policy): string {
  return createHash('sha256').update(canonicalPolicy(p), 'utf8').digest('hex');
}

/**
 * Do two policy documents (any JSON; `undefined` is "no policy") mean the same? Two absent policies are
 * equivalent; an absent and a present one never are.
 */
export function policiesEquivalent(a: unknown, b: unknown, options: ParseOptions = {}): boolean {
  if (a === undefined || b === undefined) return a === b;
  // The same document (a policy read back as it was written, the common case) means the same: no parse needed.
  if (sameJsonData(a, b)) return true;
  return canonicalPolicy(parsePolicy(a, options).policy) === canonicalPolicy(parsePolicy(b, options).policy);
}

/**
 * Whether two values are the same JSON data, object key order aside: strings, finite numbers, booleans, null,
 * arrays and plain objects with the same own keys. Anything else (an undefined member, NaN, a Date, a class
 * instance) is never "the same" here, so the caller compares canonical forms instead.
 */
export function sameJsonData(a: unknown, b: unknown): boolean {
  if (a === null || typeof a !== 'object') {
    return a === b && (a === null || typeof a === 'string' || typeof a === 'boolean' || Number.isFinite(a));
  }
  if (b === null || typeof b !== 'object') return false;
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!(i in a) || !(i in b) || !sameJsonData(a[i], b[i])) return false;
    return true;
  }
  // The same prototype too: a property read through one (a polluted Object.prototype) is read through both.
  if (Array.isArray(b) || !isPlainObject(a) || Object.getPrototypeOf(a) !== Object.getPrototypeOf(b)) return false;
  const keys = Object.keys(a);
  if (keys.length !== Object.keys(b).length) return false;
  for (const k of keys) {
    if (!Object.hasOwn(b, k)) return false;
    if (!sameJsonData((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k])) return false;
  }
  return true;
}
