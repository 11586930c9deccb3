/**
 * The body lines of a change, shared by the text and markdown renderers: attribute by attribute, Terraform style.
 * Lines carry a sign (`+` added, `-` removed, `~` changed, ` ` context) so each renderer can colour or fence them.
 */
import type { Change, ChangeAction } from '../../core/plan/types.js';

export type Sign = '+' | '-' | '~' | ' ' | '#';

export interface Line {
  sign: Sign;
  text: string;
}

export const ACTION_SYMBOL: Record<ChangeAction, string> = {
  create: '+',
  update: '~',
  delete: '-',
  replace: '-/+',
  'no-op': ' ',
};

function show(v: unknown): string {
  return typeof v === 'string' ? JSON.stringify(v) : (JSON.stringify(v) ?? 'null');
}

function isMap(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

const DOCUMENT_KEYS = new Set(['policy', 'document']);

/** Longest-common-subsequence line diff: small documents only (policies), O(n*m). */
export function lineDiff(a: string[], b: string[]): Line[] {
  const n = a.length;
  const m = b.length;
  const dp: number[][] = Array.from({ length: n + 1 }, () => new Array<number>(m + 1).fill(0));
  for (let i = n - 1; i >= 0; i--)
    for (let j = m - 1; j >= 0; j--)
      dp[i]![j] = a[i] === b[j] ? dp[i + 1]![j + 1]! + 1 : Math.max(dp[i + 1]![j]!, dp[i]![j + 1]!);
  const out: Line[] = [];
  let i = 0;
  let j = 0;
  while (i < n && j < m) {
    if (a[i] === b[j]) {
      out.push({ sign: ' ', text: a[i] as string });
      i++;
      j++;
    } else if (dp[i + 1]![j]! >= dp[i]![j + 1]!) out.push({ sign: '-', text: a[i++] as string });
    else out.push({ sign: '+', text: b[j++] as string });
  }
  while (i < n) out.push({ sign: '-', text: a[i++] as string });
  while (j < m) out.push({ sign: '+', text: b[j++] as string });
  return out;
}

function documentLines(key: string, before: unknown, after: unknown): Line[] {
  const a = before === undefined || before === null ? [] : JSON.stringify(before, null, 2).split('\n');
  const b = after === undefined || after === null ? [] : JSON.stringify(after, null, 2).split('\n');
  const sign: Sign = a.length === 0 ? '+' : b.length === 0 ? '-' : '~';
  return [
    { sign, text: `${key} (whole document):` },
    ...lineDiff(a, b).map((l) => ({ sign: l.sign, text: `    ${l.text}` })),
  ];
}

function mapLines(key: string, before: Record<string, unknown>, after: Record<string, unknown>): Line[] {
  const out: Line[] = [{ sign: '~', text: `${key}:` }];
  const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])].sort();
  for (const k of keys) {
    const has = k in before;
    const wants = k in after;
    if (has && wants) out.push({ sign: '~', text: `    ${show(k)}: ${show(before[k])} -> ${show(after[k])}` });
    else if (wants) out.push({ sign: '+', text: `    ${show(k)} = ${show(after[k])}` });
    else out.push({ sign: '-', text: `    ${show(k)} = ${show(before[k])}` });
  }
  return out;
}

/** Attribute lines of a change (no header), every document and map in full. */
export function attributeLines(c: Change): Line[] {
  // Rendering walks every attribute of every kind of change alike, so it reads them as plain maps.
  const before: Record<string, unknown> = c.before ?? {};
  const after: Record<string, unknown> = c.after ?? {};
  const out: Line[] = [];
  for (const k of [...new Set([...Object.keys(before), ...Object.keys(after)])]) {
    if (DOCUMENT_KEYS.has(k)) out.push(...documentLines(k, before[k], after[k]));
    else out.push(...attributeLinesOf(c.action, k, before[k], after[k]));
  }
  return out;
}

/** Keys whose values are whole tag maps: in a created or deleted resource, long and rarely what a reviewer checks. */
const TAG_MAP_KEYS = new Set(['tags']);

/** Statements of a policy document as read or rendered (any JSON), for the one-line summary. */
function statementCount(doc: unknown): number | undefined {
  if (!isMap(doc)) return undefined;
  const st = doc['Statement'];
  return Array.isArray(st) ? st.length : isMap(st) ? 1 : undefined;
}

