/**
 * Drift-event templates (issue #19 part 4): the rendered EventBridge rules, evaluated with the independent test
 * matcher (test/support/event-pattern.ts, checked against the EventBridge documentation) on CloudTrail events as
 * EventBridge delivers them (test/fixtures/cloudtrail/). The lists of calls below are written out from the Kinesis,
 * IAM, KMS, EventBridge, CloudTrail and Secrets Manager CloudTrail pages, not taken from the renderer.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { driftEventTemplates, parseEventsAccount, parseGitHubRepository } from '../../src/core/render/drift-events.js';
import type { DriftEventTemplate } from '../../src/core/render/drift-events.js';
import { iamRolePatterns, patternSize } from '../../src/core/render/drift-patterns.js';
import { matchesPattern } from '../support/event-pattern.js';
import { exampleMesh } from '../support/example-mesh.js';

const FIXTURES = join(import.meta.dirname, '..', 'fixtures', 'cloudtrail');
const fixture = (name: string): Record<string, unknown> =>
  JSON.parse(readFileSync(join(FIXTURES, `${name}.json`), 'utf8')) as Record<string, unknown>;

const { mesh, desired } = exampleMesh();
const REPO = { owner: 'acme', name: 'mesh' };
const HUB = '999999999999';
const templates = driftEventTemplates(mesh, desired, REPO, HUB);
const A = '111111111111';
const B = '222222222222';
const C = '333333333333';
const HUB_BUS = `arn:aws:events:eu-west-1:${HUB}:event-bus/meshgov-drift`;
const GUARD_SCP_ID = 'p-a1b2c3d4e5';
const SECRET = 'meshgov/github-dispatch';

function of(account: string, kind: DriftEventTemplate['kind']): DriftEventTemplate {
  const t = templates.find((x) => x.account === account && x.kind === kind);
  if (!t) throw new Error(`no ${kind} template for ${account}`);
  return t;
}

/**
 * CloudFormation's intrinsics as a deployed stack resolves them (parameters at the values a team deploys with,
 * pseudo parameters of the template's account and region), so the matcher sees the pattern EventBridge gets.
 */
function resolve(t: DriftEventTemplate, v: unknown): unknown {
  const params: Record<string, string> = {
    'AWS::Partition': 'aws',
    'AWS::Region': t.region,
    'AWS::AccountId': t.account,
    GitHubTokenSecretId: SECRET,
    GuardScpPolicyId: GUARD_SCP_ID,
    HubBusArn: String(t.template.Parameters['HubBusArn']?.['Default']),
  };
  if (Array.isArray(v)) return v.map((x) => resolve(t, x));
  if (v === null || typeof v !== 'object') return v;
  const o = v as Record<string, unknown>;
  if (typeof o['Ref'] === 'string') return params[o['Ref']] ?? `<ref ${o['Ref']}>`;
  if (typeof o['Fn::Sub'] === 'string')
    return o['Fn::Sub'].replace(/\$\{([^}]+)\}/g, (_, k: string) => params[k] ?? '?');
  return Object.fromEntries(Object.entries(o).map(([k, x]) => [k, resolve(t, x)]));
}
function rules(t: DriftEventTemplate) {
  return Object.entries(t.template.Resources)
    .filter(([, r]) => r.Type === 'AWS::Events::Rule')
    .map(([id, r]) => ({ id, pattern: resolve(t, r.Properties['EventPattern']), props: r.Properties }));
}
/** Rule ids of the template that match the event. */
function matching(t: DriftEventTemplate, event: unknown): string[] {
  return rules(t)
    .filter((r) => matchesPattern(r.pattern, event))
    .map((r) => r.id);
}
/** The event with other detail fields. */
function withDetail(e: Record<string, unknown>, detail: Record<string, unknown>): Record<string, unknown> {
  return { ...e, detail: { ...(e['detail'] as object), ...detail } };
}
/** A CloudTrail record of `eventName` in the EventBridge envelope, like the fixtures. */
function kinesisEvent(eventName: string, account = A, extra: Record<string, unknown> = {}) {
  const e = fixture('kinesis-add-tags-to-stream');
  return { ...withDetail(e, { eventName, recipientAccountId: account, ...extra }), account };
}
/** A management write call of another service, shaped like the fixtures. */
function serviceEvent(service: string, eventName: string, account: string, region: string, params: object = {}) {
  const e = fixture('kinesis-add-tags-to-stream');
  return {
    ...withDetail(e, {
      eventSource: `${service}.amazonaws.com`,
      eventName,
      awsRegion: region,
      requestParameters: params,
      recipientAccountId: account,
    }),
    source: `aws.${service}`,
    account,
    region,
  };
}

