/**
 * Changes the mesh asks for that apply will refuse whatever flag it is given: deleting a deletion-protected stream,
 * and capacity changes whose daily scaling budget is spent (counted from the apply log when the caller has one).
 * The plan shows them as blocked with the reason and what to do; they are not pending changes, so
 * `plan --detailed-exitcode` does not report them and a plan holding only blocked changes converges.
 */
import { blockedReason } from '../apply/steps.js';
import type { AuditEntry } from '../apply/types.js';
import type { Blocked, Change } from './types.js';

/** What the plan knows of past scaling calls: the apply log's entries and the clock. */
export interface ScalingHistory {
  entries: readonly AuditEntry[];
  now: Date;
}

/** Without a history the budgets are unknown: only deletion protection can block. */
function deletionOnly(c: Change): Blocked | undefined {
  return c.resourceType === 'stream' ? blockedReason(c, [], new Date(0)) : undefined;
}

/** The changes with `blocked` set where apply would refuse them; other changes are returned as they are. */
export function markBlocked(changes: readonly Change[], history?: ScalingHistory): Change[] {
  return changes.map((c) => {
    if (c.action === 'no-op') return c;
    const b = history === undefined ? deletionOnly(c) : blockedReason(c, history.entries, history.now);
    return b === undefined ? c : { ...c, blocked: b };
  });
}
