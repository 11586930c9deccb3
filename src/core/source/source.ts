import jsYaml from 'js-yaml';
import type { Document, LineCounter, Node } from 'yaml';
import type { Diagnostic, DocPath, Range, Result, Severity } from '../diagnostics/diagnostic.js';
import {
  binaryOffset,
  findTooDeep,
  findTooManyItems,
  MAX_DEPTH,
  MAX_ITEMS,
  offsetRange,
  onlyComments,
} from './guards.js';
import { rangeOfOffsets } from './locate.js';
import { readPlainYaml } from './plain-yaml.js';
import { yamlLib } from './yaml-lib.js';
import { positionTree } from './positions.js';
import type { PositionNode } from './positions.js';

export { hasPath, keyRangeAt, rangeAt, scalarSource } from './locate.js';

export { findTooDeep, findTooManyItems, MAX_DEPTH, MAX_ITEMS } from './guards.js';

/** Largest mesh file meshgov reads, in bytes. A real mesh of 10,000 streams is well under this. */
export const MAX_SOURCE_BYTES = 32 * 1024 * 1024;
/** Aliases resolved per document before we call it an alias bomb (yaml's own default is 100). */
export const MAX_ALIAS_COUNT = 1000;

/** A parsed YAML source that keeps the positions of every node. */
export interface SourceFile {
  /** The file name as the user gave it; used verbatim in diagnostics. */
  file: string;
  text: string;
  doc: Document.Parsed;
  lines: LineCounter;
  /**
   * The plain data (aliases resolved), or undefined when the document could not be converted; loadMesh drops it
   * once it has read the mesh from it.
   */
  data: unknown;
  /** Node positions without yaml's parse (files read on the fast path); undefined where `doc` must be used. */
  positions?(): PositionNode | undefined;
}

const START: Range = { start: { line: 1, column: 1 }, end: { line: 1, column: 1 } };

/** Make a diagnostic at a range of a file. */
export function diagnostic(
  file: string,
  range: Range,
  path: DocPath,
  code: string,
  severity: Severity,
  message: string,
  help?: string,
): Diagnostic {
  const d: Diagnostic = {
    code,
    severity,
    message,
    file,
    line: range.start.line,
    column: range.start.column,
    endLine: range.end.line,
    endColumn: range.end.column,
    path: [...path],
  };
  if (help !== undefined) d.help = help;
  return d;
}

/**
 * Keys that are collections (`? [a, b]: c`, `{a: 1}: x`): they have no meaning in a mesh file. Walking the whole
 * document costs ~70 ms on a 4 MiB mesh, so only walk when the text has an explicit key or a collection before `:`.
 */
function complexKeys(doc: Document.Parsed, text: string): Node[] {
  if (!/(^|\s)\?(\s|$)|[\]}][ \t]*:/m.test(text)) return [];
  const { isCollection, visit } = yamlLib();
  const out: Node[] = [];
  visit(doc, {
    Pair(_key, pair) {
      if (isCollection(pair.key)) out.push(pair.key);
    },
  });
  return out;
}

/** The first alias node (`*name`) of a document, where an alias bomb is reported. */
function firstAlias(doc: Document.Parsed): Node | undefined {
  const { visit } = yamlLib();
  let found: Node | undefined;
  visit(doc, {
    Alias(_key, node) {
      found = node;
      return visit.BREAK;
    },
  });
  return found;
}

/**
 * Keys that repeat an earlier key of the same mapping (the second and later occurrences), in one walk with a set per
 * mapping. Scalar keys are equal when their values are (`1` and `"1"` differ, as in yaml's own check).
 */
function duplicateKeys(doc: Document.Parsed): Node[] {
  const { isScalar, visit } = yamlLib();
  const out: Node[] = [];
  visit(doc, {
    Map(_key, map) {
      const seen = new Set<string>();
      for (const pair of map.items) {
        if (!isScalar(pair.key)) continue;
        const id = `${typeof pair.key.value}\u0000${String(pair.key.value)}`;
        if (seen.has(id)) out.push(pair.key);
        else seen.add(id);
      }
    },
  });
  return out;
}

