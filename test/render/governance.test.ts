import { describe, expect, it } from 'vitest';
import { governanceStatements, readOnlyStatements } from '../../src/core/render/governance-policy.js';
import { guardBoundary, guardScp } from '../../src/core/render/guard.js';
import { governanceTrustPolicy, readOnlyTrustPolicy } from '../../src/core/render/trust-policy.js';
import { A, B, aMesh } from './builders.js';

describe('governance policy', () => {
  const mesh = aMesh({ governanceRole: { name: 'gov', path: '/meshgov/' } });

  it.each([A, B])('in %s: Resource "*" only for the actions that support no resource scoping', (account) => {
    const ss = governanceStatements(mesh, account);
    const star = ss.filter((s) => s.Resource === '*');
    expect(star.map((s) => s.Sid)).toEqual([
      'UnscopableStreamActions',
      'UnscopableReads',
      ...(account === A ? ['ReadOrganization', 'CheckPolicies'] : []),
    ]);
    expect(star[1]?.Action).toEqual([
      'cloudwatch:GetMetricData',
      'cloudwatch:ListMetrics',
      'iam:GetAccountAuthorizationDetails',
      'iam:ListRoles',
      'kms:ListAliases',
      'tag:GetResources',
    ]);
    expect(star[0]?.Action).toEqual([
      'kinesis:DisableEnhancedMonitoring',
      'kinesis:EnableEnhancedMonitoring',
      'kinesis:ListStreams',
      'kinesis:UpdateShardCount',
      'kinesis:UpdateStreamMode',
    ]);
    const admin = ss.find((s) => s.Sid === 'StreamAdministration');
    expect(admin?.Resource).toEqual([
      `arn:aws:kinesis:eu-west-1:${account}:stream/*`,
      `arn:aws:kinesis:eu-west-1:${account}:stream/*/consumer/*`,
    ]);
    for (const a of [
      'kinesis:AddTagsToStream',
      'kinesis:TagResource',
      'kinesis:PutResourcePolicy',
      'kinesis:DeleteResourcePolicy',
    ])
      expect(admin?.Action).toContain(a);
    for (const a of ['kinesis:GetRecords', 'kinesis:PutRecord', 'kinesis:SubscribeToShard'])
      expect(JSON.stringify(ss)).not.toContain(`"${a}"`);
  });

  it("lets the home account chain into the other accounts' governance roles, and only the home account", () => {
    expect(governanceStatements(mesh, A).find((s) => s.Sid === 'AssumeGovernanceRoles')?.Resource).toBe(
      `arn:aws:iam::${B}:role/meshgov/gov`,
    );
    expect(governanceStatements(mesh, B).find((s) => s.Sid === 'AssumeGovernanceRoles')).toBeUndefined();
  });
});

describe('read-only role', () => {
  it('renders its policy and trust only when the mesh names one', () => {
    const without = readOnlyStatements(aMesh(), A);
    expect(without).toEqual([]);
    expect(readOnlyTrustPolicy(aMesh(), B)).toBeUndefined();
    const mesh = aMesh({ governanceRole: { name: 'gov', path: '/meshgov/', readOnlyName: 'ro', externalId: 'xid' } });
    expect(readOnlyStatements(mesh, A).map((s) => s.Sid)).toEqual([
      'StreamReads',
      'UnscopableReads',
      'ReadMeshgovPolicies',
      'ReadRoles',
      'AssumeReadOnlyRoles',
      'ReadOrganization',
      'CheckPolicies',
    ]);
    expect(readOnlyStatements(mesh, B).map((s) => s.Sid)).toEqual([
      'StreamReads',
      'UnscopableReads',
      'ReadMeshgovPolicies',
      'ReadRoles',
    ]);
    expect(readOnlyStatements(mesh, A).find((s) => s.Sid === 'AssumeReadOnlyRoles')?.Resource).toBe(
      `arn:aws:iam::${B}:role/meshgov/ro`,
    );
    expect(readOnlyTrustPolicy(mesh, A)).toBeUndefined();
    expect(readOnlyTrustPolicy(mesh, B)?.Statement).toEqual([
      {
        Sid: 'TrustHomeReadOnlyRole',
        Effect: 'Allow',
        Principal: { AWS: `arn:aws:iam::${A}:role/meshgov/ro` },
        Action: 'sts:AssumeRole',
        Condition: { StringEquals: { 'sts:ExternalId': 'xid' } },
      },
    ]);
  });
});

