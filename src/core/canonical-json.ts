/** Canonical JSON: the same data always gives the same bytes, whatever the key order. */

/** JSON with object keys sorted recursively; `undefined` members are dropped like JSON.stringify does. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(sortDeep(value));
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
