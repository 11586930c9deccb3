/**
 * `meshgov import` on the AWS target, end to end through the CLI with aws-sdk-client-mock (responses shaped as the
 * API references document them): the preview's live state is read the way `meshgov plan` reads it for the extended
 * mesh, so the role an imported grant names is read from IAM, and the preview lists exactly the change ids the
 * following `meshgov plan` shows, its IAM role policy included.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  GetPolicyCommand,
  GetPolicyVersionCommand,
  GetRoleCommand,
  IAMClient,
  ListAttachedRolePoliciesCommand,
  ListRolePoliciesCommand,
  ListRolesCommand,
  NoSuchEntityException,
} from '@aws-sdk/client-iam';
import {
  DescribeStreamSummaryCommand,
  GetResourcePolicyCommand,
  KinesisClient,
  ListStreamConsumersCommand,
  ListStreamsCommand,
  ListTagsForResourceCommand,
} from '@aws-sdk/client-kinesis';
import { DescribeOrganizationCommand, ListAccountsCommand, OrganizationsClient } from '@aws-sdk/client-organizations';
import { GetResourcesCommand, ResourceGroupsTaggingAPIClient } from '@aws-sdk/client-resource-groups-tagging-api';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import { captureIO } from '../support/capture-io.js';
import type { Plan } from '../../src/core/plan/index.js';

const A = '111111111111';
const ORG = 'o-aws1234567';
const STREAM = 'payments.chargebacks.v1';
const STREAM_ARN = `arn:aws:kinesis:eu-west-1:${A}:stream/${STREAM}`;
const created = new Date('2026-01-01T00:00:00Z');
const STALE_ARN = `arn:aws:iam::${A}:policy/meshgov/meshgov-chargeback-reader`;

const MESH = `apiVersion: meshgov/v1
mesh:
  name: aws-import
  region: eu-west-1
  organizationId: ${ORG}
  governanceRole: { name: meshgov-governance, path: /meshgov/ }
accounts:
  - { id: "${A}", alias: payments-prod, environment: prod }
classifications:
  - { name: internal, level: 1, retention: { minHours: 24, maxHours: 720 }, encryption: aws-managed }
domains:
  - name: payments
    owner: { team: payments, contact: payments@example.com }
    accounts: ["${A}"]
`;

/** The stream policy lets a role of the same account read it: import turns it into a grant to that role. */
const POLICY = {
  Version: '2012-10-17',
  Statement: [
    {
      Sid: 'ChargebackReaderReads',
      Effect: 'Allow',
      Principal: { AWS: `arn:aws:iam::${A}:role/chargeback-reader` },
      Action: ['kinesis:GetRecords', 'kinesis:GetShardIterator', 'kinesis:DescribeStreamSummary', 'kinesis:ListShards'],
      Resource: STREAM_ARN,
    },
  ],
};

const kinesis = mockClient(KinesisClient);
const tagging = mockClient(ResourceGroupsTaggingAPIClient);
const iam = mockClient(IAMClient);
const org = mockClient(OrganizationsClient);
const sts = mockClient(STSClient);

