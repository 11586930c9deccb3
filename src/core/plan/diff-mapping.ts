/**
 * Filtered grants' Lambda event source mappings, declared vs live (pure): a missing mapping is a create, a mapping
 * with other filter criteria an update of its filters. The Lambda function belongs to the consuming team, so a grant
 * that does not opt in (`filter.manageMapping`) gets the change marked blocked (`consumer-owned`): the plan shows the
 * drift, apply never acts on it. Mappings that were not read are listed as not checked, never as in sync.
 */
import type { AccountId } from '../model/types.js';
import type { DesiredEventSourceMapping } from '../render/types.js';
import type { DraftChange } from './diff-stream.js';
import { streamAddressOf } from './diff-stream.js';
import type { LiveLambda } from './live.js';
import { bypassWhat, compareMapping, declaredSource } from './mapping-compare.js';
import type { MappingComparison } from './mapping-compare.js';
import type { Blocked, MappingTarget } from './types.js';

export function mappingAddress(account: AccountId, grantId: string): string {
  return `${account}/lambda/event-source-mapping/${grantId}`;
}

function consumerOwned(d: DesiredEventSourceMapping): Blocked {
  return {
    reason: 'consumer-owned',
    message:
      `function ${d.functionName} belongs to the consuming team: fix the mapping in account ${d.account}, or set ` +
      `\`filter.manageMapping: true\` on grant ${d.grantId} to let apply do it`,
  };
}

function change(c: MappingComparison): DraftChange | undefined {
  const d = c.desired;
  const target: MappingTarget = {
    account: d.account,
    grantId: d.grantId,
    functionName: d.functionName,
    eventSourceArn: d.eventSourceArn,
    ...(d.consumer !== undefined ? { consumer: d.consumer } : {}),
  };
  const base = {
    resourceType: 'event-source-mapping' as const,
    address: mappingAddress(d.account, d.grantId),
    account: d.account,
    target,
    ...(d.manage ? {} : { blocked: consumerOwned(d) }),
  };
  if (c.status === 'missing' || c.source === false) {
    const elsewhere =
      c.mapping === undefined
        ? []
        : [
            `mapping ${c.mapping.uuid} of function ${d.functionName} ${c.differences.join('; ')}: the source of a ` +
              'mapping cannot change, so a new one is created; meshgov never deletes a mapping it did not create: ' +
              'the consuming team should remove the old one',
          ];
    return {
      ...base,
      action: 'create',
      risk: 'safe',
      before: null,
      after: {
        functionName: d.functionName,
        eventSourceArn: d.eventSourceArn,
        ...(d.consumer !== undefined ? { consumer: d.consumer } : {}),
        startingPosition: d.startingPosition,
        ...(d.batchSize !== undefined ? { batchSize: d.batchSize } : {}),
        filterPatterns: d.patterns,
      },
      reasons: [
        `grant ${d.grantId} declares a mapping of function ${d.functionName} on ${declaredSource(d)}, and none exists`,
        ...elsewhere,
      ],
    };
  }
  if (c.status !== 'drift' || c.mapping === undefined) return undefined;
  const m = c.mapping;
  const settings = [
    `state ${m.state ?? 'unknown'}`,
    `starting position ${m.startingPosition ?? 'unknown'}`,
    `batch size ${m.batchSize ?? 'default'}`,
    ...(m.maximumBatchingWindowInSeconds !== undefined
      ? [`batching window ${m.maximumBatchingWindowInSeconds} s`]
      : []),
  ];
  return {
    ...base,
    target: { ...target, uuid: m.uuid },
    action: 'update',
    // Records that match no filter are dropped for this function: a filter change changes what the consumer gets.
    risk: 'disruptive',
    before: { filterPatterns: m.filterPatterns },
    after: { filterPatterns: d.patterns },
    reasons: [
      `mapping ${m.uuid} of function ${d.functionName} has other filter criteria than grant ${d.grantId}: ` +
        c.differences.join('; '),
      `live mapping ${m.functionArn}: ${settings.join(', ')} (not changed)`,
      'records that match no filter are dropped for the function, so the change alters what the consumer receives',
    ],
  };
}

/** Changes and not-checked lines for the mappings declared in one (grantee) account. */
export function diffMappings(
  account: AccountId,
  desired: readonly DesiredEventSourceMapping[] | undefined,
  live: LiveLambda | undefined,
): { changes: DraftChange[]; notChecked: string[]; warnings: string[] } {
  const mappings = desired ?? [];
  if (mappings.length === 0) return { changes: [], notChecked: [], warnings: [] };
  const grants = mappings.map((m) => m.grantId).join(', ');
  if (live === undefined || live.status === 'not-read') {
    const why = live === undefined ? 'Lambda was not read' : live.reason;
    return {
      changes: [],
      warnings: [],
      notChecked: [
        `account ${account}: event source mappings of filtered grant(s) ${grants} were not read back (${why})`,
      ],
    };
  }
  const changes: DraftChange[] = [];
  const notChecked: string[] = [];
  const warnings: string[] = [];
  const listed = new Set(live.sources);
  for (const d of mappings) {
    if (!listed.has(d.eventSourceArn)) {
      notChecked.push(`account ${account}: the mappings of ${d.eventSourceArn} were not listed (grant ${d.grantId})`);
      continue;
    }
    const compared = compareMapping(d, live.mappings);
    const c = change(compared);
    if (c) changes.push(c);
    for (const b of compared.bypasses)
      warnings.push(
        `${mappingAddress(account, d.grantId)}: mapping ${b.uuid} of function ${d.functionName} reads ` +
          `${b.eventSourceArn} ${bypassWhat(b, d.grantId)}; meshgov never deletes a mapping it did not create: ` +
          'the consuming team should remove it',
      );
  }
  return { changes, notChecked, warnings };
}

/**
 * Each mapping change waits for the creation of the stream it reads, and of the consumer it reads through, when
 * the plan creates them (the consumer's ARN is only known once it is registered).
 */
export function linkMappingDependencies(drafts: DraftChange[], desired: readonly DesiredEventSourceMapping[]): void {
  const created = new Set(
    drafts
      .filter((c) => (c.resourceType === 'stream' || c.resourceType === 'consumer') && c.action === 'create')
      .map((c) => `${c.resourceType}:${c.address}`),
  );
  const byGrant = new Map(desired.map((d) => [d.grantId, d]));
  for (const c of drafts) {
    if (c.resourceType !== 'event-source-mapping') continue;
    const d = byGrant.get(c.target.grantId);
    if (d === undefined) continue;
    const streamId = `stream:${streamAddressOf(d.streamAccount, d.stream)}`;
    if (created.has(streamId)) c.dependsOn = [...(c.dependsOn ?? []), streamId];
    const consumerId = `consumer:${streamAddressOf(d.streamAccount, d.stream)}/consumer/${d.consumer ?? ''}`;
    if (d.consumer !== undefined && created.has(consumerId)) c.dependsOn = [...(c.dependsOn ?? []), consumerId];
  }
}
