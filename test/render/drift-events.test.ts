/**
 * Drift-event templates (issue #19 part 4): the rendered EventBridge rules, evaluated with the independent test
 * matcher (test/support/event-pattern.ts, checked against the EventBridge documentation) on CloudTrail events as
 * EventBridge delivers them (test/fixtures/cloudtrail/). The lists of calls below are written out from the Kinesis
 * and IAM CloudTrail pages, not taken from the renderer.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  driftEventTemplates,
  iamRolePatterns,
  parseGitHubRepository,
  patternSize,
} from '../../src/core/render/drift-events.js';
import type { DriftEventTemplate } from '../../src/core/render/drift-events.js';
import { matchesPattern } from '../support/event-pattern.js';
import { exampleMesh } from '../support/example-mesh.js';

const FIXTURES = join(import.meta.dirname, '..', 'fixtures', 'cloudtrail');
const fixture = (name: string): Record<string, unknown> =>
  JSON.parse(readFileSync(join(FIXTURES, `${name}.json`), 'utf8')) as Record<string, unknown>;

const { mesh, desired } = exampleMesh();
const REPO = { owner: 'acme', name: 'mesh' };
const templates = driftEventTemplates(mesh, desired, REPO);
const A = '111111111111';
const B = '222222222222';

function of(account: string, kind: DriftEventTemplate['kind']): DriftEventTemplate {
  const t = templates.find((x) => x.account === account && x.kind === kind);
  if (!t) throw new Error(`no ${kind} template for ${account}`);
  return t;
}
function rules(t: DriftEventTemplate) {
  return Object.entries(t.template.Resources)
    .filter(([, r]) => r.Type === 'AWS::Events::Rule')
    .map(([id, r]) => ({ id, pattern: r.Properties['EventPattern'], props: r.Properties }));
}
/** Rule ids of the template that match the event. */
function matching(t: DriftEventTemplate, event: unknown): string[] {
  return rules(t)
    .filter((r) => matchesPattern(r.pattern, event))
    .map((r) => r.id);
}
/** A CloudTrail record of `eventName` in the EventBridge envelope, like the fixtures. */
function kinesisEvent(eventName: string, account = A, extra: Record<string, unknown> = {}) {
  const e = fixture('kinesis-add-tags-to-stream');
  const detail = { ...(e['detail'] as Record<string, unknown>), eventName, ...extra };
  return { ...e, account, detail: { ...detail, recipientAccountId: account } };
}

describe('drift-event templates of the example mesh', () => {
  it('renders a Kinesis template (mesh region) and an IAM template (us-east-1) per account', () => {
    expect(templates.map((t) => `${t.account}/${t.kind}@${t.region}`)).toEqual([
      `${A}/kinesis@eu-west-1`,
      `${A}/iam@us-east-1`,
      `${B}/kinesis@eu-west-1`,
      `${B}/iam@us-east-1`,
      '333333333333/kinesis@eu-west-1',
      '333333333333/iam@us-east-1',
    ]);
  });

  it('is deterministic and carries no secret: the token is a Secrets Manager dynamic reference', () => {
    const again = JSON.stringify(driftEventTemplates(mesh, desired, REPO));
    expect(again).toBe(JSON.stringify(templates));
    const conn = of(A, 'kinesis').template.Resources['Connection']?.Properties as Record<string, unknown>;
    expect(conn).toMatchObject({
      AuthorizationType: 'API_KEY',
      AuthParameters: {
        ApiKeyAuthParameters: {
          ApiKeyName: 'Authorization',
          ApiKeyValue: { 'Fn::Sub': '{{resolve:secretsmanager:${GitHubTokenSecretId}}}' },
        },
      },
    });
    expect(again).not.toMatch(/gh[pousr]_|github_pat_/);
  });

  it('posts to the repository dispatches endpoint', () => {
    const dest = of(B, 'iam').template.Resources['Destination']?.Properties;
    expect(dest).toMatchObject({
      HttpMethod: 'POST',
      InvocationEndpoint: 'https://api.github.com/repos/acme/mesh/dispatches',
    });
  });
});

