import { describe, expect, it } from 'vitest';
import { computePlan, liveFingerprint, meshDigest, emptyScope } from '../../src/core/plan/index.js';
import type { Change, Plan } from '../../src/core/plan/index.js';
import type { DesiredState } from '../../src/core/render/types.js';
import type { LiveState } from '../../src/core/plan/live.js';
import {
  A1,
  A2,
  MESH,
  aDesiredConsumer,
  aDesiredStream,
  aPolicy,
  clock,
  desiredState,
  liveConsumerOf,
  liveOf,
  liveState,
} from './builders.js';

function plan(desired: DesiredState, live: LiveState, scope = emptyScope()): Plan {
  return computePlan({ desired, live, meshDigest: 'digest', clock, scope });
}
const active = (p: Plan): Change[] => p.changes.filter((c) => c.action !== 'no-op');
const ids = (p: Plan) => active(p).map((c) => `${c.action} ${c.id} ${c.risk}`);
/** Warnings other than the boundary-only guard warning every organisation-less plan carries. */
const otherWarnings = (p: Plan) => p.warnings.filter((w) => !w.startsWith('no organisation is declared'));

describe('computePlan', () => {
  it('plans nothing but a no-op when live matches desired', () => {
    const s = aDesiredStream();
    const p = plan(desiredState([{ streams: [s] }]), liveState([{ streams: [liveOf(s)] }]));
    expect(ids(p)).toEqual([]);
    expect(p.changes).toHaveLength(1);
    expect(p.changes[0]).toMatchObject({ action: 'no-op', resourceType: 'stream', address: `${A1}/stream/orders.v1` });
    expect(p.summary).toMatchObject({ add: 0, change: 0, destroy: 0, noop: 1, hasChanges: false });
    expect(p).toMatchObject({
      formatVersion: 2,
      mesh: MESH,
      meshDigest: 'digest',
      createdAt: '2026-01-02T03:04:05.000Z',
    });
  });

  it('creates a missing stream with every attribute, then its policy and consumers in dependency order', () => {
    const s = aDesiredStream({ resourcePolicy: aPolicy('arn:aws:iam::222222222222:role/reader') });
    const c = aDesiredConsumer({ resourcePolicy: aPolicy('arn:aws:iam::222222222222:role/reader') });
    const p = plan(desiredState([{ streams: [s], consumers: [c] }]), liveState([{}]));
    expect(p.changes.map((x) => `${x.order} ${x.id} <- ${x.dependsOn.join(',')}`)).toEqual([
      `1 stream:${A1}/stream/orders.v1 <- `,
      `2 consumer:${A1}/stream/orders.v1/consumer/scorer <- stream:${A1}/stream/orders.v1`,
      `3 stream-policy:${A1}/stream/orders.v1/policy <- stream:${A1}/stream/orders.v1`,
      `4 consumer-policy:${A1}/stream/orders.v1/consumer/scorer/policy <- consumer:${A1}/stream/orders.v1/consumer/scorer`,
    ]);
    expect(p.changes[0]?.after).toMatchObject({ mode: 'PROVISIONED', shards: 2, retentionHours: 48, tags: s.tags });
    expect(p.summary).toMatchObject({ add: 4, change: 0, destroy: 0 });
    expect(
      p.accessDiff
        .filter((a) => a.change === 'gain')
        .map((a) => `${a.principal} ${a.access} ${a.via}`)
        .sort(),
    ).toEqual([
      'arn:aws:iam::111111111111:role/writer produce grant-tag',
      'arn:aws:iam::222222222222:role/reader consume consumer-policy',
      'arn:aws:iam::222222222222:role/reader consume stream-policy',
    ]);
  });

  it('removes a case variant of a meshgov key as destructive, and shows the access it gave as lost', () => {
    const s = aDesiredStream();
    const tampered = 'MESHGOV:CONSUME:222222222222:Intruder';
    const p = plan(
      desiredState([{ streams: [s] }]),
      liveState([{ streams: [liveOf(s, { tags: { ...s.tags, [tampered]: 'allow' } })] }]),
    );
    expect(ids(p)).toEqual([`update stream-tag-revocation:${A1}/stream/orders.v1 destructive`]);
    expect(active(p)[0]?.reasons.join(' ')).toContain(
      `removing ${tampered}: a case variant of a meshgov key (tag tampering)`,
    );
    expect(p.accessDiff.map((a) => `${a.change} ${a.principal} ${a.access} ${a.via}`)).toEqual([
      'lose arn:aws:iam::222222222222:role/Intruder consume grant-tag',
    ]);
    // A case variant next to the exact key is not a second principal: the role keeps its (declared) access.
    const dup = plan(
      desiredState([{ streams: [s] }]),
      liveState([{ streams: [liveOf(s, { tags: { ...s.tags, 'MESHGOV:PRODUCE:111111111111:WRITER': 'allow' } })] }]),
    );
    expect(ids(dup)).toEqual([`update stream-tag-revocation:${A1}/stream/orders.v1 destructive`]);
    expect(dup.accessDiff).toEqual([]);
  });

  it('warns, without an organisation, which principals the boundary-only guard leaves unguarded', () => {
    const s = aDesiredStream();
    const withOrg = { ...desiredState([{ streams: [s] }]), organizationId: 'o-abc1234567' };
    expect(plan(withOrg, liveState([{ streams: [liveOf(s)] }])).warnings.join(' ')).not.toContain(
      'tag-tampering guard',
    );
    const w = plan(desiredState([{ streams: [s] }]), liveState([{ streams: [liveOf(s)] }])).warnings.join(' ');
    expect(w).toContain('no organisation is declared');
    expect(w).toContain('Every other principal of the mesh accounts that holds Kinesis tagging rights');
  });

  it('treats a retention decrease as destructive and an increase as safe', () => {
    const s = aDesiredStream({ retentionHours: 48 });
    expect(
      ids(plan(desiredState([{ streams: [s] }]), liveState([{ streams: [liveOf(s, { retentionHours: 72 })] }]))),
    ).toEqual([`update stream-retention:${A1}/stream/orders.v1 destructive`]);
    expect(
      ids(plan(desiredState([{ streams: [s] }]), liveState([{ streams: [liveOf(s, { retentionHours: 24 })] }]))),
    ).toEqual([`update stream-retention:${A1}/stream/orders.v1 safe`]);
  });

  it('does not treat a shard count inside the autoscaling range as drift, and clamps one outside it', () => {
    const s = aDesiredStream({ shards: 4, autoscaling: { min: 2, max: 8 } });
    const d = desiredState([{ streams: [s] }]);
    expect(ids(plan(d, liveState([{ streams: [liveOf(s, { shards: 7 })] }])))).toEqual([]);
    const high = plan(d, liveState([{ streams: [liveOf(s, { shards: 12 })] }]));
    expect(ids(high)).toEqual([`update stream-capacity:${A1}/stream/orders.v1 disruptive`]);
    expect(active(high)[0]).toMatchObject({ before: { shards: 12 }, after: { shards: 8 } });
    const plain = aDesiredStream({ shards: 4 });
    expect(
      active(plan(desiredState([{ streams: [plain] }]), liveState([{ streams: [liveOf(plain, { shards: 3 })] }])))[0],
    ).toMatchObject({ after: { shards: 4 }, risk: 'disruptive' });
  });

  it('makes a capacity mode switch disruptive (no data or access is lost) and ignores shard counts of on-demand streams', () => {
    const s = aDesiredStream({ mode: 'ON_DEMAND', shards: undefined });
    const d = desiredState([{ streams: [s] }]);
    expect(ids(plan(d, liveState([{ streams: [liveOf(s, { shards: 9 })] }])))).toEqual([]);
    const p = plan(d, liveState([{ streams: [liveOf(s, { mode: 'PROVISIONED', shards: 2 })] }]));
    expect(ids(p)).toEqual([`update stream-capacity:${A1}/stream/orders.v1 disruptive`]);
    expect(active(p)[0]).toMatchObject({ before: { mode: 'PROVISIONED', shards: 2 }, after: { mode: 'ON_DEMAND' } });
  });

  it('removes foreign tags (safe), keeps aws: tags, and makes a removed grant tag a separate destructive revocation', () => {
    const s = aDesiredStream();
    const live = liveOf(s, {
      tags: {
        ...s.tags,
        'aws:cloudformation:stack-name': 'x',
        team: 'y',
        'meshgov:consume:222222222222:old-reader': 'allow',
      },
    });
    const p = plan(desiredState([{ streams: [s] }]), liveState([{ streams: [live] }]));
    expect(ids(p)).toEqual([
      `update stream-tag-revocation:${A1}/stream/orders.v1 destructive`,
      `update stream-tags:${A1}/stream/orders.v1 safe`,
    ]);
    expect(active(p)[1]).toMatchObject({ before: { tags: { team: 'y' } }, after: { tags: {} } });
    expect(active(p)[0]).toMatchObject({
      before: { tags: { 'meshgov:consume:222222222222:old-reader': 'allow' } },
      after: { tags: {} },
    });
    expect(p.accessDiff).toEqual([
      {
        principal: 'arn:aws:iam::222222222222:role/old-reader',
        stream: 'orders.v1',
        account: A1,
        access: 'consume',
        via: 'grant-tag',
        change: 'lose',
      },
    ]);
    const onlyForeign = liveOf(s, { tags: { ...s.tags, team: 'y' } });
    expect(ids(plan(desiredState([{ streams: [s] }]), liveState([{ streams: [onlyForeign] }])))).toEqual([
      `update stream-tags:${A1}/stream/orders.v1 safe`,
    ]);
  });

  it('splits an intruder grant tag from a safe classification repair on the same stream (defect 3)', () => {
    const s = aDesiredStream({ tags: { ...aDesiredStream().tags, 'meshgov:classification': 'confidential' } });
    const live = liveOf(s, {
      tags: { ...s.tags, 'meshgov:classification': 'public', 'meshgov:consume:444444444444:intruder': 'allow' },
    });
    const p = plan(desiredState([{ streams: [s] }]), liveState([{ streams: [live] }]));
    expect(ids(p)).toEqual([
      `update stream-tag-revocation:${A1}/stream/orders.v1 destructive`,
      `update stream-tags:${A1}/stream/orders.v1 safe`,
    ]);
    expect(active(p)[1]).toMatchObject({
      before: { tags: { 'meshgov:classification': 'public' } },
      after: { tags: { 'meshgov:classification': 'confidential' } },
    });
    expect(active(p)[0]?.after).toEqual({ tags: {} });
    expect(p.summary).toMatchObject({ destructive: 1, change: 2 });
  });

  it('owns the resource policy whole: a foreign statement is drift, destructive because access is revoked', () => {
    const s = aDesiredStream({ resourcePolicy: aPolicy('arn:aws:iam::222222222222:role/reader') });
    const live = liveOf(s, {
      resourcePolicy: aPolicy('arn:aws:iam::222222222222:role/reader', 'arn:aws:iam::444444444444:root'),
    });
    const p = plan(desiredState([{ streams: [s] }]), liveState([{ streams: [live] }]));
    expect(ids(p)).toEqual([`update stream-policy:${A1}/stream/orders.v1/policy destructive`]);
    expect(active(p)[0]?.reasons.join(' ')).toContain('not from the mesh: Sid Grant1');
    expect(p.accessDiff).toEqual([
      {
        principal: 'arn:aws:iam::444444444444:root',
        stream: 'orders.v1',
        account: A1,
        access: 'consume',
        via: 'stream-policy',
        change: 'lose',
      },
    ]);
  });

  it('compares policies as IAM does: one-element lists equal scalars, list order ignored', () => {
    const doc = aPolicy('arn:aws:iam::222222222222:role/reader');
    const s = aDesiredStream({ resourcePolicy: doc });
    const st = doc.Statement[0]!;
    const reordered = {
      Version: '2012-10-17' as const,
      Statement: [
        {
          ...st,
          Principal: { AWS: [st.Principal && 'AWS' in st.Principal ? (st.Principal.AWS as string) : ''] },
          Action: ['kinesis:GetShardIterator', 'kinesis:GetRecords'],
        },
      ],
    };
    expect(
      ids(plan(desiredState([{ streams: [s] }]), liveState([{ streams: [liveOf(s, { resourcePolicy: reordered })] }]))),
    ).toEqual([]);
  });

  it('deletes a policy no grant needs (destructive when it granted access)', () => {
    const s = aDesiredStream();
    const p = plan(
      desiredState([{ streams: [s] }]),
      liveState([{ streams: [liveOf(s, { resourcePolicy: aPolicy('arn:aws:iam::222222222222:root') })] }]),
    );
    expect(ids(p)).toEqual([`delete stream-policy:${A1}/stream/orders.v1/policy destructive`]);
  });

  it('deletes only managed streams of this mesh; lists others as unmanaged and never plans changes for them', () => {
    const s = aDesiredStream();
    const retired = liveOf(aDesiredStream({ name: 'retired.v0' }));
    const foreignMesh = liveOf(aDesiredStream({ name: 'theirs.v1' }), {
      tags: { 'meshgov:managed-by': 'meshgov', 'meshgov:mesh': 'other' },
    });
    const untagged = liveOf(aDesiredStream({ name: 'legacy' }), { tags: {} });
    const p = plan(
      desiredState([{ streams: [s] }]),
      liveState([
        {
          streams: [liveOf(s), retired, foreignMesh, untagged],
          unmanagedStreams: [{ name: 'listed-only', arn: 'arn:x', reason: 'not declared' }],
        },
      ]),
    );
    expect(ids(p)).toEqual([`delete stream:${A1}/stream/retired.v0 destructive`]);
    expect(p.unmanaged.map((u) => u.name)).toEqual(['legacy', 'listed-only', 'theirs.v1']);
    expect(p.unmanaged.find((u) => u.name === 'theirs.v1')?.reason).toContain('another mesh');
    expect(p.changes.some((c) => c.stream === 'legacy' || c.stream === 'theirs.v1' || c.stream === 'listed-only')).toBe(
      false,
    );
    expect(p.accessDiff.filter((a) => a.change === 'lose').map((a) => a.stream)).toEqual(['retired.v0']);
  });

  it('creates declared consumers on existing streams, deletes managed undeclared ones, lists untagged ones', () => {
    const s = aDesiredStream();
    const c = aDesiredConsumer();
    const live = liveOf(s, {
      consumers: [
        liveConsumerOf(aDesiredConsumer({ name: 'old-managed' })),
        liveConsumerOf(aDesiredConsumer({ name: 'someone-elses' }), { tags: {} }),
      ],
    });
    const p = plan(desiredState([{ streams: [s], consumers: [c] }]), liveState([{ streams: [live] }]));
    expect(ids(p)).toEqual([
      `create consumer:${A1}/stream/orders.v1/consumer/scorer safe`,
      `delete consumer:${A1}/stream/orders.v1/consumer/old-managed destructive`,
    ]);
    expect(p.unmanaged.map((u) => `${u.resourceType} ${u.name}`)).toEqual(['consumer someone-elses']);
  });

  it('flags customer-managed key encryption as disruptive and the AWS-managed key as safe', () => {
    const cmk = aDesiredStream({ encryption: { type: 'KMS', keyId: 'arn:aws:kms:eu-west-1:111111111111:key/abc' } });
    expect(
      ids(
        plan(
          desiredState([{ streams: [cmk] }]),
          liveState([{ streams: [liveOf(cmk, { encryption: { type: 'NONE' } })] }]),
        ),
      ),
    ).toEqual([`update stream-encryption:${A1}/stream/orders.v1 disruptive`]);
    const aws = aDesiredStream();
    expect(
      ids(
        plan(
          desiredState([{ streams: [aws] }]),
          liveState([{ streams: [liveOf(aws, { encryption: { type: 'NONE' } })] }]),
        ),
      ),
    ).toEqual([`update stream-encryption:${A1}/stream/orders.v1 safe`]);
  });

  it('leaves a policy it could not read alone and says so', () => {
    const s = aDesiredStream({ resourcePolicy: aPolicy('arn:aws:iam::222222222222:root') });
    const p = plan(
      desiredState([{ streams: [s] }]),
      liveState([{ streams: [liveOf(s, { resourcePolicy: undefined, notRead: ['resourcePolicy'] })] }]),
    );
    expect(ids(p)).toEqual([]);
    expect(p.notChecked.join('\n')).toContain('resourcePolicy could not be read');
  });

  it('limits desired and live to the scope', () => {
    const a = aDesiredStream({ name: 'a.v1', domain: 'orders' });
    const b = aDesiredStream({
      name: 'b.v1',
      domain: 'billing',
      account: A2,
      arn: 'arn:aws:kinesis:eu-west-1:222222222222:stream/b.v1',
    });
    const retiredBilling = liveOf(aDesiredStream({ name: 'old.v0', account: A2 }), {
      tags: { 'meshgov:managed-by': 'meshgov', 'meshgov:domain': 'billing' },
    });
    const d = desiredState([{ streams: [a] }, { account: A2, streams: [b] }]);
    const l = liveState([{}, { account: A2, streams: [retiredBilling] }]);
    expect(ids(plan(d, l, { domains: ['billing'], accounts: [] }))).toEqual([
      `create stream:${A2}/stream/b.v1 safe`,
      `delete stream:${A2}/stream/old.v0 destructive`,
    ]);
    expect(ids(plan(d, l, { domains: [], accounts: [A1] }))).toEqual([`create stream:${A1}/stream/a.v1 safe`]);
  });

  it('diffs IAM role policies when IAM was read and says so when it was not', () => {
    const doc = aPolicy('arn:aws:iam::111111111111:root');
    const iam = [
      {
        kind: 'identity-policy' as const,
        account: A1,
        name: 'meshgov-writer',
        roleName: 'writer',
        grantIds: ['g1'],
        document: doc,
      },
      {
        kind: 'identity-policy' as const,
        account: A1,
        name: 'meshgov-reader',
        roleName: 'reader',
        grantIds: ['g2'],
        document: doc,
      },
      { kind: 'guard-scp' as const, account: A1, name: 'meshgov-tag-guard', grantIds: [], document: doc },
    ];
    const d = desiredState([{ iam }]);
    const notRead = plan(d, liveState([{}]));
    expect(ids(notRead)).toEqual([]);
    expect(notRead.notChecked.join('\n')).toContain('IAM was not read; 2 role policies were not checked');
    const changed = {
      ...doc,
      Statement: [...doc.Statement, { Sid: 'Extra', Effect: 'Allow' as const, Action: 'kinesis:*', Resource: '*' }],
    };
    const p = plan(
      d,
      liveState([
        {
          iam: [
            { role: 'writer', policyName: 'meshgov-writer', kind: 'managed', document: changed },
            { role: 'gone', policyName: 'meshgov-gone', kind: 'inline', document: doc },
          ],
        },
      ]),
    );
    expect(ids(p)).toEqual([
      `create iam-policy:${A1}/iam/role/reader/policy/meshgov-reader safe`,
      `update iam-policy:${A1}/iam/role/writer/policy/meshgov-writer destructive`,
      `delete iam-policy:${A1}/iam/role/gone/policy/meshgov-gone destructive`,
    ]);
    expect(p.notChecked.join('\n')).toContain('guard-scp');
  });
});

