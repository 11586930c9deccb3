/**
 * IAM, Organizations and STS adapters against aws-sdk-client-mock, with responses shaped as the AWS API
 * references document them (IAM policy documents URL-encoded, Organizations paginated with NextToken).
 */
import {
  GetPolicyCommand,
  GetPolicyVersionCommand,
  GetRoleCommand,
  GetRolePolicyCommand,
  IAMClient,
  ListAttachedRolePoliciesCommand,
  ListRolePoliciesCommand,
  ListRolesCommand,
  NoSuchEntityException,
} from '@aws-sdk/client-iam';
import {
  AccessDeniedException,
  DescribeOrganizationCommand,
  ListAccountsCommand,
  OrganizationsClient,
} from '@aws-sdk/client-organizations';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import { applyPool } from '../../src/adapters/aws/apply-engine.js';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { ClientPool } from '../../src/adapters/aws/client-pool.js';
import { assumeRoleProvider } from '../../src/adapters/aws/credentials.js';
import { AdapterError } from '../../src/adapters/aws/errors.js';
import { IAM_READER_IAM_ACTIONS, decodePolicyDocument, readIamAccount } from '../../src/adapters/aws/iam-reader.js';
import { ORGANIZATIONS_READER_IAM_ACTIONS, readOrganization } from '../../src/adapters/aws/organizations-reader.js';
import { nested } from '../support/nested-policy.js';

const iam = mockClient(IAMClient);
const org = mockClient(OrganizationsClient);
const sts = mockClient(STSClient);
afterEach(() => {
  iam.reset();
  org.reset();
  sts.reset();
});

function pool(): ClientPool {
  return new ClientPool({
    target: 'aws',
    region: 'eu-west-1',
    partition: 'aws',
    command: 'plan',
    governanceRole: { name: 'meshgov-governance', path: '/meshgov/', externalId: 'ext-123' },
    rateLimitScale: 0,
    credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'x' },
  });
}

const writerDoc = {
  Version: '2012-10-17',
  Statement: [
    {
      Sid: 'ProduceOrders',
      Effect: 'Allow',
      Action: ['kinesis:PutRecord', 'kinesis:PutRecords'],
      Resource: '*',
      Condition: { StringEquals: { 'aws:ResourceTag/meshgov:produce:111111111111:writer': 'allow' } },
    },
  ],
};
const inlineDoc = {
  Version: '2012-10-17',
  Statement: [
    {
      Sid: 'Inline',
      Effect: 'Allow',
      Action: 'kinesis:DescribeStreamSummary',
      Resource: 'arn:aws:kinesis:eu-west-1:111111111111:stream/a+b',
    },
  ],
};
/** IAM returns documents URL-encoded per RFC 3986 (https://docs.aws.amazon.com/IAM/latest/APIReference/API_PolicyVersion.html). */
const encode = (d: unknown) => encodeURIComponent(JSON.stringify(d));
const created = new Date('2026-01-01T00:00:00Z');

/** IAM actions named by the commands a mock received. */
function actionsCalled(mock: { calls(): { args: unknown[] }[] }, prefix: string): string[] {
  return [
    ...new Set(mock.calls().map((c) => `${prefix}:${(c.args[0] as object).constructor.name.replace(/Command$/, '')}`)),
  ].sort();
}

