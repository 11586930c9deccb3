/** The IAM reader's permissions boundaries (GetRole PermissionsBoundary), against aws-sdk-client-mock. */
import {
  GetPolicyCommand,
  GetPolicyVersionCommand,
  GetRoleCommand,
  IAMClient,
  ListAttachedRolePoliciesCommand,
  ListRolePoliciesCommand,
  ListRolesCommand,
} from '@aws-sdk/client-iam';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { ClientPool } from '../../src/adapters/aws/client-pool.js';
import { IAM_READER_IAM_ACTIONS, readIamAccount } from '../../src/adapters/aws/iam-reader.js';

const iam = mockClient(IAMClient);
afterEach(() => iam.reset());

const ACCOUNT = '111111111111';
const created = new Date('2026-01-01T00:00:00Z');
const OURS = `arn:aws:iam::${ACCOUNT}:policy/meshgov/meshgov-tag-guard-boundary`;
const FOREIGN = `arn:aws:iam::${ACCOUNT}:policy/team/team-boundary`;
const guardDoc = {
  Version: '2012-10-17',
  Statement: [{ Sid: 'BoundaryAllowsIdentityPolicies', Effect: 'Allow', Action: '*', Resource: '*' }],
};

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

const role = (name: string, boundary?: string) => ({
  Role: {
    Path: '/',
    RoleName: name,
    RoleId: `AROA${name.toUpperCase()}`,
    Arn: `arn:aws:iam::${ACCOUNT}:role/${name}`,
    CreateDate: created,
    ...(boundary
      ? {
          PermissionsBoundary: {
            PermissionsBoundaryType: 'PermissionsBoundaryPolicy' as const,
            PermissionsBoundaryArn: boundary,
          },
        }
      : {}),
  },
});

describe('IAM reader: permissions boundaries', () => {
  it("reports each role's boundary; reads meshgov's boundary document once, never a foreign one", async () => {
    iam.on(ListRolesCommand).resolves({ Roles: [], IsTruncated: false });
    iam.on(GetRoleCommand, { RoleName: 'writer' }).resolves(role('writer', OURS));
    iam.on(GetRoleCommand, { RoleName: 'reader' }).resolves(role('reader', OURS));
    iam.on(GetRoleCommand, { RoleName: 'team' }).resolves(role('team', FOREIGN));
    iam.on(GetRoleCommand, { RoleName: 'plain' }).resolves(role('plain'));
    iam.on(ListAttachedRolePoliciesCommand).resolves({ AttachedPolicies: [], IsTruncated: false });
    iam.on(ListRolePoliciesCommand).resolves({ PolicyNames: [], IsTruncated: false });
    iam.on(GetPolicyCommand, { PolicyArn: OURS }).resolves({
      Policy: {
        PolicyName: 'meshgov-tag-guard-boundary',
        Arn: OURS,
        Path: '/meshgov/',
        DefaultVersionId: 'v2',
        AttachmentCount: 2,
      },
    });
    iam.on(GetPolicyVersionCommand, { PolicyArn: OURS, VersionId: 'v2' }).resolves({
      PolicyVersion: {
        Document: encodeURIComponent(JSON.stringify(guardDoc)),
        VersionId: 'v2',
        IsDefaultVersion: true,
        CreateDate: created,
      },
    });

    const got = await readIamAccount(pool(), ACCOUNT, {
      pathPrefix: '/meshgov/',
      roles: new Set(['writer', 'reader', 'team', 'plain']),
    });
    expect(got).toEqual([
      {
        role: 'reader',
        policyName: 'meshgov-tag-guard-boundary',
        kind: 'boundary',
        document: guardDoc,
        policyArn: OURS,
      },
      {
        role: 'team',
        policyName: 'team-boundary',
        kind: 'boundary',
        document: { Version: '2012-10-17', Statement: [] },
        policyArn: FOREIGN,
      },
      {
        role: 'writer',
        policyName: 'meshgov-tag-guard-boundary',
        kind: 'boundary',
        document: guardDoc,
        policyArn: OURS,
      },
    ]);
    expect(iam.commandCalls(GetPolicyCommand).map((c) => c.args[0].input.PolicyArn)).toEqual([OURS]);
    expect(iam.commandCalls(GetPolicyVersionCommand)).toHaveLength(1);
    expect(iam.commandCalls(GetRoleCommand).map((c) => c.args[0].input.RoleName)).toEqual([
      'plain',
      'reader',
      'team',
      'writer',
    ]);
    for (const c of iam.calls())
      expect(IAM_READER_IAM_ACTIONS).toContain(`iam:${(c.args[0] as object).constructor.name.replace(/Command$/, '')}`);
  });

  it('reads the boundary of roles under the mesh path too (ListRoles does not return it)', async () => {
    iam.on(ListRolesCommand).resolves({
      Roles: [
        {
          Path: '/meshgov/',
          RoleName: 'meshgov-fanout',
          RoleId: 'AROAF',
          Arn: `arn:aws:iam::${ACCOUNT}:role/meshgov/meshgov-fanout`,
          CreateDate: created,
        },
      ],
      IsTruncated: false,
    });
    iam.on(GetRoleCommand, { RoleName: 'meshgov-fanout' }).resolves(role('meshgov-fanout', FOREIGN));
    iam.on(ListAttachedRolePoliciesCommand).resolves({ AttachedPolicies: [], IsTruncated: false });
    iam.on(ListRolePoliciesCommand).resolves({ PolicyNames: [], IsTruncated: false });
    const got = await readIamAccount(pool(), ACCOUNT, { pathPrefix: '/meshgov/', roles: new Set() });
    expect(got).toEqual([
      {
        role: 'meshgov-fanout',
        policyName: 'team-boundary',
        kind: 'boundary',
        document: { Version: '2012-10-17', Statement: [] },
        policyArn: FOREIGN,
      },
    ]);
  });
});
