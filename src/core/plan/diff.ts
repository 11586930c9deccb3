/**
 * The diff: DesiredState x LiveState -> Plan. Pure (Terraform's `Plan(config, state) -> plan`): the clock, the
 * mesh digest and the scope come in as arguments.
 */
import { MANAGED_BY_VALUE, TAG_DOMAIN, TAG_MANAGED_BY } from '../model/governance-tags.js';
import type { AccountId } from '../model/types.js';
import type { DesiredAccount, DesiredConsumer, DesiredStream } from '../render/types.js';
import type { DesiredState } from '../render/types.js';
import type { AccessEntry } from './access.js';
import type { LiveState } from './live.js';
import { accessFromPolicy, accessFromTags, diffAccess } from './access.js';
import type { DraftChange } from './diff-stream.js';
import { diffPolicy, diffStreamSettings, streamAddressOf, streamCreateAttributes } from './diff-stream.js';
import { diffIam } from './diff-iam.js';
import { diffMappings, linkMappingDependencies } from './diff-mapping.js';
import type { LiveAccount, LiveConsumer, LiveStream } from './live.js';
import { finishChanges, summarise } from './order.js';
import { markBlocked } from './blocked.js';
import type { ScalingHistory } from './blocked.js';
import { changeSetDigest } from './change-set.js';
import { diffTags, splitTagDiff, tagDiffIsEmpty } from './policy-diff.js';
import {
  cmp,
  declaredStreams,
  emptyScope,
  liveFingerprint,
  scopeDesired,
  scopeLive,
  unmanagedReason,
} from './scope.js';
import type { AccessChange, AccessVia, Plan, PlanScope, UnmanagedResource } from './types.js';
import { sameJsonData } from '../policy/canonical.js';
import { PLAN_FORMAT_VERSION } from './types.js';

export interface PlanInput {
  desired: DesiredState;
  live: LiveState;
  /** sha256 of the mesh sources (see `meshDigest`). */
  meshDigest: string;
  clock: { now(): Date };
  scope?: PlanScope;
  /** `aws` or `local`. */
  target?: string;
  /** Past scaling calls (the apply log), to show capacity changes over their daily budget as blocked. */
  scalingHistory?: ScalingHistory;
}

interface AccountResult {
  warnings: string[];
  changes: DraftChange[];
  access: AccessChange[];
  unmanaged: UnmanagedResource[];
  notChecked: string[];
}

export function computePlan(input: PlanInput): Plan {
  const scope = input.scope ?? emptyScope();
  const desired = scopeDesired(input.desired, scope);
  const live = scopeLive(input.live, input.desired, scope);
  const partition = desired.partition;
  const liveByAccount = new Map(live.accounts.map((a) => [a.account, a]));
  const accountIds = [
    ...desired.accounts.map((a) => a.account),
    ...live.accounts
      .map((a) => a.account)
      .filter((id) => !desired.accounts.some((d) => d.account === id))
      .sort(),
  ];

  const drafts: DraftChange[] = [];
  const accessDiff: AccessChange[] = [];
  const unmanaged: UnmanagedResource[] = [];
  const notChecked: string[] = [...live.notChecked];
  const warnings: string[] = [];
  for (const id of accountIds) {
    const d = desired.accounts.find((a) => a.account === id) ?? { account: id, streams: [], consumers: [], iam: [] };
    const r = diffAccount(d, liveByAccount.get(id), desired.mesh, partition, scope);
    drafts.push(...r.changes);
    accessDiff.push(...r.access);
    unmanaged.push(...r.unmanaged);
    notChecked.push(...r.notChecked);
    warnings.push(...r.warnings);
  }
  if (scope.domains.length > 0)
    notChecked.push('IAM artefacts are planned only in runs without --domain (they serve grants across domains).');

  linkMappingDependencies(
    drafts,
    desired.accounts.flatMap((a) => a.mappings ?? []),
  );
  const changes = markBlocked(finishChanges(drafts), input.scalingHistory);
  accessDiff.sort(
    (a, b) =>
      cmp(a.account, b.account) ||
      cmp(a.stream, b.stream) ||
      cmp(a.principal, b.principal) ||
      cmp(a.access, b.access) ||
      cmp(a.via, b.via) ||
      cmp(a.change, b.change),
  );
  unmanaged.sort((a, b) => cmp(a.account, b.account) || cmp(a.address, b.address));
  return {
    formatVersion: PLAN_FORMAT_VERSION,
    mesh: input.desired.mesh,
    region: input.desired.region,
    meshDigest: input.meshDigest,
    liveFingerprint: liveFingerprint(input.live, input.desired, scope),
    changeSetDigest: changeSetDigest(changes, accessDiff),
    createdAt: input.clock.now().toISOString(),
    target: input.target ?? 'aws',
    scope,
    changes,
    accessDiff,
    unmanaged,
    notChecked: [...new Set(notChecked)],
    warnings: [...warnings, ...organisationWarnings(input.desired, live), ...guardWarnings(input.desired)],
    summary: summarise(changes, accessDiff, unmanaged),
  };
}

