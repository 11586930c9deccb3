/**
 * Locating a path of a parsed source: the range of a node or of its key, its source text, whether it exists. Files
 * read on the fast path are located through their position tree (positions.ts), others through yaml's document.
 */
import type { LineCounter, Node, Pair, YAMLMap } from 'yaml';
import { yamlLib } from './yaml-lib.js';
import type { DocPath, Range } from '../diagnostics/diagnostic.js';
import { positionChild, spanOf } from './positions.js';
import type { PositionNode } from './positions.js';
import type { SourceFile } from './source.js';

const START: Range = { start: { line: 1, column: 1 }, end: { line: 1, column: 1 } };

function pos(lines: LineCounter, offset: number) {
  const p = lines.linePos(offset);
  return { line: p.line, column: p.col };
}

/** The range between two offsets of a text. */
export function rangeOfOffsets(lines: LineCounter, from: number, to: number): Range {
  return { start: pos(lines, from), end: pos(lines, Math.max(from, to)) };
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
    const { isScalar } = yamlLib();
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
  const { isAlias, isMap, isSeq } = yamlLib();
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
  const { isAlias, isCollection, isPair, isScalar } = yamlLib();
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
  return src.positions?.();
}

function treeRange(src: SourceFile, n: PositionNode): Range {
  const { start, end, collection } = spanOf(n);
  // For collections, end at the end of the first line so the range stays readable (as nodeRange does).
  return rangeOfOffsets(src.lines, start, collection ? Math.min(end, lineEndOffset(src.text, start)) : end);
}

/** Walk `path` in a position tree: the last node reached, its key, and how many segments matched. */
function walkTree(
  src: SourceFile,
  tree: PositionNode,
  path: DocPath,
): { node: PositionNode | undefined; key: PositionNode | undefined; matched: number } {
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
  // The deepest node reached; its range is computed once, at the end (a range per level was most of the cost of
  // locating 100,000 findings).
  let best: PositionNode = tree;
  for (const segment of path) {
    const next: ReturnType<typeof positionChild> =
      node === undefined ? undefined : positionChild(node, segment, src.text);
    if (!next) break;
    node = next.value;
    const at = node ?? next.key;
    if (at !== undefined) best = at;
  }
  return treeRange(src, best);
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
  if (!yamlLib().isScalar(node) || !node.range) return undefined;
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
