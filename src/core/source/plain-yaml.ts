/**
 * A single-pass reader for the plain YAML subset mesh files are written in: block mappings and sequences (with
 * compact `- key: value` items and `- - x`), one-line flow collections, one-line plain and quoted scalars, comments.
 * Anything outside that subset, or anything js-yaml would reject, answers `{ ok: false }` and the caller reads the
 * file with js-yaml instead, so correctness never depends on the subset being complete.
 *
 * Where it answers, the data is what `jsYaml.load(text, { schema: CORE_SCHEMA })` returns (deep-equal, prototypes
 * included): plain scalars resolve through js-yaml's own implicit types, objects are built the way its loader builds
 * them (document key order, `__proto__` as an own property). js-yaml builds an `Object.create(null)` per collection
 * and copies every scalar through `+=`; on a 16 MiB mesh that is most of its time and memory.
 */
import jsYaml from 'js-yaml';
import { OUTSIDE, readDoubleQuoted, readSingleQuoted } from './plain-yaml-quoted.js';

export type PlainYamlResult = { ok: true; data: unknown } | { ok: false };

/** A js-yaml implicit type: `resolve` says whether a plain scalar is of the type, `construct` makes its value. */
interface ImplicitType {
  resolve(data: string): boolean;
  construct(data: string): unknown;
}

/** js-yaml's own core-schema resolvers, in its order (null, bool, int, float), so resolution cannot drift from it. */
const IMPLICIT: readonly ImplicitType[] | undefined = (() => {
  const list = (jsYaml.CORE_SCHEMA as unknown as { compiledImplicit?: unknown }).compiledImplicit;
  const usable =
    Array.isArray(list) &&
    list.length > 0 &&
    list.every((t: Partial<ImplicitType>) => typeof t.resolve === 'function' && typeof t.construct === 'function');
  return usable ? (list as ImplicitType[]) : undefined;
})();

/**
 * First characters a core-schema null, bool, int or float can start with (`~`, null/Null/NULL, true/True/TRUE,
 * false/False/FALSE, a sign, a digit, `.inf`/`.nan`). Every other plain scalar is a string without asking.
 */
const MAY_RESOLVE = new Uint8Array(128);
for (const c of '~nNtTfF-+.0123456789') MAY_RESOLVE[c.charCodeAt(0)] = 1;

/** Deepest collection nesting read here; js-yaml itself stops at 100 nodes deep, the depth guard at MAX_DEPTH. */
const MAX_NESTING = 90;

/** Slots of the key cache (a power of two). */
const KEY_SLOTS = 512;
/** Slots of the cache of short values, and the longest value it holds (longer ones are slices of the text). */
const VALUE_SLOTS = 4096;
const MAX_SHARED = 12;

const LF = 0x0a;
const CR = 0x0d;
const SPACE = 0x20;
const HASH = 0x23;
const COLON = 0x3a;
const DASH = 0x2d;
const COMMA = 0x2c;
const DOT = 0x2e;
const SQUOTE = 0x27;
const DQUOTE = 0x22;
const LBRACKET = 0x5b;
const RBRACKET = 0x5d;
const LBRACE = 0x7b;
const RBRACE = 0x7d;

/** Characters that may not start a plain scalar (YAML indicators), or that this reader leaves to js-yaml. */
const NOT_PLAIN_START = new Uint8Array(128);
for (const c of '\t\n\r ,[]{}#&*!|>\'"%@`') NOT_PLAIN_START[c.charCodeAt(0)] = 1;

const FLOW_INDICATOR = new Uint8Array(128);
for (const c of ',[]{}') FLOW_INDICATOR[c.charCodeAt(0)] = 1;

const hasOwn = Object.prototype.hasOwnProperty;

/** The value of a plain scalar under js-yaml's core schema. */
function plainValue(s: string): unknown {
  const c = s.charCodeAt(0);
  if (c < 128 && MAY_RESOLVE[c] === 1) {
    for (const type of IMPLICIT as readonly ImplicitType[]) if (type.resolve(s)) return type.construct(s);
  }
  return s;
}

/** Store a pair the way js-yaml's loader does; a repeated key (which js-yaml rejects) leaves the subset. */
function setPair(object: Record<string, unknown>, key: string, value: unknown): void {
  if (hasOwn.call(object, key)) throw OUTSIDE;
  // js-yaml defines `__proto__` as an own property rather than assigning it (which would replace the prototype).
  if (key === '__proto__')
    Object.defineProperty(object, key, { configurable: true, enumerable: true, writable: true, value });
  else object[key] = value;
}