describe('layout: one hub holds the token, the mesh accounts only forward to its bus', () => {
  it('renders the hub (mesh region), then a Kinesis (mesh region) and an IAM (us-east-1) template per account', () => {
    expect(templates.map((t) => `${t.account}/${t.kind}@${t.region}`)).toEqual([
      `${HUB}/hub@eu-west-1`,
      `${A}/kinesis@eu-west-1`,
      `${A}/iam@us-east-1`,
      `${B}/kinesis@eu-west-1`,
      `${B}/iam@us-east-1`,
      `${C}/kinesis@eu-west-1`,
      `${C}/iam@us-east-1`,
    ]);
  });

  it('is deterministic; only the hub has the connection, the destination and the token reference', () => {
    expect(JSON.stringify(driftEventTemplates(mesh, desired, REPO, HUB))).toBe(JSON.stringify(templates));
    for (const t of templates.filter((x) => x.kind !== 'hub')) {
      const text = JSON.stringify(t.template);
      expect(text).not.toMatch(/secretsmanager:|resolve:|api\.github\.com|GitHubTokenSecretId|InvokeApiDestination/);
      const types = Object.values(t.template.Resources).map((r) => r.Type);
      expect(types).not.toContain('AWS::Events::Connection');
      expect(types).not.toContain('AWS::Events::ApiDestination');
    }
    const hub = of(HUB, 'hub').template;
    expect(hub.Resources['Connection']?.Properties).toMatchObject({
      AuthorizationType: 'API_KEY',
      AuthParameters: {
        ApiKeyAuthParameters: {
          ApiKeyName: 'Authorization',
          ApiKeyValue: { 'Fn::Sub': '{{resolve:secretsmanager:${GitHubTokenSecretId}}}' },
        },
      },
    });
    expect(hub.Resources['Destination']?.Properties).toMatchObject({
      HttpMethod: 'POST',
      InvocationEndpoint: 'https://api.github.com/repos/acme/mesh/dispatches',
    });
    expect(JSON.stringify(templates)).not.toMatch(/gh[pousr]_|github_pat_/);
  });

  it('every mesh-account rule targets the hub bus in the mesh region (IAM ones across regions), with a role', () => {
    for (const t of templates.filter((x) => x.kind !== 'hub')) {
      expect(rules(t).length).toBeGreaterThan(0);
      for (const r of rules(t)) {
        const targets = resolve(t, r.props['Targets']) as Record<string, unknown>[];
        expect(targets).toEqual([
          { Id: 'meshgov-drift-hub', Arn: HUB_BUS, RoleArn: { 'Fn::GetAtt': ['ForwardRole', 'Arn'] } },
        ]);
      }
      const role = resolve(t, t.template.Resources['ForwardRole']?.Properties) as {
        Policies: { PolicyDocument: { Statement: unknown[] } }[];
      };
      expect(role.Policies[0]?.PolicyDocument.Statement).toEqual([
        { Effect: 'Allow', Action: 'events:PutEvents', Resource: HUB_BUS },
      ]);
    }
  });

  it("the hub bus admits exactly the mesh accounts, and its rule forwards only their (and the hub's) events", () => {
    const hub = of(HUB, 'hub');
    expect(hub.template.Resources['BusPolicy']?.Properties['Statement']).toMatchObject({
      Effect: 'Allow',
      Principal: { AWS: [`arn:aws:iam::${A}:root`, `arn:aws:iam::${B}:root`, `arn:aws:iam::${C}:root`] },
      Action: 'events:PutEvents',
    });
    expect(matching(hub, fixture('kinesis-add-tags-to-stream'))).toEqual(['ForwardToGitHub']);
    expect(matching(hub, fixture('iam-put-role-policy'))).toEqual(['ForwardToGitHub']);
    expect(matching(hub, { ...fixture('kinesis-add-tags-to-stream'), account: '444444444444' })).toEqual([]);
  });

  it('dead-letters undeliverable events and alarms the SNS topic parameter on FailedInvocations', () => {
    const r = of(HUB, 'hub').template.Resources;
    const fwd = r['ForwardToGitHub']?.Properties as { Name: string; Targets: Record<string, unknown>[] };
    expect(fwd.Targets[0]?.['DeadLetterConfig']).toEqual({ Arn: { 'Fn::GetAtt': ['DeadLetters', 'Arn'] } });
    expect(r['DeadLetters']?.Type).toBe('AWS::SQS::Queue');
    expect(r['FailedDeliveriesAlarm']?.Properties).toMatchObject({
      Namespace: 'AWS/Events',
      MetricName: 'FailedInvocations',
      Dimensions: expect.arrayContaining([{ Name: 'RuleName', Value: fwd.Name }]) as unknown,
      AlarmActions: [{ Ref: 'AlarmTopicArn' }],
    });
    expect(of(HUB, 'hub').template.Parameters['AlarmTopicArn']).toBeDefined();
  });
});

