/** Canonical JSON and hashing: the same data always gives the same bytes, whatever the key order. */
import { createHash } from 'node:crypto';

/** JSON with object keys sorted recursively; `undefined` members are dropped like JSON.stringify does. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(sortDeep(value));
}

function sortDeep(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortDeep);
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(value).sort()) {
      const v = (value as Record<string, unknown>)[k];
      if (v !== undefined) out[k] = sortDeep(v);
    }
    return out;
  }
  return value;
}

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
