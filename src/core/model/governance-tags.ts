/**
 * Governance tag keys. With ABAC the right to tag is the right to access, so these keys are reserved for the
 * governance role (see the tag-tampering guard in render).
 */
import { sortStrings } from '../sort.js';
import type { Grant, Mesh, Stream } from './types.js';

export const TAG_PREFIX = 'meshgov:';
export const TAG_MANAGED_BY = 'meshgov:managed-by';
export const TAG_MESH = 'meshgov:mesh';
export const TAG_DOMAIN = 'meshgov:domain';
export const TAG_PRODUCT = 'meshgov:product';
export const TAG_CLASSIFICATION = 'meshgov:classification';
/**
 * Kinesis has no deletion protection of its own: meshgov marks protected streams with this tag (value `true`) and
 * apply refuses to delete a stream that carries it, even with --allow-destructive. To retire a stream, first set
 * `deletionProtection: false` and apply (removing the tag), then remove the stream.
 */
export const TAG_DELETION_PROTECTION = 'meshgov:deletion-protection';
/** Value of `meshgov:managed-by` on everything meshgov manages. */
export const MANAGED_BY_VALUE = 'meshgov';
/** Kinesis allows at most 50 tags per stream or consumer. https://docs.aws.amazon.com/streams/latest/dev/tagging.html */
export const MAX_TAGS_PER_RESOURCE = 50;

/**
 * Whether a user-declared tag key is reserved: `meshgov:` (governance and ABAC grant tags) or `aws:`. Compared
 * case-insensitively because IAM matches tag keys in `aws:ResourceTag/<key>` conditions case-insensitively, so
 * `MeshGov:consume:...` would act as a grant tag.
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html#condition-keys-resourcetag
 */
export function isReservedTagKey(key: string): boolean {
  const k = caseFold(key.trim());
  return k.startsWith(TAG_PREFIX) || k.startsWith('aws:');
}

/**
 * A key or name as a case-insensitive comparison sees it. Folding through upper case first also maps letters whose
 * upper case is ASCII (U+017F long s -> S -> s), which plain `toLowerCase` keeps apart; Kinesis accepts any Unicode
 * letter in a tag key, so `meſhgov:` must count as `meshgov:`.
 */
export function caseFold(key: string): string {
  return key.toUpperCase().toLowerCase();
}

/** A key that IAM would take for a `meshgov:` key but that is not spelled exactly so: tag tampering. */
export function isCaseVariantGovernanceKey(key: string): boolean {
  return !key.startsWith(TAG_PREFIX) && caseFold(key).startsWith(TAG_PREFIX);
}

/** The fixed governance tag keys every managed stream carries. */
export const FIXED_GOVERNANCE_KEYS = [TAG_MANAGED_BY, TAG_MESH, TAG_DOMAIN, TAG_PRODUCT, TAG_CLASSIFICATION] as const;

/**
 * The ABAC grant tag key for a principal's access to a stream: `meshgov:produce:<account>:<role>` or
 * `meshgov:consume:<account>:<role>` (`<role>` is `root` for a whole account). The principal's identity policy
 * names its own key once, so a new grant only adds a stream tag and needs no IAM change.
 */
export function grantTagKey(grant: Pick<Grant, 'access' | 'principal'>): string {
  return `${TAG_PREFIX}${grant.access}:${grant.principal.account}:${grant.principal.role ?? WHOLE_ACCOUNT_ROLE}`;
}

/**
 * The `<role>` of a whole-account grant tag. Validation rejects a grantee role named `root` in any case
 * (`grant-role-reserved-name`), so the encoding cannot collide with a real role.
 */
export const WHOLE_ACCOUNT_ROLE = 'root';

/**
 * All tags a managed stream carries: mesh tags, the stream's own tags, governance tags and grant tags.
 * Pass `streamGrants` (the grants on this stream, e.g. from {@link grantsByStream}) when tagging many streams,
 * so the cost stays linear instead of scanning every grant of the mesh per stream.
 */
