/**
 * Apply what was reviewed, in one or two parts. A reviewed plan is applied whole (`all`), or first its safe part
 * (`safe`: destructive changes wait for an approval) and later, once approved, its destructive part (`destructive`).
 * Each run recomputes its own plan from the mesh and the live state and proceeds only when what it would do now is
 * exactly the reviewed part still to do; otherwise it applies nothing and says what differs. Pure: plans in, verdict
 * out.
 */
import { canonicalJson } from '../canonical-json.js';
import { changeEssence, describeChangeSetDifference } from '../plan/change-set.js';
import type { AccessChange, Change, Plan } from '../plan/types.js';

/** Which part of a reviewed plan a run applies. */
export type ApplyPart = 'all' | 'safe' | 'destructive';

/** A change apply holds back unless destructive changes are allowed (the same test as the apply gate, steps.ts). */
export function needsApproval(c: Change): boolean {
  if (c.action === 'no-op' || c.blocked !== undefined) return false;
  if (c.risk === 'destructive') return true;
  return c.resourceType === 'iam-boundary' && c.before !== null && 'foreignBoundary' in c.before;
}

/**
 * Ids of the changes that wait for approval: those that need it, and every change that depends on one of them
 * (apply skips a change whose dependency was skipped).
 */
export function pendingApprovalIds(changes: readonly Change[]): Set<string> {
  const ids = new Set(changes.filter(needsApproval).map((c) => c.id));
  for (let grew = true; grew;) {
    grew = false;
    for (const c of changes) {
      if (c.action === 'no-op' || ids.has(c.id)) continue;
      if (c.dependsOn.some((d) => ids.has(d))) {
        ids.add(c.id);
        grew = true;
      }
    }
  }
  return ids;
}

/** Why apply refuses: each says in one phrase what differs; `differences` lists the changes, one per line. */
export type GateVerdict =
  | { ok: true }
  | { ok: false; reason: 'not-the-reviewed-plan' | 'changed-since-review'; message: string; differences: string[] };

export interface GateInput {
  /** The reviewed (saved) plan. */
  reviewed: Plan;
  /** The plan apply computed now. */
  own: Plan;
  /** liveFingerprint of the live state now, over the reviewed plan's scope. */
  fingerprintNow: string;
  part: ApplyPart;
  /** The digest the pull request comment recorded, when apply runs for a merged pull request. */
  reviewedDigest?: string;
}

function essenceSet(changes: readonly Change[]): Map<string, string> {
  const planned = changes.filter((c) => c.action !== 'no-op');
  return new Map(planned.map((c) => [c.id, canonicalJson(changeEssence(c))] as const));
}

function sameEssence(a: readonly Change[], b: readonly Change[]): boolean {
  const x = essenceSet(a);
  const y = essenceSet(b);
  return x.size === y.size && [...x].every(([id, e]) => y.get(id) === e);
}

function accessKey(a: AccessChange): string {
  return canonicalJson(a);
}

/** The part of the reviewed plan that is still to do when its safe part has been applied. */
export function remainingAfterSafe(reviewed: Plan): { changes: Change[]; accessDiff: AccessChange[] } {
  const pending = pendingApprovalIds(reviewed.changes);
  // Blocked changes (deletion protection, spent budgets) are never applied, so they stay planned.
  const left = reviewed.changes.filter((c) => pending.has(c.id) || (c.blocked !== undefined && c.action !== 'no-op'));
  return { changes: left, accessDiff: reviewed.accessDiff };
}

/**
 * Decide whether apply may run `part` of the reviewed plan now. `all` and `safe`: the change set computed now must
 * have the reviewed digest. `destructive`: the changes planned now must be exactly the reviewed ones that waited for
 * approval (same essence), and every access change planned now must have been reviewed.
 */
export function checkAgainstReviewed(input: GateInput): GateVerdict {
  const { reviewed, own, part } = input;
  if (input.reviewedDigest !== undefined && input.reviewedDigest !== reviewed.changeSetDigest) {
    return {
      ok: false,
      reason: 'not-the-reviewed-plan',
      differences: [],
      message:
        `the saved plan (change set ${reviewed.changeSetDigest.slice(0, 12)}) is not the one the pull request ` +
        `recorded as reviewed (${input.reviewedDigest.slice(0, 12)})`,
    };
  }
  const liveChanged = input.fingerprintNow !== reviewed.liveFingerprint;
  const why = liveChanged
    ? `the live state of the accounts in its scope changed since the plan was made at ${reviewed.createdAt} ` +
      `(fingerprint ${reviewed.liveFingerprint.slice(0, 12)} -> ${input.fingerprintNow.slice(0, 12)})`
    : 'the changes meshgov computes now differ from the reviewed ones';
  if (part !== 'destructive') {
    if (own.changeSetDigest === reviewed.changeSetDigest) return { ok: true };
    const differences = describeChangeSetDifference(reviewed, own);
    return { ok: false, reason: 'changed-since-review', message: why, differences };
  }
  const expected = remainingAfterSafe(reviewed);
  const reviewedAccess = new Set(reviewed.accessDiff.map(accessKey));
  const unreviewedAccess = own.accessDiff.filter((a) => !reviewedAccess.has(accessKey(a)));
  if (sameEssence(expected.changes, own.changes) && unreviewedAccess.length === 0) return { ok: true };
  const reviewedRows = own.accessDiff.filter((a) => reviewedAccess.has(accessKey(a)));
  const differences = describeChangeSetDifference({ changes: expected.changes, accessDiff: reviewedRows }, own);
  return {
    ok: false,
    reason: 'changed-since-review',
    differences,
    message: 'what is left to apply is not exactly the reviewed part that waited for approval',
  };
}
