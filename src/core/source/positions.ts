/**
 * Positions of a file that took the fast path (js-yaml, no positions), built only when a diagnostic needs one: the
 * same text is read again by js-yaml with its node listener, which reports where each node opens and closes. That is
 * about ten times cheaper than yaml's positioned parse, which matters when every grant of 100,000 has a diagnostic.
 * Only used for text the fast path accepted (no anchors, aliases, tags, explicit keys or directives, no duplicate
 * keys), so the node events map one to one onto mappings, sequences and scalars.
 *
 * The tree is kept compact (a few hundred bytes per grant): a scalar is one number, its offsets packed; only
 * mappings and sequences are objects.
 */
import jsYaml from 'js-yaml';

/** A scalar or empty node: `start * SPAN + length` (both below 2^26: files are at most 32 MiB). */
export type PackedSpan = number;
const SPAN = 2 ** 26;

/**
 * A mapping or a sequence: its span in the text (offsets; `end` exclusive) and its children. Children are numbers in
 * arrays sized exactly (no boxed numbers, no spare capacity): a scalar child is its PackedSpan, a collection child is
 * `-(i + 1)` for `nested[i]`, and NaN is "no value" (a key `a:` followed by a sibling).
 */
export interface PositionCollection {
  start: number;
  end: number;
  kind: 'map' | 'seq';
  /** Mapping: the key nodes, in order (a collection key as the span of its whole text). */
  keys?: PackedSpan[];
  /** Mapping: each key's string form where it differs from its text (quoted keys, `0x1F`); else undefined. */
  names?: (string | undefined)[];
  /** Mapping: each key's value. Sequence: the items. */
  values: number[];
  /** The collections among the children. */
  nested?: PositionCollection[];
  /** Mapping with many keys: key string form to its index, built on the first lookup. */
  index?: Map<string, number>;
}

export type PositionNode = PositionCollection | PackedSpan;

/** Start and end offsets of a node, and whether it is a collection. */
export function spanOf(n: PositionNode): { start: number; end: number; collection: boolean } {
  if (typeof n === 'number') {
    const start = Math.floor(n / SPAN);
    return { start, end: start + (n % SPAN), collection: false };
  }
  return { start: n.start, end: n.end, collection: true };
}

const pack = (start: number, end: number): PackedSpan => start * SPAN + (end - start);

interface Closed {
  node: PositionNode;
  /** The node's string form, for scalars (a key's name). */
  text?: string;
  /** The collection js-yaml built (identity only: a wrapper frame closes with the same object as its child). */
  result?: object;
  /** Where js-yaml stopped reading the node (before trimming), to see whether a `:` follows. */
  rawEnd: number;
}

interface Frame {
  open: number;
  children: Closed[];
}

function isSpace(c: number): boolean {
  return c === 32 || c === 9 || c === 10 || c === 13;
}

/** The first offset at or after `from` that is not white space or a comment. */
function skipSpace(text: string, from: number): number {
  let i = from;
  for (;;) {
    while (i < text.length && isSpace(text.charCodeAt(i))) i++;
    if (text.charCodeAt(i) !== 35) return i;
    const nl = text.indexOf('\n', i);
    if (nl < 0) return text.length;
    i = nl + 1;
  }
}

/** Whether a `:` follows `at` on the same line (after spaces and tabs): the node before it is a key. */
function colonFollows(text: string, at: number): boolean {
  let i = at;
  while (text.charCodeAt(i) === 32 || text.charCodeAt(i) === 9) i++;
  return text.charCodeAt(i) === 58;
}

/** Children encoded as numbers (see PositionCollection), in an array of exactly `count` doubles. */
class ChildList {
  readonly values: number[];
  readonly nested: PositionCollection[] | undefined;
  private n = 0;
  private m = 0;
  /** `count` children, `collections` of them collections. */
  constructor(count: number, collections: number) {
    this.values = new Array<number>(count).fill(Number.NaN);
    this.nested = collections > 0 ? new Array<PositionCollection>(collections) : undefined;
  }
  push(node: PositionNode | undefined): void {
    this.set(this.n++, node);
  }
  set(i: number, node: PositionNode | undefined): void {
    if (node === undefined) this.values[i] = Number.NaN;
    else if (typeof node === 'number') this.values[i] = node;
    else if (this.nested) {
      this.nested[this.m++] = node;
      this.values[i] = -this.m;
    }
  }
}

/** How many of `children` are collections. */
const collectionsIn = (children: readonly Closed[]): number =>
  children.reduce((n, c) => n + (typeof c.node === 'number' ? 0 : 1), 0);

/** A mapping node from its children: keys are the nodes a `:` follows (or that no value followed). */
function mappingOf(start: number, end: number, children: readonly Closed[], text: string): PositionCollection {
  // First pass: which children are keys.
  const isKey: boolean[] = [];
  let expectKey = true;
  let count = 0;
  for (const c of children) {
    const key: boolean = expectKey || colonFollows(text, c.rawEnd);
    isKey.push(key);
    if (key) count++;
    expectKey = !key;
  }
  const keys = new Array<number>(count).fill(0);
  const values = new ChildList(count, collectionsIn(children.filter((_, i) => !isKey[i])));
  let names: (string | undefined)[] | undefined;
  let k = -1;
  children.forEach((c, i) => {
    if (!isKey[i]) {
      values.set(k, c.node);
      return;
    }
    k++;
    const key: PackedSpan = typeof c.node === 'number' ? c.node : pack(c.node.start, c.node.end);
    const { start: ks, end: ke } = spanOf(key);
    if (c.text !== undefined && c.text !== text.slice(ks, ke)) {
      names ??= [];
      names[k] = c.text;
    }
    keys[k] = key;
  });
  const node: PositionCollection = { start, end, kind: 'map', keys, values: values.values };
  if (values.nested) node.nested = values.nested;
  if (names) node.names = names;
  return node;
}