function diffAccount(
  d: DesiredAccount,
  la: LiveAccount | undefined,
  meshName: string,
  partition: string,
  scope: PlanScope,
): AccountResult {
  const r: AccountResult = { warnings: [], changes: [], access: [], unmanaged: [], notChecked: [] };
  const declared =
    declaredStreams({ mesh: meshName, region: '', partition, accounts: [d] }).get(d.account) ?? new Set<string>();
  const managedLive = new Map<string, LiveStream>();
  for (const s of la?.streams ?? []) {
    const why = unmanagedReason(s.tags, declared.has(s.name), meshName);
    if (why === undefined) managedLive.set(s.name, s);
    else
      r.unmanaged.push({
        account: d.account,
        resourceType: 'stream',
        address: streamAddressOf(d.account, s.name),
        name: s.name,
        arn: s.arn,
        reason: why,
      });
  }
  if (scope.domains.length === 0) {
    for (const s of la?.unmanagedStreams ?? []) {
      r.unmanaged.push({
        account: d.account,
        resourceType: 'stream',
        address: streamAddressOf(d.account, s.name),
        name: s.name,
        arn: s.arn,
        reason: s.reason,
      });
    }
  }

  // Every fenced-off stream, listed or not in this scope: a declared name among them must not be created.
  const fenced = new Map([
    ...r.unmanaged.filter((u) => u.resourceType === 'stream').map((u) => [u.name, u.reason] as const),
    ...(la?.unmanagedStreams ?? []).map((u) => [u.name, u.reason] as const),
  ]);
  for (const ds of d.streams) {
    const ls = managedLive.get(ds.name);
    const conflict = ls === undefined ? fenced.get(ds.name) : undefined;
    if (conflict !== undefined) {
      r.warnings.push(`${streamAddressOf(ds.account, ds.name)}: ${conflict}`);
      continue;
    }
    const consumers = d.consumers.filter((c) => c.stream === ds.name);
    if (ls === undefined || ls.status === 'DELETING') planNewStream(ds, consumers, partition, r, ls !== undefined);
    else planExistingStream(ds, ls, consumers, partition, r);
  }
  for (const [name, ls] of managedLive) {
    if (declared.has(name)) continue;
    planStreamDeletion(ls, d.account, partition, r);
  }

  if (la === undefined) {
    r.notChecked.push(`account ${d.account}: live state was not read`);
  }
  const iam = diffIam(d.account, d.iam, la?.iam, partition);
  r.changes.push(...iam.changes);
  r.notChecked.push(...iam.notChecked);
  const mappings = diffMappings(d.account, d.mappings, la?.lambda);
  r.changes.push(...mappings.changes);
  r.notChecked.push(...mappings.notChecked);
  r.warnings.push(...mappings.warnings);
  return r;
}

