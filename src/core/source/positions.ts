/**
 * Positions of a file that took the fast path (js-yaml, no positions), built only when a diagnostic needs one: the
 * same text is read again by js-yaml with its node listener, which reports where each node opens and closes. That is
 * about ten times cheaper than yaml's positioned parse, which matters when every grant of 100,000 has a diagnostic.
 * Only used for text the fast path accepted (no anchors, aliases, tags, explicit keys or directives, no duplicate
 * keys), so the node events map one to one onto mappings, sequences and scalars.
 */
import jsYaml from 'js-yaml';

/** A node's span in the text (offsets; `end` exclusive) and, for collections, its children. */
export interface PositionNode {
  start: number;
  end: number;
  kind: 'map' | 'seq' | 'scalar' | 'empty';
  /** Mapping entries by the key's string form (the first of a repeated key). */
  entries?: Map<string, { key: PositionNode; value: PositionNode | undefined }>;
  /** Sequence items. */
  items?: PositionNode[];
}

interface Closed {
  node: PositionNode;
  /** The collection js-yaml built (identity only: a wrapper frame closes with the same object as its child). */
  result?: object;
  /** The key's string form, for scalars. */
  text?: string;
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

function entriesOf(children: readonly Closed[], text: string): Map<string, { key: PositionNode; value: PositionNode | undefined }> {
  const entries = new Map<string, { key: PositionNode; value: PositionNode | undefined }>();
  let pending: { name: string; key: PositionNode } | undefined;
  const flush = (value: PositionNode | undefined) => {
    if (pending && !entries.has(pending.name)) entries.set(pending.name, { key: pending.key, value });
    pending = undefined;
  };
  for (const c of children) {
    if (pending === undefined || colonFollows(text, c.rawEnd)) {
      flush(undefined);
      pending = { name: c.text ?? '', key: c.node };
    } else flush(c.node);
  }
  flush(undefined);
  return entries;
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
      node = { start: frame.open, end: frame.open, kind: 'empty' };
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
        node = { start, end, kind: 'map', entries: entriesOf(frame.children, text) };
      } else if (state.kind === 'sequence') {
        node = { start, end, kind: 'seq', items: frame.children.map((c) => c.node) };
        // An empty entry (`-` alone) or a pair in a flow sequence (`[a: 1]`) has no node of its own: give up.
        if (!Array.isArray(state.result) || state.result.length !== frame.children.length) complete = false;
      } else node = { start, end, kind: 'scalar' };
    }
    const closed: Closed = { node, rawEnd };
    if (node.kind === 'scalar' || node.kind === 'empty') closed.text = String(state.result);
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

/** The child of a position node at a path segment, the way `child()` in source.ts finds it in a yaml document. */
export function positionChild(node: PositionNode, key: string | number): { key?: PositionNode; value: PositionNode | undefined } | undefined {
  if (node.entries) {
    const e = node.entries.get(String(key));
    return e === undefined ? undefined : { key: e.key, value: e.value };
  }
  if (node.items && typeof key === 'number') {
    const item = node.items[key];
    return item === undefined ? undefined : { value: item };
  }
  return undefined;
}
