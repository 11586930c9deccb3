/** Canonical JSON: the same data always gives the same bytes, whatever the key order. */
import { isPlainObject } from './plain-object.js';

/** JSON with object keys sorted recursively; `undefined` members are dropped like JSON.stringify does. */
export function canonicalJson(value: unknown): string {
  // Serialised by JSON.stringify itself (native, and ~20x faster than writing it out in JavaScript) from a value in
  // canonical key order: the value itself when its keys are already in order (filter patterns written with one key
  // per level, policy conditions), otherwise a copy of the objects that are not, sharing every part that is (a live
  // state's fingerprint: its streams and policies are in the order they were read, their tags are sorted). What only
  // JSON.stringify handles (an own `toJSON` method, a class instance) takes the full sorted copy.
  const shaped = inKeyOrder(value);
  return JSON.stringify(shaped === NEEDS_FULL_COPY ? sortDeep(value) : shaped);
}

const NEEDS_FULL_COPY: unique symbol = Symbol('needs the full sorted copy');

/**
 * `value` with every object's keys in sorted order: the same reference where they already are, all the way down,
 * else a copy of the parts that are not, as {@link sortDeep} would make them. NEEDS_FULL_COPY for a `toJSON` method
 * or an object that is neither plain nor an array.
 */
function inKeyOrder(value: unknown): unknown {
  if (value === null || typeof value !== 'object') return value;
  if (typeof (value as { toJSON?: unknown }).toJSON === 'function') return NEEDS_FULL_COPY;
  if (Array.isArray(value)) {
    let copy: unknown[] | undefined;
    for (let i = 0; i < value.length; i++) {
      const v: unknown = value[i];
      const shaped = inKeyOrder(v);
      if (shaped === NEEDS_FULL_COPY) return NEEDS_FULL_COPY;
      if (shaped !== v) (copy ??= value.slice())[i] = shaped;
    }
    return copy ?? value;
  }
  if (!isPlainObject(value)) return NEEDS_FULL_COPY;
  const o = value as Record<string, unknown>;
  const keys = Object.keys(o);
  // Integer-like keys enumerate first, in numeric order: `{"9":…,"10":…}` is not sorted and is copied.
  let sorted = true;
  for (let i = 1; i < keys.length && sorted; i++) sorted = (keys[i - 1] as string) < (keys[i] as string);
  // Each member read once here, so a copy holds what was checked. A part returned as it is is read again by
  // JSON.stringify: a getter that answers differently each time can come out unsorted. Canonical JSON is for data
  // (parsed JSON, rendered documents), where there are no getters.
  const values: unknown[] = [];
  let changed = false;
  for (const k of keys) {
    const v = o[k];
    const shaped = inKeyOrder(v);
    if (shaped === NEEDS_FULL_COPY) return NEEDS_FULL_COPY;
    values.push(shaped);
    if (shaped !== v) changed = true;
  }
  if (sorted && !changed) return value;
  const byKey = sorted ? undefined : new Map(keys.map((k, i) => [k, values[i]]));
  const out: Record<string, unknown> = {};
  for (const [i, k] of (sorted ? keys : [...keys].sort()).entries()) {
    const v = byKey === undefined ? values[i] : byKey.get(k);
    if (v === undefined) continue;
    // `out['__proto__'] = v` would set the prototype and drop the key (hostile input must not vanish).
    if (k === '__proto__') Object.defineProperty(out, k, { value: v, enumerable: true, writable: true });
    else out[k] = v;
  }
  return out;
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
