/**
 * Plan -> lanes of steps (pure). Lanes are per stream, so one mutation at a time reaches a stream; IAM lanes
 * (per account) run after the stream lanes. Within a lane steps keep the plan's `order` (create -> tags ->
 * encryption -> retention -> capacity -> monitoring -> consumers -> policies, removals last; in an IAM lane role
 * policies, then the guard boundary). Gating happens here: destructive changes, and replacing a role's foreign
 * permissions boundary, without `allowDestructive`; deletion-protected streams, scaling budgets, and the dependants
 * of anything skipped.
 */
import { TAG_DELETION_PROTECTION } from '../model/governance-tags.js';
import type { Blocked, Change, StreamCapacityChange } from '../plan/types.js';
import { budgetFor, budgetShortfall } from './budget.js';
import { shardCountSteps } from './shard-steps.js';
import type { ApplyStep, AuditEntry, Lane, StepOutcome } from './types.js';

/** Tag on a live stream that forbids its deletion (render sets it for streams declared with deletionProtection). */
export { TAG_DELETION_PROTECTION };

export interface StepOptions {
  allowDestructive: boolean;
  /** Audit log entries of earlier runs (for the rolling 24 h scaling budgets). */
  history: readonly AuditEntry[];
  now: Date;
}

export interface StepPlan {
  lanes: Lane[];
  /** Changes not executed, with why. */
  skipped: StepOutcome[];
}

function laneOf(c: Change): { key: string; phase: Lane['phase'] } {
  if (c.resourceType === 'iam-policy' || c.resourceType === 'iam-boundary')
    return { key: `${c.target.account}/iam`, phase: 'iam' };
  // After every stream and IAM lane: the stream (and its consumers) the mapping reads exist by then, and the
  // function's role may read them (CreateEventSourceMapping checks that).
  if (c.resourceType === 'event-source-mapping') return { key: `${c.target.account}/lambda`, phase: 'mapping' };
  return { key: `${c.target.account}/stream/${c.target.stream}`, phase: 'stream' };
}

function num(v: unknown): number | undefined {
  return typeof v === 'number' && Number.isFinite(v) ? v : undefined;
}

/** The capacity calls a stream-capacity change needs, from the plan's before/after values. */
export function capacityCalls(c: StreamCapacityChange): {
  modeSwitches: number;
  shardTargets: number[];
  calls: string[];
} {
  const { before, after } = c;
  const calls: string[] = [];
  let modeSwitches = 0;
  let shardTargets: number[] = [];
  const fromMode = before.mode;
  const toMode = after.mode;
  if (toMode !== undefined && fromMode !== undefined && toMode !== fromMode) {
    modeSwitches = 1;
    calls.push(`UpdateStreamMode ${String(fromMode)}->${String(toMode)}`);
  }
  const from = num(before.shards);
  const to = num(after.shards);
  // After a switch to PROVISIONED the starting shard count is what AWS picks; the executor re-derives the steps.
  if (to !== undefined && from !== undefined && (modeSwitches === 0 || toMode === 'PROVISIONED')) {
    shardTargets = shardCountSteps(from, to);
    let cur = from;
    for (const t of shardTargets) {
      calls.push(`UpdateShardCount ${cur}->${t}`);
      cur = t;
    }
  }
  return { modeSwitches, shardTargets, calls };
}

function expectedCalls(c: Change): string[] {
  const a = c.action;
  switch (c.resourceType) {
    case 'stream':
      return a === 'create'
        ? [
            'CreateStream',
            'AddTagsToStream',
            'StartStreamEncryption?',
            'IncreaseStreamRetentionPeriod?',
            'EnableEnhancedMonitoring?',
          ]
        : ['DeleteStream'];
    case 'stream-tags':
      return ['AddTagsToStream?', 'RemoveTagsFromStream?'];
    case 'stream-tag-revocation':
      return ['RemoveTagsFromStream'];
    case 'stream-encryption':
      return [c.after.encryption.type === 'NONE' ? 'StopStreamEncryption' : 'StartStreamEncryption'];
    case 'stream-retention':
      return [
        c.after.retentionHours < c.before.retentionHours
          ? 'DecreaseStreamRetentionPeriod'
          : 'IncreaseStreamRetentionPeriod',
      ];
    case 'stream-capacity':
      return capacityCalls(c).calls;
    case 'stream-monitoring':
      return ['EnableEnhancedMonitoring?', 'DisableEnhancedMonitoring?'];
    case 'consumer':
      return a === 'create' ? ['RegisterStreamConsumer', 'TagResource?'] : ['DeregisterStreamConsumer'];
    case 'consumer-tags':
      return ['TagResource?', 'UntagResource?'];
    case 'consumer-tag-revocation':
      return ['UntagResource'];
    case 'stream-policy':
    case 'consumer-policy':
      return [a === 'delete' ? 'DeleteResourcePolicy' : 'PutResourcePolicy'];
    case 'iam-policy':
      return [a === 'delete' ? 'DeleteRolePolicy/DetachRolePolicy' : 'PutRolePolicy/CreatePolicyVersion'];
    case 'iam-boundary':
      return 'role' in c.target
        ? ['PutRolePermissionsBoundary']
        : [a === 'create' ? 'CreatePolicy' : 'CreatePolicyVersion'];
    case 'event-source-mapping':
      return [a === 'create' ? 'CreateEventSourceMapping' : 'UpdateEventSourceMapping'];
  }
}