class Reader {
  /** Offset of the next character to read. */
  pos = 0;
  /** Column of the current content line's first character (set by `toContent`). */
  col = 0;
  /** Start offset of the current content line. */
  lineStart = 0;
  eof = false;
  depth = 0;
  /** Where the last plain scalar stopped: at a `: ` separator, a ` #` comment or the end of the line. */
  stop: 'colon' | 'comment' | 'eol' = 'eol';
  readonly len: number;
  /** Recently read short values (see `shared`). */
  readonly values: (string | undefined)[] = new Array<string | undefined>(VALUE_SLOTS).fill(undefined);
  /** Recently read plain keys, by a hash of their length and end characters (see `keyAt`). */
  readonly keys: (string | undefined)[] = new Array<string | undefined>(KEY_SLOTS).fill(undefined);

  constructor(readonly text: string) {
    this.len = text.length;
  }

  /** From a line start, skip blank and comment lines to the first character of the next content line. */
  toContentLine(): void {
    const t = this.text;
    let p = this.pos;
    for (;;) {
      const start = p;
      let c = t.charCodeAt(p);
      while (c === SPACE) c = t.charCodeAt(++p);
      if (p >= this.len) {
        this.pos = p;
        this.eof = true;
        return;
      }
      if (c === HASH) {
        // Comment text is not read by js-yaml either (NUL and lone CR were ruled out for the whole text).
        const nl = t.indexOf('\n', p);
        p = nl < 0 ? this.len : nl + 1;
      } else if (c === LF) p++;
      else if (c === CR) p += 2;
      else {
        this.lineStart = start;
        this.col = p - start;
        this.pos = p;
        return;
      }
    }
  }

  /** `toContentLine`, refusing `---` and `...` markers (a second document or a document end). */
  toContent(): void {
    this.toContentLine();
    if (!this.eof && this.col === 0 && this.atMarker()) throw OUTSIDE;
  }

  /** Whether a `---` or `...` document marker starts at `pos`. */
  atMarker(): boolean {
    const t = this.text;
    const p = this.pos;
    const c = t.charCodeAt(p);
    if ((c !== DASH && c !== DOT) || t.charCodeAt(p + 1) !== c || t.charCodeAt(p + 2) !== c) return false;
    return this.endsToken(p + 3);
  }

  /** Whether the character at `p` ends a token: a space, a line break or the end of the text. */
  endsToken(p: number): boolean {
    const c = this.text.charCodeAt(p);
    return c === SPACE || c === LF || c === CR || p >= this.len;
  }

  /** After a value: only spaces and a comment may follow on its line; then go to the next content line. */
  endLine(): void {
    const t = this.text;
    let p = this.pos;
    let c = t.charCodeAt(p);
    while (c === SPACE) c = t.charCodeAt(++p);
    if (c === HASH) {
      const nl = t.indexOf('\n', p);
      p = nl < 0 ? this.len : nl + 1;
    } else if (c === LF) p++;
    else if (c === CR) p += 2;
    else if (p < this.len) throw OUTSIDE;
    this.pos = p;
    this.toContent();
  }

  enter(): void {
    if (++this.depth > MAX_NESTING) throw OUTSIDE;
  }

  /** A block sequence or mapping whose first line is the current content line, at column `indent`. */
  readBlock(indent: number): unknown {
    if (this.text.charCodeAt(this.pos) === DASH && this.endsToken(this.pos + 1)) return this.readSequence(indent);
    const key = this.readKey();
    return this.readMapping(indent, key);
  }

  /** A key at `pos` and its `:`; anything else (a scalar line, a flow collection, an indicator) leaves the subset. */
  readKey(): string {
    const c = this.text.charCodeAt(this.pos);
    if (c === DQUOTE || c === SQUOTE) {
      const key = this.readQuoted(c);
      this.colonAfterQuoted();
      return key;
    }
    const start = this.pos;
    const end = this.scanPlain(false);
    if (this.stop !== 'colon') throw OUTSIDE;
    this.pos++;
    return this.keyAt(start, end);
  }

  /**
   * The plain key `text[start, end)`. Mesh files repeat a few dozen keys thousands of times: a key seen before is
   * taken from a small cache of interned strings instead of being sliced and interned again.
   */
  keyAt(start: number, end: number): string {
    const t = this.text;
    const first = t.charCodeAt(start);
    if (first < 128 && MAY_RESOLVE[first] === 1) return this.plainKey(t.slice(start, end));
    const length = end - start;
    const slot = (length * 31 + first * 7 + t.charCodeAt(end - 1)) & (KEY_SLOTS - 1);
    const cached = this.keys[slot];
    if (cached !== undefined && cached.length === length && t.startsWith(cached, start)) return cached;
    // The property name V8 interned for it: later keys equal to it are then stored without a string-table lookup.
    const key = Object.keys({ [t.slice(start, end)]: 0 })[0] as string;
    this.keys[slot] = key;
    return key;
  }