describe('the Kinesis rule: every write management call', () => {
  const t = of(A, 'kinesis');
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
  ])('does not match the recorded %s (a read, a data event or a denied call)', (name) => {
    expect(matching(t, fixture(name))).toEqual([]);
  });

  it('matches a write call no list names (a call Kinesis adds later), not a read or a data event of that name', () => {
    expect(matching(t, kinesisEvent('UpdateStreamWarmThroughput'))).toEqual(['KinesisGovernanceChanges']);
    expect(matching(t, kinesisEvent('UpdateMaxRecordSize'))).toEqual(['KinesisGovernanceChanges']);
    expect(matching(t, kinesisEvent('DescribeAccountSettings', A, { readOnly: true }))).toEqual([]);
    expect(matching(t, kinesisEvent('PutRecords', A, { managementEvent: false }))).toEqual([]);
  });

  it('does not match a look-alike: another source, another detail-type', () => {
    expect(matching(t, { ...kinesisEvent('AddTagsToStream'), source: 'aws.firehose' })).toEqual([]);
    expect(
      matching(t, { ...kinesisEvent('AddTagsToStream'), 'detail-type': 'AWS Service Event via CloudTrail' }),
    ).toEqual([]);
  });

  it('every pattern stays under the default size', () => {
    for (const x of templates) for (const r of rules(x)) expect(JSON.stringify(r.pattern).length).toBeLessThan(2048);
  });
});

