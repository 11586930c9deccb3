/** Which rendered policies Access Analyzer is asked about, with which policy type and resource type. */
import { describe, expect, it } from 'vitest';
import { analyzerRequests, countRequests } from '../../src/core/analyzer/index.js';
import type { AnalyzerRequest } from '../../src/core/analyzer/types.js';
import type { IamPolicyChange } from '../../src/core/plan/types.js';
import { renderMesh } from '../../src/core/render/index.js';
import { A, B, TODAY, aGrant, aMesh, aPrincipal } from '../render/builders.js';

/** One stream in A, read cross-account by a role in B through an EFO consumer. */
const mesh = aMesh({
  grants: [
    aGrant({
      access: 'consume',
      pattern: 'efo',
      consumerName: 'c1',
      principal: aPrincipal({ account: B, role: 'reader' }),
    }),
  ],
});
const desired = renderMesh(mesh, { today: TODAY }).value;
const row = (r: AnalyzerRequest) => [
  r.check,
  r.policy.kind,
  r.policy.address,
  'policyType' in r ? r.policyType : '',
  ('resourceType' in r ? r.resourceType : undefined) ?? '',
];

describe('analyzerRequests', () => {
  const requests = analyzerRequests(desired, []);

  it('asks about every rendered policy: resource policies twice, the SCP as an SCP, trust policies as role trust', () => {
    expect(requests.map(row)).toEqual([
      ['validate-policy', 'stream-policy', `${A}/stream/orders/policy`, 'RESOURCE_POLICY', ''],
      ['no-public-access', 'stream-policy', `${A}/stream/orders/policy`, '', 'AWS::Kinesis::Stream'],
      ['validate-policy', 'consumer-policy', `${A}/stream/orders/consumer/c1/policy`, 'RESOURCE_POLICY', ''],
      [
        'no-public-access',
        'consumer-policy',
        `${A}/stream/orders/consumer/c1/policy`,
        '',
        'AWS::Kinesis::StreamConsumer',
      ],
      [
        'validate-policy',
        'governance-policy',
        `${A}/iam/role/meshgov-governance/policy/meshgov-governance`,
        'IDENTITY_POLICY',
        '',
      ],
      ['validate-policy', 'guard-scp', 'organization/meshgov-tag-guard', 'SERVICE_CONTROL_POLICY', ''],
      ['validate-policy', 'permissions-boundary', `${A}/iam/policy/meshgov-tag-guard-boundary`, 'IDENTITY_POLICY', ''],
      [
        'validate-policy',
        'governance-policy',
        `${B}/iam/role/meshgov-governance/policy/meshgov-governance`,
        'IDENTITY_POLICY',
        '',
      ],
      ['validate-policy', 'identity-policy', `${B}/iam/role/reader/policy/meshgov-reader`, 'IDENTITY_POLICY', ''],
      ['validate-policy', 'permissions-boundary', `${B}/iam/policy/meshgov-tag-guard-boundary`, 'IDENTITY_POLICY', ''],
      [
        'validate-policy',
        'trust-policy',
        `${B}/iam/trust-policy/meshgov-governance-trust`,
        'RESOURCE_POLICY',
        'AWS::IAM::AssumeRolePolicyDocument',
      ],
    ]);
    expect(countRequests(requests)).toEqual({ validatePolicy: 9, checkNoPublicAccess: 2, checkNoNewAccess: 0 });
  });

  it('sends each document as the compact JSON of the rendered one', () => {
    const stream = desired.accounts[0]?.streams[0];
    expect(requests[0]?.document).toBe(JSON.stringify(stream?.resourcePolicy));
    expect(JSON.parse(requests[0]?.document ?? '')).toEqual(stream?.resourcePolicy);
  });

  it('sends no event source mapping and no advisory KMS key-policy statements', () => {
    const filtered = aMesh({
      streams: [{ ...aMesh().streams[0], encryption: { type: 'KMS', keyId: 'alias/orders' } } as never],
      grants: [
        aGrant({
          access: 'consume',
          pattern: 'filtered',
          filter: { patterns: [{ data: { kind: ['x'] } }] } as never,
          principal: aPrincipal({ account: B, role: 'fn' }),
        }),
      ],
    });
    const state = renderMesh(filtered, { today: TODAY }).value;
    const kinds = state.accounts.flatMap((a) => a.iam.map((i) => i.kind));
    expect(kinds).toContain('event-source-mapping');
    expect(kinds).toContain('kms-key-policy-statements');
    const sent = new Set(analyzerRequests(state, []).map((r) => r.policy.kind));
    expect(sent.has('event-source-mapping' as never)).toBe(false);
    expect(sent.has('kms-key-policy-statements' as never)).toBe(false);
  });

  it('CheckNoNewAccess for each updated role policy against its live document, never for creates', () => {
    const live = {
      Version: '2012-10-17',
      Statement: [{ Sid: 'Old', Effect: 'Allow', Action: 'kinesis:ListShards', Resource: '*' }],
    };
    const after = desired.accounts[1]?.iam.find((i) => i.kind === 'identity-policy')?.document as never;
    const base = {
      account: B,
      risk: 'safe' as const,
      reasons: [],
      dependsOn: [],
      order: 1,
      resourceType: 'iam-policy' as const,
      target: { account: B, role: 'reader', policyName: 'meshgov-reader' },
    };
    const update: IamPolicyChange = {
      ...base,
      id: 'u',
      address: `${B}/iam/role/reader/policy/meshgov-reader`,
      action: 'update',
      before: { document: live },
      after: { document: after },
    };
    const create: IamPolicyChange = {
      ...base,
      id: 'c',
      address: `${B}/iam/role/reader/policy/meshgov-x`,
      action: 'create',
      before: null,
      after: { role: 'reader', policyName: 'meshgov-x', kind: 'identity-policy', grantIds: [], document: after },
    };
    const unreadable: IamPolicyChange = { ...update, id: 'n', before: { document: 'not a policy' } };
    const out = analyzerRequests(desired, [update, create, unreadable]).filter((r) => r.check === 'no-new-access');
    expect(out).toEqual([
      {
        check: 'no-new-access',
        policyType: 'IDENTITY_POLICY',
        document: JSON.stringify(after),
        existing: JSON.stringify(live),
        policy: { kind: 'identity-policy', account: B, address: `${B}/iam/role/reader/policy/meshgov-reader` },
      },
    ]);
  });
});
