/** Comparing resource policies and tag maps: the building blocks of the stream and consumer diffs. */
import { isCaseVariantGovernanceKey } from '../model/governance-tags.js';
import { canonicalStatement, lostGrants, parsePolicy, policiesEquivalent } from '../policy/index.js';
import { isGrantTag } from './access.js';

/**
 * Do two policies (live ones are untrusted JSON; `undefined` is "none") mean the same? The one policy model's
 * semantic equivalence, which audit uses too: order, Sids, single-vs-list, duplicates and bare account ids vs
 * root ARNs do not matter.
 */
export function policiesEqual(a: unknown, b: unknown, partition = 'aws'): boolean {
  return policiesEquivalent(a, b, { partition });
}

/** Sids (or statement positions) found live that the desired document does not have: drift someone added. */
export function foreignStatements(live: unknown, desired: unknown, partition = 'aws'): string[] {
  const statementsOf = (doc: unknown) => parsePolicy(doc, { partition }).policy.statements;
  const wanted = new Set(desired === undefined ? [] : statementsOf(desired).map(canonicalStatement));
  return statementsOf(live)
    .filter((s) => !wanted.has(canonicalStatement(s)))
    .map((s) => (s.sid ? `Sid ${s.sid}` : `statement #${s.position}`));
}

export interface TagDiff {
  /** Changed or removed keys with their live values. */
  before: Record<string, string>;
  /** Added or changed keys with their desired values. */
  after: Record<string, string>;
  added: string[];
  changed: string[];
  removed: string[];
  /** Removed (or no longer `allow`) grant tags: access revocations. */
  revokedGrantTags: string[];
  /**
   * Removed keys that IAM takes for `meshgov:` keys but that are not spelled exactly so (tag tampering, e.g.
   * `MESHGOV:CONSUME:…`): removing them may revoke access someone gained through them.
   */
  tamperedKeys: string[];
}

/**
 * Tags: meshgov owns every key of a managed resource except the `aws:` ones AWS reserves (they cannot be
 * changed), so tags added out of band are removed. https://docs.aws.amazon.com/tag-editor/latest/userguide/tagging.html
 */
/**
 * The grants a policy change takes away (see policy/effect.ts), at most `limit` described; empty when the change only
 * keeps or widens access.
 */
export function grantsLost(live: unknown, desired: unknown, partition = 'aws', limit = 10): string[] {
  const lost = lostGrants(
    parsePolicy(live, { partition }).policy,
    parsePolicy(desired ?? { Statement: [] }, { partition }).policy,
  );
  return lost.length > limit ? [...lost.slice(0, limit), `... and ${lost.length - limit} more`] : lost;
}

export function diffTags(live: Record<string, string>, desired: Record<string, string>): TagDiff {
  const d: TagDiff = {
    before: {},
    after: {},
    added: [],
    changed: [],
    removed: [],
    revokedGrantTags: [],
    tamperedKeys: [],
  };
  for (const k of Object.keys(desired).sort()) {
    const want = desired[k] as string;
    const have = live[k];
    if (have === undefined) {
      d.added.push(k);
      d.after[k] = want;
    } else if (have !== want) {
      d.changed.push(k);
      d.before[k] = have;
      d.after[k] = want;
      if (isGrantTag(k) && have === 'allow') d.revokedGrantTags.push(k);
    }
  }
  for (const k of Object.keys(live).sort()) {
    if (k in desired || k.startsWith('aws:')) continue;
    d.removed.push(k);
    d.before[k] = live[k] as string;
    if (isCaseVariantGovernanceKey(k)) d.tamperedKeys.push(k);
    else if (isGrantTag(k) && live[k] === 'allow') d.revokedGrantTags.push(k);
  }
  return d;
}

/** A tag change as plan changes: the part that takes no access away, and the part that may (grant tags, tampered keys). */
export interface TagChangeParts {
  /** Additions, value changes and removals of keys that grant nothing: safe. */
  safe?: { before: Record<string, string>; after: Record<string, string>; reasons: string[] };
  /** Removals of grant tags and of case variants of meshgov keys: destructive (access may be lost). */
  revoking?: { before: Record<string, string>; after: Record<string, string>; reasons: string[] };
}

/**
 * Split a tag diff by effect, so the safe part applies without `--allow-destructive` (a classification repair is not
 * held back by an intruder's grant tag on the same stream).
 */
export function splitTagDiff(d: TagDiff, what: string): TagChangeParts {
  const revoked = new Set([...d.revokedGrantTags, ...d.tamperedKeys]);
  const out: TagChangeParts = {};
  const safeBefore = Object.fromEntries(Object.entries(d.before).filter(([k]) => !revoked.has(k)));
  const safe: TagDiff = {
    ...d,
    before: safeBefore,
    removed: d.removed.filter((k) => !revoked.has(k)),
    changed: d.changed.filter((k) => !revoked.has(k)),
    revokedGrantTags: [],
    tamperedKeys: [],
  };
  if (!tagDiffIsEmpty(safe)) out.safe = { before: safe.before, after: d.after, reasons: tagReasons(safe, what) };
  if (revoked.size > 0) {
    const before = Object.fromEntries(Object.entries(d.before).filter(([k]) => revoked.has(k)));
    const only: TagDiff = {
      before,
      after: {},
      added: [],
      changed: [],
      removed: [...revoked].sort(),
      revokedGrantTags: d.revokedGrantTags,
      tamperedKeys: d.tamperedKeys,
    };
    out.revoking = { before, after: {}, reasons: tagReasons(only, what) };
  }
  return out;
}

export function tagDiffIsEmpty(d: TagDiff): boolean {
  return d.added.length + d.changed.length + d.removed.length === 0;
}

export function tagReasons(d: TagDiff, what: string): string[] {
  const out: string[] = [];
  if (d.added.length) out.push(`${d.added.length} ${what} tag(s) missing: ${d.added.join(', ')}`);
  if (d.changed.length) out.push(`${d.changed.length} ${what} tag(s) with another value: ${d.changed.join(', ')}`);
  if (d.removed.length)
    out.push(
      `${d.removed.length} ${what} tag(s) not in the mesh (meshgov owns the tags of managed resources): ${d.removed.join(', ')}`,
    );
  for (const k of d.revokedGrantTags) out.push(`removing grant tag ${k} revokes access`);
  for (const k of d.tamperedKeys) {
    out.push(
      `removing ${k}: a case variant of a meshgov key (tag tampering); IAM reads it as that governance tag, so removing it may revoke access gained through it`,
    );
  }
  return out;
}
