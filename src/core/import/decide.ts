/**
 * The decisions import makes for a stream meshgov has never seen: its domain (from tags) and its classification
 * (from a tag, else from what the live retention and encryption fit). Each decision says how it was made, so the
 * output can mark guesses with a TODO for the owning team.
 */
import { TAG_CLASSIFICATION, TAG_DOMAIN } from '../model/governance-tags.js';
import type { Classification } from '../model/types.js';
import type { LiveStream } from '../plan/live.js';
import { isAwsManagedKey } from '../model/normalise.js';

/** The domain that takes streams whose domain no tag names. */
export const IMPORT_DOMAIN = 'imported';
/** The classification import adds when no declared classification fits a stream. */
export const IMPORT_CLASSIFICATION = 'unclassified';
/** Tag keys that name a stream's domain, in order of preference (a `--domain-from-tag` key comes first). */
export const DEFAULT_DOMAIN_TAGS = [TAG_DOMAIN, 'domain'] as const;
const CLASSIFICATION_TAGS = [TAG_CLASSIFICATION, 'classification'];

const NAME = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/;

/** A tag value as a mesh name (lowercase, digits, dashes), or undefined when nothing usable is left. */
export function asName(value: string): string | undefined {
  const n = value
    .trim()
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, '-')
    .replace(/-+/g, '-')
    .replace(/^-|-$/g, '')
    .slice(0, 63)
    .replace(/-$/, '');
  return NAME.test(n) ? n : undefined;
}

export interface DomainDecision {
  domain: string;
  /** The tag the domain came from; undefined when no tag named one (the stream goes to IMPORT_DOMAIN). */
  fromTag?: string;
}

export function decideDomain(tags: Record<string, string>, tagKeys: readonly string[]): DomainDecision {
  for (const key of tagKeys) {
    const v = tags[key];
    if (v === undefined) continue;
    const name = asName(v);
    if (name) return { domain: name, fromTag: key };
  }
  return { domain: IMPORT_DOMAIN };
}

/** What encryption the live stream has, in the terms classifications use. */
export function encryptionLevel(enc: LiveStream['encryption']): Classification['encryption'] {
  if (enc.type === 'NONE') return 'none';
  return isAwsManagedKey(enc.keyId) ? 'aws-managed' : 'customer-managed';
}

const RANK: Record<Classification['encryption'], number> = { none: 0, 'aws-managed': 1, 'customer-managed': 2 };

/** True when a stream with this retention and encryption satisfies the classification's bounds and requirement. */
export function fits(
  c: Pick<Classification, 'minRetentionHours' | 'maxRetentionHours' | 'encryption'>,
  s: Pick<LiveStream, 'retentionHours' | 'encryption'>,
): boolean {
  return (
    s.retentionHours >= c.minRetentionHours &&
    s.retentionHours <= c.maxRetentionHours &&
    RANK[encryptionLevel(s.encryption)] >= RANK[c.encryption]
  );
}

export interface ClassificationDecision {
  /** A declared classification, or IMPORT_CLASSIFICATION (then `addClassification` is true). */
  classification: string;
  how: 'tag' | 'fit' | 'none-fits';
  /** Human explanation for the TODO comment. */
  note: string;
}

/**
 * A classification for the stream: the one a classification tag names when it fits; else, among the declared
 * classifications it fits, the least sensitive one whose encryption requirement equals what the stream has (an
 * unencrypted stream cannot be more than `none` allows; a customer-managed key suggests confidential data), else
 * the most sensitive one it fits; else none fits and the caller adds IMPORT_CLASSIFICATION.
 */
export function decideClassification(
  classifications: readonly Classification[],
  s: Pick<LiveStream, 'retentionHours' | 'encryption' | 'tags'>,
): ClassificationDecision {
  const enc = encryptionLevel(s.encryption);
  for (const key of CLASSIFICATION_TAGS) {
    const v = s.tags[key];
    const c = v === undefined ? undefined : classifications.find((x) => x.name === asName(v));
    if (c && fits(c, s)) return { classification: c.name, how: 'tag', note: `from tag ${key}` };
  }
  const fitting = classifications.filter((c) => fits(c, s));
  const exact = fitting.filter((c) => c.encryption === enc).sort((a, b) => a.level - b.level);
  const pick = exact[0] ?? [...fitting].sort((a, b) => b.level - a.level)[0];
  const facts = `retention ${s.retentionHours} h, encryption ${enc}`;
  if (pick) return { classification: pick.name, how: 'fit', note: `chosen because it fits the live ${facts}` };
  return {
    classification: IMPORT_CLASSIFICATION,
    how: 'none-fits',
    note: `no declared classification fits the live ${facts}`,
  };
}