describe('fingerprints and digests', () => {
  const s = aDesiredStream();
  const d = desiredState([{ streams: [s] }]);
  it('ignore transient status and unmanaged streams, and change with managed live state', () => {
    const base = liveFingerprint(liveState([{ streams: [liveOf(s)] }]), d, emptyScope());
    expect(liveFingerprint(liveState([{ streams: [liveOf(s, { status: 'UPDATING' })] }]), d, emptyScope())).toBe(base);
    expect(
      liveFingerprint(
        liveState([{ streams: [liveOf(s), liveOf(aDesiredStream({ name: 'x' }), { tags: {} })] }]),
        d,
        emptyScope(),
      ),
    ).toBe(base);
    expect(liveFingerprint(liveState([{ streams: [liveOf(s, { retentionHours: 99 })] }]), d, emptyScope())).not.toBe(
      base,
    );
    expect(base).toMatch(/^[0-9a-f]{64}$/);
  });
  it('hash every source file name and text', () => {
    const a = meshDigest([{ file: 'mesh.yaml', text: 'a' }]);
    expect(meshDigest([{ file: 'mesh.yaml', text: 'a' }])).toBe(a);
    expect(meshDigest([{ file: 'mesh.yaml', text: 'b' }])).not.toBe(a);
    expect(meshDigest([{ file: 'other.yaml', text: 'a' }])).not.toBe(a);
    expect(
      meshDigest([
        { file: 'mesh.yaml', text: 'a' },
        { file: 'd.yaml', text: '' },
      ]),
    ).not.toBe(a);
  });
});

