/** Fake plan changes for the pure apply tests. */
import type { AuditEntry } from '../../src/core/apply/types.js';
import type { Change } from '../../src/core/plan/types.js';

export const A1 = '111111111111';
export const A2 = '222222222222';

let order = 0;

export function aChange(o: Partial<Change> & Pick<Change, 'resourceType'>): Change {
  const stream = 'stream' in o ? o.stream : 'orders.v1';
  const account = o.account ?? A1;
  const base = stream === undefined ? `${account}/iam/role/writer/policy/meshgov-writer` : `${account}/stream/${stream}`;
  const suffix = o.resourceType === 'stream-policy' ? '/policy' : o.resourceType === 'consumer' ? '/consumer/scorer' : o.resourceType === 'consumer-policy' ? '/consumer/scorer/policy' : '';
  const address = o.address ?? `${base}${suffix}`;
  order++;
  return {
    id: `${o.resourceType}:${address}`, action: 'update', address, account, ...(stream !== undefined ? { stream } : {}), risk: 'safe', before: null, after: null,
    reasons: ['test'], dependsOn: [], order, ...o,
  };
}

/** An audit line: an outcome unless `result: 'started'` (an intent, which then needs an `id`). */
export function anEntry(o: Partial<AuditEntry> = {}): AuditEntry {
  return {
    time: '2026-01-02T00:00:00.000Z', account: A1, api: 'kinesis:UpdateShardCount', resource: `arn:aws:kinesis:eu-west-1:${A1}:stream/orders.v1`,
    result: 'ok', attempt: 1, ...o,
  } as AuditEntry;
}