describe('trust policy', () => {
  it.each([
    ['home account', aMesh(), A, undefined],
    [
      'other account',
      aMesh(),
      B,
      {
        Version: '2012-10-17',
        Statement: [
          {
            Sid: 'TrustHomeGovernanceRole',
            Effect: 'Allow',
            Principal: { AWS: `arn:aws:iam::${A}:role/meshgov-governance` },
            Action: 'sts:AssumeRole',
          },
        ],
      },
    ],
    [
      'other account with an external id',
      aMesh({ governanceRole: { name: 'meshgov-governance', path: '/', externalId: 'xid' } }),
      B,
      {
        Version: '2012-10-17',
        Statement: [
          {
            Sid: 'TrustHomeGovernanceRole',
            Effect: 'Allow',
            Principal: { AWS: `arn:aws:iam::${A}:role/meshgov-governance` },
            Action: 'sts:AssumeRole',
            Condition: { StringEquals: { 'sts:ExternalId': 'xid' } },
          },
        ],
      },
    ],
  ])('%s', (_n, mesh, account, want) => {
    expect(governanceTrustPolicy(mesh, account)).toEqual(want);
  });
});

describe('tag-tampering guard', () => {
  const mesh = aMesh({ governanceRole: { name: 'gov', path: '/meshgov/' } });
  const notGovernance = { ArnNotLike: { 'aws:PrincipalArn': 'arn:aws:iam::*:role/meshgov/gov' } };
  const tagging = [
    'kinesis:AddTagsToStream',
    'kinesis:RemoveTagsFromStream',
    'kinesis:TagResource',
    'kinesis:UntagResource',
  ];

  it('denies every tag change on managed resources, and meshgov keys in any case everywhere, to all but the governance role', () => {
    const [managed, keys, ...rest] = guardScp(mesh).Statement;
    expect(rest).toEqual([]);
    expect(managed).toEqual({
      Sid: 'DenyTagChangesOnManagedResources',
      Effect: 'Deny',
      Action: tagging,
      Resource: '*',
      Condition: { Null: { 'aws:ResourceTag/meshgov:managed-by': 'false' }, ...notGovernance },
    });
    expect(keys?.Action).toEqual(
      [
        ...tagging,
        'kinesis:CreateStream',
        'kinesis:RegisterStreamConsumer',
        'tag:TagResources',
        'tag:UntagResources',
      ].sort(),
    );
    expect(keys?.Condition?.['ArnNotLike']).toEqual(notGovernance.ArnNotLike);
    const patterns = keys?.Condition?.['ForAnyValue:StringLike']?.['aws:TagKeys'] as string[];
    // m e s h g o v: two cases each, and `s` also as U+017F (long s, which upper-cases to S): 2^6 * 3 spellings.
    expect(patterns).toHaveLength(192);
    expect(new Set(patterns).size).toBe(192);
    for (const p of [
      'meshgov:*',
      'MESHGOV:*',
      'MeShGoV:*',
      'mEsHgOv:*',
      'Meshgov:*',
      'me\u017fhgov:*',
      'ME\u017fHGOV:*',
    ])
      expect(patterns).toContain(p);
    for (const p of patterns) expect(p.replace(/\u017f/g, 's').toLowerCase()).toBe('meshgov:*');
  });

  it('as a permissions boundary: allows what identity policies allow, minus the same denies', () => {
    const b = guardBoundary(mesh);
    expect(b.Statement[0]).toEqual({
      Sid: 'BoundaryAllowsIdentityPolicies',
      Effect: 'Allow',
      Action: '*',
      Resource: '*',
    });
    expect(b.Statement.slice(1)).toEqual(guardScp(mesh).Statement);
  });
});
