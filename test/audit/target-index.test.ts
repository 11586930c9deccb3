/**
 * Audit target building is linear in the size of the mesh: each check indexes streams by (account, name) and grants
 * by stream once, instead of a `find` over every stream (or a `filter` over every grant) per stream. Counted, not
 * timed (speed lives in bench/): every element read of the mesh's, the desired state's and the live state's lists is
 * counted through a proxy.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { loadKinesisActionCatalog } from '../../src/adapters/aws/iam-analysis.js';
import { resourcePolicyChecks, resourcePolicyTagTampering } from '../../src/core/audit/access.js';
import type { AuditContext } from '../../src/core/audit/context.js';
import { driftChecks } from '../../src/core/audit/drift.js';
import { hotShardChecks, streamsToMeasure } from '../../src/core/audit/hot-shards.js';
import { identityChecks } from '../../src/core/audit/identity-reach.js';
import type { ActionCatalog } from '../../src/core/audit/identity-reach.js';
import type { Grant, Stream } from '../../src/core/model/types.js';
import { A, B, C, TODAY, aMesh, desiredFrom, liveFrom } from './builders.js';

let catalog: ActionCatalog;
beforeAll(async () => {
  catalog = await loadKinesisActionCatalog();
});

const role = (account: string, name: string) => ({
  kind: 'role' as const,
  account,
  role: name,
  path: '/',
  external: false,
});

/**
 * `n` streams alternating between accounts A and C, each with a producer in its own account and an EFO consumer in
 * B (a cross-account grant: every stream and consumer has a resource policy, so each is a target); every 10th
 * stream also has a replay grant for C's analytics role that expired (still tagged live: expired-grant-in-force).
 */
function scaledWorld(n: number) {
  const base = aMesh();
  const streams: Stream[] = [];
  const grants: Grant[] = [];
  for (let i = 0; i < n; i++) {
    const template = base.streams[1] as Stream;
    const account = i % 2 === 0 ? A : C;
    const name = `s-${i}`;
    streams.push({
      ...template,
      name,
      account,
      domain: 'd',
      capacity: { mode: 'ON_DEMAND' },
      at: { file: 'mesh.yaml', path: ['streams', i] },
    });
    const at = (k: number) => ({ file: 'mesh.yaml', path: ['grants', grants.length + k] });
    grants.push({ id: `p-${i}`, stream: name, access: 'produce', principal: role(account, `writer-${i}`), at: at(0) });
    grants.push({
      id: `c-${i}`,
      stream: name,
      access: 'consume',
      pattern: 'efo',
      consumerName: `reader-${i}`,
      principal: role(B, `reader-${i}`),
      at: at(0),
    });
    if (i % 10 === 0) {
      grants.push({
        id: `x-${i}`,
        stream: name,
        access: 'consume',
        pattern: 'replay',
        expires: '2020-01-01',
        principal: role(C, 'analytics'),
        at: at(0),
      });
    }
  }
  const mesh = { ...base, streams, grants };
  const desired = desiredFrom(mesh);
  const live = liveFrom(desired);
  return { mesh, desired, live };
}

/** A proxy of `list` that counts every element read (iteration, find and filter all read elements by index). */
function counted<T>(list: T[], counter: { reads: number }): T[] {
  return new Proxy(list, {
    get(target, prop, receiver) {
      if (typeof prop === 'string' && /^\d+$/.test(prop)) counter.reads++;
      return Reflect.get(target, prop, receiver) as unknown;
    },
  });
}

/** Run every per-stream audit check over `n` streams; the element reads of all the lists it was given, and the ids found. */
function readsOfAudit(n: number): { reads: number; ids: string[] } {
  const w = scaledWorld(n);
  const counter = { reads: 0 };
  w.mesh.streams = counted(w.mesh.streams, counter);
  w.mesh.grants = counted(w.mesh.grants, counter);
  for (const a of w.desired.accounts) a.streams = counted(a.streams, counter);
  for (const a of w.live.accounts) a.streams = counted(a.streams, counter);
  w.desired.accounts = counted(w.desired.accounts, counter);
  w.live.accounts = counted(w.live.accounts, counter);
  const ctx: AuditContext = { mesh: w.mesh, desired: w.desired, live: w.live, today: TODAY };
  const findings = [
    ...resourcePolicyChecks(ctx).findings,
    ...resourcePolicyTagTampering(ctx),
    ...identityChecks(ctx, catalog).findings,
    ...driftChecks(ctx).findings,
    ...hotShardChecks(ctx, undefined).findings,
  ];
  streamsToMeasure(ctx);
  return { reads: counter.reads, ids: findings.map((f) => f.code) };
}

describe('audit target building (indexed by account and name)', () => {
  it('reads each stream and grant a bounded number of times, however many streams there are', () => {
    const n = 400;
    const { reads, ids } = readsOfAudit(n);
    // The checks did their work: every 10th stream has an expired grant whose tag is still live.
    expect(ids.filter((id) => id === 'expired-grant-in-force')).toHaveLength(n / 10);
    // Each of the five checks indexes 3 lists of n streams and 2.1n grants and walks a few of them: ~60n reads.
    // A find per stream over every stream and a filter per stream over every grant read 1,869,232 here (~4,700n).
    expect(reads).toBeLessThanOrEqual(100 * n);
  });

  it('grows linearly: four times the streams, at most about four times the reads', () => {
    const small = readsOfAudit(100).reads;
    const large = readsOfAudit(400).reads;
    expect(large / small).toBeLessThan(5);
  });
});