describe('the Kinesis rule on CloudTrail events', () => {
  const t = of(A, 'kinesis');
  // From https://docs.aws.amazon.com/streams/latest/dev/logging-using-cloudtrail.html: the calls that change tags,
  // resource policies, consumers, retention, encryption, mode, shard count, monitoring or a stream's existence.
  const governance = [
    'AddTagsToStream',
    'RemoveTagsFromStream',
    'TagResource',
    'UntagResource',
    'PutResourcePolicy',
    'DeleteResourcePolicy',
    'RegisterStreamConsumer',
    'DeregisterStreamConsumer',
    'IncreaseStreamRetentionPeriod',
    'DecreaseStreamRetentionPeriod',
    'StartStreamEncryption',
    'StopStreamEncryption',
    'UpdateStreamMode',
    'UpdateShardCount',
    'CreateStream',
    'DeleteStream',
    'MergeShards',
    'SplitShard',
    'EnableEnhancedMonitoring',
    'DisableEnhancedMonitoring',
  ];
  const reads = [
    'DescribeStream',
    'DescribeStreamSummary',
    'DescribeStreamConsumer',
    'DescribeLimits',
    'ListStreams',
    'ListShards',
    'ListStreamConsumers',
    'ListTagsForStream',
    'ListTagsForResource',
    'GetResourcePolicy',
    'GetShardIterator',
    'GetRecords',
    'PutRecord',
    'PutRecords',
    'SubscribeToShard',
  ];

  it.each([
    'kinesis-add-tags-to-stream',
    'kinesis-tag-resource',
    'kinesis-put-resource-policy',
    'kinesis-register-stream-consumer',
    'kinesis-update-shard-count',
  ])('matches the recorded %s', (name) => {
    expect(matching(t, fixture(name))).toEqual(['KinesisGovernanceChanges']);
  });

  it.each([
    'kinesis-describe-stream-summary',
    'kinesis-list-tags-for-resource',
    'kinesis-get-records',
    'kinesis-put-record',
    'kinesis-decrease-retention-access-denied',
  ])('does not match the recorded %s (a read, a data call or a denied call)', (name) => {
    expect(matching(t, fixture(name))).toEqual([]);
  });

  it.each(governance)('matches %s', (name) =>
    expect(matching(t, kinesisEvent(name))).toEqual(['KinesisGovernanceChanges']),
  );
  it.each(reads)('does not match %s', (name) => expect(matching(t, kinesisEvent(name))).toEqual([]));

  it('does not match a look-alike: another source, another detail-type, a different case', () => {
    expect(matching(t, { ...kinesisEvent('AddTagsToStream'), source: 'aws.firehose' })).toEqual([]);
    expect(
      matching(t, { ...kinesisEvent('AddTagsToStream'), 'detail-type': 'AWS Service Event via CloudTrail' }),
    ).toEqual([]);
    expect(matching(t, kinesisEvent('addtagstostream'))).toEqual([]);
  });

  it('stays under the default pattern size', () => {
    for (const r of rules(t)) expect(JSON.stringify(r.pattern).length).toBeLessThanOrEqual(2048);
  });
});

