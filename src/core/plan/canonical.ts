/** Canonical JSON and hashing: the same data always gives the same bytes, whatever the key order. */
import { createHash } from 'node:crypto';
import { canonicalJson } from '../canonical-json.js';

export { canonicalJson };

export function sha256Hex(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

/**
 * Digest of the mesh sources: root first, then includes, each as name and text, so renaming or editing any
 * file changes it. The caller reads the files; the core only hashes.
 */
export function meshDigest(sources: readonly { file: string; text: string }[]): string {
  const h = createHash('sha256');
  for (const s of sources) {
    h.update(`${s.file}\u0000${s.text.length}\u0000`, 'utf8');
    h.update(s.text, 'utf8');
  }
  return h.digest('hex');
}

/** Two values are equal as JSON (key order ignored). */
export function jsonEqual(a: unknown, b: unknown): boolean {
  return canonicalJson(a) === canonicalJson(b);
}