  /** A plain key as js-yaml stores it: resolved like any plain scalar, then made a string (`1`, `null`, `true`). */
  plainKey(s: string): string {
    const c = s.charCodeAt(0);
    return c < 128 && MAY_RESOLVE[c] === 1 ? String(plainValue(s)) : s;
  }

  /** After a quoted scalar in block context: optional spaces, then `:` and a space or line end, or throw. */
  colonAfterQuoted(): void {
    const t = this.text;
    let p = this.pos;
    while (t.charCodeAt(p) === SPACE) p++;
    if (t.charCodeAt(p) !== COLON || !this.endsToken(p + 1)) throw OUTSIDE;
    this.pos = p + 1;
  }

  /** A block mapping at column `indent` whose first key has been read (`pos` is after its `:`). */
  readMapping(indent: number, firstKey: string): Record<string, unknown> {
    this.enter();
    const object: Record<string, unknown> = {};
    let key = firstKey;
    for (;;) {
      setPair(object, key, this.readMappingValue(indent));
      if (this.eof || this.col < indent) break;
      if (this.col > indent) throw OUTSIDE;
      key = this.readKey();
    }
    this.depth--;
    return object;
  }

  /** The value after `key:` of a mapping at column `indent`; afterwards `pos` is at the next content line. */
  readMappingValue(indent: number): unknown {
    const t = this.text;
    let p = this.pos;
    let c = t.charCodeAt(p);
    while (c === SPACE) c = t.charCodeAt(++p);
    this.pos = p;
    if (c === HASH || c === LF || c === CR || p >= this.len) {
      this.endLine();
      if (this.eof || this.col < indent) return null;
      if (this.col > indent) return this.readBlock(this.col);
      // A sequence may sit at its key's own indentation (`key:\n- a`).
      if (t.charCodeAt(this.pos) === DASH && this.endsToken(this.pos + 1)) return this.readSequence(indent);
      return null;
    }
    let value: unknown;
    if (c === LBRACKET || c === LBRACE) value = this.readFlow();
    else if (c === DQUOTE || c === SQUOTE) value = this.readQuoted(c);
    else {
      const s = this.readPlain(false);
      // `key: a: b` is an error for js-yaml.
      if (this.stop === 'colon') throw OUTSIDE;
      value = plainValue(s);
    }
    this.endLine();
    return value;
  }

  /** A block sequence at column `indent`; `pos` is at its first `-`. */
  readSequence(indent: number): unknown[] {
    this.enter();
    const t = this.text;
    const items: unknown[] = [];
    for (;;) {
      let p = this.pos + 1;
      let c = t.charCodeAt(p);
      while (c === SPACE) c = t.charCodeAt(++p);
      this.pos = p;
      if (c === HASH || c === LF || c === CR || p >= this.len) {
        this.endLine();
        if (!this.eof && this.col > indent) items.push(this.readBlock(this.col));
        else {
          // An empty item; js-yaml would read a `-` on a shallower line as this sequence's next item.
          if (!this.eof && this.col !== indent) throw OUTSIDE;
          items.push(null);
        }
      } else items.push(this.readCompact(p - this.lineStart));
      if (this.eof || this.col < indent) break;
      if (this.col > indent) throw OUTSIDE;
      if (t.charCodeAt(this.pos) !== DASH || !this.endsToken(this.pos + 1)) break;
    }
    this.depth--;
    return items;
  }

  /** The content of a sequence item on the `-` line, at column `col`: a compact sequence or mapping, or a value. */
  readCompact(col: number): unknown {
    const t = this.text;
    const c = t.charCodeAt(this.pos);
    if (c === DASH && this.endsToken(this.pos + 1)) return this.readSequence(col);
    let value: unknown;
    if (c === LBRACKET || c === LBRACE) value = this.readFlow();
    else if (c === DQUOTE || c === SQUOTE) {
      const s = this.readQuoted(c);
      let p = this.pos;
      while (t.charCodeAt(p) === SPACE) p++;
      if (t.charCodeAt(p) === COLON) {
        this.colonAfterQuoted();
        return this.readMapping(col, s);
      }
      value = s;
    } else {
      const s = this.readPlain(false);
      if (this.stop === 'colon') {
        this.pos++;
        return this.readMapping(col, this.plainKey(s));
      }
      value = plainValue(s);
    }
    this.endLine();
    return value;
  }