describe('the IAM rules', () => {
  const t = of(B, 'iam');

  it('match policy and trust changes of a grantee role, in any letter case', () => {
    expect(matching(t, fixture('iam-put-role-policy'))).toEqual(['IamRoleChanges1']);
    expect(matching(t, fixture('iam-update-assume-role-policy'))).toEqual(['IamRoleChanges1']);
    expect(matching(t, fixture('iam-attach-role-policy-other-case'))).toEqual(['IamRoleChanges1']);
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
  ])('match %s on a grantee role', (eventName) => {
    expect(matching(t, withDetail(fixture('iam-put-role-policy'), { eventName }))).toEqual(['IamRoleChanges1']);
  });

  it.each(['GetRole', 'ListRolePolicies', 'ListAttachedRolePolicies', 'TagRole'])('do not match %s', (eventName) => {
    expect(matching(t, withDetail(fixture('iam-put-role-policy'), { eventName }))).toEqual([]);
  });

  it("do not match other roles' changes, reads, or another account's roles", () => {
    expect(matching(t, fixture('iam-put-role-policy-other-role'))).toEqual([]);
    expect(matching(t, fixture('iam-get-role-policy'))).toEqual([]);
    // fraud-scorer is a grantee in 222222222222 only: account 111111111111's rules do not name it.
    expect(matching(of(A, 'iam'), fixture('iam-put-role-policy'))).toEqual([]);
  });

  // A customer-managed policy attached to a grantee role can be re-versioned to kinesis:*, whatever its name.
  const policyEvent = (eventName: string, policyArn: string) =>
    withDetail(fixture('iam-create-policy-version'), { eventName, requestParameters: { policyArn, versionId: 'v2' } });
  it.each(['CreatePolicyVersion', 'SetDefaultPolicyVersion', 'DeletePolicyVersion', 'DeletePolicy'])(
    'match %s on every customer-managed policy of the account (any name, any path)',
    (eventName) => {
      for (const arn of [
        `arn:aws:iam::${B}:policy/meshgov/meshgov-fraud-scorer`,
        `arn:aws:iam::${B}:policy/team-analytics-read`,
        `arn:aws:iam::${B}:policy/some/deep/path/x`,
      ])
        expect(matching(t, policyEvent(eventName, arn)), arn).toEqual(['IamPolicyChanges']);
    },
  );

  it('match the recorded CreatePolicyVersion of another policy, and a policy ARN spelled in another case', () => {
    expect(matching(t, fixture('iam-create-policy-version-other-policy'))).toEqual(['IamPolicyChanges']);
    expect(matching(t, policyEvent('SetDefaultPolicyVersion', `ARN:AWS:IAM::${B}:POLICY/team-analytics-read`))).toEqual(
      ['IamPolicyChanges'],
    );
  });

  it("do not match another account's policies, AWS-managed ones, or reads", () => {
    expect(matching(t, policyEvent('CreatePolicyVersion', `arn:aws:iam::${A}:policy/x`))).toEqual([]);
    expect(matching(t, policyEvent('CreatePolicyVersion', 'arn:aws:iam::aws:policy/AdministratorAccess'))).toEqual([]);
    expect(matching(t, policyEvent('GetPolicyVersion', `arn:aws:iam::${B}:policy/x`))).toEqual([]);
  });
});

describe('KMS keys and the tag-guard SCP', () => {
  it("match changes to the mesh's stream keys in the account that owns them", () => {
    const e = fixture('kms-put-key-policy');
    expect(matching(of(A, 'kinesis'), e)).toEqual(['KmsKeyChanges']);
    // B owns the other key: its rule names only that one.
    expect(matching(of(B, 'kinesis'), { ...e, account: B })).toEqual([]);
    const other = withDetail(e, {
      resources: [{ accountId: A, type: 'AWS::KMS::Key', ARN: `arn:aws:kms:eu-west-1:${A}:key/not-a-mesh-key` }],
    });
    expect(matching(of(A, 'kinesis'), other)).toEqual([]);
  });

  it.each(['PutKeyPolicy', 'ScheduleKeyDeletion', 'DisableKey', 'CreateGrant', 'RevokeGrant'])('match %s', (n) => {
    expect(matching(of(A, 'kinesis'), withDetail(fixture('kms-put-key-policy'), { eventName: n }))).toEqual([
      'KmsKeyChanges',
    ]);
  });

  it('do not match a read or a use of the key', () => {
    for (const n of ['DescribeKey', 'Decrypt', 'GenerateDataKey'])
      expect(
        matching(of(A, 'kinesis'), withDetail(fixture('kms-put-key-policy'), { eventName: n, readOnly: true })),
      ).toEqual([]);
  });

  it('match Organizations changes to the guard SCP (by the id the stack is given), in us-east-1 only', () => {
    // The SCP is applied from the mesh's first account (render index.ts): its IAM template watches it.
    const e = fixture('organizations-update-policy');
    expect(matching(of(A, 'iam'), e)).toEqual(['GuardScpChanges']);
    for (const eventName of ['DetachPolicy', 'DeletePolicy'])
      expect(matching(of(A, 'iam'), withDetail(e, { eventName }))).toEqual(['GuardScpChanges']);
    expect(matching(of(A, 'iam'), withDetail(e, { requestParameters: { policyId: 'p-other12345' } }))).toEqual([]);
    expect(of(B, 'iam').template.Resources['GuardScpChanges']).toBeUndefined();
  });
});

