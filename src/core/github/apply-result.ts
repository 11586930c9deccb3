/**
 * What one apply run of a pull-request loop did, as a file (`apply --result apply-result.json`) that the next step
 * posts on the pull request and in the job summary. It crosses a process boundary, so it is a discriminated union
 * with a version, and {@link parseApplyResult} checks every field before anything renders it.
 */
import type { StepOutcome } from '../apply/types.js';
import type { ApplyPart } from './review-gate.js';

export const APPLY_RESULT_VERSION = 1;

/** One change in the result: enough to name it on the pull request. */
export interface ResultChange {
  /** The change id, `<resourceType>:<address>`. */
  id: string;
  /** Why it failed, was held back or was blocked (one line); absent for done. */
  message?: string;
}

/** Apply ran: what it did to the part it was asked to apply. */
export interface AppliedResult {
  formatVersion: typeof APPLY_RESULT_VERSION;
  kind: 'applied';
  part: ApplyPart;
  /** The reviewed plan's change-set digest. */
  reviewedDigest: string;
  done: ResultChange[];
  failed: ResultChange[];
  /** Destructive changes (and those depending on them) held back until someone approves them. */
  pendingApproval: ResultChange[];
  /** Changes apply refuses whatever the approval (deletion protection, spent scaling budgets). */
  blocked: ResultChange[];
  /** Skipped for another reason (unsupported, a failed dependency, interrupted). */
  skipped: ResultChange[];
}

/** Apply recomputed the plan and it was not the reviewed one: nothing was applied. */
export interface RefusedResult {
  formatVersion: typeof APPLY_RESULT_VERSION;
  kind: 'refused';
  part: ApplyPart;
  reviewedDigest: string;
  /** One sentence: why. */
  message: string;
  /** What differs, one change per line (bounded). */
  differences: string[];
}

/**
 * No reviewed plan for the merged commit (no plan comment, a plan for an older head, a failed plan): nothing was
 * applied.
 */
export interface NotReviewedResult {
  formatVersion: typeof APPLY_RESULT_VERSION;
  kind: 'not-reviewed';
  message: string;
}

export type ApplyResult = AppliedResult | RefusedResult | NotReviewedResult;

function view(o: StepOutcome): ResultChange {
  return o.message !== undefined && o.status !== 'done' ? { id: o.id, message: o.message } : { id: o.id };
}

/**
 * Sort the outcomes of a run. With `deferred`, destructive skips and the skips of their dependents are pending
 * approval; without, they are plain skips (the run was not asked to defer them).
 */
export function appliedResult(
  outcomes: readonly StepOutcome[],
  part: ApplyPart,
  reviewedDigest: string,
  deferred: ReadonlySet<string>,
): AppliedResult {
  const pick = (f: (o: StepOutcome) => boolean) => outcomes.filter(f).map(view);
  const pending = (o: StepOutcome) =>
    o.status === 'skipped' && deferred.has(o.id) && (o.skipReason === 'destructive' || o.skipReason === 'dependency');
  const blocked = (o: StepOutcome) =>
    o.status === 'skipped' && (o.skipReason === 'deletion-protected' || o.skipReason === 'budget');
  return {
    formatVersion: APPLY_RESULT_VERSION,
    kind: 'applied',
    part,
    reviewedDigest,
    done: pick((o) => o.status === 'done'),
    failed: pick((o) => o.status === 'failed'),
    pendingApproval: pick(pending),
    blocked: pick(blocked),
    skipped: pick((o) => o.status === 'skipped' && !pending(o) && !blocked(o)),
  };
}

/** Bounds on what a result file may hold: it is read back from disk and rendered. */
const MAX_ITEMS = 10_000;
const MAX_TEXT = 2_000;

type Check<T> = { value: T } | { problem: string };

function text(v: unknown, path: string, max = MAX_TEXT): Check<string> {
  if (typeof v !== 'string') return { problem: `${path} must be a string` };
  if (v.length > max) return { problem: `${path} is longer than ${max} characters` };
  return { value: v };
}

function changes(v: unknown, path: string): Check<ResultChange[]> {
  if (!Array.isArray(v)) return { problem: `${path} must be an array` };
  if (v.length > MAX_ITEMS) return { problem: `${path} has more than ${MAX_ITEMS} items` };
  const out: ResultChange[] = [];
  for (const [i, item] of v.entries()) {
    if (typeof item !== 'object' || item === null) return { problem: `${path}[${i}] must be an object` };
    const { id, message, ...rest } = item as Record<string, unknown>;
    const extra = Object.keys(rest)[0];
    if (extra !== undefined) return { problem: `${path}[${i}] has an unknown field ${JSON.stringify(extra)}` };
    const idc = text(id, `${path}[${i}].id`, 512);
    if ('problem' in idc) return idc;
    if (message === undefined) out.push({ id: idc.value });
    else {
      const m = text(message, `${path}[${i}].message`);
      if ('problem' in m) return m;
      out.push({ id: idc.value, message: m.value });
    }
  }
  return { value: out };
}

const PARTS: readonly ApplyPart[] = ['all', 'safe', 'destructive'];
const DIGEST = /^[0-9a-f]{64}$/;

/** Check a parsed result file; the problem names the first field that is wrong. */
export function parseApplyResult(v: unknown): { result: ApplyResult } | { problem: string } {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) {
    return { problem: 'the apply result must be a JSON object' };
  }
  const o = v as Record<string, unknown>;
  if (o['formatVersion'] !== APPLY_RESULT_VERSION) return { problem: `formatVersion must be ${APPLY_RESULT_VERSION}` };
  const kind = o['kind'];
  if (kind === 'not-reviewed') {
    const m = text(o['message'], 'message');
    return 'problem' in m ? m : { result: { formatVersion: APPLY_RESULT_VERSION, kind, message: m.value } };
  }
  if (kind !== 'applied' && kind !== 'refused') return { problem: 'kind must be applied, refused or not-reviewed' };
  const part = o['part'];
  if (!PARTS.includes(part as ApplyPart)) return { problem: 'part must be all, safe or destructive' };
  const digest = o['reviewedDigest'];
  if (typeof digest !== 'string' || !DIGEST.test(digest)) {
    return { problem: 'reviewedDigest must be a sha256 (64 lower-case hex)' };
  }
  const base = { formatVersion: APPLY_RESULT_VERSION, part: part as ApplyPart, reviewedDigest: digest } as const;
  if (kind === 'refused') {
    const m = text(o['message'], 'message');
    if ('problem' in m) return m;
    const d = o['differences'];
    if (!Array.isArray(d) || d.length > MAX_ITEMS) return { problem: 'differences must be an array' };
    const lines: string[] = [];
    for (const [i, line] of d.entries()) {
      const t = text(line, `differences[${i}]`);
      if ('problem' in t) return t;
      lines.push(t.value);
    }
    return { result: { ...base, kind, message: m.value, differences: lines } };
  }
  const lists: Record<'done' | 'failed' | 'pendingApproval' | 'blocked' | 'skipped', ResultChange[]> = {
    done: [],
    failed: [],
    pendingApproval: [],
    blocked: [],
    skipped: [],
  };
  for (const key of Object.keys(lists) as (keyof typeof lists)[]) {
    const c = changes(o[key], key);
    if ('problem' in c) return c;
    lists[key] = c.value;
  }
  return { result: { ...base, kind, ...lists } };
}