/**
 * Parse one YAML file into a SourceFile. Never throws for any input: syntax errors, duplicate keys, alias bombs,
 * hostile nesting, binary content and empty files all come back as diagnostics.
 */
/** Options of the positioned parse; the lazy parse of fast-path files uses the same. */
// uniqueKeys off: yaml compares each new key with every earlier one (quadratic in the keys of a mapping); duplicates
// are found with a set instead (duplicateKeys).
const PARSE_OPTIONS = {
  prettyErrors: false,
  uniqueKeys: false,
  strict: true,
  version: '1.2',
  logLevel: 'error',
} as const;

/**
 * A source read through the fast path: `doc` and `lines` are parsed on first use (to locate a diagnostic).
 */
class LazySource implements SourceFile {
  private positioned?: Document.Parsed;
  private lineCounter?: LineCounter;
  private tree?: PositionNode | null;
  constructor(
    readonly file: string,
    readonly text: string,
    public data: unknown,
  ) {}
  get doc(): Document.Parsed {
    this.positioned ??= yamlLib().parseDocument(this.text, PARSE_OPTIONS);
    return this.positioned;
  }
  /** Line starts of the text (what yaml's LineCounter records while parsing), without parsing. */
  get lines(): LineCounter {
    if (!this.lineCounter) {
      const lines = new (yamlLib().LineCounter)();
      lines.addNewLine(0);
      for (let i = this.text.indexOf('\n'); i >= 0; i = this.text.indexOf('\n', i + 1)) lines.addNewLine(i + 1);
      this.lineCounter = lines;
    }
    return this.lineCounter;
  }
  /** Node positions from js-yaml's listener (positions.ts); undefined if that read fails (then `doc` is used). */
  positions(): PositionNode | undefined {
    if (this.tree === undefined) this.tree = positionTree(this.text) ?? null;
    return this.tree ?? undefined;
  }
}

/**
 * Token-start anchors (`&a`), aliases (`*a`), tags (`!t`), explicit keys (`? `), directives (`%`), and `---` glued to
 * text at a line start: js-yaml takes `---a: 1` for a document marker and `a: 1`, where YAML reads the key `---a`
 * (as the positioned parser does), so that text is left to the positioned parser.
 */
const UNUSUAL = /(?:^|[\s[{,])(?:[&*!][^\s,\]}]|\?(?:\s|$))|^%|^---[^\s]/m;

/**
 * Plain-data read with js-yaml's YAML 1.2 core schema, or not ok when the positioned parser must look. Files in the
 * plain subset mesh files are written in are read by readPlainYaml (same data, several times faster); anything else
 * by js-yaml itself.
 */
export function fastLoad(text: string): { ok: true; data: unknown } | { ok: false } {
  if (UNUSUAL.test(text)) return { ok: false };
  const plain = readPlainYaml(text);
  if (plain.ok) return plain;
  try {
    const data = jsYaml.load(text, { schema: jsYaml.CORE_SCHEMA, json: false });
    // No document at all: let the positioned parser say what it makes of it.
    return data === undefined ? { ok: false } : { ok: true, data };
  } catch {
    return { ok: false };
  }
}

/** Whether plain data nests collections more than `max` levels deep (stops as soon as it knows). */
function deeperThan(value: unknown, max: number): boolean {
  if (value === null || typeof value !== 'object') return false;
  if (max <= 0) return true;
  // Walked in place: `Object.values` made an array per mapping of the whole document.
  if (Array.isArray(value)) {
    for (const v of value) if (deeperThan(v, max - 1)) return true;
    return false;
  }
  const o = value as Record<string, unknown>;
  for (const k in o) if (Object.prototype.hasOwnProperty.call(o, k) && deeperThan(o[k], max - 1)) return true;
  return false;
}

