/**
 * IAM size limits, and deterministic splitting of a role's statements into numbered managed policies.
 * IAM counts policy characters without whitespace, which is what compact JSON.stringify gives.
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html
 */
import { isPlainObject } from '../plain-object.js';
import type { PolicyDocument, PolicyStatement } from './types.js';

/** Characters in a customer managed policy (whitespace not counted). */
export const MAX_MANAGED_POLICY_CHARS = 6144;
/** Inline policies, all of one role together. meshgov writes no inline policies; kept for the record and rules. */
export const MAX_INLINE_CHARS_PER_ROLE = 10240;
/** Characters in a role trust policy (default quota). */
export const MAX_TRUST_POLICY_CHARS = 2048;
/** Characters in an Organizations service control policy. https://docs.aws.amazon.com/organizations/latest/userguide/orgs_reference_limits.html */
export const MAX_SCP_CHARS = 5120;
/** Managed policies attached to one role (default quota). */
export const MAX_MANAGED_POLICIES_PER_ROLE = 10;

/** Size of a policy as IAM counts it: the length of its compact JSON. */
export function policySize(doc: PolicyDocument): number {
  return jsonLength(doc);
}

/**
 * `JSON.stringify(value).length` without building the string: packing measures every statement of every role
 * (thousands of roles on a large mesh). Measured here: strings, numbers, booleans, null, arrays and plain (or
 * null-prototype) objects, `undefined` members skipped as JSON.stringify skips them; a value holding anything else
 * (a `toJSON`, a boxed primitive, a class instance) is measured by JSON.stringify itself.
 */
export function jsonLength(value: unknown): number {
  const n = measuredLength(value);
  return n >= 0 ? n : (JSON.stringify(value) as string).length;
}

