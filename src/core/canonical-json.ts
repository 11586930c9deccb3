/** Canonical JSON: the same data always gives the same bytes, whatever the key order. */

/** JSON with object keys sorted recursively; `undefined` members are dropped like JSON.stringify does. */
export function canonicalJson(value: unknown): string {
  // Most values handed here (filter patterns written with one key per level, policy conditions) already have their
  // keys in order: serialised as they are, without the sorted copy (render serialises every filter pattern).
  return JSON.stringify(inCanonicalOrder(value) ? value : sortDeep(value));
}

/**
 * Whether `JSON.stringify(value)` already gives the canonical bytes: only arrays and plain (or null-prototype) objects
 * without `toJSON`, each object's keys enumerated in sorted order. Anything else (a Date, a class instance, a
 * `toJSON`) takes the sorted copy, which serialises it as before (own enumerable keys only).
 */
function inCanonicalOrder(value: unknown): boolean {
  if (value === null || typeof value !== 'object') return true;
  if (typeof (value as { toJSON?: unknown }).toJSON === 'function') return false;
  if (Array.isArray(value)) return value.every(inCanonicalOrder);
  const proto: unknown = Object.getPrototypeOf(value);
  if (proto !== Object.prototype && proto !== null) return false;
  const keys = Object.keys(value);
  for (let i = 0; i < keys.length; i++) {
    // Integer-like keys enumerate first, in numeric order: `{"9":…,"10":…}` is not sorted and takes the copy.
    if (i > 0 && !((keys[i - 1] as string) < (keys[i] as string))) return false;
    if (!inCanonicalOrder((value as Record<string, unknown>)[keys[i] as string])) return false;
  }
  return true;
}

function sortDeep(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortDeep);
  if (value !== null && typeof value === 'object') {
    // A null-prototype object and defineProperty: `out['__proto__'] = v` on a plain object would set the
    // prototype and drop the key (a filter pattern may name a `__proto__` field; hostile input must not vanish).
    const out: Record<string, unknown> = Object.create(null) as Record<string, unknown>;
    for (const k of Object.keys(value).sort()) {
      const v = (value as Record<string, unknown>)[k];
      if (v !== undefined) Object.defineProperty(out, k, { value: sortDeep(v), enumerable: true, writable: true });
    }
    return out;
  }
  return value;
}