export function parseSource(file: string, input: string): Result<SourceFile | undefined> {
  const diagnostics: Diagnostic[] = [];
  const fail = (code: string, message: string, range: Range = START): Result<undefined> => ({
    value: undefined,
    diagnostics: [diagnostic(file, range, [], code, 'error', message)],
  });
  if (input.length > MAX_SOURCE_BYTES) {
    return fail(
      'file-too-large',
      `This file has ${input.length} characters; meshgov reads mesh files up to ${MAX_SOURCE_BYTES}. Split it into per-domain files with include:.`,
    );
  }
  const text = input.charCodeAt(0) === 0xfeff ? input.slice(1) : input;
  const bin = binaryOffset(text);
  if (bin >= 0) {
    return fail(
      'file-not-text',
      `This file is not UTF-8 text: it contains ${text[bin] === '\u0000' ? 'a NUL byte' : 'bytes that are not valid UTF-8'} here. A mesh file is YAML text; save it as UTF-8.`,
      offsetRange(text, bin),
    );
  }
  if (onlyComments(text)) {
    return fail(
      'file-empty',
      `This file has no content (it is empty or only comments). A mesh file needs apiVersion, mesh, accounts and classifications; \`meshgov schema\` documents every field.`,
    );
  }
  const many = findTooManyItems(text);
  if (many >= 0) {
    return fail(
      'file-too-many-items',
      `This file has more than ${MAX_ITEMS} lines and list items (counting commas) by here; meshgov parses at most that many per file. Split the mesh into per-domain files with include:.`,
      offsetRange(text, many),
    );
  }
  // Fast path: most mesh files are valid and never need a position. js-yaml (YAML 1.2 core schema) reads them
  // several times faster than the positioned parse; positions are parsed lazily, only when a diagnostic needs one.
  // Anything unusual (anchors, aliases, tags, explicit keys, nesting deeper than MAX_DEPTH) or any error takes the
  // positioned path, which runs the text guards and produces the located diagnostics.
  const fast = fastLoad(text);
  if (fast.ok && !deeperThan(fast.data, MAX_DEPTH))
    return { value: new LazySource(file, text, fast.data), diagnostics: [] };
  const deep = findTooDeep(text);
  if (deep) {
    return fail(
      'yaml-too-deep',
      `The YAML nests more than ${MAX_DEPTH} levels deep here; mesh files need about 10. Flatten the structure.`,
      offsetRange(text, deep.offset),
    );
  }
  const { LineCounter, parseDocument } = yamlLib();
  const lines = new LineCounter();
  let doc: Document.Parsed;
  try {
    // logLevel 'error': yaml would otherwise print process warnings (e.g. for collection keys); we report them.
    doc = parseDocument(text, { ...PARSE_OPTIONS, lineCounter: lines });
  } catch (e) {
    return fail('yaml-syntax', `The file could not be parsed as YAML: ${firstLine((e as Error).message)}`);
  }
  const seenAt = new Set<number>();
  for (const err of doc.errors) {
    const [from, to] = err.pos;
    // One syntax error per position: the parser often reports several symptoms of the same mistake.
    if (seenAt.has(from)) continue;
    seenAt.add(from);
    const unclosed = /^Flow (map|sequence) .*end with a ([}\]])$/.exec(firstLine(err.message));
    if (unclosed) {
      // yaml reports an unclosed flow collection where it gave up; point at the opening bracket instead.
      const close = unclosed[2] as '}' | ']';
      const open = close === '}' ? '{' : '[';
      const at = unclosedOpener(text, from, open, close);
      if (at >= 0) {
        diagnostics.push(
          diagnostic(
            file,
            rangeOfOffsets(lines, at, at + 1),
            [],
            'yaml-syntax',
            'error',
            `This \`${open}\` is never closed: add the matching \`${close}\` (a flow ${unclosed[1]} continued on the next lines must be indented further than its key).`,
          ),
        );
        continue;
      }
    }
    const code = err.code === 'DUPLICATE_KEY' ? 'yaml-duplicate-key' : 'yaml-syntax';
    diagnostics.push(
      diagnostic(
        file,
        rangeOfOffsets(lines, from, to),
        [],
        code,
        'error',
        syntaxMessage(err.code, firstLine(err.message), /^[^:\n]*/.exec(text.slice(from, from + 200))?.[0] ?? ''),
      ),
    );
  }
  for (const key of duplicateKeys(doc)) {
    const r = key.range;
    diagnostics.push(
      diagnostic(
        file,
        r ? rangeOfOffsets(lines, r[0], r[1]) : START,
        [],
        'yaml-duplicate-key',
        'error',
        syntaxMessage('DUPLICATE_KEY', '', r ? text.slice(r[0], Math.min(r[1], r[0] + 200)) : ''),
      ),
    );
  }
  for (const warn of doc.warnings) {
    const [from, to] = warn.pos;
    diagnostics.push(
      diagnostic(file, rangeOfOffsets(lines, from, to), [], 'yaml-warning', 'warning', firstLine(warn.message)),
    );
  }
  for (const key of complexKeys(doc, text)) {
    const r = key.range;
    diagnostics.push(
      diagnostic(
        file,
        r ? rangeOfOffsets(lines, r[0], r[1]) : START,
        [],
        'yaml-complex-key',
        'error',
        'Mapping keys must be plain strings, not lists or mappings; check the indentation and the `?` indicator here.',
      ),
    );
  }
  const source: SourceFile = { file, text, doc, lines, data: undefined };
  if (diagnostics.some((d) => d.severity === 'error')) return { value: source, diagnostics };
  try {
    source.data = doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
  } catch (e) {
    const message = (e as Error).message ?? String(e);
    if (/alias/i.test(message)) {
      const alias = firstAlias(doc);
      const range = alias?.range ? rangeOfOffsets(lines, alias.range[0], alias.range[1]) : START;
      diagnostics.push(
        diagnostic(
          file,
          range,
          [],
          'yaml-alias-bomb',
          'error',
          `The document expands aliases more than ${MAX_ALIAS_COUNT} times (an alias bomb); write the values out instead of nesting anchors and aliases.`,
        ),
      );
    } else {
      diagnostics.push(
        diagnostic(
          file,
          START,
          [],
          'yaml-syntax',
          'error',
          `The document could not be read as data: ${firstLine(message)}`,
        ),
      );
    }
  }
  return { value: source, diagnostics };
}

