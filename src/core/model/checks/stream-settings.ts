import type { Diagnostic } from '../../diagnostics/diagnostic.js';
import type { Grant } from '../types.js';
import {
  FIXED_GOVERNANCE_KEYS,
  grantsByStream,
  isReservedTagKey,
  MAX_TAGS_PER_RESOURCE,
  streamTagCount,
  TAG_PREFIX,
} from '../governance-tags.js';
import { readsThroughConsumer } from '../grant-consumer.js';
import type { CheckContext } from './context.js';

/** Kinesis allows at most 20 enhanced fan-out consumers per stream. https://docs.aws.amazon.com/streams/latest/dev/service-sizes-and-limits.html */
export const MAX_EFO_CONSUMERS = 20;

/** The governance tags a stream can carry besides its grant tags: the fixed keys and deletion protection. */
const GOVERNANCE_KEY_COUNT = FIXED_GOVERNANCE_KEYS.length + 1;
const NO_GRANTS: readonly Grant[] = [];

/** Capacity, retention against the classification, encryption region, reserved and too many tags, EFO limit. */
export function checkStreamSettings(ctx: CheckContext): Diagnostic[] {
  const { mesh, locator } = ctx;
  const out: Diagnostic[] = [];
  for (const c of mesh.classifications) {
    if (c.minRetentionHours > c.maxRetentionHours) {
      out.push(
        locator.at(
          c.at,
          ['retention'],
          'classification-retention-range',
          'error',
          `Classification \`${c.name}\` has minHours ${c.minRetentionHours} above maxHours ${c.maxRetentionHours}; make minHours <= maxHours.`,
        ),
      );
    }
  }
  const classes = new Map(mesh.classifications.map((c) => [c.name, c]));
  const byStream = grantsByStream(mesh.grants);
  const meshTagCount = Object.keys(mesh.tags).length;
  for (const s of mesh.streams) {
    const cap = s.capacity;
    if (cap.autoscaling) {
      const { min, max } = cap.autoscaling;
      if (min > max) {
        out.push(
          locator.at(
            s.at,
            ['capacity', 'autoscaling'],
            'capacity-autoscaling-range',
            'error',
            `Stream \`${s.name}\`: autoscaling min ${min} is above max ${max}; make min <= max.`,
          ),
        );
      } else if (cap.shards !== undefined && (cap.shards < min || cap.shards > max)) {
        out.push(
          locator.at(
            s.at,
            ['capacity', 'shards'],
            'capacity-shards-outside-range',
            'error',
            `Stream \`${s.name}\` declares ${cap.shards} shards, outside its autoscaling range ${min}..${max}; set shards within the range.`,
          ),
        );
      }
    }
    const cl = classes.get(s.classification);
    if (cl && (s.retentionHours < cl.minRetentionHours || s.retentionHours > cl.maxRetentionHours)) {
      out.push(
        locator.at(
          s.at,
          ['retentionHours'],
          'retention-outside-classification',
          'error',
          `Stream \`${s.name}\` keeps data ${s.retentionHours} h; classification \`${cl.name}\` requires ${cl.minRetentionHours}..${cl.maxRetentionHours} h.`,
        ),
      );
    }
    const key = s.encryption.keyId;
    const m = key ? /^arn:([a-z-]+):kms:([a-z0-9-]+):/.exec(key) : null;
    if (m && (m[2] !== mesh.region || m[1] !== mesh.partition)) {
      out.push(
        locator.at(
          s.at,
          ['encryption', 'keyId'],
          'encryption-key-region',
          'error',
          `Stream \`${s.name}\` uses a KMS key in ${m[2]}; Kinesis needs a key in the stream's region ${mesh.region}; use a key or alias from ${mesh.region}.`,
        ),
      );
    }
    for (const k of Object.keys(s.tags)) {
      if (isReservedTagKey(k)) {
        out.push(
          locator.atKey(
            s.at,
            ['tags', k],
            'tag-reserved-key',
            'error',
            `Stream \`${s.name}\` sets tag \`${k}\`; keys starting with \`${TAG_PREFIX}\` or \`aws:\` are reserved for governance (in any case). Rename the tag.`,
          ),
        );
      }
    }
    const onStream = byStream.get(s.name) ?? NO_GRANTS;
    // Counting builds every grant tag key; most streams are far below the limit even counting every key separately.
    const atMost = meshTagCount + Object.keys(s.tags).length + GOVERNANCE_KEY_COUNT + onStream.length;
    const total = atMost > MAX_TAGS_PER_RESOURCE ? streamTagCount(mesh, s, onStream) : 0;
    if (total > MAX_TAGS_PER_RESOURCE) {
      out.push(
        locator.at(
          s.at,
          ['name'],
          'stream-too-many-tags',
          'error',
          `Stream \`${s.name}\` would carry ${total} tags (its own, the mesh's, the governance tags and one per grantee); Kinesis allows ${MAX_TAGS_PER_RESOURCE}. Remove user tags or consolidate grants (grant a whole account instead of many roles).`,
        ),
      );
    }
    const efo = onStream.length > MAX_EFO_CONSUMERS ? onStream.filter(readsThroughConsumer) : NO_GRANTS;
    if (efo.length > MAX_EFO_CONSUMERS) {
      const extra = efo[MAX_EFO_CONSUMERS];
      if (extra) {
        out.push(
          locator.at(
            extra.at,
            ['consumer'],
            'efo-consumer-limit',
            'error',
            `Stream \`${s.name}\` has ${efo.length} enhanced fan-out consumers; Kinesis allows ${MAX_EFO_CONSUMERS} per stream. Move some consumers to polling (pattern replay, or a filtered grant without a consumer).`,
          ),
        );
      }
    }
  }
  for (const g of mesh.grants) {
    for (const k of Object.keys(g.consumerTags ?? {})) {
      if (isReservedTagKey(k)) {
        out.push(
          locator.atKey(
            g.at,
            ['consumerTags', k],
            'tag-reserved-key',
            'error',
            `Grant \`${g.id}\` sets consumer tag \`${k}\`; keys starting with \`${TAG_PREFIX}\` or \`aws:\` are ` +
              'reserved for governance (in any case). Rename the tag.',
          ),
        );
      }
    }
  }
  for (const k of Object.keys(mesh.tags)) {
    if (isReservedTagKey(k)) {
      out.push(
        locator.atKey(
          mesh.at,
          ['mesh', 'tags', k],
          'tag-reserved-key',
          'error',
          `Mesh tag \`${k}\` uses a reserved prefix (\`${TAG_PREFIX}\` or \`aws:\`, in any case). Rename the tag.`,
        ),
      );
    }
  }
  return out;
}
