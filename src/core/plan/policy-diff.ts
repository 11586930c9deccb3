/** Comparing resource policies and tag maps: the building blocks of the stream and consumer diffs. */
import { canonicalStatement, parsePolicy, policiesEquivalent } from '../policy/index.js';
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
}

/**
 * Tags: meshgov owns every key of a managed resource except the `aws:` ones AWS reserves (they cannot be
 * changed), so tags added out of band are removed. https://docs.aws.amazon.com/tag-editor/latest/userguide/tagging.html
 */
export function diffTags(live: Record<string, string>, desired: Record<string, string>): TagDiff {
  const d: TagDiff = { before: {}, after: {}, added: [], changed: [], removed: [], revokedGrantTags: [] };
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
    if (isGrantTag(k) && live[k] === 'allow') d.revokedGrantTags.push(k);
  }
  return d;
}

export function tagDiffIsEmpty(d: TagDiff): boolean {
  return d.added.length + d.changed.length + d.removed.length === 0;
}

export function tagReasons(d: TagDiff, what: string): string[] {
  const out: string[] = [];
  if (d.added.length) out.push(`${d.added.length} ${what} tag(s) missing: ${d.added.join(', ')}`);
  if (d.changed.length) out.push(`${d.changed.length} ${what} tag(s) with another value: ${d.changed.join(', ')}`);
  if (d.removed.length) out.push(`${d.removed.length} ${what} tag(s) not in the mesh (meshgov owns the tags of managed resources): ${d.removed.join(', ')}`);
  for (const k of d.revokedGrantTags) out.push(`removing grant tag ${k} revokes access`);
  return out;
}
