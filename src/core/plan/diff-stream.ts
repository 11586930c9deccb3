/** The changes for one declared stream: create it, or bring each setting of the live stream to the desired one. */
import type { DesiredStream } from '../render/types.js';
import { accessFromPolicy } from './access.js';
import type { LiveStream } from './live.js';
import { diffTags, foreignStatements, grantsLost, policiesEqual, splitTagDiff } from './policy-diff.js';
import type { Change, ResourceType, Risk } from './types.js';

/** A change before ids, order and dependencies are assigned. */
export type DraftChange = Omit<Change, 'id' | 'order' | 'dependsOn'> & { dependsOn?: string[] };

/** Every shard-level metric; `ALL` stands for these. https://docs.aws.amazon.com/kinesis/latest/APIReference/API_EnableEnhancedMonitoring.html */
export const ALL_SHARD_METRICS = [
  'IncomingBytes', 'IncomingRecords', 'IteratorAgeMilliseconds', 'OutgoingBytes', 'OutgoingRecords',
  'ReadProvisionedThroughputExceeded', 'WriteProvisionedThroughputExceeded',
];

export function normaliseMetrics(metrics: readonly string[]): string[] {
  if (metrics.includes('ALL')) return [...ALL_SHARD_METRICS];
  return [...new Set(metrics)].sort();
}

export function streamAddressOf(account: string, stream: string): string {
  return `${account}/stream/${stream}`;
}

/** AWS-managed Kinesis key: principals need no key policy grant to use it. */
function isAwsManagedKey(keyId: string | undefined): boolean {
  return keyId === undefined || keyId === 'alias/aws/kinesis' || /:alias\/aws\/kinesis$/.test(keyId);
}

export function streamCreateAttributes(ds: DesiredStream): Record<string, unknown> {
  return {
    mode: ds.mode,
    ...(ds.mode === 'PROVISIONED' ? { shards: ds.shards ?? ds.autoscaling?.min ?? 1 } : {}),
    retentionHours: ds.retentionHours,
    encryption: ds.encryption,
    enhancedMonitoring: normaliseMetrics(ds.enhancedMonitoring),
    tags: ds.tags,
    deletionProtection: ds.deletionProtection,
  };
}

/** Shard count the plan wants, or undefined when the live count is acceptable (on-demand, or inside the autoscaling range). */
export function targetShards(ds: DesiredStream, liveShards: number | undefined): number | undefined {
  if (ds.mode !== 'PROVISIONED') return undefined;
  if (ds.autoscaling) {
    const { min, max } = ds.autoscaling;
    if (liveShards !== undefined && liveShards >= min && liveShards <= max) return undefined;
    if (liveShards === undefined) return ds.shards ?? min;
    return liveShards < min ? min : max;
  }
  return ds.shards ?? 1;
}

/** Changes that bring an existing managed stream's settings to the desired ones (tags, encryption, retention, capacity, monitoring, policy). */
export function diffStreamSettings(ds: DesiredStream, ls: LiveStream, partition: string): DraftChange[] {
  const address = streamAddressOf(ds.account, ds.name);
  const base = { address, account: ds.account, stream: ds.name, domain: ds.domain };
  const out: DraftChange[] = [];
  const push = (resourceType: ResourceType, action: Change['action'], risk: Risk, before: Change['before'], after: Change['after'], reasons: string[]) =>
    out.push({ ...base, resourceType, action, risk, before, after, reasons });

  const tags = splitTagDiff(diffTags(ls.tags, ds.tags), 'stream');
  if (tags.safe) push('stream-tags', 'update', 'safe', { tags: tags.safe.before }, { tags: tags.safe.after }, tags.safe.reasons);
  if (tags.revoking) push('stream-tag-revocation', 'update', 'destructive', { tags: tags.revoking.before }, { tags: tags.revoking.after }, tags.revoking.reasons);

  const encDiffers = ls.encryption.type !== ds.encryption.type || (ds.encryption.type === 'KMS' && ls.encryption.keyId !== ds.encryption.keyId);
  if (encDiffers) {
    const disabling = ds.encryption.type === 'NONE';
    const risk: Risk = disabling || !isAwsManagedKey(ds.encryption.keyId) ? 'disruptive' : 'safe';
    const reasons = [disabling ? 'encryption is on but the mesh declares none' : `encryption ${ls.encryption.type === 'NONE' ? 'is off' : `uses key ${ls.encryption.keyId ?? '(unknown)'}`}; the mesh declares KMS key ${ds.encryption.keyId ?? 'alias/aws/kinesis'}`];
    if (risk === 'disruptive' && !disabling) reasons.push('producers and consumers need kms:GenerateDataKey / kms:Decrypt on a customer-managed key, or their calls fail');
    if (disabling) reasons.push('records written afterwards are stored unencrypted');
    push('stream-encryption', 'update', risk, { encryption: ls.encryption }, { encryption: ds.encryption }, reasons);
  }

  if (ls.retentionHours !== ds.retentionHours) {
    const decrease = ds.retentionHours < ls.retentionHours;
    push('stream-retention', 'update', decrease ? 'destructive' : 'safe', { retentionHours: ls.retentionHours }, { retentionHours: ds.retentionHours }, [
      `retention is ${ls.retentionHours} h; the mesh declares ${ds.retentionHours} h`,
      ...(decrease ? [`records older than ${ds.retentionHours} h become inaccessible at once`] : []),
    ]);
  }

  out.push(...diffCapacity(ds, ls, base));

  const liveMetrics = normaliseMetrics(ls.enhancedMonitoring);
  const wantMetrics = normaliseMetrics(ds.enhancedMonitoring);
  if (liveMetrics.join() !== wantMetrics.join()) {
    push('stream-monitoring', 'update', 'safe', { enhancedMonitoring: liveMetrics }, { enhancedMonitoring: wantMetrics }, ['enabled shard-level metrics differ from the mesh (shard-level metrics are billed per shard)']);
  }

  if (!ls.notRead?.includes('resourcePolicy')) out.push(...diffPolicy('stream-policy', `${address}/policy`, ls.resourcePolicy, ds.resourcePolicy, partition, base));
  return out;
}

