/** Resource-policy statements -> grants, and every statement kind that cannot be a grant. */
import { describe, expect, it } from 'vitest';
import { grantsFromPolicy, parsePrincipal } from '../../src/core/import/policy-grants.js';
import type { PolicyContext } from '../../src/core/import/policy-grants.js';
import { EFO_CONSUMER_ACTIONS, POLLING_READ_ACTIONS, PRODUCER_ACTIONS } from '../../src/core/render/actions.js';
import type { PolicyDocument, PolicyStatement } from '../../src/core/render/types.js';

const STREAM = 'arn:aws:kinesis:eu-west-1:111111111111:stream/orders.v1';
const CONSUMER = `${STREAM}/consumer/fraud:1700000000`;
const ORG = 'o-test123456';
const streamCtx: PolicyContext = { resource: 'stream', streamArn: STREAM, organizationId: ORG };
const consumerCtx: PolicyContext = {
  resource: 'consumer',
  streamArn: STREAM,
  consumer: { name: 'fraud', arn: CONSUMER },
  organizationId: ORG,
};
const RISK = 'arn:aws:iam::222222222222:role/risk-reader';

function doc(...statements: Partial<PolicyStatement>[]): PolicyDocument {
  return {
    Version: '2012-10-17',
    Statement: statements.map(
      (s, i) =>
        ({
          Sid: `S${i}`,
          Effect: 'Allow',
          Principal: { AWS: RISK },
          Action: [...POLLING_READ_ACTIONS],
          Resource: STREAM,
          ...s,
        }) as PolicyStatement,
    ),
  };
}

describe('grantsFromPolicy: expressible statements', () => {
  it('maps the read set on a stream to a replay consume grant of the role', () => {
    const r = grantsFromPolicy(doc({}), streamCtx);
    expect(r.unexpressible).toEqual([]);
    expect(r.grants).toEqual([
      {
        principal: { account: '222222222222', role: 'risk-reader', path: '/' },
        access: 'consume',
        pattern: 'replay',
        sid: 'S0',
        droppedActions: [],
      },
    ]);
  });

  it('maps the write set to a produce grant, and an account root or bare account id to an account principal', () => {
    const r = grantsFromPolicy(
      doc({ Principal: { AWS: ['arn:aws:iam::333333333333:root', '444444444444'] }, Action: [...PRODUCER_ACTIONS] }),
      streamCtx,
    );
    expect(r.grants.map((g) => [g.principal, g.access])).toEqual([
      [{ account: '333333333333', path: '/' }, 'produce'],
      [{ account: '444444444444', path: '/' }, 'produce'],
    ]);
  });

  it('maps read + write in one statement to two grants, keeps role paths, and accepts the org condition meshgov renders', () => {
    const r = grantsFromPolicy(
      doc({
        Principal: { AWS: 'arn:aws:iam::222222222222:role/apps/etl' },
        Action: [...POLLING_READ_ACTIONS, 'kinesis:PutRecords'],
        Condition: { StringEquals: { 'aws:PrincipalOrgID': ORG } },
      }),
      streamCtx,
    );
    expect(r.unexpressible).toEqual([]);
    expect(r.grants.map((g) => [g.principal, g.access])).toEqual([
      [{ account: '222222222222', role: 'etl', path: '/apps/' }, 'consume'],
      [{ account: '222222222222', role: 'etl', path: '/apps/' }, 'produce'],
    ]);
  });

  it('compares actions case-insensitively and reports actions outside the grant sets as dropped', () => {
    const r = grantsFromPolicy(
      doc({
        Action: [
          'Kinesis:GetRecords',
          'kinesis:getshardIterator',
          'kinesis:DescribeStream',
          'kinesis:ListStreamConsumers',
        ],
      }),
      streamCtx,
    );
    expect(r.grants).toHaveLength(1);
    expect(r.grants[0]?.access).toBe('consume');
    expect(r.grants[0]?.droppedActions).toEqual(['kinesis:ListStreamConsumers']);
  });

  it('maps a consumer policy with SubscribeToShard to an efo grant on that consumer (exact ARN or the :* pattern)', () => {
    for (const resource of [CONSUMER, `${STREAM}/consumer/fraud:*`]) {
      const r = grantsFromPolicy(doc({ Action: [...EFO_CONSUMER_ACTIONS], Resource: resource }), consumerCtx);
      expect(r.unexpressible).toEqual([]);
      expect(r.grants).toEqual([
        {
          principal: { account: '222222222222', role: 'risk-reader', path: '/' },
          access: 'consume',
          pattern: 'efo',
          consumer: 'fraud',
          sid: 'S0',
          droppedActions: [],
        },
      ]);
    }
  });

  it('returns nothing for no policy', () => {
    expect(grantsFromPolicy(undefined, streamCtx)).toEqual({ grants: [], unexpressible: [] });
  });
});