function outcome(c: Change, skipReason: NonNullable<StepOutcome['skipReason']>, message: string): StepOutcome {
  return {
    id: c.id,
    account: c.account,
    address: c.address,
    resourceType: c.resourceType,
    action: c.action,
    status: 'skipped',
    skipReason,
    message,
  };
}

/**
 * Why apply will refuse a change whatever flags it gets: deleting a deletion-protected stream, or a capacity change over
 * its daily scaling budget (counted from `history`). The plan marks such changes `blocked` with the same answer.
 */
export function blockedReason(c: Change, history: readonly AuditEntry[], now: Date): Blocked | undefined {
  if (c.resourceType === 'stream' && c.action === 'delete' && c.before.tags[TAG_DELETION_PROTECTION] === 'true') {
    return {
      reason: 'deletion-protected',
      message:
        `the stream is tagged ${TAG_DELETION_PROTECTION}=true, so apply never deletes it. To retire it, declare it again with ` +
        '`deletionProtection: false` and apply (that removes the tag), then remove it from the mesh; or keep it declared.',
    };
  }
  if (c.resourceType === 'stream-capacity') {
    const need = capacityCalls(c);
    const short = budgetShortfall(
      budgetFor(history, c.target.account, c.target.stream, now),
      need.shardTargets.length,
      need.modeSwitches,
    );
    if (short) return { reason: 'budget', message: `scaling budget: ${short}` };
  }
  return undefined;
}

/** Why a change must not run now, or undefined when it may. */
function gate(c: Change, o: StepOptions): StepOutcome | undefined {
  if (c.blocked) return outcome(c, c.blocked.reason, c.blocked.message);
  if (c.risk === 'destructive' && !o.allowDestructive) {
    return outcome(
      c,
      'destructive',
      `destructive (${c.reasons[c.reasons.length - 1] ?? 'see plan'}); rerun with --allow-destructive to apply it`,
    );
  }
  if (c.resourceType === 'iam-boundary' && c.before !== null && 'foreignBoundary' in c.before && !o.allowDestructive) {
    return outcome(
      c,
      'destructive',
      `role already has the permissions boundary ${c.before.foreignBoundary}, which meshgov did not set; rerun with --allow-destructive to replace it with the guard boundary`,
    );
  }
  const b = c.blocked ?? blockedReason(c, o.history, o.now);
  if (b) return outcome(c, b.reason, b.message);
  return undefined;
}

export function buildSteps(changes: readonly Change[], o: StepOptions): StepPlan {
  const skipped: StepOutcome[] = [];
  const skippedIds = new Set<string>();
  const lanes = new Map<string, Lane>();
  const ordered = [...changes].filter((c) => c.action !== 'no-op').sort((a, b) => a.order - b.order);
  for (const c of ordered) {
    const blocked = c.dependsOn.find((d) => skippedIds.has(d));
    const why = blocked ? outcome(c, 'dependency', `depends on ${blocked}, which is skipped`) : gate(c, o);
    if (why) {
      skipped.push(why);
      skippedIds.add(c.id);
      continue;
    }
    const { key, phase } = laneOf(c);
    let lane = lanes.get(key);
    if (!lane) {
      lane = { key, account: c.account, phase, steps: [] };
      lanes.set(key, lane);
    }
    const step: ApplyStep = { id: c.id, change: c, lane: key, expectedCalls: expectedCalls(c) };
    lane.steps.push(step);
  }
  const all = [...lanes.values()].sort((a, b) =>
    a.phase === b.phase ? (a.key < b.key ? -1 : a.key > b.key ? 1 : 0) : a.phase === 'stream' ? -1 : 1,
  );
  return { lanes: all, skipped };
}