beforeAll(() => {
  const expiration = new Date('2099-01-01T00:00:00Z');
  const credentials = { AccessKeyId: 'ASIA', SecretAccessKey: 's', SessionToken: 't', Expiration: expiration };
  sts.on(AssumeRoleCommand).resolves({ Credentials: credentials });
  kinesis.on(ListStreamsCommand).resolves({
    StreamNames: [STREAM],
    HasMoreStreams: false,
    StreamSummaries: [
      {
        StreamName: STREAM,
        StreamARN: STREAM_ARN,
        StreamStatus: 'ACTIVE',
        StreamModeDetails: { StreamMode: 'ON_DEMAND' },
        StreamCreationTimestamp: created,
      },
    ],
  });
  const tags = [{ Key: 'domain', Value: 'payments' }];
  tagging.on(GetResourcesCommand).resolves({ ResourceTagMappingList: [{ ResourceARN: STREAM_ARN, Tags: tags }] });
  kinesis.on(ListTagsForResourceCommand).resolves({ Tags: [{ Key: 'domain', Value: 'payments' }] });
  kinesis.on(DescribeStreamSummaryCommand).resolves({
    StreamDescriptionSummary: {
      StreamName: STREAM,
      StreamARN: STREAM_ARN,
      StreamStatus: 'ACTIVE',
      StreamModeDetails: { StreamMode: 'ON_DEMAND' },
      RetentionPeriodHours: 24,
      StreamCreationTimestamp: created,
      EnhancedMonitoring: [{ ShardLevelMetrics: [] }],
      EncryptionType: 'KMS',
      KeyId: 'alias/aws/kinesis',
      OpenShardCount: 4,
      ConsumerCount: 0,
    },
  });
  kinesis.on(GetResourcePolicyCommand).resolves({ Policy: JSON.stringify(POLICY) });
  kinesis.on(ListStreamConsumersCommand).resolves({ Consumers: [] });
  iam.on(ListRolesCommand).resolves({ Roles: [], IsTruncated: false });
  iam.on(GetRoleCommand).rejects(new NoSuchEntityException({ message: 'The role cannot be found.', $metadata: {} }));
  iam.on(GetRoleCommand, { RoleName: 'chargeback-reader' }).resolves({
    Role: {
      Path: '/',
      RoleName: 'chargeback-reader',
      RoleId: 'AROAEXAMPLE1',
      Arn: `arn:aws:iam::${A}:role/chargeback-reader`,
      CreateDate: created,
    },
  });
  iam.on(ListAttachedRolePoliciesCommand).resolves({ AttachedPolicies: [], IsTruncated: false });
  // The reader's role already carries a meshgov policy from an earlier attempt, with a stale document: the next
  // plan updates it. A preview that did not read the role would say "create".
  iam.on(ListAttachedRolePoliciesCommand, { RoleName: 'chargeback-reader' }).resolves({
    AttachedPolicies: [{ PolicyName: 'meshgov-chargeback-reader', PolicyArn: STALE_ARN }],
    IsTruncated: false,
  });
  iam
    .on(GetPolicyCommand, { PolicyArn: STALE_ARN })
    .resolves({ Policy: { PolicyName: 'meshgov-chargeback-reader', Arn: STALE_ARN, DefaultVersionId: 'v1' } });
  iam.on(GetPolicyVersionCommand, { PolicyArn: STALE_ARN, VersionId: 'v1' }).resolves({
    // IAM returns documents URL-encoded (https://docs.aws.amazon.com/IAM/latest/APIReference/API_PolicyVersion.html).
    PolicyVersion: {
      VersionId: 'v1',
      IsDefaultVersion: true,
      Document: encodeURIComponent(JSON.stringify({ Version: '2012-10-17', Statement: [] })),
    },
  });
  iam.on(ListRolePoliciesCommand).resolves({ PolicyNames: [], IsTruncated: false });
  org.on(DescribeOrganizationCommand).resolves({ Organization: { Id: ORG } });
  org.on(ListAccountsCommand).resolves({ Accounts: [{ Id: A, Status: 'ACTIVE' }] });
});
afterAll(() => {
  for (const m of [kinesis, tagging, iam, org, sts]) m.restore();
});

const dir = mkdtempSync(join(tmpdir(), 'meshgov-import-aws-'));
writeFileSync(join(dir, 'mesh.yaml'), MESH);

async function run(...args: string[]) {
  const io = captureIO(dir, { env: { NO_COLOR: '1', AWS_REGION: 'eu-west-1' }, now: new Date('2026-12-01T00:00:00Z') });
  const code = await main(args, io);
  return { code, stdout: io.out(), stderr: io.err() };
}

/** The change ids the import's preview printed (`<severity>: <resourceType>:<address>: the next plan ...`). */
const previewIds = (stderr: string) =>
  [...stderr.matchAll(/^(?:info|warning): ([a-z-]+:\S+): the next plan /gm)].map((m) => m[1] as string).sort();

describe('meshgov import on AWS (mocked SDK)', () => {
  it("previews the IAM changes of the next plan: the new grantee's role is read, the ids match the plan", async () => {
    const r = await run('import', '--write', 'mesh.yaml');
    expect(r.code, r.stderr).toBe(0);
    // The preview read asked IAM for the role only the extended mesh names.
    expect(iam.commandCalls(GetRoleCommand).map((c) => c.args[0].input.RoleName)).toContain('chargeback-reader');
    const policyId = `iam-policy:${A}/iam/role/chargeback-reader/policy/meshgov-chargeback-reader`;
    // The risk follows the plan's access diff; this test is about what was read, not the risk model.
    const risk = '(safe|disruptive|destructive)';
    expect(r.stderr).toMatch(new RegExp(`warning: ${policyId}: the next plan will update iam-policy \\(${risk}\\): `));
    expect(r.stderr).toContain(`iam-boundary:${A}/iam/role/chargeback-reader/boundary: the next plan will `);
    expect(r.stderr).not.toContain('IAM was not read');

    const p = await run('plan', '--format', 'json', 'mesh.yaml');
    expect(p.code, p.stderr).toBe(0);
    const plan = JSON.parse(p.stdout) as Plan;
    const ids = plan.changes
      .filter((c) => c.action !== 'no-op')
      .map((c) => c.id)
      .sort();
    expect(plan.changes.find((c) => c.id === policyId)?.action).toBe('update');
    expect(previewIds(r.stderr)).toEqual(ids);
  });
});
