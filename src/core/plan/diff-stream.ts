/** The changes for one declared stream: create it, or bring each setting of the live stream to the desired one. */
import type { DesiredStream } from '../render/types.js';
import { accessFromPolicy } from './access.js';
import type { LiveStream } from './live.js';
import { diffTags, foreignStatements, grantsLost, policiesEqual, splitTagDiff } from './policy-diff.js';
import type {
  Change,
  ConsumerTarget,
  DistributiveOmit,
  Risk,
  StreamCapacityChange,
  StreamCreateAttributes,
  StreamTarget,
} from './types.js';
import { isAwsManagedKey } from '../model/normalise.js';

/** A change before ids, order and dependencies are assigned. */
export type DraftChange = DistributiveOmit<Change, 'id' | 'order' | 'dependsOn'> & { dependsOn?: string[] };

/** Every shard-level metric; `ALL` stands for these. https://docs.aws.amazon.com/kinesis/latest/APIReference/API_EnableEnhancedMonitoring.html */
export const ALL_SHARD_METRICS = [
  'IncomingBytes',
  'IncomingRecords',
  'IteratorAgeMilliseconds',
  'OutgoingBytes',
  'OutgoingRecords',
  'ReadProvisionedThroughputExceeded',
  'WriteProvisionedThroughputExceeded',
];

export function normaliseMetrics(metrics: readonly string[]): string[] {
  if (metrics.includes('ALL')) return [...ALL_SHARD_METRICS];
  return [...new Set(metrics)].sort();
}

export function streamAddressOf(account: string, stream: string): string {
  return `${account}/stream/${stream}`;
}

export function streamCreateAttributes(ds: DesiredStream): StreamCreateAttributes {
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
  const target: StreamTarget = { account: ds.account, stream: ds.name };
  const base = { address, account: ds.account, stream: ds.name, domain: ds.domain, target };
  const out: DraftChange[] = [];

  const tags = splitTagDiff(diffTags(ls.tags, ds.tags), 'stream');
  if (tags.safe)
    out.push({
      ...base,
      resourceType: 'stream-tags',
      action: 'update',
      risk: 'safe',
      before: { tags: tags.safe.before },
      after: { tags: tags.safe.after },
      reasons: tags.safe.reasons,
    });
  if (tags.revoking) {
    out.push({
      ...base,
      resourceType: 'stream-tag-revocation',
      action: 'update',
      risk: 'destructive',
      before: { tags: tags.revoking.before },
      after: { tags: tags.revoking.after },
      reasons: tags.revoking.reasons,
    });
  }

  const encDiffers =
    ls.encryption.type !== ds.encryption.type ||
    (ds.encryption.type === 'KMS' && ls.encryption.keyId !== ds.encryption.keyId);
  if (encDiffers) {
    const disabling = ds.encryption.type === 'NONE';
    const risk: Risk = disabling || !isAwsManagedKey(ds.encryption.keyId) ? 'disruptive' : 'safe';
    const reasons = [
      disabling
        ? 'encryption is on but the mesh declares none'
        : `encryption ${ls.encryption.type === 'NONE' ? 'is off' : `uses key ${ls.encryption.keyId ?? '(unknown)'}`}; the mesh declares KMS key ${ds.encryption.keyId ?? 'alias/aws/kinesis'}`,
    ];
    if (risk === 'disruptive' && !disabling)
      reasons.push(
        'producers and consumers need kms:GenerateDataKey / kms:Decrypt on a customer-managed key, or their calls fail',
      );
    if (disabling) reasons.push('records written afterwards are stored unencrypted');
    out.push({
      ...base,
      resourceType: 'stream-encryption',
      action: 'update',
      risk,
      before: { encryption: ls.encryption },
      after: { encryption: ds.encryption },
      reasons,
    });
  }

  if (ls.retentionHours !== ds.retentionHours) {
    const decrease = ds.retentionHours < ls.retentionHours;
    out.push({
      ...base,
      resourceType: 'stream-retention',
      action: 'update',
      risk: decrease ? 'destructive' : 'safe',
      before: { retentionHours: ls.retentionHours },
      after: { retentionHours: ds.retentionHours },
      reasons: [
        `retention is ${ls.retentionHours} h; the mesh declares ${ds.retentionHours} h`,
        ...(decrease ? [`records older than ${ds.retentionHours} h become inaccessible at once`] : []),
      ],
    });
  }

  out.push(...diffCapacity(ds, ls, base));

  const liveMetrics = normaliseMetrics(ls.enhancedMonitoring);
  const wantMetrics = normaliseMetrics(ds.enhancedMonitoring);
  if (liveMetrics.join() !== wantMetrics.join()) {
    out.push({
      ...base,
      resourceType: 'stream-monitoring',
      action: 'update',
      risk: 'safe',
      before: { enhancedMonitoring: liveMetrics },
      after: { enhancedMonitoring: wantMetrics },
      reasons: ['enabled shard-level metrics differ from the mesh (shard-level metrics are billed per shard)'],
    });
  }

  if (!ls.notRead?.includes('resourcePolicy')) {
    out.push(
      ...diffPolicy(`${address}/policy`, ls.resourcePolicy, ds.resourcePolicy, partition, base, {
        resourceType: 'stream-policy',
        target,
      }),
    );
  }
  return out;
}