/** Characters JSON.stringify escapes: quote, backslash, control characters, (lone) surrogates. */
// eslint-disable-next-line no-control-regex -- control characters are exactly what JSON escapes
const NEEDS_ESCAPE = /["\\\u0000-\u001f\ud800-\udfff]/;

/** The JSON length of a value, -1 for a value {@link jsonLength} leaves to JSON.stringify. */
function measuredLength(value: unknown): number {
  switch (typeof value) {
    case 'string':
      // Nearly every string in a policy is plain: its JSON is the string in quotes.
      return NEEDS_ESCAPE.test(value) ? JSON.stringify(value).length : value.length + 2;
    case 'boolean':
      return value ? 4 : 5;
    case 'number':
      return Number.isFinite(value) ? String(value).length : 4; // NaN and Infinity are written as null
    case 'object': {
      if (value === null) return 4;
      if (typeof (value as { toJSON?: unknown }).toJSON === 'function') return -1;
      if (Array.isArray(value)) {
        let n = 2 + Math.max(0, value.length - 1); // brackets and commas
        for (let i = 0; i < value.length; i++) {
          const item: unknown = value[i];
          const m = isSkipped(item) ? 4 : measuredLength(item); // written as null in an array
          if (m < 0) return -1;
          n += m;
        }
        return n;
      }
      if (!isPlainObject(value)) return -1;
      let n = 2; // braces
      let members = 0;
      for (const k of Object.keys(value)) {
        const v = (value as Record<string, unknown>)[k];
        if (isSkipped(v)) continue;
        const m = measuredLength(v);
        if (m < 0) return -1;
        n += measuredLength(k) + 1 + m; // "key":value
        members++;
      }
      return n + Math.max(0, members - 1);
    }
    default:
      return -1; // undefined, functions and symbols at the top, and bigint (which JSON.stringify rejects)
  }
}

/** Members JSON.stringify leaves out of an object (and writes as null in an array). */
function isSkipped(v: unknown): boolean {
  return v === undefined || typeof v === 'function' || typeof v === 'symbol';
}

function doc(statements: PolicyStatement[]): PolicyDocument {
  return { Version: '2012-10-17', Statement: statements };
}

export interface PackResult {
  /** The documents, each within `limit`; one when everything fits. */
  parts: PolicyDocument[];
  /** Why the statements cannot fit, when they cannot (then `parts` is what fitted and must not be used). */
  problem?: string;
}

/**
 * Split a statement whose Resource list is too long into halves (Sids get a numeric suffix) until each piece fits;
 * a single-resource statement that is still too large is returned as is (the caller reports it).
 */
function fitStatement(s: PolicyStatement, limit: number): PolicyStatement[] {
  if (policySize(doc([s])) <= limit || !Array.isArray(s.Resource) || s.Resource.length < 2) return [s];
  const pieces: string[][] = [];
  const resources = s.Resource;
  let chunk: string[] = [];
  for (const r of resources) {
    const next = [...chunk, r];
    if (chunk.length > 0 && policySize(doc([{ ...s, Resource: next }])) > limit) {
      pieces.push(chunk);
      chunk = [r];
    } else chunk = next;
  }
  pieces.push(chunk);
  return pieces.map((res, i) => ({
    ...s,
    Sid: `${s.Sid}${i + 1}`,
    Resource: res.length === 1 ? (res[0] as string) : res,
  }));
}

/** The characters of `{"Version":"2012-10-17","Statement":[]}`: a document is that plus its statements and commas. */
const EMPTY_DOC_CHARS = policySize(doc([]));

/**
 * Each statement with the length of its JSON, too large ones split by {@link fitStatement}. A statement that fits
 * (nearly all) is measured once here: `policySize(doc([s]))` is `EMPTY_DOC_CHARS` plus that length.
 */
function sizedStatements(statements: readonly PolicyStatement[], limit: number): [PolicyStatement, number][] {
  const out: [PolicyStatement, number][] = [];
  for (const s of statements) {
    const chars = jsonLength(s);
    if (EMPTY_DOC_CHARS + chars <= limit) out.push([s, chars]);
    else for (const piece of fitStatement(s, limit)) out.push([piece, jsonLength(piece)]);
  }
  return out;
}

/** Greedy, order-preserving packing of statements into at most `maxParts` documents of at most `limit` characters. */
export function packStatements(
  statements: readonly PolicyStatement[],
  limit = MAX_MANAGED_POLICY_CHARS,
  maxParts = MAX_MANAGED_POLICIES_PER_ROLE,
): PackResult {
  const parts: PolicyStatement[][] = [];
  let current: PolicyStatement[] = [];
  // policySize(doc(list)) is EMPTY_DOC_CHARS + each statement's JSON + a comma between two: each statement is
  // serialised once instead of the whole growing document once per statement.
  let currentChars = EMPTY_DOC_CHARS;
  for (const [s, chars] of sizedStatements(statements, limit)) {
    if (EMPTY_DOC_CHARS + chars > limit) {
      return {
        parts: parts.map(doc),
        problem: `statement ${s.Sid} alone is ${EMPTY_DOC_CHARS + chars} characters; a managed policy holds at most ${limit}`,
      };
    }
    if (current.length > 0 && currentChars + 1 + chars > limit) {
      parts.push(current);
      current = [];
      currentChars = EMPTY_DOC_CHARS;
    }
    currentChars += (current.length > 0 ? 1 : 0) + chars;
    current.push(s);
  }
  if (current.length > 0) parts.push(current);
  if (parts.length > maxParts) {
    return {
      parts: parts.map(doc),
      problem: `its policies need ${parts.length} managed policies of at most ${limit} characters; a role takes at most ${maxParts}`,
    };
  }
  return { parts: parts.map(doc) };
}

/** `base` for a single part, `base-1` .. `base-n` when split. */
export function partNames(base: string, count: number): string[] {
  return count === 1 ? [base] : Array.from({ length: count }, (_, i) => `${base}-${i + 1}`);
}