function documentSummary(key: string, before: unknown, after: unknown): Line {
  const n = (v: unknown) => {
    const c = statementCount(v);
    return c === undefined ? 'a document' : `${c} statement${c === 1 ? '' : 's'}`;
  };
  const has = (v: unknown) => v !== undefined && v !== null;
  if (has(before) && has(after)) {
    return { sign: '~', text: `${key}: whole document replaced (${n(before)} -> ${n(after)}; in the details)` };
  }
  if (has(after)) return { sign: '+', text: `${key}: whole document, ${n(after)} (in the details)` };
  return { sign: '-', text: `${key}: whole document, ${n(before)} (in the details)` };
}

/** A created resource's value, or a deleted one's, that is a whole map. */
function isWholeMap(action: ChangeAction, after: unknown, before: unknown): boolean {
  return (action === 'create' && isMap(after)) || (action === 'delete' && isMap(before));
}

/**
 * Attribute lines split for a reader: `inline` keeps every scalar and every tag update, with whole policy documents
 * and the tag maps of created or deleted resources summarised on one line; `details` holds those in full (the
 * markdown's collapsed section, the end of the terminal plan). `inline` and `details` together say what
 * {@link attributeLines} says.
 */
export function splitAttributeLines(c: Change): { inline: Line[]; details: Line[] } {
  const before: Record<string, unknown> = c.before ?? {};
  const after: Record<string, unknown> = c.after ?? {};
  const inline: Line[] = [];
  const details: Line[] = [];
  for (const k of [...new Set([...Object.keys(before), ...Object.keys(after)])]) {
    const b = before[k];
    const a = after[k];
    if (DOCUMENT_KEYS.has(k)) {
      inline.push(documentSummary(k, b, a));
      details.push(...documentLines(k, b, a));
    } else if (TAG_MAP_KEYS.has(k) && isWholeMap(c.action, a, b)) {
      const map = (c.action === 'create' ? a : b) as Record<string, unknown>;
      const sign: Sign = c.action === 'create' ? '+' : '-';
      const n = Object.keys(map).length;
      inline.push({ sign, text: `${k}: ${n} tag${n === 1 ? '' : 's'} (in the details)` });
      details.push(...valueLines(sign, k, map));
    } else {
      inline.push(...attributeLinesOf(c.action, k, b, a));
    }
  }
  return { inline, details };
}

function attributeLinesOf(action: ChangeAction, k: string, b: unknown, a: unknown): Line[] {
  if (action === 'create') return valueLines('+', k, a);
  if (action === 'delete') return valueLines('-', k, b);
  if (isMap(b) || isMap(a)) return mapLines(k, isMap(b) ? b : {}, isMap(a) ? a : {});
  if (b === undefined) return [{ sign: '+', text: `${k} = ${show(a)}` }];
  if (a === undefined) return [{ sign: '-', text: `${k} = ${show(b)}` }];
  return [{ sign: '~', text: `${k}: ${show(b)} -> ${show(a)}` }];
}

function valueLines(sign: Sign, key: string, v: unknown): Line[] {
  if (!isMap(v)) return [{ sign, text: `${key} = ${show(v)}` }];
  const entries = Object.entries(v);
  if (entries.length === 0) return [{ sign, text: `${key} = {}` }];
  return [
    { sign, text: `${key} = {` },
    ...entries.map(([k, x]) => ({ sign, text: `    ${show(k)} = ${show(x)}` })),
    { sign, text: '}' },
  ];
}

/** Header of a change: `+ stream 111111111111/stream/name`. */
export function headerText(c: Change): string {
  return `${ACTION_SYMBOL[c.action]} ${c.resourceType} ${c.address}`;
}

/** `Plan: 1 to add, 2 to change, 0 to destroy.` (Terraform's wording), or the no-changes sentence. */
export function summaryLine(summary: { add: number; change: number; destroy: number; hasChanges: boolean }): string {
  if (!summary.hasChanges) return 'No changes. The live accounts match the mesh.';
  return `Plan: ${summary.add} to add, ${summary.change} to change, ${summary.destroy} to destroy.`;
}
