/** Canonical JSON: the same data always gives the same bytes, whatever the key order. */
import { isPlainObject } from './plain-object.js';

/** JSON with object keys sorted recursively; `undefined` members are dropped like JSON.stringify does. */
export function canonicalJson(value: unknown): string {
  // Most values handed here (filter patterns written with one key per level, policy conditions) already have their
  // keys in order: serialised as they are, without the sorted copy (render serialises every filter pattern).
  if (inCanonicalOrder(value)) return JSON.stringify(value);
  // The rest (a live state's fingerprint, policies read back from AWS) is written out in sorted order directly,
  // without the copy; what the writer leaves (an own toJSON method, a BigInt) takes the copy.
  const out: string[] = [];
  return writeSorted(value, out) ? out.join('') : JSON.stringify(sortDeep(value));
}

/** An array index as a property key: enumerated before every other key, in numeric order. */
const ARRAY_INDEX = /^(?:0|[1-9]\d*)$/;
const isArrayIndex = (k: string) => {
  const c = k.charCodeAt(0);
  return c >= 48 && c <= 57 && ARRAY_INDEX.test(k) && Number(k) < 4294967295;
};

/**
 * Append `JSON.stringify(sortDeep(value))` to `out` (for an object or array `value`), without the copy; false when
 * the value holds what only JSON.stringify itself handles as the copy would (an own `toJSON` method, a BigInt).
 * Objects of any kind give their own enumerable keys, as the copy does: sorted, except that array-index keys come
 * first in numeric order (the copy enumerates them so); undefined members are dropped, functions and symbols too.
 */
function writeSorted(value: unknown, out: string[]): boolean {
  switch (typeof value) {
    case 'string':
    case 'number':
      out.push(JSON.stringify(value));
      return true;
    case 'boolean':
      out.push(value ? 'true' : 'false');
      return true;
    case 'object':
      break;
    default:
      return false; // undefined, functions and symbols are written by the caller; a BigInt is left to the copy
  }
  if (value === null) {
    out.push('null');
    return true;
  }
  if (Array.isArray(value)) {
    out.push('[');
    for (let i = 0; i < value.length; i++) {
      if (i > 0) out.push(',');
      const v: unknown = value[i];
      if (v === undefined || typeof v === 'function' || typeof v === 'symbol') out.push('null');
      else if (!writeSorted(v, out)) return false;
    }
    out.push(']');
    return true;
  }
  const o = value as Record<string, unknown>;
  if (Object.hasOwn(o, 'toJSON') && typeof o['toJSON'] === 'function') return false;
  const keys = Object.keys(o).sort();
  const indexes = keys.filter(isArrayIndex);
  const ordered =
    indexes.length === 0
      ? keys
      : [...indexes.sort((a, b) => Number(a) - Number(b)), ...keys.filter((k) => !isArrayIndex(k))];
  out.push('{');
  let first = true;
  for (const k of ordered) {
    const v = o[k];
    if (v === undefined || typeof v === 'function' || typeof v === 'symbol') continue;
    out.push(first ? '' : ',', JSON.stringify(k), ':');
    first = false;
    if (!writeSorted(v, out)) return false;
  }
  out.push('}');
  return true;
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
  if (!isPlainObject(value)) return false;
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
