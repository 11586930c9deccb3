/**
 * One-line quoted scalars of the plain YAML subset (plain-yaml.ts), read as js-yaml reads them. A quoted scalar that
 * continues on the next line, a control character (js-yaml rejects them; tabs are left to it) or an escape js-yaml
 * does not know leaves the subset.
 */

/** Thrown when the text leaves the subset; readPlainYaml catches it and answers `{ ok: false }`. */
export const OUTSIDE = new Error('outside the plain YAML subset');

/** Where a reader is: the quoted-scalar readers move `pos` past the closing quote (no result object per scalar). */
export interface Cursor {
  pos: number;
}

/** YAML's one-character escapes after `\` in a double-quoted scalar (js-yaml's simpleEscapeSequence, tab aside). */
const ESCAPES: Record<string, string> = {
  '0': '\x00',
  a: '\x07',
  b: '\x08',
  t: '\x09',
  n: '\x0A',
  v: '\x0B',
  f: '\x0C',
  r: '\x0D',
  e: '\x1B',
  ' ': ' ',
  '"': '"',
  '/': '/',
  '\\': '\\',
  N: '\x85',
  _: '\xA0',
  L: '\u2028',
  P: '\u2029',
};

/** Hex digits after `\x`, `\u` and `\U`. */
const HEX_LENGTH: Record<string, number> = { x: 2, u: 4, U: 8 };

/** A single-quoted scalar whose `'` is at `at.pos` (`''` is a quote). */
export function readSingleQuoted(text: string, at: Cursor): string {
  const start = at.pos;
  let value = '';
  let from = start + 1;
  for (let p = from; p < text.length; p++) {
    const c = text.charCodeAt(p);
    if (c === 0x27) {
      if (text.charCodeAt(p + 1) !== 0x27) {
        at.pos = p + 1;
        return value + text.slice(from, p);
      }
      value += text.slice(from, p + 1);
      from = ++p + 1;
    } else if (c < 0x20) throw OUTSIDE;
  }
  throw OUTSIDE;
}

/** A double-quoted scalar whose `"` is at `at.pos`, escapes decoded. */
export function readDoubleQuoted(text: string, at: Cursor): string {
  const start = at.pos;
  let value = '';
  let from = start + 1;
  for (let p = from; p < text.length; p++) {
    const c = text.charCodeAt(p);
    if (c === 0x22) {
      at.pos = p + 1;
      return value + text.slice(from, p);
    }
    if (c === 0x5c) {
      value += text.slice(from, p);
      const e = text[++p] ?? '';
      const simple = Object.prototype.hasOwnProperty.call(ESCAPES, e) ? ESCAPES[e] : undefined;
      if (simple !== undefined) value += simple;
      else {
        const n = Object.prototype.hasOwnProperty.call(HEX_LENGTH, e) ? (HEX_LENGTH[e] as number) : 0;
        const hex = text.slice(p + 1, p + 1 + n);
        // A line continuation (`\` at the end of the line), an unknown escape or a short or bad hex escape.
        if (n === 0 || !/^[0-9a-fA-F]+$/.test(hex) || hex.length !== n) throw OUTSIDE;
        const code = parseInt(hex, 16);
        // js-yaml's 32-bit arithmetic wraps beyond this; such escapes are left to it.
        if (code > 0x10ffff) throw OUTSIDE;
        value += String.fromCodePoint(code);
        p += n;
      }
      from = p + 1;
    } else if (c < 0x20) throw OUTSIDE;
  }
  throw OUTSIDE;
}