describe('IAM reader', () => {
  it('reads meshgov policies of roles under the path and of named roles, decoding documents', async () => {
    iam
      .on(ListRolesCommand, { PathPrefix: '/meshgov/' })
      .resolvesOnce({
        Roles: [
          {
            Path: '/meshgov/',
            RoleName: 'meshgov-governance',
            RoleId: 'AROAEXAMPLE1',
            Arn: 'arn:aws:iam::111111111111:role/meshgov/meshgov-governance',
            CreateDate: created,
            AssumeRolePolicyDocument: encode({ Version: '2012-10-17', Statement: [] }),
          },
        ],
        IsTruncated: true,
        Marker: 'm1',
      })
      .resolvesOnce({ Roles: [], IsTruncated: false });
    iam.on(GetRoleCommand, { RoleName: 'meshgov-governance' }).resolves({
      Role: {
        Path: '/meshgov/',
        RoleName: 'meshgov-governance',
        RoleId: 'AROAEXAMPLE1',
        Arn: 'arn:aws:iam::111111111111:role/meshgov/meshgov-governance',
        CreateDate: created,
      },
    });
    iam.on(GetRoleCommand, { RoleName: 'writer' }).resolves({
      Role: {
        Path: '/',
        RoleName: 'writer',
        RoleId: 'AROAEXAMPLE2',
        Arn: 'arn:aws:iam::111111111111:role/writer',
        CreateDate: created,
      },
    });
    iam
      .on(GetRoleCommand, { RoleName: 'missing' })
      .rejects(new NoSuchEntityException({ message: 'The role with name missing cannot be found.', $metadata: {} }));
    iam.on(ListAttachedRolePoliciesCommand, { RoleName: 'writer' }).resolves({
      AttachedPolicies: [
        { PolicyName: 'meshgov-writer', PolicyArn: 'arn:aws:iam::111111111111:policy/meshgov/meshgov-writer' },
        { PolicyName: 'ReadOnlyAccess', PolicyArn: 'arn:aws:iam::aws:policy/ReadOnlyAccess' },
      ],
      IsTruncated: false,
    });
    iam
      .on(ListAttachedRolePoliciesCommand, { RoleName: 'meshgov-governance' })
      .resolves({ AttachedPolicies: [], IsTruncated: false });
    iam.on(GetPolicyCommand, { PolicyArn: 'arn:aws:iam::111111111111:policy/meshgov/meshgov-writer' }).resolves({
      Policy: {
        PolicyName: 'meshgov-writer',
        PolicyId: 'ANPAEXAMPLE',
        Arn: 'arn:aws:iam::111111111111:policy/meshgov/meshgov-writer',
        Path: '/meshgov/',
        DefaultVersionId: 'v3',
        AttachmentCount: 1,
        IsAttachable: true,
        CreateDate: created,
        UpdateDate: created,
      },
    });
    iam
      .on(GetPolicyVersionCommand, {
        PolicyArn: 'arn:aws:iam::111111111111:policy/meshgov/meshgov-writer',
        VersionId: 'v3',
      })
      .resolves({
        PolicyVersion: { Document: encode(writerDoc), VersionId: 'v3', IsDefaultVersion: true, CreateDate: created },
      });
    iam
      .on(ListRolePoliciesCommand, { RoleName: 'writer' })
      .resolves({ PolicyNames: ['meshgov-inline', 'team-owned'], IsTruncated: false });
    iam
      .on(ListRolePoliciesCommand, { RoleName: 'meshgov-governance' })
      .resolves({ PolicyNames: [], IsTruncated: false });
    iam
      .on(GetRolePolicyCommand, { RoleName: 'writer', PolicyName: 'meshgov-inline' })
      .resolves({ RoleName: 'writer', PolicyName: 'meshgov-inline', PolicyDocument: encode(inlineDoc) });

    const got = await readIamAccount(pool(), '111111111111', {
      pathPrefix: '/meshgov/',
      roles: new Set(['writer', 'missing']),
    });
    expect(got).toEqual([
      { role: 'writer', policyName: 'meshgov-writer', kind: 'managed', document: writerDoc },
      { role: 'writer', policyName: 'meshgov-inline', kind: 'inline', document: inlineDoc },
    ]);
    expect(iam.commandCalls(ListRolesCommand).map((c) => c.args[0].input.Marker)).toEqual([undefined, 'm1']);
    expect(iam.commandCalls(GetRolePolicyCommand)).toHaveLength(1);
    for (const a of actionsCalled(iam, 'iam')) expect(IAM_READER_IAM_ACTIONS).toContain(a);
    expect(actionsCalled(iam, 'iam')).toEqual([...IAM_READER_IAM_ACTIONS]);
  });

  it('decodes URL-encoded documents and accepts plain JSON', () => {
    expect(decodePolicyDocument(encode(inlineDoc))).toEqual(inlineDoc);
    expect(decodePolicyDocument(JSON.stringify(inlineDoc))).toEqual(inlineDoc);
  });

  it('a document that is not JSON, or nests too deep, fails as the call that returned it', async () => {
    const created = new Date('2026-01-01T00:00:00Z');
    const deep = encodeURIComponent(nested(200));
    iam.on(ListRolesCommand).resolves({ Roles: [], IsTruncated: false });
    iam.on(GetRoleCommand).resolves({
      Role: {
        RoleName: 'writer',
        Path: '/',
        RoleId: 'AROAEXAMPLE',
        Arn: 'arn:aws:iam::111111111111:role/writer',
        CreateDate: created,
      },
    });
    iam.on(ListRolePoliciesCommand).resolves({ PolicyNames: ['meshgov-inline'], IsTruncated: false });
    iam.on(ListAttachedRolePoliciesCommand).resolves({ AttachedPolicies: [], IsTruncated: false });
    for (const [document, fault] of [
      [deep, /nests deeper than 64 levels/],
      ['%7Bnot%20json', /SyntaxError/],
    ] as const) {
      iam
        .on(GetRolePolicyCommand)
        .resolves({ RoleName: 'writer', PolicyName: 'meshgov-inline', PolicyDocument: document });
      const inline = await readIamAccount(pool(), '111111111111', {
        pathPrefix: '/meshgov/',
        roles: new Set(['writer']),
      }).catch((e: unknown) => e);
      expect(inline).toBeInstanceOf(AdapterError);
      expect(inline).toMatchObject({ account: '111111111111', service: 'iam', operation: 'GetRolePolicy' });
      expect((inline as Error).message).toMatch(fault);
    }
    iam.on(ListRolePoliciesCommand).resolves({ PolicyNames: [], IsTruncated: false });
    iam.on(ListAttachedRolePoliciesCommand).resolves({
      AttachedPolicies: [
        { PolicyName: 'meshgov-writer', PolicyArn: 'arn:aws:iam::111111111111:policy/meshgov-writer' },
      ],
      IsTruncated: false,
    });
    iam.on(GetPolicyCommand).resolves({ Policy: { DefaultVersionId: 'v1' } });
    iam
      .on(GetPolicyVersionCommand)
      .resolves({ PolicyVersion: { Document: deep, VersionId: 'v1', IsDefaultVersion: true } });
    const managed = await readIamAccount(pool(), '111111111111', {
      pathPrefix: '/meshgov/',
      roles: new Set(['writer']),
    }).catch((e: unknown) => e);
    expect(managed).toBeInstanceOf(AdapterError);
    expect(managed).toMatchObject({ account: '111111111111', operation: 'GetPolicyVersion' });
    expect((managed as Error).message).toMatch(
      /iam:GetPolicyVersion in account 111111111111 failed: .*nests deeper than 64 levels/,
    );
  });

  it('turns failures into AdapterErrors naming account, service and operation', async () => {
    iam
      .on(ListRolesCommand)
      .rejects(Object.assign(new Error('User is not authorized to perform: iam:ListRoles'), { name: 'AccessDenied' }));
    const err = await readIamAccount(pool(), '111111111111', { pathPrefix: '/meshgov/', roles: new Set() }).catch(
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(AdapterError);
    expect(err).toMatchObject({
      account: '111111111111',
      service: 'iam',
      operation: 'ListRoles',
      code: 'AccessDenied',
    });
    expect((err as Error).message).toContain('iam:ListRoles in account 111111111111 failed: AccessDenied');
  });
});

describe('Organizations reader', () => {
  it('reads the organisation id and its active member accounts across pages', async () => {
    org.on(DescribeOrganizationCommand).resolves({
      Organization: {
        Id: 'o-exampleorgid',
        Arn: 'arn:aws:organizations::111111111111:organization/o-exampleorgid',
        FeatureSet: 'ALL',
        MasterAccountArn: 'arn:aws:organizations::111111111111:account/o-exampleorgid/111111111111',
        MasterAccountId: '111111111111',
        MasterAccountEmail: 'bill@example.com',
        AvailablePolicyTypes: [{ Type: 'SERVICE_CONTROL_POLICY', Status: 'ENABLED' }],
      },
    });
    org
      .on(ListAccountsCommand)
      .resolvesOnce({
        Accounts: [
          {
            Id: '333333333333',
            Arn: 'arn:aws:organizations::111111111111:account/o-exampleorgid/333333333333',
            Email: 'c@example.com',
            Name: 'customer',
            Status: 'ACTIVE',
            JoinedMethod: 'INVITED',
            JoinedTimestamp: created,
          },
        ],
        NextToken: 'page2',
      })
      .resolvesOnce({
        Accounts: [
          {
            Id: '111111111111',
            Arn: 'arn:aws:organizations::111111111111:account/o-exampleorgid/111111111111',
            Email: 'a@example.com',
            Name: 'payments',
            Status: 'ACTIVE',
            JoinedMethod: 'CREATED',
            JoinedTimestamp: created,
          },
          {
            Id: '555555555555',
            Arn: 'arn:aws:organizations::111111111111:account/o-exampleorgid/555555555555',
            Email: 'x@example.com',
            Name: 'old',
            Status: 'SUSPENDED',
            JoinedMethod: 'CREATED',
            JoinedTimestamp: created,
          },
        ],
      });
    const r = await readOrganization(pool(), '111111111111');
    expect(r).toEqual({
      organization: { id: 'o-exampleorgid', accounts: ['111111111111', '333333333333'] },
      notChecked: [],
    });
    expect(org.commandCalls(ListAccountsCommand)[1]?.args[0].input).toEqual({ NextToken: 'page2' });
    expect(actionsCalled(org, 'organizations')).toEqual([...ORGANIZATIONS_READER_IAM_ACTIONS]);
  });

  it('reports member accounts as not checked when ListAccounts is denied (not the management account)', async () => {
    org.on(DescribeOrganizationCommand).resolves({ Organization: { Id: 'o-exampleorgid', FeatureSet: 'ALL' } });
    org
      .on(ListAccountsCommand)
      .rejects(
        new AccessDeniedException({ message: "You don't have permissions to access this resource.", $metadata: {} }),
      );
    const r = await readOrganization(pool(), '222222222222');
    expect(r.organization).toEqual({ id: 'o-exampleorgid', accounts: [], accountsUnknown: true });
    expect(r.notChecked[0]).toContain('ListAccounts is denied from account 222222222222');
  });
});

describe('STS: governance role credentials', () => {
  const expiration = new Date('2030-01-01T01:00:00Z');
  const assumed = {
    Credentials: {
      AccessKeyId: 'ASIAEXAMPLE',
      SecretAccessKey: 'secret',
      SessionToken: 'token',
      Expiration: expiration,
    },
    AssumedRoleUser: {
      AssumedRoleId: 'AROAEXAMPLE:meshgov-plan',
      Arn: 'arn:aws:sts::111111111111:assumed-role/meshgov-governance/meshgov-plan',
    },
  };

  it('apply assumes each governance role once: its pool shares the read pool sessions (issue: plan as a contract, defect 8)', async () => {
    sts.on(AssumeRoleCommand).resolves(assumed);
    const read = pool();
    const write = applyPool(read);
    for (const account of ['111111111111', '222222222222']) {
      await (read.credentialsFor(account) as () => Promise<unknown>)();
      await (write.credentialsFor(account) as () => Promise<unknown>)();
    }
    expect(sts.commandCalls(AssumeRoleCommand).map((c) => c.args[0].input.RoleArn)).toEqual([
      'arn:aws:iam::111111111111:role/meshgov/meshgov-governance',
      'arn:aws:iam::222222222222:role/meshgov/meshgov-governance',
    ]);
    expect(write.config.maxAttempts).toBe(1);
  });

  it('assumes the governance role (path, external id, session name) and caches until near expiry', async () => {
    sts.on(AssumeRoleCommand).resolves(assumed);
    const p = pool();
    const provider = p.credentialsFor('111111111111') as () => Promise<unknown>;
    expect(await provider()).toEqual({
      accessKeyId: 'ASIAEXAMPLE',
      secretAccessKey: 'secret',
      sessionToken: 'token',
      expiration,
    });
    await provider();
    expect(sts.commandCalls(AssumeRoleCommand).map((c) => c.args[0].input)).toEqual([
      {
        RoleArn: 'arn:aws:iam::111111111111:role/meshgov/meshgov-governance',
        RoleSessionName: 'meshgov-plan',
        ExternalId: 'ext-123',
      },
    ]);
  });

  it('refreshes credentials that expire within five minutes', async () => {
    sts.on(AssumeRoleCommand).resolves(assumed);
    let now = expiration.getTime() - 10 * 60 * 1000;
    const provider = assumeRoleProvider({
      sts: new STSClient({ region: 'eu-west-1' }),
      roleArn: 'arn:aws:iam::111111111111:role/r',
      sessionName: 'meshgov-plan',
      now: () => now,
    });
    await provider();
    await provider();
    expect(sts.commandCalls(AssumeRoleCommand)).toHaveLength(1);
    now = expiration.getTime() - 4 * 60 * 1000;
    await provider();
    expect(sts.commandCalls(AssumeRoleCommand)).toHaveLength(2);
  });

  it('reports a refused AssumeRole with the account and role', async () => {
    sts
      .on(AssumeRoleCommand)
      .rejects(
        Object.assign(
          new Error('User: arn:aws:sts::999999999999:assumed-role/ci/x is not authorized to perform: sts:AssumeRole'),
          { name: 'AccessDenied' },
        ),
      );
    const provider = pool().credentialsFor('222222222222') as () => Promise<unknown>;
    const err = await provider().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AdapterError);
    expect(err).toMatchObject({ service: 'sts', operation: 'AssumeRole', account: '222222222222' });
    expect((err as Error).message).toContain('role arn:aws:iam::222222222222:role/meshgov/meshgov-governance');
  });

  it('uses the account id as access key id on the local target (no STS)', () => {
    const local = new ClientPool({
      target: 'local',
      region: 'eu-west-1',
      partition: 'aws',
      command: 'plan',
      endpoint: 'http://127.0.0.1:1',
    });
    expect(local.credentialsFor('333333333333')).toEqual({
      accessKeyId: '333333333333',
      secretAccessKey: 'meshgov-local',
    });
    expect(sts.calls()).toHaveLength(0);
  });
});