function wantedAccess(ds: DesiredStream, consumers: DesiredConsumer[], partition: string): AccessEntry[] {
  return [
    ...accessFromTags(ds.tags, partition),
    ...accessFromPolicy(ds.resourcePolicy, partition, 'stream-policy'),
    ...consumers.flatMap((c) => accessFromPolicy(c.resourcePolicy, partition, 'consumer-policy', c.name)),
  ];
}

function liveAccess(ls: LiveStream, partition: string): AccessEntry[] {
  return [
    ...accessFromTags(ls.tags, partition),
    ...accessFromPolicy(ls.resourcePolicy, partition, 'stream-policy'),
    ...ls.consumers.flatMap((c) => accessFromPolicy(c.resourcePolicy, partition, 'consumer-policy', c.name)),
  ];
}

function planNewStream(
  ds: DesiredStream,
  consumers: DesiredConsumer[],
  partition: string,
  r: AccountResult,
  deleting: boolean,
): void {
  const address = streamAddressOf(ds.account, ds.name);
  const target = { account: ds.account, stream: ds.name };
  const base = { account: ds.account, stream: ds.name, domain: ds.domain };
  const streamId = `stream:${address}`;
  r.changes.push({
    ...base,
    target,
    address,
    resourceType: 'stream',
    action: 'create',
    risk: 'safe',
    before: null,
    after: streamCreateAttributes(ds),
    reasons: [
      deleting
        ? 'declared in the mesh; the live stream of that name is being deleted'
        : 'declared in the mesh but not found in the account',
    ],
  });
  for (const c of consumers) planNewConsumer(c, ds, streamId, r);
  if (ds.resourcePolicy) {
    r.changes.push({
      ...base,
      target,
      address: `${address}/policy`,
      resourceType: 'stream-policy',
      action: 'create',
      risk: 'safe',
      before: null,
      after: { policy: ds.resourcePolicy },
      reasons: ['cross-account grants need a stream resource policy'],
      dependsOn: [streamId],
    });
  }
  r.access.push(...diffAccess([], wantedAccess(ds, consumers, partition), ds.name, ds.account));
}

function consumerAddress(ds: Pick<DesiredStream, 'account' | 'name'>, consumer: string): string {
  return `${streamAddressOf(ds.account, ds.name)}/consumer/${consumer}`;
}

function planNewConsumer(
  c: DesiredConsumer,
  ds: DesiredStream,
  streamChangeId: string | undefined,
  r: AccountResult,
): void {
  const address = consumerAddress(ds, c.name);
  const base = {
    account: ds.account,
    stream: ds.name,
    domain: ds.domain,
    target: { account: ds.account, stream: ds.name, consumer: c.name },
  };
  r.changes.push({
    ...base,
    address,
    resourceType: 'consumer',
    action: 'create',
    risk: 'safe',
    before: null,
    after: { name: c.name, grantId: c.grantId, tags: c.tags },
    reasons: [`grant ${c.grantId} declares the enhanced fan-out consumer ${c.name}`],
    ...(streamChangeId ? { dependsOn: [streamChangeId] } : {}),
  });
  if (c.resourcePolicy) {
    r.changes.push({
      ...base,
      address: `${address}/policy`,
      resourceType: 'consumer-policy',
      action: 'create',
      risk: 'safe',
      before: null,
      after: { policy: c.resourcePolicy },
      reasons: ['a cross-account EFO consumer needs a consumer resource policy (put once the consumer is ACTIVE)'],
      dependsOn: [`consumer:${address}`],
    });
  }
}

function isManagedConsumer(lc: LiveConsumer, declared: boolean): boolean {
  return declared || lc.tags[TAG_MANAGED_BY] === MANAGED_BY_VALUE;
}

