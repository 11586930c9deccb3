/**
 * The identity-policy reader (GetAccountAuthorizationDetails) against aws-sdk-client-mock, with responses shaped as
 * the API reference documents them (https://docs.aws.amazon.com/IAM/latest/APIReference/API_GetAccountAuthorizationDetails.html):
 * URL-encoded documents, Marker/IsTruncated pagination, managed policies with their version list. Then end to end:
 * what it reads makes the audit's identity checks run and report the wildcard role, not the least-privilege one.
 */
import { GetAccountAuthorizationDetailsCommand, IAMClient, ListRolesCommand } from '@aws-sdk/client-iam';
import type { GetAccountAuthorizationDetailsResponse, ManagedPolicyDetail, RoleDetail } from '@aws-sdk/client-iam';
import { KinesisClient, ListStreamsCommand } from '@aws-sdk/client-kinesis';
import { ResourceGroupsTaggingAPIClient } from '@aws-sdk/client-resource-groups-tagging-api';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ClientPool } from '../../src/adapters/aws/client-pool.js';
import { AdapterError } from '../../src/adapters/aws/errors.js';
import { nested } from '../support/nested-policy.js';
import {
  AUTHORIZATION_FILTER,
  IAM_AUTHORIZATION_IAM_ACTIONS,
  actionPatternMayMatchKinesis,
  mayReachKinesis,
  readIdentityPolicies,
} from '../../src/adapters/aws/iam-authorization.js';
import { loadKinesisActionCatalog } from '../../src/adapters/aws/iam-analysis.js';
import { AwsLiveReader } from '../../src/adapters/aws/live-reader.js';
import { runAudit } from '../../src/app/audit.js';
import type { ActionCatalog } from '../../src/core/audit/identity-reach.js';
import type { PolicyDocument } from '../../src/core/render/types.js';
import { A, GOV, ORDERS_ARN, REGION, TODAY, world } from '../audit/builders.js';

const iam = mockClient(IAMClient);
const kinesis = mockClient(KinesisClient);
const tagging = mockClient(ResourceGroupsTaggingAPIClient);
afterEach(() => {
  iam.reset();
  kinesis.reset();
  tagging.reset();
});

