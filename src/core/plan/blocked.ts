/**
 * Changes the mesh asks for that apply will refuse whatever flag it is given: deleting a deletion-protected stream,
 * and capacity changes whose daily scaling budget is spent (counted from the apply log when the caller has one).
 * The plan shows them as blocked with the reason and what to do; they are not pending changes, so
 * `plan --detailed-exitcode` does not report them and a plan holding only blocked changes converges.
 */
import { budgetFor, budgetShortfall } from '../apply/budget.js';
import { capacityCalls } from '../apply/steps.js';
import type { AuditEntry } from '../apply/types.js';
import { TAG_DELETION_PROTECTION } from '../model/governance-tags.js';
import type { Blocked, Change } from './types.js';

/** What the plan knows of past scaling calls: the apply log's entries and the clock. */
export interface ScalingHistory {
  entries: readonly AuditEntry[];
  now: Date;
}

function blockOf(c: Change, history: ScalingHistory | undefined): Blocked | undefined {
  if (c.resourceType === 'stream' && c.action === 'delete') {
    if (c.before.tags[TAG_DELETION_PROTECTION] === 'true') {
      return {
        reason: 'deletion-protected',
        message: `the stream is tagged ${TAG_DELETION_PROTECTION}=true, so apply never deletes it. To retire it, declare it again with ` +
          '`deletionProtection: false` and apply (that removes the tag), then remove it from the mesh; or keep it declared.',
      };
    }
  }
  if (c.resourceType === 'stream-capacity' && history !== undefined) {
    const need = capacityCalls(c);
    const short = budgetShortfall(budgetFor(history.entries, c.target.account, c.target.stream, history.now), need.shardTargets.length, need.modeSwitches);
    if (short) return { reason: 'budget', message: `scaling budget: ${short}` };
  }
  return undefined;
}

/** The changes with `blocked` set where apply would refuse them; other changes are returned as they are. */
export function markBlocked(changes: readonly Change[], history?: ScalingHistory): Change[] {
  return changes.map((c) => {
    if (c.action === 'no-op') return c;
    const b = blockOf(c, history);
    return b === undefined ? c : { ...c, blocked: b };
  });
}