function planExistingStream(
  ds: DesiredStream,
  ls: LiveStream,
  consumers: DesiredConsumer[],
  partition: string,
  r: AccountResult,
): void {
  const before = r.changes.length;
  r.changes.push(...diffStreamSettings(ds, ls, partition));
  if (ls.notRead?.length)
    r.notChecked.push(
      `${streamAddressOf(ds.account, ds.name)}: ${ls.notRead.join(', ')} could not be read from this endpoint and were not compared`,
    );
  const base = { account: ds.account, stream: ds.name, domain: ds.domain };
  const consumerTarget = (consumer: string) => ({ account: ds.account, stream: ds.name, consumer });
  const managedConsumerNames = new Set<string>();
  for (const c of consumers) {
    const lc = ls.consumers.find((x) => x.name === c.name && x.status !== 'DELETING');
    if (!lc) {
      planNewConsumer(c, ds, undefined, r);
      continue;
    }
    managedConsumerNames.add(lc.name);
    const address = consumerAddress(ds, c.name);
    const tags = diffTags(lc.tags, c.tags);
    if (!tagDiffIsEmpty(tags)) {
      const parts = splitTagDiff(tags, 'consumer');
      if (parts.safe)
        r.changes.push({
          ...base,
          target: consumerTarget(c.name),
          address,
          resourceType: 'consumer-tags',
          action: 'update',
          risk: 'safe',
          before: { tags: parts.safe.before },
          after: { tags: parts.safe.after },
          reasons: parts.safe.reasons,
        });
      if (parts.revoking) {
        r.changes.push({
          ...base,
          target: consumerTarget(c.name),
          address,
          resourceType: 'consumer-tag-revocation',
          action: 'update',
          risk: 'destructive',
          before: { tags: parts.revoking.before },
          after: { tags: parts.revoking.after },
          reasons: parts.revoking.reasons,
        });
      }
    }
    r.changes.push(
      ...diffPolicy(`${address}/policy`, lc.resourcePolicy, c.resourcePolicy, partition, base, {
        resourceType: 'consumer-policy',
        target: consumerTarget(c.name),
      }),
    );
  }
  for (const lc of ls.consumers) {
    if (consumers.some((c) => c.name === lc.name)) continue;
    const address = consumerAddress(ds, lc.name);
    if (!isManagedConsumer(lc, false)) {
      r.unmanaged.push({
        account: ds.account,
        resourceType: 'consumer',
        address,
        name: lc.name,
        arn: lc.arn,
        reason: `enhanced fan-out consumer on managed stream ${ds.name} that no grant declares and that is not tagged ${TAG_MANAGED_BY}=${MANAGED_BY_VALUE}`,
      });
      continue;
    }
    managedConsumerNames.add(lc.name);
    r.changes.push({
      ...base,
      target: consumerTarget(lc.name),
      address,
      resourceType: 'consumer',
      action: 'delete',
      risk: 'destructive',
      before: { name: lc.name, arn: lc.arn, tags: lc.tags },
      after: null,
      reasons: [
        'managed consumer that no grant declares any more',
        "deregistering revokes its reader's dedicated throughput and access",
      ],
    });
  }
  if (r.changes.length === before) {
    r.changes.push({
      ...base,
      target: { account: ds.account, stream: ds.name },
      address: streamAddressOf(ds.account, ds.name),
      resourceType: 'stream',
      action: 'no-op',
      risk: 'safe',
      before: null,
      after: null,
      reasons: ['in sync with the mesh'],
    });
  }
  // A live policy that is the desired one read back (the same JSON data) grants what the desired one does: parsed once.
  const wantedStream = accessFromPolicy(ds.resourcePolicy, partition, 'stream-policy');
  const wantedConsumers = new Map(
    consumers.map((c) => [c.name, accessFromPolicy(c.resourcePolicy, partition, 'consumer-policy', c.name)]),
  );
  const fromLive = (live: unknown, desired: unknown, wanted: AccessEntry[] | undefined, via: AccessVia, c?: string) =>
    wanted !== undefined && desired !== undefined && sameJsonData(live, desired)
      ? wanted
      : accessFromPolicy(live, partition, via, c);
  const liveEntries = [
    ...accessFromTags(ls.tags, partition),
    ...fromLive(ls.resourcePolicy, ds.resourcePolicy, wantedStream, 'stream-policy'),
    ...ls.consumers
      .filter((c) => managedConsumerNames.has(c.name))
      .flatMap((lc) => {
        const dc = consumers.find((c) => c.name === lc.name);
        return fromLive(
          lc.resourcePolicy,
          dc?.resourcePolicy,
          wantedConsumers.get(lc.name),
          'consumer-policy',
          lc.name,
        );
      }),
  ];
  const wantedEntries = [
    ...accessFromTags(ds.tags, partition),
    ...wantedStream,
    ...[...wantedConsumers.values()].flat(),
  ];
  r.access.push(...diffAccess(liveEntries, wantedEntries, ds.name, ds.account));
}