describe('grantsFromPolicy: statements no grant can express are reported, never dropped', () => {
  const cases: [string, Partial<PolicyStatement>, RegExp, PolicyContext?][] = [
    ['Deny', { Effect: 'Deny' }, /Deny statements cannot be expressed/],
    ['NotPrincipal', { Principal: undefined, NotPrincipal: { AWS: RISK } }, /NotPrincipal/],
    ['NotAction', { Action: undefined, NotAction: 'kinesis:DeleteStream' }, /NotAction/],
    ['NotResource', { Resource: undefined, NotResource: STREAM }, /NotResource/],
    [
      'a service principal',
      { Principal: { Service: 'firehose.amazonaws.com' } },
      /Service principal "firehose.amazonaws.com"/,
    ],
    [
      'the public principal',
      { Principal: '*' as unknown as PolicyStatement['Principal'] },
      /wildcard principal \* \(public access\)/,
    ],
    ['AWS: *', { Principal: { AWS: '*' } }, /wildcard principal \*/],
    [
      'a role ARN with a wildcard',
      { Principal: { AWS: 'arn:aws:iam::222222222222:role/team-*' } },
      /wildcard principal/,
    ],
    ['an IAM user', { Principal: { AWS: 'arn:aws:iam::222222222222:user/bob' } }, /IAM user principal/],
    [
      'an assumed-role session',
      { Principal: { AWS: 'arn:aws:sts::222222222222:assumed-role/r/s' } },
      /assumed-role session/,
    ],
    ['a wildcard action', { Action: 'kinesis:*' }, /wildcard action kinesis:\*/],
    ['a prefix wildcard action', { Action: ['kinesis:Get*'] }, /wildcard action kinesis:Get\*/],
    [
      'a condition meshgov does not model',
      { Condition: { IpAddress: { 'aws:SourceIp': '10.0.0.0/8' } } },
      /condition IpAddress aws:SourceIp is not modelled/,
    ],
    [
      'an org condition naming another organisation',
      { Condition: { StringEquals: { 'aws:PrincipalOrgID': 'o-other000000' } } },
      /condition StringEquals aws:PrincipalOrgID is not modelled/,
    ],
    [
      'a wildcard resource',
      { Resource: 'arn:aws:kinesis:eu-west-1:111111111111:stream/*' },
      /is a wildcard meshgov does not render/,
    ],
    ['another resource', { Resource: 'arn:aws:kinesis:eu-west-1:111111111111:stream/other' }, /is not this stream/],
    [
      'describe-only actions',
      { Action: ['kinesis:DescribeStreamSummary', 'kinesis:ListShards'] },
      /outside the read and write sets/,
    ],
    ['admin actions', { Action: ['kinesis:DeleteStream'] }, /outside the read and write sets/],
    [
      'a consumer statement without SubscribeToShard',
      { Action: ['kinesis:DescribeStreamConsumer'], Resource: CONSUMER },
      /do not include kinesis:SubscribeToShard/,
      consumerCtx,
    ],
  ];
  it.each(cases)('%s', (_name, statement, reason, ctx) => {
    const r = grantsFromPolicy(doc(statement), ctx ?? streamCtx);
    expect(r.grants).toEqual([]);
    expect(r.unexpressible).toHaveLength(1);
    expect(r.unexpressible[0]).toMatchObject({ statement: 1, sid: 'S0' });
    expect(r.unexpressible[0]?.reason).toMatch(reason);
  });

  it('keeps the expressible principals of a statement and reports the others', () => {
    const r = grantsFromPolicy(doc({ Principal: { AWS: [RISK, 'arn:aws:iam::222222222222:user/bob'] } }), streamCtx);
    expect(r.grants.map((g) => g.principal.role)).toEqual(['risk-reader']);
    expect(r.unexpressible.map((u) => u.reason)).toEqual([expect.stringMatching(/IAM user principal/)]);
  });

  it('numbers statements from 1 in document order', () => {
    const r = grantsFromPolicy(
      doc({}, { Effect: 'Deny' }, { Principal: { Service: 'lambda.amazonaws.com' } }),
      streamCtx,
    );
    expect(r.grants).toHaveLength(1);
    expect(r.unexpressible.map((u) => [u.statement, u.sid])).toEqual([
      [2, 'S1'],
      [3, 'S2'],
    ]);
  });
});

describe('parsePrincipal', () => {
  it.each([
    ['222222222222', { account: '222222222222', path: '/' }],
    ['arn:aws:iam::222222222222:root', { account: '222222222222', path: '/' }],
    ['arn:aws-cn:iam::222222222222:role/a/b/name', { account: '222222222222', role: 'name', path: '/a/b/' }],
    ['arn:aws:iam::22222222222:root', undefined],
    ['arn:aws:iam::222222222222:group/g', undefined],
  ])('%s', (value, expected) => {
    expect(parsePrincipal(value)).toEqual(expected);
  });
});