const created = new Date('2026-01-01T00:00:00Z');
/** IAM returns policy documents URL-encoded per RFC 3986. */
const encode = (d: unknown) => encodeURIComponent(JSON.stringify(d));
const doc = (...Statement: PolicyDocument['Statement']): PolicyDocument => ({ Version: '2012-10-17', Statement });
const trust = encode(
  doc({ Sid: 'Trust', Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' }),
);
const roleArn = (name: string, path = '/') => `arn:aws:iam::${A}:role${path}${name}`;

function role(name: string, parts: Partial<RoleDetail> = {}, path = '/'): RoleDetail {
  return {
    Path: path,
    RoleName: name,
    RoleId: `AROA${name.toUpperCase().replace(/[^A-Z]/g, '')}`,
    Arn: roleArn(name, path),
    CreateDate: created,
    AssumeRolePolicyDocument: trust,
    InstanceProfileList: [],
    RolePolicyList: [],
    AttachedManagedPolicies: [],
    Tags: [],
    ...parts,
  };
}

function managedPolicy(
  arn: string,
  name: string,
  versions: { id: string; doc: PolicyDocument }[],
  defaultId: string,
): ManagedPolicyDetail {
  return {
    PolicyName: name,
    PolicyId: `ANPA${name.toUpperCase().replace(/[^A-Z]/g, '')}`,
    Arn: arn,
    Path: '/',
    DefaultVersionId: defaultId,
    AttachmentCount: 1,
    PermissionsBoundaryUsageCount: 0,
    IsAttachable: true,
    CreateDate: created,
    UpdateDate: created,
    PolicyVersionList: versions.map((v) => ({
      Document: encode(v.doc),
      VersionId: v.id,
      IsDefaultVersion: v.id === defaultId,
      CreateDate: created,
    })),
  };
}

const KINESIS_FULL_ACCESS = 'arn:aws:iam::aws:policy/AmazonKinesisFullAccess';
/** The AWS managed policy's document: kinesis:* on *. */
const fullAccessDoc = doc({ Sid: 'Full', Effect: 'Allow', Action: 'kinesis:*', Resource: '*' });
/** Least privilege for the `orders-writer` grant (produce on orders); the Resource has characters IAM URL-encodes. */
const writerDoc = doc({
  Sid: 'Produce orders',
  Effect: 'Allow',
  Action: ['kinesis:PutRecord', 'kinesis:PutRecords', 'kinesis:DescribeStreamSummary', 'kinesis:ListShards'],
  Resource: ORDERS_ARN,
});
const s3Doc = doc({
  Sid: 'Bucket',
  Effect: 'Allow',
  Action: ['s3:GetObject'],
  Resource: 'arn:aws:s3:::bucket/a b+c/*',
});

/** Two pages: the role that attaches AmazonKinesisFullAccess comes on page 1, the policy itself on page 2. */
function twoPages(): GetAccountAuthorizationDetailsResponse[] {
  return [
    {
      RoleDetailList: [
        role('kinesis-admin', {
          AttachedManagedPolicies: [{ PolicyName: 'AmazonKinesisFullAccess', PolicyArn: KINESIS_FULL_ACCESS }],
        }),
        role('orders-writer', { RolePolicyList: [{ PolicyName: 'produce', PolicyDocument: encode(writerDoc) }] }),
        role('s3-only', { RolePolicyList: [{ PolicyName: 's3', PolicyDocument: encode(s3Doc) }] }),
      ],
      UserDetailList: [],
      GroupDetailList: [],
      Policies: [],
      IsTruncated: true,
      Marker: 'page-2',
    },
    {
      RoleDetailList: [
        role(
          'meshgov-governance',
          {
            AttachedManagedPolicies: [
              { PolicyName: 'meshgov-governance', PolicyArn: `arn:aws:iam::${A}:policy/meshgov/meshgov-governance` },
            ],
          },
          '/meshgov/',
        ),
      ],
      UserDetailList: [],
      GroupDetailList: [],
      Policies: [
        // v1 (not default) was narrow: the default version v2 is what counts.
        managedPolicy(
          KINESIS_FULL_ACCESS,
          'AmazonKinesisFullAccess',
          [
            { id: 'v1', doc: writerDoc },
            { id: 'v2', doc: fullAccessDoc },
          ],
          'v2',
        ),
        managedPolicy(
          `arn:aws:iam::${A}:policy/meshgov/meshgov-governance`,
          'meshgov-governance',
          [{ id: 'v1', doc: fullAccessDoc }],
          'v1',
        ),
        // Returned but attached to nothing the reader keeps: it must not show up.
        managedPolicy(
          'arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess',
          'AmazonS3ReadOnlyAccess',
          [{ id: 'v1', doc: s3Doc }],
          'v1',
        ),
      ],
      IsTruncated: false,
    },
  ];
}

function mockPages(pages: GetAccountAuthorizationDetailsResponse[]): void {
  let m = iam.on(GetAccountAuthorizationDetailsCommand);
  for (const p of pages) m = m.resolvesOnce(p);
}

describe('readIdentityPolicies', () => {
  it('pages with Marker, resolves attached managed policies across pages to their default version, keeps only Kinesis-relevant principals', async () => {
    mockPages(twoPages());
    const r = await readIdentityPolicies(new IAMClient({ region: REGION }), { account: A });
    expect(r.pages).toBe(2);
    expect(r.notes).toEqual([]);
    expect(r.identityPolicies).toEqual([
      { principalArn: roleArn('kinesis-admin'), documents: [fullAccessDoc] },
      { principalArn: roleArn('meshgov-governance', '/meshgov/'), documents: [fullAccessDoc] },
      { principalArn: roleArn('orders-writer'), documents: [writerDoc] },
    ]);
    const inputs = iam.commandCalls(GetAccountAuthorizationDetailsCommand).map((c) => c.args[0].input);
    expect(inputs.map((i) => i.Marker)).toEqual([undefined, 'page-2']);
    for (const i of inputs)
      expect([...(i.Filter ?? [])].sort()).toEqual(['AWSManagedPolicy', 'Group', 'LocalManagedPolicy', 'Role', 'User']);
    expect(AUTHORIZATION_FILTER).toHaveLength(5);
    expect([
      ...new Set(iam.calls().map((c) => `iam:${(c.args[0] as object).constructor.name.replace(/Command$/, '')}`)),
    ]).toEqual([...IAM_AUTHORIZATION_IAM_ACTIONS]);
  });

  it('URL-decodes documents (spaces, "+", "/", quotes) exactly', async () => {
    const tricky = doc(
      {
        Sid: 'Odd',
        Effect: 'Allow',
        Action: ['kinesis:GetRecords'],
        Resource: 'arn:aws:kinesis:eu-west-1:111111111111:stream/a+b c%d',
      },
      { Sid: 'S3', Effect: 'Allow', Action: 's3:*', Resource: s3Doc.Statement[0]?.Resource as string },
    );
    const encoded = encode(tricky);
    expect(encoded).toContain('%2B');
    expect(encoded).toContain('%20');
    mockPages([
      {
        RoleDetailList: [role('odd', { RolePolicyList: [{ PolicyName: 'odd', PolicyDocument: encoded }] })],
        Policies: [],
        IsTruncated: false,
      },
    ]);
    const r = await readIdentityPolicies(new IAMClient({ region: REGION }), { account: A });
    expect(r.identityPolicies).toEqual([{ principalArn: roleArn('odd'), documents: [tricky] }]);
  });

  it("users: inline, attached and their groups' policies, each document once", async () => {
    const groupInline = doc({ Sid: 'Group', Effect: 'Allow', Action: 'kinesis:Describe*', Resource: '*' });
    const userInline = doc({ Sid: 'Star', Effect: 'Allow', Action: '*', Resource: '*' });
    mockPages([
      {
        UserDetailList: [
          {
            Path: '/',
            UserName: 'alice',
            UserId: 'AIDAALICE',
            Arn: `arn:aws:iam::${A}:user/alice`,
            CreateDate: created,
            UserPolicyList: [{ PolicyName: 'star', PolicyDocument: encode(userInline) }],
            GroupList: ['streamers', 'ghosts'],
            AttachedManagedPolicies: [{ PolicyName: 'AmazonKinesisFullAccess', PolicyArn: KINESIS_FULL_ACCESS }],
            Tags: [],
          },
          {
            Path: '/',
            UserName: 'bob',
            UserId: 'AIDABOB',
            Arn: `arn:aws:iam::${A}:user/bob`,
            CreateDate: created,
            UserPolicyList: [],
            GroupList: [],
            AttachedManagedPolicies: [{ PolicyName: 'gone', PolicyArn: `arn:aws:iam::${A}:policy/gone` }],
            Tags: [],
          },
        ],
        GroupDetailList: [
          {
            Path: '/',
            GroupName: 'streamers',
            GroupId: 'AGPASTREAM',
            Arn: `arn:aws:iam::${A}:group/streamers`,
            CreateDate: created,
            GroupPolicyList: [{ PolicyName: 'describe', PolicyDocument: encode(groupInline) }],
            AttachedManagedPolicies: [{ PolicyName: 'AmazonKinesisFullAccess', PolicyArn: KINESIS_FULL_ACCESS }],
          },
        ],
        RoleDetailList: [],
        Policies: [
          managedPolicy(KINESIS_FULL_ACCESS, 'AmazonKinesisFullAccess', [{ id: 'v2', doc: fullAccessDoc }], 'v2'),
        ],
        IsTruncated: false,
      },
    ]);
    const r = await readIdentityPolicies(new IAMClient({ region: REGION }), { account: A });
    // AmazonKinesisFullAccess is attached to alice and to her group: read once.
    expect(r.identityPolicies).toEqual([
      { principalArn: `arn:aws:iam::${A}:user/alice`, documents: [userInline, fullAccessDoc, groupInline] },
    ]);
    expect(r.notes).toEqual([
      `account ${A}: IAM group ghosts of arn:aws:iam::${A}:user/alice was not returned by GetAccountAuthorizationDetails; identity checks ignore its policies`,
      `account ${A}: IAM managed policy arn:aws:iam::${A}:policy/gone is attached but its default version was not returned by GetAccountAuthorizationDetails; identity checks ignore it`,
    ]);
  });

  it('an unparsable document is a note, not a crash', async () => {
    mockPages([
      {
        RoleDetailList: [
          role('broken', {
            RolePolicyList: [
              { PolicyName: 'bad', PolicyDocument: '%7Bnot%20json' },
              { PolicyName: 'deep', PolicyDocument: encodeURIComponent(nested(200)) },
            ],
          }),
        ],
        Policies: [],
        IsTruncated: false,
      },
    ]);
    const r = await readIdentityPolicies(new IAMClient({ region: REGION }), { account: A });
    expect(r.identityPolicies).toEqual([]);
    expect(r.notes).toEqual([
      `account ${A}: IAM inline policy bad of ${roleArn('broken')} is not a JSON policy document; identity checks ignore it`,
      `account ${A}: IAM inline policy deep of ${roleArn('broken')} nests deeper than 64 levels; identity checks ignore it`,
    ]);
  });

  it('wraps failures as AdapterError naming the operation and account', async () => {
    iam.on(GetAccountAuthorizationDetailsCommand).rejects(
      Object.assign(new Error('User is not authorized to perform: iam:GetAccountAuthorizationDetails'), {
        name: 'AccessDenied',
      }),
    );
    const err = await readIdentityPolicies(new IAMClient({ region: REGION }), { account: A }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AdapterError);
    expect((err as Error).message).toContain(`iam:GetAccountAuthorizationDetails in account ${A} failed: AccessDenied`);
  });

  it('relevance: which action patterns may match a Kinesis action', () => {
    for (const p of ['kinesis:GetRecords', 'Kinesis:*', 'kin*:Put*', '*', '*:*', 'k?nesis:List*'])
      expect([p, actionPatternMayMatchKinesis(p)]).toEqual([p, true]);
    for (const p of ['s3:*', 'kinesisanalytics:*', 'firehose:PutRecord', 'sts:AssumeRole', 'iam:*'])
      expect([p, actionPatternMayMatchKinesis(p)]).toEqual([p, false]);
    expect(mayReachKinesis(doc({ Sid: 'N', Effect: 'Allow', NotAction: 'iam:*', Resource: '*' }))).toBe(true);
    expect(mayReachKinesis(s3Doc)).toBe(false);
    // A single statement object (allowed by the policy grammar) is read too.
    expect(
      mayReachKinesis({
        Version: '2012-10-17',
        Statement: { Sid: 'One', Effect: 'Allow', Action: 'kinesis:ListStreams', Resource: '*' },
      } as unknown as PolicyDocument),
    ).toBe(true);
  });
});

describe('AwsLiveReader fills identityPolicies for audit only', () => {
  function pool(command: string): ClientPool {
    return new ClientPool({
      target: 'aws',
      region: REGION,
      partition: 'aws',
      command,
      governanceRole: { name: 'meshgov-governance', path: '/meshgov/' },
      rateLimitScale: 0,
      credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'x' },
    });
  }
  const request = {
    mesh: 'acme',
    region: REGION,
    partition: 'aws',
    accounts: [A],
    declared: new Map([[A, new Set<string>()]]),
  };
  function emptyAccount(): void {
    kinesis.on(ListStreamsCommand).resolves({ StreamNames: [], HasMoreStreams: false });
    iam.on(ListRolesCommand).resolves({ Roles: [], IsTruncated: false });
  }

  it('audit: one GetAccountAuthorizationDetails per page, result in identityPolicies', async () => {
    emptyAccount();
    mockPages(twoPages());
    const live = await new AwsLiveReader(pool('audit'), {
      readIam: true,
      readOrganization: false,
      iamPathPrefix: '/meshgov/',
    }).read(request);
    expect(live.accounts[0]?.identityPolicies?.map((i) => i.principalArn)).toEqual([
      roleArn('kinesis-admin'),
      roleArn('meshgov-governance', '/meshgov/'),
      roleArn('orders-writer'),
    ]);
    // (aws-sdk-client-mock answers before the pool's middleware, so the calls are counted on the mock.)
    expect(iam.commandCalls(GetAccountAuthorizationDetailsCommand)).toHaveLength(2);
  });

  it('plan: no extra call, identityPolicies stays undefined', async () => {
    emptyAccount();
    mockPages(twoPages());
    const live = await new AwsLiveReader(pool('plan'), {
      readIam: true,
      readOrganization: false,
      iamPathPrefix: '/meshgov/',
    }).read(request);
    expect(live.accounts[0]?.identityPolicies).toBeUndefined();
    expect(iam.commandCalls(GetAccountAuthorizationDetailsCommand)).toHaveLength(0);
    expect(iam.commandCalls(ListRolesCommand)).toHaveLength(1);
  });

  it('audit without the permission: a not-checked line, the read goes on', async () => {
    emptyAccount();
    iam
      .on(GetAccountAuthorizationDetailsCommand)
      .rejects(Object.assign(new Error('not authorized'), { name: 'AccessDenied' }));
    const live = await new AwsLiveReader(pool('audit'), {
      readIam: true,
      readOrganization: false,
      iamPathPrefix: '/meshgov/',
    }).read(request);
    expect(live.accounts[0]?.identityPolicies).toBeUndefined();
    expect(
      live.notChecked.some((n) =>
        n.startsWith(`account ${A}: IAM identity policies could not be read (iam:GetAccountAuthorizationDetails`),
      ),
    ).toBe(true);
  });
});

describe('end to end: runAudit on identity policies read by the reader', () => {
  let catalog: ActionCatalog;
  beforeAll(async () => {
    catalog = await loadKinesisActionCatalog();
  });

  it('reports identity-policy-overreach for the wildcard role, nothing for the least-privilege writer or the governance role', async () => {
    mockPages(twoPages());
    const read = await readIdentityPolicies(new IAMClient({ region: REGION }), { account: A });
    const w = world();
    const account = w.live.accounts.find((a) => a.account === A);
    if (!account) throw new Error('no account A');
    account.identityPolicies = read.identityPolicies;
    // The governance role in the read data is the mesh's (path /meshgov/): the audit exempts it.
    expect(read.identityPolicies.map((i) => i.principalArn)).toContain(GOV(A));

    const report = runAudit({
      mesh: w.mesh,
      desired: w.desired,
      live: w.live,
      metrics: undefined,
      today: TODAY,
      options: { actions: catalog },
    });
    expect(report.checksRun).toContain('identity-policy-overreach');
    const identity = report.findings.filter(
      (f) => f.code === 'identity-policy-overreach' || f.code === 'tag-tampering',
    );
    expect(identity.map((f) => [f.code, f.resource, f.severity])).toEqual([
      ['identity-policy-overreach', `${A}/principal/${roleArn('kinesis-admin')}`, 'error'],
      ['tag-tampering', `${A}/principal/${roleArn('kinesis-admin')}`, 'error'],
    ]);
    const overreach = identity[0]?.evidence as { beyondGrants: { resource: string; actions: string[] }[] };
    expect(overreach.beyondGrants.map((b) => b.resource)).toContain(ORDERS_ARN);
    expect(overreach.beyondGrants.find((b) => b.resource === ORDERS_ARN)?.actions).toContain('kinesis:GetRecords');
  });
});