function planStreamDeletion(ls: LiveStream, account: AccountId, partition: string, r: AccountResult): void {
  r.changes.push({
    address: streamAddressOf(account, ls.name),
    account,
    stream: ls.name,
    ...(ls.tags[TAG_DOMAIN] ? { domain: ls.tags[TAG_DOMAIN] } : {}),
    target: { account, stream: ls.name },
    resourceType: 'stream',
    action: 'delete',
    risk: 'destructive',
    before: {
      mode: ls.mode,
      shards: ls.shards,
      retentionHours: ls.retentionHours,
      consumers: ls.consumers.map((c) => c.name),
      tags: ls.tags,
    },
    after: null,
    reasons: [
      `tagged ${TAG_MANAGED_BY}=${MANAGED_BY_VALUE} but no longer declared in the mesh`,
      'deleting a stream destroys its records and deregisters its consumers',
    ],
  });
  r.access.push(...diffAccess(liveAccess(ls, partition), [], ls.name, account));
}

/** Organisation facts against the mesh: the declared organisation id, and every in-scope account a member. */
/**
 * Without an organisation there is no SCP, so the tag guard is only the permissions boundary apply attaches to the
 * roles meshgov writes policies for. Say exactly who stays unguarded (docs/render.md, "What the guard cannot cover").
 */
export function guardWarnings(desired: DesiredState): string[] {
  if (desired.organizationId !== undefined) return [];
  const bounded = desired.accounts.flatMap((a) =>
    a.iam
      .filter((i) => i.kind === 'identity-policy' || i.kind === 'fanout-policy')
      .map((i) => `${a.account}/${i.roleName ?? ''}`),
  );
  const roles = [...new Set(bounded)].sort();
  return [
    'no organisation is declared (mesh.organizationId), so the tag-tampering guard is only the permissions boundary meshgov-tag-guard-boundary ' +
      `on the ${roles.length} role(s) meshgov writes policies for${roles.length > 0 ? ` (${roles.join(', ')})` : ''}. Every other principal ` +
      'of the mesh accounts that holds Kinesis tagging rights (account administrators, CI and deployment roles, IAM users) can still add, ' +
      'change or remove tags of managed streams and consumers, grant tags included, in any letter case, and so give a role access no grant ' +
      'declares. Declare the organisation and attach the meshgov-tag-guard SCP to the mesh accounts, or attach the boundary to every such ' +
      'principal; `meshgov audit` reports tampered tags (tag-tampering).',
  ];
}

function organisationWarnings(desired: DesiredState, live: LiveState): string[] {
  const org = live.organization;
  if (!org) return [];
  const out: string[] = [];
  if (desired.organizationId !== undefined && desired.organizationId !== org.id) {
    out.push(
      `the mesh declares organisation ${desired.organizationId} but the accounts belong to ${org.id}: aws:PrincipalOrgID conditions would not match`,
    );
  }
  if (!org.accountsUnknown) {
    for (const a of live.accounts)
      if (!org.accounts.includes(a.account))
        out.push(`account ${a.account} is not an active member of organisation ${org.id}`);
  }
  return out;
}
