import jsYaml from 'js-yaml';
import { isAlias, isCollection, isMap, isPair, isScalar, isSeq, LineCounter, parseDocument, visit } from 'yaml';
import type { Document, Node, Pair, YAMLMap } from 'yaml';
import type { Diagnostic, DocPath, Range, Result, Severity } from '../diagnostics/diagnostic.js';
import { binaryOffset, findTooDeep, findTooManyItems, MAX_DEPTH, MAX_ITEMS, offsetRange, onlyComments } from './guards.js';
import { positionChild, positionTree, spanOf } from './positions.js';
import type { PositionNode } from './positions.js';

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
  /** The plain data (aliases resolved), or undefined when the document could not be converted. */
  data: unknown;
}

const START: Range = { start: { line: 1, column: 1 }, end: { line: 1, column: 1 } };

function pos(lines: LineCounter, offset: number) {
  const p = lines.linePos(offset);
  return { line: p.line, column: p.col };
}

function rangeOfOffsets(lines: LineCounter, from: number, to: number): Range {
  return { start: pos(lines, from), end: pos(lines, Math.max(from, to)) };
}

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
const PARSE_OPTIONS = { prettyErrors: false, uniqueKeys: false, strict: true, version: '1.2', logLevel: 'error' } as const;

/**
 * A source read through the fast path: `doc` and `lines` are parsed on first use (to locate a diagnostic).
 */
