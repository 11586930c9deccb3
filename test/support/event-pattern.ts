/**
 * A small EventBridge event-pattern matcher for tests (the semantics of `aws events test-event-pattern`), written
 * from the EventBridge User Guide, independently of the code that renders patterns:
 * - https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-create-pattern.html : every field the pattern names
 *   must be in the event, with the same nesting; fields the pattern does not name are ignored; matching is exact
 *   and case-sensitive.
 * - https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-event-patterns-arrays.html : a pattern field is an
 *   array of alternatives; when the event's value is an array, the pattern matches if any element matches.
 * - https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-create-pattern-operators.html : prefix, suffix,
 *   equals-ignore-case, anything-but (value, list, prefix, suffix, equals-ignore-case), numeric, exists (leaf nodes
 *   only), wildcard, $or.
 * Unsupported operators (cidr) throw, so a test never passes by silently ignoring one.
 */

type Json = string | number | boolean | null | Json[] | { [k: string]: Json };
type Obj = { [k: string]: Json };

const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

/** True when `event` matches `pattern`. */
export function matchesPattern(pattern: unknown, event: unknown): boolean {
  if (!isObj(pattern)) throw new Error('an event pattern is a JSON object');
  return matchObject(pattern, isObj(event) ? event : {});
}

function matchObject(pattern: Obj, event: Obj): boolean {
  for (const [key, p] of Object.entries(pattern)) {
    if (key === '$or') {
      if (!Array.isArray(p)) throw new Error('$or takes an array of patterns');
      if (!p.some((alt) => isObj(alt) && matchObject(alt, event))) return false;
      continue;
    }
    const has = Object.prototype.hasOwnProperty.call(event, key);
    const value = has ? event[key] : undefined;
    if (Array.isArray(p)) {
      if (!matchLeaf(p, has, value)) return false;
    } else if (isObj(p)) {
      // A nested pattern: the event's object (or any object in an array); a missing object matches only patterns
      // that accept missing fields (exists: false).
      const candidates = isObj(value) ? [value] : Array.isArray(value) ? value.filter(isObj) : [{}];
      if (value !== undefined && !isObj(value) && !Array.isArray(value)) return false;
      if (!candidates.some((c) => matchObject(p, c))) return false;
    } else {
      throw new Error(`pattern field ${key}: expected an array or an object`);
    }
  }
  return true;
}

function matchLeaf(alternatives: Json[], has: boolean, value: Json | undefined): boolean {
  return alternatives.some((m) => {
    if (isObj(m) && 'exists' in m) {
      // Exists matching only works on leaf nodes.
      const leaf = has && !isObj(value);
      return m['exists'] === true ? leaf : !has;
    }
    if (!has) return false;
    const values = Array.isArray(value) ? value : [value as Json];
    return values.some((v) => matchValue(m, v));
  });
}

function matchValue(m: Json, v: Json): boolean {
  if (!isObj(m)) {
    if (Array.isArray(m)) throw new Error('a pattern value cannot be a nested array');
    return m === v;
  }
  const [op, arg, ...rest] = Object.entries(m).flat() as [string, Json, ...Json[]];
  if (rest.length > 0) throw new Error(`one operator per matcher: ${JSON.stringify(m)}`);
  switch (op) {
    case 'prefix':
      return typeof v === 'string' && stringOp(arg, v, (a, b) => a.startsWith(b));
    case 'suffix':
      return typeof v === 'string' && stringOp(arg, v, (a, b) => a.endsWith(b));
    case 'equals-ignore-case':
      return typeof v === 'string' && typeof arg === 'string' && v.toLowerCase() === arg.toLowerCase();
    case 'wildcard':
      return typeof v === 'string' && typeof arg === 'string' && wildcard(arg).test(v);
    case 'anything-but':
      return anythingBut(arg, v);
    case 'numeric':
      return typeof v === 'number' && numeric(arg, v);
    default:
      throw new Error(`the test matcher does not implement ${op}`);
  }
}

/** `prefix`/`suffix` take a string or `{equals-ignore-case: string}`. */
function stringOp(arg: Json, v: string, f: (a: string, b: string) => boolean): boolean {
  if (typeof arg === 'string') return f(v, arg);
  if (isObj(arg) && typeof arg['equals-ignore-case'] === 'string')
    return f(v.toLowerCase(), arg['equals-ignore-case'].toLowerCase());
  throw new Error(`bad prefix/suffix argument ${JSON.stringify(arg)}`);
}

function anythingBut(arg: Json, v: Json): boolean {
  if (Array.isArray(arg)) return !arg.includes(v);
  if (isObj(arg)) return !matchValue(arg, v);
  return arg !== v;
}

function numeric(arg: Json, v: number): boolean {
  if (!Array.isArray(arg) || arg.length % 2 !== 0) throw new Error('numeric takes [op, n, (op, n)]');
  for (let i = 0; i < arg.length; i += 2) {
    const [op, n] = [arg[i], arg[i + 1] as number];
    const ok =
      op === '=' ? v === n : op === '>' ? v > n : op === '>=' ? v >= n : op === '<' ? v < n : op === '<=' && v <= n;
    if (!ok) return false;
  }
  return true;
}

function wildcard(p: string): RegExp {
  return new RegExp(
    `^${p
      .split('*')
      .map((s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))
      .join('.*')}$`,
    's',
  );
}
