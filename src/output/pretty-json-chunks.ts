/**
 * `JSON.stringify(value, null, 2)` plus a trailing newline, the same bytes, handed out as a sequence of chunks of
 * whole lines (about `chunkChars` each) instead of one string. A large document (`render --format json` of a
 * 10,000-stream mesh is ~90 MB) is then never held in memory whole, nor twice while it is written and redacted.
 *
 * Containers are opened down to `SPLIT_DEPTH` levels (the document, its accounts, each account's lists, their
 * entries); anything deeper, or anything that is not a plain object or array (a value with `toJSON`), is printed
 * by `JSON.stringify` itself and re-indented. JSON strings hold no raw line breaks, so re-indenting after each
 * `\n` cannot change a value. Meant for plain data (the desired state): a `toJSON` method is called with an empty
 * key, and what JSON.stringify refuses (a BigInt, a cycle) throws once the chunks before it are handed out.
 */

import { isPlainObject } from '../core/plain-object.js';

const SPLIT_DEPTH = 4;
const DEFAULT_CHUNK_CHARS = 1 << 20;

function isContainer(v: unknown): v is Record<string, unknown> | unknown[] {
  if (v === null || typeof v !== 'object') return false;
  if (typeof (v as { toJSON?: unknown }).toJSON === 'function') return false;
  return Array.isArray(v) || isPlainObject(v);
}

/** `JSON.stringify(v, null, 2)` of a leaf, each line after the first indented by `pad`; undefined when omitted. */
function leaf(v: unknown, pad: string): string | undefined {
  const s = JSON.stringify(v, null, 2) as string | undefined;
  if (s === undefined) return undefined;
  return pad === '' || !s.includes('\n') ? s : s.split('\n').join(`\n${pad}`);
}

/** Lines of `value` printed at `pad` after `prefix` (`"key": ` or nothing), ending in `suffix` and a newline. */
function* pieces(value: unknown, prefix: string, pad: string, suffix: string, depth: number): Generator<string> {
  if (depth >= SPLIT_DEPTH || !isContainer(value)) {
    yield `${pad}${prefix}${leaf(value, pad) ?? 'null'}${suffix}\n`;
    return;
  }
  const inner = `${pad}  `;
  if (Array.isArray(value)) {
    if (value.length === 0) {
      yield `${pad}${prefix}[]${suffix}\n`;
      return;
    }
    yield `${pad}${prefix}[\n`;
    for (let i = 0; i < value.length; i++)
      // In an array, what JSON.stringify omits from an object (undefined, a function) prints as null.
      yield* pieces(value[i], '', inner, i < value.length - 1 ? ',' : '', depth + 1);
    yield `${pad}]${suffix}\n`;
    return;
  }
  // The keys JSON.stringify prints (it leaves out undefined, functions and symbols), each member read once (a getter
  // is not asked twice) and each leaf printed once.
  const printed: [key: string, text: string | undefined, member: unknown][] = [];
  for (const key of Object.keys(value)) {
    const v = value[key];
    if (depth + 1 < SPLIT_DEPTH && isContainer(v)) printed.push([key, undefined, v]);
    else {
      const text = leaf(v, inner);
      if (text !== undefined) printed.push([key, text, v]);
    }
  }
  if (printed.length === 0) {
    yield `${pad}${prefix}{}${suffix}\n`;
    return;
  }
  yield `${pad}${prefix}{\n`;
  for (let i = 0; i < printed.length; i++) {
    const [key, text, member] = printed[i] as [string, string | undefined, unknown];
    const name = `${JSON.stringify(key)}: `;
    const comma = i < printed.length - 1 ? ',' : '';
    if (text === undefined) yield* pieces(member, name, inner, comma, depth + 1);
    else yield `${inner}${name}${text}${comma}\n`;
  }
  yield `${pad}}${suffix}\n`;
}

/**
 * The pretty JSON of `value` with a trailing newline, in chunks of whole lines of about `chunkChars` characters
 * (joined, exactly `JSON.stringify(value, null, 2) + '\n'`).
 */
export function* prettyJsonChunks(value: unknown, chunkChars = DEFAULT_CHUNK_CHARS): Generator<string> {
  let batch: string[] = [];
  let size = 0;
  for (const piece of pieces(value, '', '', '', 0)) {
    batch.push(piece);
    size += piece.length;
    if (size >= chunkChars) {
      yield batch.join('');
      batch = [];
      size = 0;
    }
  }
  if (batch.length > 0) yield batch.join('');
}