describe('the IAM rules on CloudTrail events', () => {
  const t = of(B, 'iam');

  it('matches policy and trust changes of a grantee role and of the governance role', () => {
    expect(matching(t, fixture('iam-put-role-policy'))).toEqual(['IamRoleChanges1']);
    expect(matching(t, fixture('iam-update-assume-role-policy'))).toEqual(['IamRoleChanges1']);
  });

  it('matches a role named in another letter case (IAM role names are case-insensitive)', () => {
    expect(matching(t, fixture('iam-attach-role-policy-other-case'))).toEqual(['IamRoleChanges1']);
  });

  it('matches a new version of a meshgov managed policy, not of another policy', () => {
    expect(matching(t, fixture('iam-create-policy-version'))).toEqual(['IamPolicyChanges']);
    expect(matching(t, fixture('iam-create-policy-version-other-policy'))).toEqual([]);
  });

  it("does not match other roles' changes, reads, or another account's roles", () => {
    expect(matching(t, fixture('iam-put-role-policy-other-role'))).toEqual([]);
    expect(matching(t, fixture('iam-get-role-policy'))).toEqual([]);
    // fraud-scorer is a grantee in 222222222222 only: account 111111111111's rules do not name it.
    expect(matching(of(A, 'iam'), fixture('iam-put-role-policy'))).toEqual([]);
  });

  it.each([
    'PutRolePolicy',
    'DeleteRolePolicy',
    'AttachRolePolicy',
    'DetachRolePolicy',
    'UpdateAssumeRolePolicy',
    'PutRolePermissionsBoundary',
    'DeleteRolePermissionsBoundary',
    'DeleteRole',
  ])('matches %s on a grantee role', (eventName) => {
    const e = fixture('iam-put-role-policy');
    expect(matching(t, { ...e, detail: { ...(e['detail'] as object), eventName } })).toEqual(['IamRoleChanges1']);
  });

  it.each(['GetRole', 'ListRolePolicies', 'ListAttachedRolePolicies', 'TagRole'])('does not match %s', (eventName) => {
    const e = fixture('iam-put-role-policy');
    expect(matching(t, { ...e, detail: { ...(e['detail'] as object), eventName } })).toEqual([]);
  });
});

describe("callers: everyone's changes but the governance role's own", () => {
  const kinesis = of(A, 'kinesis');
  const iam = of(B, 'iam');
  const by = (event: Record<string, unknown>, userIdentity: Record<string, unknown>) => ({
    ...event,
    detail: { ...(event['detail'] as object), userIdentity },
  });
  const session = (account: string, roleArn: string) => ({
    type: 'AssumedRole',
    principalId: 'AROAEXAMPLEID1234567:meshgov-apply',
    arn: `arn:aws:sts::${account}:assumed-role/${roleArn.split('/').at(-1)}/meshgov-apply`,
    accountId: account,
    sessionContext: {
      sessionIssuer: { type: 'Role', principalId: 'AROAEXAMPLEID1234567', arn: roleArn, accountId: account },
      attributes: { creationDate: '2026-11-30T09:01:12Z', mfaAuthenticated: 'false' },
    },
  });
  const governance = (account: string) => `arn:aws:iam::${account}:role/meshgov/meshgov-governance`;

  it("skips meshgov apply's own calls (the governance role of that account)", () => {
    expect(matching(kinesis, by(fixture('kinesis-add-tags-to-stream'), session(A, governance(A))))).toEqual([]);
    expect(matching(iam, by(fixture('iam-put-role-policy'), session(B, governance(B))))).toEqual([]);
    expect(matching(iam, by(fixture('iam-create-policy-version'), session(B, governance(B))))).toEqual([]);
  });

  it('matches the root user and IAM users (no role session), and any other role', () => {
    const root = { type: 'Root', principalId: A, arn: `arn:aws:iam::${A}:root`, accountId: A };
    const user = {
      type: 'IAMUser',
      principalId: 'AIDAEXAMPLEUSERID123',
      arn: `arn:aws:iam::${A}:user/alice`,
      accountId: A,
      userName: 'alice',
      sessionContext: { attributes: { creationDate: '2026-11-30T09:01:12Z', mfaAuthenticated: 'true' } },
    };
    const event = fixture('kinesis-add-tags-to-stream');
    expect(matching(kinesis, by(event, root))).toEqual(['KinesisGovernanceChanges']);
    expect(matching(kinesis, by(event, user))).toEqual(['KinesisGovernanceChanges']);
    // A look-alike: a role of that name under another path, or the governance role of another account.
    expect(matching(kinesis, by(event, session(A, `arn:aws:iam::${A}:role/meshgov-governance`)))).toEqual([
      'KinesisGovernanceChanges',
    ]);
    expect(matching(kinesis, by(event, session(A, governance(B))))).toEqual(['KinesisGovernanceChanges']);
  });
});