  /** A one-line plain scalar at `pos` (see `scanPlain`). */
  readPlain(inFlow: boolean): string {
    const start = this.pos;
    return this.shared(start, this.scanPlain(inFlow));
  }

  /**
   * `text[start, end)`. Short values repeat (`consume`, `prod`, account ids, role names): one string per distinct
   * short value, from a cache like the key cache, spares the garbage collector a copy per occurrence. Longer ones
   * are slices (V8 keeps them as views of the text, without copying).
   */
  shared(start: number, end: number): string {
    const length = end - start;
    const t = this.text;
    if (length > MAX_SHARED || length === 0) return t.slice(start, end);
    const slot =
      (length * 31 + t.charCodeAt(start) * 7 + t.charCodeAt(end - 1) * 3 + t.charCodeAt(end - 2)) & (VALUE_SLOTS - 1);
    const cached = this.values[slot];
    if (cached !== undefined && cached.length === length && t.startsWith(cached, start)) return cached;
    const value = t.slice(start, end);
    this.values[slot] = value;
    return value;
  }

  /**
   * Scan a one-line plain scalar at `pos`; returns the end of its text (trailing spaces dropped) and leaves `pos` at
   * the character that stopped it, `stop` saying which. In a flow collection `,[]{}` also stop it. Characters js-yaml
   * rejects (or that need care: tabs, controls, C1, unpaired surrogates, U+2028/2029) leave the subset.
   */
  scanPlain(inFlow: boolean): number {
    const t = this.text;
    const start = this.pos;
    const first = t.charCodeAt(start);
    if (first < 128 && NOT_PLAIN_START[first] === 1) throw OUTSIDE;
    if (
      (first === DASH || first === 0x3f) &&
      (this.endsToken(start + 1) || (inFlow && this.flowIndicatorAt(start + 1)))
    )
      throw OUTSIDE;
    let p = start;
    let end = start;
    let stop: 'colon' | 'comment' | 'eol' = 'eol';
    for (; p < this.len; p++) {
      const c = t.charCodeAt(p);
      // Letters and most punctuation first: only `[`, `]`, `{`, `}` (in flow) stop the scalar among them.
      if (c > COLON && c < 0x7f) {
        if (inFlow && FLOW_INDICATOR[c] === 1) break;
      } else if (c === SPACE) continue;
      else if (c === COLON) {
        if (this.endsToken(p + 1) || (inFlow && this.flowIndicatorAt(p + 1))) {
          stop = 'colon';
          break;
        }
      } else if (c === HASH) {
        if (t.charCodeAt(p - 1) === SPACE) {
          stop = 'comment';
          break;
        }
      } else if (c === LF || c === CR) break;
      else if (c < SPACE) throw OUTSIDE;
      else if (c >= 0x7f) p = this.checkWide(c, p);
      else if (inFlow && c === COMMA) break;
      end = p + 1;
    }
    if (end === start) throw OUTSIDE;
    this.pos = p;
    this.stop = stop;
    return end;
  }

  /** A non-ASCII character of a plain scalar at `p`; returns the offset of its last code unit. */
  checkWide(c: number, p: number): number {
    if (c <= 0x9f || c === 0x2028 || c === 0x2029 || c === 0xfffe || c === 0xffff) throw OUTSIDE;
    if (c >= 0xd800 && c <= 0xdfff) {
      const low = this.text.charCodeAt(p + 1);
      if (c > 0xdbff || !(low >= 0xdc00 && low <= 0xdfff)) throw OUTSIDE;
      return p + 1;
    }
    return p;
  }

  flowIndicatorAt(p: number): boolean {
    const c = this.text.charCodeAt(p);
    return c < 128 && FLOW_INDICATOR[c] === 1;
  }

  readQuoted(quote: number): string {
    // Most quoted scalars have no escape: read those here, through the cache of short values.
    const t = this.text;
    const start = this.pos + 1;
    for (let p = start; p < this.len; p++) {
      const c = t.charCodeAt(p);
      if (c === quote) {
        if (quote === SQUOTE && t.charCodeAt(p + 1) === SQUOTE) break;
        this.pos = p + 1;
        return this.shared(start, p);
      }
      if (c === 0x5c || c < SPACE) break;
    }
    return quote === DQUOTE ? readDoubleQuoted(t, this) : readSingleQuoted(t, this);
  }

