/** What import tells the user (notes on stderr, TODO markers in the file) and the tags it can carry over. */
import { isReservedTagKey } from '../model/governance-tags.js';

/** The marker of every guess import writes into the mesh file. */
export const TODO = 'TODO(meshgov import)';

/** One thing the user should know about the import: printed on stderr. */
export interface ImportNote {
  severity: 'warning' | 'info';
  /** `<account>/stream/<name>`, a change id of the preview, or similar. */
  subject: string;
  message: string;
}

const TAG_KEY = /^[\p{L}\p{N}_.:/=+\-@]{1,128}$/u;
const TAG_VALUE = /^([\p{L}\p{N}_.:/=+\-@]([\p{L}\p{N} _.:/=+\-@]{0,254}[\p{L}\p{N}_.:/=+\-@])?)?$/u;

/**
 * The user tags of a live stream or consumer that the mesh can declare: reserved keys (`meshgov:`, `aws:`, in any
 * case) are never user tags; keys or values with characters meshgov's schema rejects are reported and left out.
 */
export function userTags(live: Record<string, string>, subject: string, notes: ImportNote[]): Record<string, string> {
  const tags: Record<string, string> = {};
  for (const [k, v] of Object.entries(live)) {
    if (isReservedTagKey(k)) continue;
    if (!TAG_KEY.test(k) || !TAG_VALUE.test(v)) {
      const message =
        `tag ${k}=${v} has characters meshgov does not accept in tags; not imported, ` + 'so apply will remove it';
      notes.push({ severity: 'warning', subject, message });
      continue;
    }
    tags[k] = v;
  }
  return tags;
}
