/** Fake plan changes for the pure apply tests. */
import type { AuditEntry } from '../../src/core/apply/types.js';
import type { Change } from '../../src/core/plan/types.js';

export const A1 = '111111111111';
export const A2 = '222222222222';

let order = 0;

/** What a test says about a change; the rest is filled in, and the structured target derived from the address. */
export interface ChangeSpec {
  resourceType: Change['resourceType'];
  action?: Change['action'];
  account?: string;
  stream?: string | undefined;
  address?: string;
  risk?: Change['risk'];
  before?: unknown;
  after?: unknown;
  reasons?: string[];
  dependsOn?: string[];
  order?: number;
  id?: string;
  blocked?: Change['blocked'];
}

/** The target a real plan would carry for this address (tests give addresses; apply reads targets). */
function targetOf(
  resourceType: Change['resourceType'],
  account: string,
  address: string,
  stream: string | undefined,
): Change['target'] {
  const role = /\/iam\/role\/([^/]+)\/policy\/([^/]+)$/.exec(address);
  if (resourceType === 'iam-policy')
    return { account, role: role?.[1] ?? 'writer', policyName: role?.[2] ?? 'meshgov-writer' };
  if (resourceType === 'iam-boundary') {
    const attach = /\/iam\/role\/([^/]+)\/boundary$/.exec(address);
    return attach
      ? { account, role: attach[1] as string, policyName: 'meshgov-tag-guard-boundary' }
      : { account, policyName: /\/iam\/policy\/([^/]+)$/.exec(address)?.[1] ?? 'meshgov-tag-guard-boundary' };
  }
  const consumer = /\/consumer\/([^/]+)/.exec(address)?.[1];
  return consumer === undefined ? { account, stream: stream ?? '' } : { account, stream: stream ?? '', consumer };
}

/** Attributes a real change of this type carries, when the test does not care. */
function defaults(t: Change['resourceType']): { before: unknown; after: unknown } {
  switch (t) {
    case 'stream-tags':
    case 'stream-tag-revocation':
    case 'consumer-tags':
    case 'consumer-tag-revocation':
      return { before: { tags: {} }, after: { tags: {} } };
    case 'stream-retention':
      return { before: { retentionHours: 24 }, after: { retentionHours: 48 } };
    case 'stream-monitoring':
      return { before: { enhancedMonitoring: [] }, after: { enhancedMonitoring: [] } };
    case 'stream-encryption':
      return {
        before: { encryption: { type: 'NONE' } },
        after: { encryption: { type: 'KMS', keyId: 'alias/aws/kinesis' } },
      };
    case 'stream-capacity':
      return { before: { shards: 1 }, after: { shards: 2 } };
    default:
      return { before: null, after: null };
  }
}

export function aChange(o: ChangeSpec): Change {
  const stream = 'stream' in o ? o.stream : 'orders.v1';
  const account = o.account ?? A1;
  const base =
    stream === undefined ? `${account}/iam/role/writer/policy/meshgov-writer` : `${account}/stream/${stream}`;
  const suffix =
    o.resourceType === 'stream-policy'
      ? '/policy'
      : o.resourceType === 'consumer'
        ? '/consumer/scorer'
        : o.resourceType === 'consumer-policy'
          ? '/consumer/scorer/policy'
          : '';
  const address = o.address ?? `${base}${suffix}`;
  order++;
  const c = {
    id: `${o.resourceType}:${address}`,
    action: 'update',
    address,
    account,
    ...(stream !== undefined ? { stream } : {}),
    risk: 'safe',
    ...defaults(o.resourceType),
    reasons: ['test'],
    dependsOn: [],
    order,
    target: targetOf(o.resourceType, account, address, stream),
    ...o,
  };
  // A test builds one kind of change at a time from loose parts; the union's correlation is the test's to keep.
  return c as unknown as Change;
}

/** An audit line: an outcome unless `result: 'started'` (an intent, which then needs an `id`). */
export function anEntry(o: Partial<AuditEntry> = {}): AuditEntry {
  return {
    time: '2026-01-02T00:00:00.000Z',
    account: A1,
    api: 'kinesis:UpdateShardCount',
    resource: `arn:aws:kinesis:eu-west-1:${A1}:stream/orders.v1`,
    result: 'ok',
    attempt: 1,
    ...o,
  } as AuditEntry;
}