  /** Skip spaces on the line inside a flow collection; returns the character reached. */
  flowSpaces(): number {
    const t = this.text;
    let p = this.pos;
    let c = t.charCodeAt(p);
    while (c === SPACE) c = t.charCodeAt(++p);
    this.pos = p;
    return c;
  }

  /** A flow sequence or mapping at `pos`, closed on the same line. */
  readFlow(): unknown {
    this.enter();
    const value = this.text.charCodeAt(this.pos++) === LBRACE ? this.readFlowMapping() : this.readFlowSequence();
    this.depth--;
    return value;
  }

  /** Whether another entry follows (a comma, consumed) or the collection must close now. */
  flowComma(): boolean {
    if (this.flowSpaces() !== COMMA) return false;
    this.pos++;
    return true;
  }

  /** The entries of a flow sequence after its `[`, and the `]`. */
  readFlowSequence(): unknown[] {
    const items: unknown[] = [];
    for (let more = true; ;) {
      const c = this.flowSpaces();
      if (c === RBRACKET) break;
      // A missing comma, an empty entry, a comment or a line break inside the collection.
      if (!more || c === COMMA) throw OUTSIDE;
      items.push(this.readFlowNode());
      // `[a: 1]` is a mapping inside a sequence.
      if (this.flowSpaces() === COLON) throw OUTSIDE;
      more = this.flowComma();
    }
    this.pos++;
    return items;
  }

  /** The entries of a flow mapping after its `{`, and the `}`; every entry is `key: value`. */
  readFlowMapping(): Record<string, unknown> {
    const object: Record<string, unknown> = {};
    for (let more = true; ;) {
      let c = this.flowSpaces();
      if (c === RBRACE) break;
      if (!more || c === COMMA) throw OUTSIDE;
      const key = this.readFlowKey();
      if (this.flowSpaces() !== COLON) throw OUTSIDE;
      this.pos++;
      c = this.flowSpaces();
      if (c === COMMA || c === RBRACE) throw OUTSIDE;
      setPair(object, key, this.readFlowNode());
      more = this.flowComma();
    }
    this.pos++;
    return object;
  }

  readFlowKey(): string {
    const c = this.text.charCodeAt(this.pos);
    if (c === DQUOTE || c === SQUOTE) return this.readQuoted(c);
    const s = this.readPlain(true);
    if (this.stop === 'comment') throw OUTSIDE;
    return this.plainKey(s);
  }

  readFlowNode(): unknown {
    const c = this.text.charCodeAt(this.pos);
    if (c === LBRACKET || c === LBRACE) return this.readFlow();
    if (c === DQUOTE || c === SQUOTE) return this.readQuoted(c);
    const s = this.readPlain(true);
    if (this.stop === 'comment') throw OUTSIDE;
    return plainValue(s);
  }
}

/** Text-wide conditions of the subset: no NUL (js-yaml rejects it) and no CR except in CRLF line breaks. */
function plainText(text: string): boolean {
  if (text.length === 0 || text.charCodeAt(0) === 0xfeff || text.indexOf('\u0000') >= 0) return false;
  for (let i = text.indexOf('\r'); i >= 0; i = text.indexOf('\r', i + 1))
    if (text.charCodeAt(i + 1) !== LF) return false;
  return true;
}

/**
 * Read `text` if it is in the plain subset (see the file comment): `{ ok: true, data }` with the data js-yaml's
 * core schema would give, else `{ ok: false }` (then read it with js-yaml). Never throws.
 */
export function readPlainYaml(text: string): PlainYamlResult {
  if (IMPLICIT === undefined || !plainText(text)) return { ok: false };
  const reader = new Reader(text);
  try {
    reader.toContentLine();
    if (reader.eof) return { ok: false };
    // js-yaml reads a first line `---a: 1` as a document marker followed by `a: 1`; YAML (and the positioned
    // parser) read a key `---a`. Such text is not in the subset.
    if (reader.col === 0 && text.startsWith('---', reader.pos) && !reader.atMarker()) return { ok: false };
    if (reader.col === 0 && reader.atMarker()) {
      // A leading `---` alone on its line; a `...` or content after the marker is left to js-yaml.
      if (text.charCodeAt(reader.pos) !== DASH) return { ok: false };
      reader.pos += 3;
      reader.endLine();
      if (reader.eof) return { ok: false };
    }
    const data = reader.readBlock(reader.col);
    return reader.eof ? { ok: true, data } : { ok: false };
  } catch {
    // OUTSIDE, or anything unforeseen: js-yaml decides.
    return { ok: false };
  }
}
