/**
 * Tags of managed streams and enhanced fan-out consumers. Stream tags come from the model's governance-tag
 * scheme (governance-tags.ts) over the grants in force; consumer tags carry the grant's own consumer tags, the
 * governance tags and the grant tag of the grant that declares the consumer, because EFO reads are authorized
 * against the consumer's tags.
 */
import {
  MANAGED_BY_VALUE,
  TAG_CLASSIFICATION,
  TAG_DOMAIN,
  TAG_MANAGED_BY,
  TAG_MESH,
  TAG_PRODUCT,
  grantTagKey,
  sortedRecord,
  streamTagEntries,
} from '../model/governance-tags.js';
import type { Grant, Mesh, Stream } from '../model/types.js';

/** Tags of a managed stream; `streamGrants` are the grants in force on this stream. Keys sorted. */
export function desiredStreamTags(
  mesh: Pick<Mesh, 'name' | 'tags'>,
  stream: Stream,
  streamGrants: readonly Grant[],
): Record<string, string> {
  return sortedRecord(desiredStreamTagEntries(mesh, stream, streamGrants));
}

/** {@link desiredStreamTags} as a Map, unsorted (render counts them against the limit, then sorts them). */
export function desiredStreamTagEntries(
  mesh: Pick<Mesh, 'name' | 'tags'>,
  stream: Stream,
  streamGrants: readonly Grant[],
): Map<string, string> {
  return streamTagEntries({ name: mesh.name, tags: mesh.tags, grants: [] }, stream, streamGrants);
}

/**
 * Tags an EFO consumer is registered with: the mesh tags, the grant's own `consumerTags` (which win over mesh tags,
 * as a stream's tags do), then the governance tags and the grant tag, which nothing overrides. Keys sorted.
 */
export function consumerTags(mesh: Pick<Mesh, 'name' | 'tags'>, stream: Stream, grant: Grant): Record<string, string> {
  return sortedRecord(consumerTagEntries(mesh, stream, grant));
}

/** {@link consumerTags} as a Map, unsorted (render counts them against the limit, then sorts them). */
export function consumerTagEntries(
  mesh: Pick<Mesh, 'name' | 'tags'>,
  stream: Stream,
  grant: Grant,
): Map<string, string> {
  const tags = new Map<string, string>();
  for (const k of Object.keys(mesh.tags)) tags.set(k, mesh.tags[k] as string);
  const own = grant.consumerTags ?? {};
  for (const k of Object.keys(own)) tags.set(k, own[k] as string);
  tags.set(TAG_MANAGED_BY, MANAGED_BY_VALUE);
  tags.set(TAG_MESH, mesh.name);
  tags.set(TAG_DOMAIN, stream.domain);
  tags.set(TAG_PRODUCT, stream.name);
  tags.set(TAG_CLASSIFICATION, stream.classification);
  tags.set(grantTagKey(grant), 'allow');
  return tags;
}