/** A sequence node from its children. */
function sequenceOf(start: number, end: number, children: readonly Closed[]): PositionCollection {
  const items = new ChildList(children.length, collectionsIn(children));
  for (const c of children) items.push(c.node);
  const node: PositionCollection = { start, end, kind: 'seq', values: items.values };
  if (items.nested) node.nested = items.nested;
  return node;
}

/** The child node a number of `values` stands for. */
function childAt(n: PositionCollection, v: number | undefined): PositionNode | undefined {
  if (v === undefined || Number.isNaN(v)) return undefined;
  return v >= 0 ? v : n.nested?.[-v - 1];
}

/**
 * The position tree of `text`, or undefined when js-yaml cannot read it or a sequence has an entry without a node of
 * its own (an empty `-`, `[a: 1]`): then the positioned parser is used, so positions never differ from yaml's.
 */
export function positionTree(text: string): PositionNode | undefined {
  const stack: Frame[] = [{ open: 0, children: [] }];
  let complete = true;
  const listener = (event: 'open' | 'close', state: { position: number; kind: string | null; result: unknown }) => {
    if (event === 'open') {
      stack.push({ open: state.position, children: [] });
      return;
    }
    const frame = stack.pop() as Frame;
    const rawEnd = state.position;
    const only = frame.children.length === 1 ? frame.children[0] : undefined;
    let node: PositionNode;
    if (only?.result !== undefined && only.result === state.result) {
      // js-yaml tried the node as the key of a block mapping first (`- { a: 1 }`): the child is the node itself.
      node = only.node;
    } else if (state.kind === null) {
      node = pack(frame.open, frame.open);
    } else {
      const start = Math.min(skipSpace(text, frame.open), rawEnd);
      let end = rawEnd;
      while (end > start && isSpace(text.charCodeAt(end - 1))) end--;
      // A block scalar (`|`, `>`) ends after its last line break, as in yaml's ranges.
      const c = text.charCodeAt(start);
      if (state.kind === 'scalar' && (c === 124 || c === 62)) {
        const nl = text.indexOf('\n', end);
        if (nl >= 0 && nl < rawEnd) end = nl + 1;
      }
      if (state.kind === 'mapping') {
        node = mappingOf(start, end, frame.children, text);
      } else if (state.kind === 'sequence') {
        node = sequenceOf(start, end, frame.children);
        // An empty entry (`-` alone) or a pair in a flow sequence (`[a: 1]`) has no node of its own: give up.
        if (!Array.isArray(state.result) || state.result.length !== frame.children.length) complete = false;
      } else node = pack(start, end);
    }
    const closed: Closed = { node, rawEnd };
    if (typeof node === 'number') closed.text = String(state.result);
    else if (typeof state.result === 'object' && state.result !== null) closed.result = state.result;
    (stack[stack.length - 1] as Frame).children.push(closed);
  };
  try {
    jsYaml.load(text, { schema: jsYaml.CORE_SCHEMA, json: false, listener } as jsYaml.LoadOptions);
  } catch {
    return undefined;
  }
  const top = (stack[0] as Frame).children;
  return complete ? top[top.length - 1]?.node : undefined;
}

/** Mappings with more keys than this get a lookup map; smaller ones are scanned. */
const SCAN_LIMIT = 16;

function keyName(n: PositionCollection, i: number, text: string): string {
  const named = n.names?.[i];
  if (named !== undefined) return named;
  const { start, end } = spanOf(n.keys?.[i] as number);
  return text.slice(start, end);
}

/** Index of the first key named `name`, or -1. */
function keyIndex(n: PositionCollection, name: string, text: string): number {
  const keys = n.keys ?? [];
  if (keys.length <= SCAN_LIMIT) {
    for (let i = 0; i < keys.length; i++) if (keyName(n, i, text) === name) return i;
    return -1;
  }
  if (n.index === undefined) {
    n.index = new Map();
    for (let i = 0; i < keys.length; i++) {
      const k = keyName(n, i, text);
      if (!n.index.has(k)) n.index.set(k, i);
    }
  }
  return n.index.get(name) ?? -1;
}

/** The child of a position node at a path segment, the way `child()` in source.ts finds it in a yaml document. */
export function positionChild(
  node: PositionNode,
  key: string | number,
  text: string,
): { key?: PositionNode; value: PositionNode | undefined } | undefined {
  if (typeof node === 'number') return undefined;
  if (node.kind === 'map') {
    const i = keyIndex(node, String(key), text);
    return i < 0 ? undefined : { key: node.keys?.[i] as number, value: childAt(node, node.values[i]) };
  }
  if (typeof key !== 'number' || key < 0 || key >= node.values.length) return undefined;
  return { value: childAt(node, node.values[key]) };
}