/** Offset of the nearest bracket before `from` that is not closed before it, or -1 (quotes are not tracked). */
function unclosedOpener(text: string, from: number, open: string, close: string): number {
  let depth = 0;
  for (let i = Math.min(from, text.length) - 1; i >= 0; i--) {
    const c = text[i];
    if (c === close) depth++;
    else if (c === open) {
      if (depth === 0) return i;
      depth--;
    }
  }
  return -1;
}

function syntaxMessage(code: string, message: string, source: string): string {
  switch (code) {
    case 'DUPLICATE_KEY':
      return `Duplicate key \`${source.trim().slice(0, 80)}\`: each key may appear only once in a mapping. Remove or rename one of them.`;
    case 'MULTIPLE_DOCS':
      return 'A mesh file holds a single YAML document: remove this `---` and what follows, or move it to a file listed under `include:`.';
    case 'TAB_AS_INDENT':
      return 'Tabs are not allowed as indentation in YAML; indent with spaces.';
    default:
      return `${message.replace(/\.$/, '')}. Fix the YAML syntax here (quote values that contain \`: \`, \`#\`, \`{\` or \`[\`).`;
  }
}

function firstLine(s: string): string {
  const line = s.split('\n')[0] ?? s;
  return line.replace(/ at line \d+, column \d+:?$/, '').trim();
}
