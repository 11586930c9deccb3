import { isAlias, isCollection, isMap, isPair, isScalar, isSeq, LineCounter, parseDocument } from 'yaml';
import type { Document, Node, Pair } from 'yaml';
import type { Diagnostic, DocPath, Range, Result, Severity } from '../diagnostics/diagnostic.js';

/** Largest mesh file meshgov reads, in bytes. A real mesh of 10,000 streams is well under this. */
export const MAX_SOURCE_BYTES = 32 * 1024 * 1024;
/** Deepest nesting accepted; mesh.yaml needs about 10 levels. Deeper input is hostile or broken. */
export const MAX_DEPTH = 64;
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

function depthOf(text: string): number {
  // Cheap upper bound on flow nesting ([ and {) and indentation depth; catches hostile nesting before the
  // recursive parser sees it.
  let depth = 0;
  let max = 0;
  let inQuote: string | null = null;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (inQuote) {
      if (c === inQuote) inQuote = null;
      else if (c === '\n') inQuote = null;
      continue;
    }
    if (c === '"' || c === "'") {
      const prev = text[i - 1];
      if (prev === undefined || prev === ' ' || prev === '[' || prev === '{' || prev === ',' || prev === ':' || prev === '\n') inQuote = c;
    } else if (c === '#') {
      const prev = text[i - 1];
      if (prev === undefined || prev === ' ' || prev === '\n' || prev === '\t') {
        const nl = text.indexOf('\n', i);
        i = nl < 0 ? text.length : nl - 1;
      }
    } else if (c === '[' || c === '{') {
      depth++;
      if (depth > max) max = depth;
    } else if (c === ']' || c === '}') {
      depth = Math.max(0, depth - 1);
    }
  }
  // Block nesting: count indentation levels by the widest leading whitespace (2 spaces per level at best).
  let maxIndent = 0;
  for (const m of text.matchAll(/^( *)(?:- +)*\S/gm)) {
    const lead = m[0].length - 1;
    if (lead > maxIndent) maxIndent = lead;
  }
  return Math.max(max, Math.floor(maxIndent / 2));
}

function isBinary(text: string): boolean {
  if (text.includes('\u0000')) return true;
  // U+FFFD appears when the bytes were not valid UTF-8.
  let bad = 0;
  for (const ch of text) if (ch === '\uFFFD') bad++;
  return bad > 0;
}

/**
 * Parse one YAML file into a SourceFile. Never throws for any input: syntax errors, duplicate keys, alias bombs,
 * hostile nesting, binary content and empty files all come back as diagnostics.
 */
export function parseSource(file: string, input: string): Result<SourceFile | undefined> {
  const diagnostics: Diagnostic[] = [];
  const fail = (code: string, message: string, range: Range = START): Result<undefined> => ({
    value: undefined,
    diagnostics: [diagnostic(file, range, [], code, 'error', message)],
  });
  if (input.length > MAX_SOURCE_BYTES) {
    return fail('file-too-large', `${file} is ${input.length} bytes; meshgov reads mesh files up to ${MAX_SOURCE_BYTES} bytes. Split it with include:.`);
  }
  const text = input.charCodeAt(0) === 0xfeff ? input.slice(1) : input;
  if (isBinary(text)) {
    return fail('file-not-text', `${file} is not a UTF-8 text file (binary or mis-encoded content). A mesh file is YAML text.`);
  }
  if (text.trim() === '' || /^(\s*#[^\n]*\n?)*\s*$/.test(text)) {
    return fail('file-empty', `${file} is empty. Start from the example: \`meshgov schema\` documents every field.`);
  }
  const depth = depthOf(text);
  if (depth > MAX_DEPTH) {
    return fail('yaml-too-deep', `${file} nests ${depth} levels deep; mesh files never need more than ${MAX_DEPTH}.`);
  }
  const lines = new LineCounter();
  let doc: Document.Parsed;
  try {
    doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true, strict: true, version: '1.2' });
  } catch (e) {
    return fail('yaml-syntax', `${file} could not be parsed as YAML: ${(e as Error).message}`);
  }
  for (const err of doc.errors) {
    const code = err.code === 'DUPLICATE_KEY' ? 'yaml-duplicate-key' : 'yaml-syntax';
    const [from, to] = err.pos;
    const msg = err.code === 'DUPLICATE_KEY' ? 'Duplicate key: each key may appear only once in a mapping.' : firstLine(err.message);
    diagnostics.push(diagnostic(file, rangeOfOffsets(lines, from, to), [], code, 'error', msg));
  }
  for (const warn of doc.warnings) {
    const [from, to] = warn.pos;
    diagnostics.push(diagnostic(file, rangeOfOffsets(lines, from, to), [], 'yaml-warning', 'warning', firstLine(warn.message)));
  }
  const source: SourceFile = { file, text, doc, lines, data: undefined };
  if (diagnostics.some((d) => d.severity === 'error')) return { value: source, diagnostics };
  try {
    source.data = doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
  } catch (e) {
    const message = (e as Error).message ?? String(e);
    if (/alias/i.test(message)) {
      diagnostics.push(diagnostic(file, START, [], 'yaml-alias-bomb', 'error', `${file} expands too many aliases (over ${MAX_ALIAS_COUNT}); anchors and aliases may not be used to inflate a document.`));
    } else {
      diagnostics.push(diagnostic(file, START, [], 'yaml-syntax', 'error', `${file} could not be read as data: ${firstLine(message)}`));
    }
  }
  return { value: source, diagnostics };
}

function firstLine(s: string): string {
  const line = s.split('\n')[0] ?? s;
  return line.replace(/ at line \d+, column \d+:?$/, '').trim();
}

function child(node: unknown, key: string | number): { pair?: Pair; value: unknown } | undefined {
  if (isAlias(node)) return undefined;
  if (isMap(node)) {
    for (const item of node.items) {
      const k = isScalar(item.key) ? item.key.value : item.key;
      if (k === key || (typeof key === 'number' && k === String(key)) || String(k) === String(key)) return { pair: item, value: item.value };
    }
    return undefined;
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
export function rangeAt(src: SourceFile, path: DocPath): Range {
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

/** Whether a node exists at `path`. */
export function hasPath(src: SourceFile, path: DocPath): boolean {
  let node: unknown = src.doc.contents;
  for (const key of path) {
    const next = child(node, key);
    if (!next) return false;
    node = next.value;
  }
  return true;
}