describe('organisation warnings', () => {
  const d = { ...desiredState([{ streams: [aDesiredStream()] }, { account: A2 }]), organizationId: 'o-mesh' };
  it('warn about another organisation and about accounts outside it', () => {
    const live = { ...liveState([{}, { account: A2 }]), organization: { id: 'o-other', accounts: [A1] } };
    expect(plan(d, live).warnings).toEqual([
      'the mesh declares organisation o-mesh but the accounts belong to o-other: aws:PrincipalOrgID conditions would not match',
      `account ${A2} is not an active member of organisation o-other`,
    ]);
  });
  it('stay silent when membership is unknown or matches', () => {
    expect(
      plan(d, {
        ...liveState([{}, { account: A2 }]),
        organization: { id: 'o-mesh', accounts: [], accountsUnknown: true },
      }).warnings,
    ).toEqual([]);
    expect(
      plan(d, { ...liveState([{}, { account: A2 }]), organization: { id: 'o-mesh', accounts: [A1, A2] } }).warnings,
    ).toEqual([]);
    expect(plan(d, liveState([{}])).warnings).toEqual([]);
  });
});

describe('two meshes, one stream name', () => {
  it('never plans a stream another mesh manages, even when this mesh declares it', () => {
    const s = aDesiredStream();
    const theirs = liveOf(s, {
      tags: { 'meshgov:managed-by': 'meshgov', 'meshgov:mesh': 'other-mesh' },
      retentionHours: 24,
    });
    const p = plan(desiredState([{ streams: [s] }]), liveState([{ streams: [theirs] }]));
    expect(p.changes).toEqual([]);
    expect(p.unmanaged.map((u) => u.name)).toEqual(['orders.v1']);
    expect(otherWarnings(p)).toEqual([
      `${A1}/stream/orders.v1: declared in this mesh but managed by another mesh (meshgov:mesh=other-mesh); resolve the conflict before planning it`,
    ]);
    const listedOnly = plan(
      desiredState([{ streams: [s] }]),
      liveState([
        {
          unmanagedStreams: [
            {
              name: 'orders.v1',
              arn: s.arn,
              reason:
                'declared in this mesh but managed by another mesh (meshgov:mesh=x); resolve the conflict before planning it',
            },
          ],
        },
      ]),
    );
    expect(listedOnly.changes).toEqual([]);
    expect(otherWarnings(listedOnly)).toHaveLength(1);
  });
});

describe('fence under a domain scope', () => {
  it('does not plan a create for a declared stream fenced off by another mesh, even when unmanaged streams are not listed', () => {
    const s = aDesiredStream({ domain: 'orders' });
    const reason =
      'declared in this mesh but managed by another mesh (meshgov:mesh=x); resolve the conflict before planning it';
    const p = plan(
      desiredState([{ streams: [s] }]),
      liveState([{ unmanagedStreams: [{ name: s.name, arn: s.arn, reason }] }]),
      { domains: ['orders'], accounts: [] },
    );
    expect(p.changes).toEqual([]);
    expect(p.unmanaged).toEqual([]);
    expect(otherWarnings(p)).toEqual([`${A1}/stream/orders.v1: ${reason}`]);
  });
});