describe('many roles', () => {
  const roles = Array.from({ length: 150 }, (_, i) => `r${String(i).padStart(3, '0')}-${'x'.repeat(59)}`);
  const patterns = iamRolePatterns(roles, `arn:aws:iam::${A}:role/meshgov/meshgov-governance`);

  it('splits them into rules under 2048 characters, each role in exactly one', () => {
    expect(patterns.length).toBeGreaterThan(1);
    for (const p of patterns) {
      expect(JSON.stringify(p).length).toBeLessThanOrEqual(2048);
      expect(patternSize(p)).toBe(JSON.stringify(p).length);
    }
    const base = fixture('iam-put-role-policy');
    const event = (roleName: string) => ({
      ...base,
      detail: { ...(base['detail'] as object), requestParameters: { roleName, policyName: 'p' } },
    });
    for (const role of roles) expect(patterns.filter((p) => matchesPattern(p, event(role))).length).toBe(1);
    expect(patterns.filter((p) => matchesPattern(p, event('not-a-mesh-role'))).length).toBe(0);
  });
});

describe('the input transformer', () => {
  /** EventBridge's substitution: each <var> becomes the value at its path (test-side, from the docs' examples). */
  function transform(target: Record<string, unknown>, event: unknown): unknown {
    const it = target['InputTransformer'] as { InputPathsMap: Record<string, string>; InputTemplate: string };
    const at = (path: string): unknown =>
      path
        .replace(/^\$\./, '')
        .split('.')
        .reduce<unknown>(
          (o, k) => (o !== null && typeof o === 'object' ? (o as Record<string, unknown>)[k] : undefined),
          event,
        );
    const out = it.InputTemplate.replace(/<([A-Za-z]+)>/g, (_, v: string) => {
      const value = at(it.InputPathsMap[v] as string);
      return value === undefined ? '' : String(value);
    });
    return JSON.parse(out);
  }

  it('turns a Kinesis event into the repository_dispatch body', () => {
    const target = (rules(of(A, 'kinesis'))[0]?.props['Targets'] as Record<string, unknown>[])[0] as Record<
      string,
      unknown
    >;
    expect(transform(target, fixture('kinesis-add-tags-to-stream'))).toEqual({
      event_type: 'meshgov-drift',
      client_payload: {
        account: A,
        region: 'eu-west-1',
        eventName: 'AddTagsToStream',
        stream: 'payments.transactions.v1',
        streamArn: '',
        resourceArn: '',
        role: '',
      },
    });
  });

  it('turns an IAM event into the repository_dispatch body', () => {
    const target = (rules(of(B, 'iam'))[0]?.props['Targets'] as Record<string, unknown>[])[0] as Record<
      string,
      unknown
    >;
    expect(transform(target, fixture('iam-put-role-policy'))).toMatchObject({
      event_type: 'meshgov-drift',
      client_payload: { account: B, region: 'us-east-1', eventName: 'PutRolePolicy', role: 'fraud-scorer', stream: '' },
    });
  });
});

describe('parseGitHubRepository', () => {
  it.each([
    ['acme/mesh', { owner: 'acme', name: 'mesh' }],
    ['Acme-Corp/data.mesh_v2', { owner: 'Acme-Corp', name: 'data.mesh_v2' }],
  ])('accepts %s', (s, want) => expect(parseGitHubRepository(s)).toEqual(want));

  it.each([
    'acme',
    'acme/',
    '/mesh',
    'acme/mesh/extra',
    'acme/..',
    'acme/.',
    '../mesh',
    '-acme/mesh',
    'acme-/mesh',
    'a b/mesh',
    'acme/mesh?x=1',
    'acme/mesh#x',
    'acme/mesh\n',
    'acme/mésh',
    `${'a'.repeat(40)}/mesh`,
    `acme/${'m'.repeat(101)}`,
  ])('refuses %j', (s) => expect(parseGitHubRepository(s)).toHaveProperty('problem'));
});