describe('tamper rules: changes to the pipeline itself', () => {
  const eventsCalls = [
    'DisableRule',
    'DeleteRule',
    'RemoveTargets',
    'PutTargets',
    'UpdateConnection',
    'DeleteConnection',
    'UpdateApiDestination',
    'DeleteApiDestination',
    'PutPermission',
    'RemovePermission',
    'DeleteEventBus',
  ];
  const trailCalls = ['StopLogging', 'DeleteTrail', 'PutEventSelectors', 'UpdateTrail'];
  const tampered = (t: DriftEventTemplate, service: string, n: string) =>
    matching(t, serviceEvent(service, n, t.account, t.region)).filter((id) => id.startsWith('PipelineTamper'));

  it.each(['kinesis', 'iam', 'hub'] as const)(
    'every %s template matches every EventBridge and CloudTrail call',
    (kind) => {
      const t = kind === 'hub' ? of(HUB, 'hub') : of(B, kind);
      for (const n of eventsCalls) expect(tampered(t, 'events', n), n).toHaveLength(1);
      for (const n of trailCalls) expect(tampered(t, 'cloudtrail', n), n).toHaveLength(1);
      expect(tampered(t, 'events', 'ListRules')).toEqual([]);
      expect(tampered(t, 'cloudtrail', 'LookupEvents')).toEqual([]);
    },
  );

  it('the hub matches changes to the token secret, by name or ARN, and no other secret', () => {
    const hub = of(HUB, 'hub');
    const arn = `arn:aws:secretsmanager:eu-west-1:${HUB}:secret:${SECRET}-AbCdEf`;
    for (const n of ['PutSecretValue', 'UpdateSecret', 'DeleteSecret'])
      for (const secretId of [SECRET, arn])
        expect(
          matching(hub, serviceEvent('secretsmanager', n, HUB, 'eu-west-1', { secretId })).filter(
            (id) => id !== 'ForwardToGitHub',
          ),
          `${n} ${secretId}`,
        ).toEqual(['PipelineTamper3']);
    expect(
      matching(hub, serviceEvent('secretsmanager', 'PutSecretValue', HUB, 'eu-west-1', { secretId: 'other' })),
    ).toEqual(['ForwardToGitHub']);
    expect(
      matching(hub, serviceEvent('secretsmanager', 'GetSecretValue', HUB, 'eu-west-1', { secretId: SECRET })),
    ).toEqual(['ForwardToGitHub']);
  });
});

