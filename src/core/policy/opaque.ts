/** Untrusted JSON values: own-member access and a canonical, depth-limited serialisation that never throws. */

/** Deeper than this, a value is replaced by a marker (IAM documents nest four levels; only garbage goes deeper). */
export const MAX_DEPTH = 32;

export type JsonObject = { readonly [key: string]: unknown };

export function isObject(v: unknown): v is JsonObject {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

/** Own members only: a key such as `__proto__` or `constructor` is data, never the prototype's. */
export function members(o: JsonObject): [string, unknown][] {
  return Object.keys(o).map((k) => [k, Object.getOwnPropertyDescriptor(o, k)?.value]);
}

export function member(o: JsonObject, key: string): unknown {
  return Object.hasOwn(o, key) ? Object.getOwnPropertyDescriptor(o, key)?.value : undefined;
}

export function has(o: JsonObject, key: string): boolean {
  return Object.hasOwn(o, key);
}

/**
 * Canonical JSON of any value: object keys sorted, depth limited to `MAX_DEPTH` (deeper parts become
 * `"<too deep>"`), values JSON cannot hold written as markers. Cycles end at the depth limit.
 */
export function opaqueJson(value: unknown, depth = 0): string {
  if (depth > MAX_DEPTH) return '"<too deep>"';
  if (value === null) return 'null';
  switch (typeof value) {
    case 'string':
      return JSON.stringify(value);
    case 'number':
      return Number.isFinite(value) ? JSON.stringify(value) : 'null';
    case 'boolean':
      return value ? 'true' : 'false';
    case 'object':
      break;
    default:
      return JSON.stringify(`<${typeof value}>`);
  }
  if (Array.isArray(value)) return `[${Array.from(value, (v) => opaqueJson(v, depth + 1)).join(',')}]`;
  const o = value as JsonObject;
  const parts = members(o)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([k, v]) => `${JSON.stringify(k)}:${opaqueJson(v, depth + 1)}`);
  return `{${parts.join(',')}}`;
}

/** A short, printable rendering of a value for a diagnostic message. */
export function show(value: unknown): string {
  const text = opaqueJson(value, MAX_DEPTH - 2);
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}