class LazySource implements SourceFile {
  private positioned?: Document.Parsed;
  private lineCounter?: LineCounter;
  private tree?: PositionNode | null;
  constructor(readonly file: string, readonly text: string, public data: unknown) {}
  get doc(): Document.Parsed {
    this.positioned ??= parseDocument(this.text, PARSE_OPTIONS);
    return this.positioned;
  }
  /** Line starts of the text (what yaml's LineCounter records while parsing), without parsing. */
  get lines(): LineCounter {
    if (!this.lineCounter) {
      const lines = new LineCounter();
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

/** Token-start anchors (`&a`), aliases (`*a`), tags (`!t`), explicit keys (`? `) and directives (`%`). */
const UNUSUAL = /(?:^|[\s[{,])(?:[&*!][^\s,\]}]|\?(?:\s|$))|^%/m;

/** Plain-data read with js-yaml's YAML 1.2 core schema, or not ok when the positioned parser must look. */
export function fastLoad(text: string): { ok: true; data: unknown } | { ok: false } {
  if (UNUSUAL.test(text)) return { ok: false };
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
  for (const v of Array.isArray(value) ? value : Object.values(value)) if (deeperThan(v, max - 1)) return true;
  return false;
}

export function parseSource(file: string, input: string): Result<SourceFile | undefined> {
  const diagnostics: Diagnostic[] = [];
  const fail = (code: string, message: string, range: Range = START): Result<undefined> => ({
    value: undefined,
    diagnostics: [diagnostic(file, range, [], code, 'error', message)],
  });
  if (input.length > MAX_SOURCE_BYTES) {
    return fail('file-too-large', `This file has ${input.length} characters; meshgov reads mesh files up to ${MAX_SOURCE_BYTES}. Split it into per-domain files with include:.`);
  }
  const text = input.charCodeAt(0) === 0xfeff ? input.slice(1) : input;
  const bin = binaryOffset(text);
  if (bin >= 0) {
    return fail('file-not-text', `This file is not UTF-8 text: it contains ${text[bin] === '\u0000' ? 'a NUL byte' : 'bytes that are not valid UTF-8'} here. A mesh file is YAML text; save it as UTF-8.`, offsetRange(text, bin));
  }
  if (onlyComments(text)) {
    return fail('file-empty', `This file has no content (it is empty or only comments). A mesh file needs apiVersion, mesh, accounts and classifications; \`meshgov schema\` documents every field.`);
  }
  const many = findTooManyItems(text);
  if (many >= 0) {
    return fail('file-too-many-items', `This file has more than ${MAX_ITEMS} lines and list items (counting commas) by here; meshgov parses at most that many per file. Split the mesh into per-domain files with include:.`, offsetRange(text, many));
  }
  // Fast path: most mesh files are valid and never need a position. js-yaml (YAML 1.2 core schema) reads them
  // several times faster than the positioned parse; positions are parsed lazily, only when a diagnostic needs one.
  // Anything unusual (anchors, aliases, tags, explicit keys, nesting deeper than MAX_DEPTH) or any error takes the
  // positioned path, which runs the text guards and produces the located diagnostics.
  const fast = fastLoad(text);
  if (fast.ok && !deeperThan(fast.data, MAX_DEPTH)) return { value: new LazySource(file, text, fast.data), diagnostics: [] };
  const deep = findTooDeep(text);
  if (deep) {
    return fail('yaml-too-deep', `The YAML nests more than ${MAX_DEPTH} levels deep here; mesh files need about 10. Flatten the structure.`, offsetRange(text, deep.offset));
  }
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
        diagnostics.push(diagnostic(file, rangeOfOffsets(lines, at, at + 1), [], 'yaml-syntax', 'error',
          `This \`${open}\` is never closed: add the matching \`${close}\` (a flow ${unclosed[1]} continued on the next lines must be indented further than its key).`));
        continue;
      }
    }
    const code = err.code === 'DUPLICATE_KEY' ? 'yaml-duplicate-key' : 'yaml-syntax';
    diagnostics.push(diagnostic(file, rangeOfOffsets(lines, from, to), [], code, 'error', syntaxMessage(err.code, firstLine(err.message), /^[^:\n]*/.exec(text.slice(from, from + 200))?.[0] ?? '')));
  }
  for (const key of duplicateKeys(doc)) {
    const r = key.range;
    diagnostics.push(diagnostic(file, r ? rangeOfOffsets(lines, r[0], r[1]) : START, [], 'yaml-duplicate-key', 'error',
      syntaxMessage('DUPLICATE_KEY', '', r ? text.slice(r[0], Math.min(r[1], r[0] + 200)) : '')));
  }
  for (const warn of doc.warnings) {
    const [from, to] = warn.pos;
    diagnostics.push(diagnostic(file, rangeOfOffsets(lines, from, to), [], 'yaml-warning', 'warning', firstLine(warn.message)));
  }
  for (const key of complexKeys(doc, text)) {
    const r = key.range;
    diagnostics.push(diagnostic(file, r ? rangeOfOffsets(lines, r[0], r[1]) : START, [], 'yaml-complex-key', 'error',
      'Mapping keys must be plain strings, not lists or mappings; check the indentation and the `?` indicator here.'));
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
      diagnostics.push(diagnostic(file, range, [], 'yaml-alias-bomb', 'error', `The document expands aliases more than ${MAX_ALIAS_COUNT} times (an alias bomb); write the values out instead of nesting anchors and aliases.`));
    } else {
      diagnostics.push(diagnostic(file, START, [], 'yaml-syntax', 'error', `The document could not be read as data: ${firstLine(message)}`));
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

/**
 * Each mapping's keys by their string form, built on the first lookup: locating every diagnostic of a mapping with
 * 50,000 keys by scanning it would be quadratic. The first pair wins for a repeated key (reported separately).
 * Parsed documents are never edited after parsing, so an index stays valid.
 */
const keyIndexes = new WeakMap<YAMLMap, Map<string, Pair>>();

function keyIndex(map: YAMLMap): Map<string, Pair> {
  let index = keyIndexes.get(map);
  if (index === undefined) {
    index = new Map();
    for (const item of map.items as Pair[]) {
      const k = String(isScalar(item.key) ? item.key.value : item.key);
      if (!index.has(k)) index.set(k, item);
    }
    keyIndexes.set(map, index);
  }
  return index;
}

function child(node: unknown, key: string | number): { pair?: Pair; value: unknown } | undefined {
  if (isAlias(node)) return undefined;
  if (isMap(node)) {
    const pair = keyIndex(node).get(String(key));
    return pair === undefined ? undefined : { pair, value: pair.value };
  }
  if (isSeq(node) && typeof key === 'number') {
    const item = node.items[key];
    return item === undefined ? undefined : { value: item };
  }
  return undefined;
}

function nodeRange(src: SourceFile, node: unknown): Range | undefined {
  if (node && (isScalar(node) || isCollection(node) || isAlias(node))) {
    const r = (node as Node).range;
    if (r) {
      // For block collections, end at the end of the first line so the range stays readable.
      const end = isCollection(node) ? Math.min(r[1], lineEndOffset(src.text, r[0])) : r[1];
      return rangeOfOffsets(src.lines, r[0], end);
    }
  }
  if (isPair(node)) return nodeRange(src, node.key);
  return undefined;
}

function lineEndOffset(text: string, from: number): number {
  const nl = text.indexOf('\n', from);
  const end = nl < 0 ? text.length : nl;
  return text[end - 1] === '\r' ? end - 1 : end;
}

/**
 * The range of the node at `path`, or of its nearest existing ancestor when the path does not exist
 * (e.g. a missing required key is reported at its parent mapping).
 */
/** The position tree of a fast-path source, when it has one (cheaper than yaml's positioned parse). */
function treeOf(src: SourceFile): PositionNode | undefined {
  return src instanceof LazySource ? src.positions() : undefined;
}

function treeRange(src: SourceFile, n: PositionNode): Range {
  const { start, end, collection } = spanOf(n);
  // For collections, end at the end of the first line so the range stays readable (as nodeRange does).
  return rangeOfOffsets(src.lines, start, collection ? Math.min(end, lineEndOffset(src.text, start)) : end);
}

/** Walk `path` in a position tree: the last node reached, its key, and how many segments matched. */
function walkTree(src: SourceFile, tree: PositionNode, path: DocPath): { node: PositionNode | undefined; key: PositionNode | undefined; matched: number } {
  let node: PositionNode | undefined = tree;
  let key: PositionNode | undefined;
  let matched = 0;
  for (const segment of path) {
    if (node === undefined) break;
    const next = positionChild(node, segment, src.text);
    if (!next) break;
    key = next.key;
    node = next.value;
    matched++;
  }
  return { node, key, matched };
}

function rangeAtTree(src: SourceFile, tree: PositionNode, path: DocPath): Range {
  let node: PositionNode | undefined = tree;
  let best = treeRange(src, tree);
  for (const segment of path) {
    const next: ReturnType<typeof positionChild> = node === undefined ? undefined : positionChild(node, segment, src.text);
    if (!next) break;
    node = next.value;
    const at = node ?? next.key;
    if (at !== undefined) best = treeRange(src, at);
  }
  return best;
}

export function rangeAt(src: SourceFile, path: DocPath): Range {
  const tree = treeOf(src);
  if (tree) return rangeAtTree(src, tree, path);
  let node: unknown = src.doc.contents;
  let best = nodeRange(src, node) ?? START;
  for (const key of path) {
    const next = child(node, key);
    if (!next) break;
    node = next.value;
    best = nodeRange(src, node) ?? (next.pair ? nodeRange(src, next.pair.key) : undefined) ?? best;
  }
  return best;
}

/** The range of the mapping key of the last path segment (for unknown or misspelt keys). */
export function keyRangeAt(src: SourceFile, path: DocPath): Range {
  if (path.length === 0) return rangeAt(src, path);
  const tree = treeOf(src);
  if (tree) {
    const w = walkTree(src, tree, path);
    if (w.matched < path.length) return rangeAt(src, path.slice(0, w.matched));
    return w.key ? treeRange(src, w.key) : rangeAt(src, path);
  }
  let node: unknown = src.doc.contents;
  for (let i = 0; i < path.length; i++) {
    const key = path[i] as string | number;
    const next = child(node, key);
    if (!next) return rangeAt(src, path.slice(0, i));
    if (i === path.length - 1 && next.pair) return nodeRange(src, next.pair.key) ?? rangeAt(src, path);
    node = next.value;
  }
  return rangeAt(src, path);
}

/** The source text of the scalar at `path` (e.g. `011111111111` as written), or undefined. */
export function scalarSource(src: SourceFile, path: DocPath): string | undefined {
  const tree = treeOf(src);
  if (tree) {
    const w = walkTree(src, tree, path);
    const n = w.matched === path.length ? w.node : undefined;
    if (n === undefined || typeof n !== 'number') return undefined;
    const { start, end } = spanOf(n);
    return src.text.slice(start, end);
  }
  let node: unknown = src.doc.contents;
  for (const key of path) {
    const next = child(node, key);
    if (!next) return undefined;
    node = next.value;
  }
  if (!isScalar(node) || !node.range) return undefined;
  return src.text.slice(node.range[0], node.range[1]);
}

/** Whether a node exists at `path`. */
export function hasPath(src: SourceFile, path: DocPath): boolean {
  const tree = treeOf(src);
  if (tree) return walkTree(src, tree, path).matched === path.length;
  let node: unknown = src.doc.contents;
  for (const key of path) {
    const next = child(node, key);
    if (!next) return false;
    node = next.value;
  }
  return true;
}