type CapacityBase = Pick<StreamCapacityChange, 'address' | 'account' | 'stream' | 'domain' | 'target'>;

function diffCapacity(ds: DesiredStream, ls: LiveStream, base: CapacityBase): DraftChange[] {
  if (ls.mode !== ds.mode) {
    const shards = targetShards(ds, undefined);
    return [
      {
        // Risk from effect: a mode switch loses no data and no access; it is disruptive (throughput limits, billing, and
        // at most two switches per stream per 24 h, which apply checks against the budget).
        ...base,
        resourceType: 'stream-capacity',
        action: 'update',
        risk: 'disruptive',
        before: { mode: ls.mode, shards: ls.shards },
        after: { mode: ds.mode, ...(shards !== undefined ? { shards } : {}) },
        reasons: [
          `capacity mode is ${ls.mode}; the mesh declares ${ds.mode}`,
          'a mode switch is limited to two per stream per 24 h, changes billing and throughput limits, and cannot be undone at once',
        ],
      },
    ];
  }
  const target = targetShards(ds, ls.shards);
  if (target === undefined || target === ls.shards) return [];
  const range = ds.autoscaling ? ` (outside the autoscaling range ${ds.autoscaling.min}..${ds.autoscaling.max})` : '';
  return [
    {
      ...base,
      resourceType: 'stream-capacity',
      action: 'update',
      risk: 'disruptive',
      before: { shards: ls.shards },
      after: { shards: target },
      reasons: [
        `open shard count is ${ls.shards}${range}; the plan wants ${target}`,
        'resharding closes parent shards and counts against the 10 UpdateShardCount calls per stream per 24 h',
      ],
    },
  ];
}

/** Which resource policy: the stream's, or an enhanced fan-out consumer's. */
export type PolicyOwner =
  { resourceType: 'stream-policy'; target: StreamTarget } | { resourceType: 'consumer-policy'; target: ConsumerTarget };

/** A resource policy is owned whole: anything in it that the mesh did not render is drift and is replaced. */
export function diffPolicy(
  address: string,
  live: LiveStream['resourcePolicy'],
  desired: DesiredStream['resourcePolicy'],
  partition: string,
  base: Pick<Change, 'account' | 'stream' | 'domain'>,
  owner: PolicyOwner,
): DraftChange[] {
  if (policiesEqual(live, desired, partition)) return [];
  const via = owner.resourceType;
  const consumer = owner.resourceType === 'consumer-policy' ? owner.target.consumer : undefined;
  const liveAccess = accessFromPolicy(live, partition, via, consumer);
  const wantAccess = new Set(
    accessFromPolicy(desired, partition, via, consumer).map((e) => `${e.principal} ${e.access}`),
  );
  const lost = liveAccess
    .filter((e) => !wantAccess.has(`${e.principal} ${e.access}`))
    .map((e) => `${e.principal} (${e.access})`);
  // Beyond produce/consume (the access diff), any other grant the live document makes and the desired one drops.
  const grants = live === undefined ? [] : grantsLost(live, desired, partition);
  const risk: Risk = lost.length || grants.length ? 'destructive' : 'safe';
  const lostReason = [
    ...(lost.length ? [`revokes access: ${[...new Set(lost)].join(', ')}`] : []),
    ...(grants.length && !lost.length ? [`revokes: ${grants.join('; ')}`] : []),
  ];
  const what = owner.resourceType === 'stream-policy' ? 'stream' : 'consumer';
  const common = { ...base, ...owner, address };
  if (live === undefined) {
    if (desired === undefined) return [];
    return [
      {
        ...common,
        action: 'create',
        risk: 'safe',
        before: null,
        after: { policy: desired },
        reasons: [`the ${what} has no resource policy; cross-account grants need one`],
      },
    ];
  }
  if (desired === undefined) {
    return [
      {
        ...common,
        action: 'delete',
        risk,
        before: { policy: live },
        after: null,
        reasons: [
          `the ${what} has a resource policy but no grant needs one (meshgov owns the whole document)`,
          ...lostReason,
        ],
      },
    ];
  }
  const foreign = foreignStatements(live, desired, partition);
  return [
    {
      ...common,
      action: 'update',
      risk,
      before: { policy: live },
      after: { policy: desired },
      reasons: [
        `the live ${what} policy differs from the rendered one (meshgov owns the whole document)`,
        ...(foreign.length ? [`not from the mesh: ${foreign.join(', ')}`] : []),
        ...lostReason,
      ],
    },
  ];
}
