/** Apply order, ids and the summary of a plan. */
import { InternalError } from '../diagnostics/diagnostic.js';
import type { DraftChange } from './diff-stream.js';
import { cmp } from './scope.js';
import type { AccessChange, Change, PlanSummary, UnmanagedResource } from './types.js';

/**
 * Phases follow the apply order of the apply issue: create stream -> tags -> encryption -> retention -> capacity
 * -> monitoring -> consumers -> policies -> IAM policies -> the guard boundary -> event source mappings; removals of
 * whole resources come last, no-ops at the end.
 */
function phase(c: DraftChange): number {
  if (c.action === 'no-op') return 99;
  if (c.resourceType === 'iam-policy' && c.action === 'delete') return 19;
  if (c.resourceType === 'consumer' && c.action === 'delete') return 20;
  if (c.resourceType === 'stream' && c.action === 'delete') return 21;
  const phases: Record<Change['resourceType'], number> = {
    stream: 0,
    'stream-tags': 1,
    'stream-tag-revocation': 1,
    'stream-encryption': 2,
    'stream-retention': 3,
    'stream-capacity': 4,
    'stream-monitoring': 5,
    consumer: 6,
    'consumer-tags': 7,
    'consumer-tag-revocation': 7,
    'stream-policy': 8,
    'consumer-policy': 9,
    'iam-policy': 10,
    'iam-boundary': 11,
    'event-source-mapping': 12,
  };
  return phases[c.resourceType];
}

export function changeId(c: Pick<Change, 'resourceType' | 'address'>): string {
  return `${c.resourceType}:${c.address}`;
}

/** A draft with its id and order, keys in the documented order. The members of the union keep their own attributes. */
function finish(d: DraftChange, order: number): Change {
  const c = {
    id: changeId(d),
    action: d.action,
    resourceType: d.resourceType,
    address: d.address,
    account: d.account,
    target: d.target,
    ...(d.stream !== undefined ? { stream: d.stream } : {}),
    ...(d.domain !== undefined ? { domain: d.domain } : {}),
    risk: d.risk,
    before: d.before,
    after: d.after,
    reasons: d.reasons,
    dependsOn: d.dependsOn ?? [],
    order,
    ...(d.blocked !== undefined ? { blocked: d.blocked } : {}),
  };
  // Copying field by field loses the correlation between resourceType, action, target and attributes that `d` has.
  return c as Change;
}

/** Assign ids and order; check that every dependency exists and comes first. */
export function finishChanges(drafts: DraftChange[]): Change[] {
  const sorted = [...drafts].sort(
    (a, b) =>
      phase(a) - phase(b) ||
      cmp(a.account, b.account) ||
      cmp(a.address, b.address) ||
      cmp(a.resourceType, b.resourceType),
  );
  const changes: Change[] = sorted.map((d, i) => finish(d, i + 1));
  const orderOf = new Map<string, number>();
  for (const c of changes) {
    if (orderOf.has(c.id)) throw new InternalError(`duplicate change id ${c.id}`);
    orderOf.set(c.id, c.order);
  }
  for (const c of changes) {
    for (const dep of c.dependsOn) {
      const o = orderOf.get(dep);
      if (o === undefined || o >= c.order)
        throw new InternalError(`change ${c.id} depends on ${dep}, which is missing or ordered after it`);
    }
  }
  return changes;
}

export function summarise(
  changes: readonly Change[],
  access: readonly AccessChange[],
  unmanaged: readonly UnmanagedResource[],
): PlanSummary {
  const count = (f: (c: Change) => boolean) => changes.filter(f).length;
  // meshgov plans no replacements (a stream is never deleted to be recreated); the count stays for readers of the format.
  const replace = 0;
  const summary: PlanSummary = {
    add: count((c) => c.action === 'create') + replace,
    change: count((c) => c.action === 'update'),
    destroy: count((c) => c.action === 'delete') + replace,
    replace,
    noop: count((c) => c.action === 'no-op'),
    destructive: count((c) => c.action !== 'no-op' && c.risk === 'destructive'),
    disruptive: count((c) => c.action !== 'no-op' && c.risk === 'disruptive'),
    accessGained: access.filter((a) => a.change === 'gain').length,
    accessLost: access.filter((a) => a.change === 'lose').length,
    unmanaged: unmanaged.length,
    blocked: count((c) => c.action !== 'no-op' && c.blocked !== undefined),
    hasChanges: changes.some((c) => c.action !== 'no-op' && c.blocked === undefined),
  };
  return summary;
}