describe('callers: the governance role is exempt for Kinesis calls only', () => {
  const by = (event: Record<string, unknown>, userIdentity: Record<string, unknown>) =>
    withDetail(event, { userIdentity });
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

  it("skips the governance role's own Kinesis calls", () => {
    expect(matching(of(A, 'kinesis'), by(fixture('kinesis-add-tags-to-stream'), session(A, governance(A))))).toEqual(
      [],
    );
  });

  it("reports the governance role's IAM changes: to its own and the read-only role, to grantees, to policies", () => {
    const iam = of(B, 'iam');
    const gov = session(B, governance(B));
    const onRole = (roleName: string) =>
      withDetail(fixture('iam-put-role-policy'), { requestParameters: { roleName, policyName: 'p' } });
    expect(mesh.governanceRole.readOnlyName).toBeDefined();
    for (const roleName of [mesh.governanceRole.name, mesh.governanceRole.readOnlyName as string, 'fraud-scorer'])
      expect(matching(iam, by(onRole(roleName), gov)), roleName).toEqual(['IamRoleChanges1']);
    expect(matching(iam, by(fixture('iam-create-policy-version'), gov))).toEqual(['IamPolicyChanges']);
    expect(matching(of(A, 'kinesis'), by(fixture('kms-put-key-policy'), session(A, governance(A))))).toEqual([
      'KmsKeyChanges',
    ]);
  });

  it('matches the root user and IAM users (no role session), and look-alike roles', () => {
    const kinesis = of(A, 'kinesis');
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
    expect(matching(kinesis, by(event, session(A, `arn:aws:iam::${A}:role/meshgov-governance`)))).toEqual([
      'KinesisGovernanceChanges',
    ]);
    expect(matching(kinesis, by(event, session(A, governance(B))))).toEqual(['KinesisGovernanceChanges']);
  });
});

describe('the input transformer (the hub rule, EventBridge substitution on the recorded events)', () => {
  /** EventBridge's substitution: each <var> becomes the value at its path (test-side, from the docs' examples). */
  function transform(event: unknown): unknown {
    const target = (
      of(HUB, 'hub').template.Resources['ForwardToGitHub']?.Properties['Targets'] as {
        InputTransformer: { InputPathsMap: Record<string, string>; InputTemplate: string };
      }[]
    )[0];
    const it = target?.InputTransformer as { InputPathsMap: Record<string, string>; InputTemplate: string };
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
  const STREAM_ARN = `arn:aws:kinesis:eu-west-1:${A}:stream/payments.transactions.v1`;

  it.each([
    ['kinesis-add-tags-to-stream', { stream: 'payments.transactions.v1', streamArn: '', resourceArn: '' }],
    ['kinesis-update-shard-count', { stream: 'payments.transactions.v1', streamArn: '', resourceArn: '' }],
    ['kinesis-register-stream-consumer', { stream: '', streamArn: STREAM_ARN, resourceArn: '' }],
    ['kinesis-tag-resource', { stream: '', streamArn: '', resourceArn: STREAM_ARN }],
    ['kinesis-put-resource-policy', { stream: '', streamArn: '', resourceArn: STREAM_ARN }],
  ])('carries the stream of the recorded %s', (name, want) => {
    const e = fixture(name);
    expect(transform(e)).toEqual({
      event_type: 'meshgov-drift',
      client_payload: {
        account: A,
        region: 'eu-west-1',
        source: 'aws.kinesis',
        eventName: (e['detail'] as { eventName: string }).eventName,
        role: '',
        ...want,
      },
    });
  });

  it('carries the role of an IAM event', () => {
    expect(transform(fixture('iam-put-role-policy'))).toMatchObject({
      event_type: 'meshgov-drift',
      client_payload: {
        account: B,
        region: 'us-east-1',
        source: 'aws.iam',
        eventName: 'PutRolePolicy',
        role: 'fraud-scorer',
      },
    });
  });
});

describe('many roles', () => {
  const roles = Array.from({ length: 150 }, (_, i) => `r${String(i).padStart(3, '0')}-${'x'.repeat(59)}`);
  const patterns = iamRolePatterns(roles);

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

describe('parseEventsAccount', () => {
  it('accepts 12 digits', () => expect(parseEventsAccount('012345678901')).toBe('012345678901'));
  it.each(['12345678901', '1234567890123', '12345678901a', ' 123456789012', '123456789012\n', ''])('refuses %j', (s) =>
    expect(parseEventsAccount(s)).toHaveProperty('problem'),
  );
});