export function streamTags(
  mesh: Pick<Mesh, 'name' | 'tags' | 'grants'>,
  stream: Stream,
  streamGrants?: readonly Grant[],
): Record<string, string> {
  // Gathered in a Map and written to the object once, in key order: the keys differ per stream (one per grantee),
  // so an object built key by key and then copied sorted made two hidden-class chains per stream.
  return sortedRecord(streamTagEntries(mesh, stream, streamGrants));
}

/** {@link streamTags} as a Map, unsorted: its size is the tag count, without listing the object's keys. */
export function streamTagEntries(
  mesh: Pick<Mesh, 'name' | 'tags' | 'grants'>,
  stream: Stream,
  streamGrants?: readonly Grant[],
): Map<string, string> {
  const tags = new Map<string, string>();
  for (const k of Object.keys(mesh.tags)) tags.set(k, mesh.tags[k] as string);
  for (const k of Object.keys(stream.tags)) tags.set(k, stream.tags[k] as string);
  tags.set(TAG_MANAGED_BY, MANAGED_BY_VALUE);
  tags.set(TAG_MESH, mesh.name);
  tags.set(TAG_DOMAIN, stream.domain);
  tags.set(TAG_PRODUCT, stream.name);
  tags.set(TAG_CLASSIFICATION, stream.classification);
  if (stream.deletionProtection) tags.set(TAG_DELETION_PROTECTION, 'true');
  for (const g of streamGrants ?? mesh.grants) if (g.stream === stream.name) tags.set(grantTagKey(g), 'allow');
  return tags;
}

/** The entries as an object with its keys in sorted order (UTF-16 code unit order, as `Array.prototype.sort`). */
export function sortedRecord<T>(entries: ReadonlyMap<string, T>): Record<string, T> {
  const out = hashedObject<T>();
  for (const k of sortStrings([...entries.keys()])) out[k] = entries.get(k) as T;
  return out;
}

/** The number of tags `streamTags` would give the stream, without building them (the 50-tag check runs per stream). */
export function streamTagCount(
  mesh: Pick<Mesh, 'tags' | 'grants'>,
  stream: Stream,
  streamGrants?: readonly Grant[],
): number {
  const keys = new Set<string>(Object.keys(mesh.tags));
  for (const k of Object.keys(stream.tags)) keys.add(k);
  for (const k of FIXED_GOVERNANCE_KEYS) keys.add(k);
  if (stream.deletionProtection) keys.add(TAG_DELETION_PROTECTION);
  for (const g of streamGrants ?? mesh.grants) if (g.stream === stream.name) keys.add(grantTagKey(g));
  return keys.size;
}

/** Grants indexed by stream name, in declaration order. */
export function grantsByStream(grants: readonly Grant[]): Map<string, Grant[]> {
  const out = new Map<string, Grant[]>();
  for (const g of grants) {
    const list = out.get(g.stream);
    if (list) list.push(g);
    else out.set(g.stream, [g]);
  }
  return out;
}

/**
 * An empty plain object that stores its properties in a hash table. Tag objects have keys unique to their stream (one
 * per grantee); a plain `{}` given such keys one by one makes V8 create and keep a hidden class per new key (the
 * largest self time in a CPU profile of render on 10,000 streams; ~100 ms and ~9 MiB less this way). Render's ABAC
 * conditions, keyed by each role's own grant tag key, are built the same way. Deleting a property other than the last
 * is what moves an object
 * to hash-table ("dictionary") mode; it is still an ordinary object (same prototype, insertion-ordered keys, same
 * JSON). https://v8.dev/blog/fast-properties
 */
export function hashedObject<T>(): Record<string, T> {
  const o: Record<string, unknown> = { a: undefined, b: undefined };
  delete o['a'];
  delete o['b'];
  return o as Record<string, T>;
}