function diffCapacity(ds: DesiredStream, ls: LiveStream, base: Pick<Change, 'address' | 'account' | 'stream' | 'domain'>): DraftChange[] {
  if (ls.mode !== ds.mode) {
    const shards = targetShards(ds, undefined);
    return [{
      ...base, resourceType: 'stream-capacity', action: 'update', risk: 'destructive',
      before: { mode: ls.mode, shards: ls.shards }, after: { mode: ds.mode, ...(shards !== undefined ? { shards } : {}) },
      reasons: [`capacity mode is ${ls.mode}; the mesh declares ${ds.mode}`, 'a mode switch is limited to two per stream per 24 h, changes billing and throughput limits, and cannot be undone at once'],
    }];
  }
  const target = targetShards(ds, ls.shards);
  if (target === undefined || target === ls.shards) return [];
  const range = ds.autoscaling ? ` (outside the autoscaling range ${ds.autoscaling.min}..${ds.autoscaling.max})` : '';
  return [{
    ...base, resourceType: 'stream-capacity', action: 'update', risk: 'disruptive',
    before: { shards: ls.shards }, after: { shards: target },
    reasons: [`open shard count is ${ls.shards}${range}; the plan wants ${target}`, 'resharding closes parent shards and counts against the 10 UpdateShardCount calls per stream per 24 h'],
  }];
}

/** A resource policy is owned whole: anything in it that the mesh did not render is drift and is replaced. */
export function diffPolicy(
  resourceType: 'stream-policy' | 'consumer-policy',
  address: string,
  live: LiveStream['resourcePolicy'],
  desired: DesiredStream['resourcePolicy'],
  partition: string,
  base: Omit<Pick<Change, 'account' | 'stream' | 'domain'>, never>,
  consumer?: string,
): DraftChange[] {
  if (policiesEqual(live, desired, partition)) return [];
  const via = resourceType;
  const liveAccess = accessFromPolicy(live, partition, via, consumer);
  const wantAccess = new Set(accessFromPolicy(desired, partition, via, consumer).map((e) => `${e.principal} ${e.access}`));
  const lost = liveAccess.filter((e) => !wantAccess.has(`${e.principal} ${e.access}`)).map((e) => `${e.principal} (${e.access})`);
  // Beyond produce/consume (the access diff), any other grant the live document makes and the desired one drops.
  const grants = live === undefined ? [] : grantsLost(live, desired, partition);
  const risk: Risk = lost.length || grants.length ? 'destructive' : 'safe';
  const lostReason = [
    ...(lost.length ? [`revokes access: ${[...new Set(lost)].join(', ')}`] : []),
    ...(grants.length && !lost.length ? [`revokes: ${grants.join('; ')}`] : []),
  ];
  const what = resourceType === 'stream-policy' ? 'stream' : 'consumer';
  if (live === undefined) {
    return [{ ...base, address, resourceType, action: 'create', risk: 'safe', before: null, after: { policy: desired }, reasons: [`the ${what} has no resource policy; cross-account grants need one`] }];
  }
  if (desired === undefined) {
    return [{ ...base, address, resourceType, action: 'delete', risk, before: { policy: live }, after: null, reasons: [`the ${what} has a resource policy but no grant needs one (meshgov owns the whole document)`, ...lostReason] }];
  }
  const foreign = foreignStatements(live, desired, partition);
  return [{
    ...base, address, resourceType, action: 'update', risk, before: { policy: live }, after: { policy: desired },
    reasons: [
      `the live ${what} policy differs from the rendered one (meshgov owns the whole document)`,
      ...(foreign.length ? [`not from the mesh: ${foreign.join(', ')}`] : []),
      ...lostReason,
    ],
  }];
}
