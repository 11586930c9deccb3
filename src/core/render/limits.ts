/**
 * IAM size limits, and deterministic splitting of a role's statements into numbered managed policies.
 * IAM counts policy characters without whitespace, which is what compact JSON.stringify gives.
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html
 */
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

/** Size of a policy as IAM counts it. */
export function policySize(doc: PolicyDocument): number {
  return JSON.stringify(doc).length;
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
 * (nearly all) is serialised once here: `policySize(doc([s]))` is `EMPTY_DOC_CHARS` plus that length.
 */
function sizedStatements(statements: readonly PolicyStatement[], limit: number): [PolicyStatement, number][] {
  const out: [PolicyStatement, number][] = [];
  for (const s of statements) {
    const chars = JSON.stringify(s).length;
    if (EMPTY_DOC_CHARS + chars <= limit) out.push([s, chars]);
    else for (const piece of fitStatement(s, limit)) out.push([piece, JSON.stringify(piece).length]);
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
