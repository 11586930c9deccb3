/**
 * Cheap, linear checks that run before the YAML parser sees hostile input: nesting depth, binary content,
 * comment-only files. Each returns an offset into the text so the diagnostic points at the offending place.
 */
import type { Range } from '../diagnostics/diagnostic.js';

/** Deepest nesting accepted; mesh.yaml needs about 10 levels. Deeper input is hostile or broken. */
export const MAX_DEPTH = 64;

/**
 * Most lines plus commas one file may have: an upper bound on its YAML nodes. The yaml parser needs roughly
 * 1 KiB of memory per node and slows down super-linearly on huge inputs (4 MiB of `- x` lines take ~9 s and
 * 1 GB), so a file of millions of tiny items could exhaust the heap and crash. 600,000 allows about 20,000
 * streams in one file (the 5,000-stream benchmark mesh has ~140,000); bigger meshes split with `include:`.
 */
export const MAX_ITEMS = 600_000;

/** Occurrences of `c` in the text: `indexOf` scans natively, several times faster than a loop over characters. */
function occurrences(text: string, c: string): number {
  let n = 0;
  for (let i = text.indexOf(c); i >= 0; i = text.indexOf(c, i + 1)) n++;
  return n;
}

/** Lines plus commas in the text (the measure MAX_ITEMS limits). */
export function countItems(text: string): number {
  return occurrences(text, '\n') + occurrences(text, ',');
}

/** Offset where the count of lines plus commas first exceeds `limit`, or -1. Linear in the text. */
export function findTooManyItems(text: string, limit: number = MAX_ITEMS): number {
  // Counted first (cheap); only a text over the limit is walked character by character to find where it passes it.
  if (countItems(text) <= limit) return -1;
  let count = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if ((c === 10 || c === 44) && ++count > limit) return i;
  }
  return -1;
}

/** Where nesting first goes deeper than MAX_DEPTH (offset into the text), and how deep it went there. */
interface TooDeep {
  offset: number;
  depth: number;
}

/**
 * A cheap upper bound on nesting, checked before the recursive parser and composer see hostile input:
 * flow nesting (`[` and `{`) and block nesting by indentation (2 columns per level at best).
 * Returns the first place where the bound exceeds MAX_DEPTH, or undefined. Linear in the text.
 */
export function findTooDeep(text: string): TooDeep | undefined {
  let depth = 0;
  let inQuote: string | null = null;
  let lineStart = true;
  let indent = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '\n') {
      inQuote = null;
      lineStart = true;
      indent = 0;
      continue;
    }
    if (lineStart) {
      // Leading spaces and compact sequence indicators (`- - - x`) both nest block collections.
      if (c === ' ' || (c === '-' && (text[i + 1] === ' ' || text[i + 1] === '\n'))) {
        indent++;
        continue;
      }
      lineStart = false;
      if (c !== '\r' && c !== '#' && Math.floor(indent / 2) > MAX_DEPTH)
        return { offset: i, depth: Math.floor(indent / 2) };
    }
    if (inQuote) {
      if (c === inQuote) inQuote = null;
      continue;
    }
    const prev = text[i - 1];
    if (c === '"' || c === "'") {
      if (
        prev === undefined ||
        prev === ' ' ||
        prev === '[' ||
        prev === '{' ||
        prev === ',' ||
        prev === ':' ||
        prev === '\n'
      )
        inQuote = c;
    } else if (c === '#') {
      if (prev === undefined || prev === ' ' || prev === '\n' || prev === '\t') {
        const nl = text.indexOf('\n', i);
        i = nl < 0 ? text.length : nl - 1;
      }
    } else if (c === '[' || c === '{') {
      depth++;
      if (depth > MAX_DEPTH) return { offset: i, depth };
    } else if (c === ']' || c === '}') {
      depth = Math.max(0, depth - 1);
    }
  }
  return undefined;
}

/** Offset of the first NUL or U+FFFD (bytes that were not valid UTF-8), or -1 for text. */
export function binaryOffset(text: string): number {
  const nul = text.indexOf('\u0000');
  const bad = text.indexOf('\uFFFD');
  if (nul < 0) return bad;
  if (bad < 0) return nul;
  return Math.min(nul, bad);
}

export function offsetRange(text: string, offset: number): Range {
  let line = 1;
  let lineStart = 0;
  for (let i = text.indexOf('\n'); i >= 0 && i < offset; i = text.indexOf('\n', i + 1)) {
    line++;
    lineStart = i + 1;
  }
  const column = offset - lineStart + 1;
  return { start: { line, column }, end: { line, column: column + 1 } };
}

/**
 * True when every line is blank or a comment. Written as a loop: the obvious regex
 * `^(\s*#.*\n?)*\s*$` backtracks exponentially on a long comment header followed by content.
 */
export function onlyComments(text: string): boolean {
  for (let start = 0; start <= text.length;) {
    const nl = text.indexOf('\n', start);
    const end = nl < 0 ? text.length : nl;
    const t = text.slice(start, end).trim();
    if (t !== '' && !t.startsWith('#')) return false;
    start = end + 1;
  }
  return true;
}
