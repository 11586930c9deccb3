import { describe, expect, it } from 'vitest';
import { identityStatements, principalRoles } from '../../src/core/render/identity-policy.js';
import type { PolicyStatement } from '../../src/core/render/types.js';
import { A, B, EXT, aGrant, aMesh, aPrincipal, aStream, reader } from './builders.js';

const streams = [aStream(), aStream({ name: 'payments', account: B, domain: 'pay' })];
const mesh = aMesh({ streams });
const byName = new Map(streams.map((s) => [s.name, s]));
const statementsFor = (grants: ReturnType<typeof aGrant>[]): PolicyStatement[] => {
  const roles = principalRoles(mesh, grants);
  expect(roles).toHaveLength(1);
  return identityStatements(mesh, roles[0]!, byName);
};
const sid = (ss: PolicyStatement[], id: string) => ss.find((s) => s.Sid === id);

describe('principal roles', () => {
  it('skips external principals, whole-account principals and roles outside the mesh accounts', () => {
    const grants = [
      reader('partner', EXT, { principal: aPrincipal({ account: EXT, role: 'partner', external: true }) }),
      aGrant({
        access: 'consume',
        pattern: 'replay',
        principal: { kind: 'account', account: B, path: '/', external: false },
      }),
      reader('ok', B),
    ];
    expect(principalRoles(mesh, grants).map((r) => r.role)).toEqual(['ok']);
  });
});

describe('identity statements (ABAC)', () => {
  it("producers: the write set, on their accounts' streams carrying their produce tag and the mesh tag", () => {
    const ss = statementsFor([aGrant({ principal: aPrincipal({ role: 'writer' }) })]);
    expect(ss).toEqual([
      {
        Sid: 'Produce',
        Effect: 'Allow',
        Action: ['kinesis:DescribeStreamSummary', 'kinesis:ListShards', 'kinesis:PutRecord', 'kinesis:PutRecords'],
        Resource: `arn:aws:kinesis:eu-west-1:${A}:stream/*`,
        Condition: {
          StringEquals: {
            [`aws:ResourceTag/meshgov:produce:${A}:writer`]: 'allow',
            'aws:ResourceTag/meshgov:mesh': 'test-mesh',
          },
        },
      },
    ]);
  });

  it('a second grant on a stream in an account already reached changes nothing (only a stream tag)', () => {
    const one = statementsFor([reader('r', B)]);
    const two = statementsFor([reader('r', B), reader('r', B, { id: 'again', stream: 'orders' })]);
    expect(two).toEqual(one);
  });

  it.each([
    ['replay', {}, ['Consume']],
    ['filtered', { pattern: 'filtered' as const }, ['Consume', 'LambdaDescribe']],
    ['efo', { pattern: 'efo' as const, consumerName: 'c1' }, ['Consume', 'EfoConsumers']],
    [
      'efo with KCL metrics',
      { pattern: 'efo' as const, consumerName: 'c1', kcl: { leaseTable: 'leases', metrics: true } },
      ['Consume', 'EfoConsumers', 'KclLeaseTables', 'KclMetrics'],
    ],
    ['replay with KCL, no metrics', { kcl: { leaseTable: 'leases', metrics: false } }, ['Consume', 'KclLeaseTables']],
    [
      'fanout (served by the fanout policy)',
      { pattern: 'fanout' as const, fanout: { target: 'appsync' as const } },
      [],
    ],
  ])('consumers, %s: %j', (_n, over, sids) => {
    expect(statementsFor([reader('r', B, over)]).map((s) => s.Sid)).toEqual(sids);
  });

  it('scopes DescribeStream to the filtered stream and EFO rights to the consumer ARN', () => {
    const ss = statementsFor([
      reader('r', B, { pattern: 'filtered' }),
      reader('r', B, { id: 'e', stream: 'payments', pattern: 'efo', consumerName: 'c1' }),
    ]);
    expect(sid(ss, 'LambdaDescribe')?.Resource).toBe(`arn:aws:kinesis:eu-west-1:${A}:stream/orders`);
    expect(sid(ss, 'EfoConsumers')?.Resource).toBe(`arn:aws:kinesis:eu-west-1:${B}:stream/payments/consumer/c1:*`);
    expect(sid(ss, 'EfoConsumers')?.Condition?.['StringEquals']?.[`aws:ResourceTag/meshgov:consume:${B}:r`]).toBe(
      'allow',
    );
    expect(sid(ss, 'Consume')?.Resource).toEqual([
      `arn:aws:kinesis:eu-west-1:${A}:stream/*`,
      `arn:aws:kinesis:eu-west-1:${B}:stream/*`,
    ]);
  });

  it("KCL: lease tables in the role's own account; metrics only under the application namespace", () => {
    const ss = statementsFor([reader('r', B, { kcl: { leaseTable: 'leases', metrics: true } })]);
    expect(sid(ss, 'KclLeaseTables')?.Resource).toContain(`arn:aws:dynamodb:eu-west-1:${B}:table/leases`);
    expect(sid(ss, 'KclMetrics')).toEqual({
      Sid: 'KclMetrics',
      Effect: 'Allow',
      Action: ['cloudwatch:PutMetricData'],
      Resource: '*',
      Condition: { StringEquals: { 'cloudwatch:namespace': 'leases' } },
    });
  });

  it('never grants admin, tagging, unscopable actions or wildcards on Kinesis', () => {
    const ss = statementsFor([
      aGrant({ principal: aPrincipal({ account: B, role: 'r' }) }),
      reader('r', B, { pattern: 'efo', consumerName: 'c', kcl: { leaseTable: 't', metrics: true } }),
      reader('r', B, { id: 'f', pattern: 'filtered' }),
    ]);
    const kinesis = ss.filter((s) => JSON.stringify(s.Action).includes('kinesis:'));
    for (const s of kinesis) {
      expect(s.Resource).not.toBe('*');
      expect(s.Condition).toBeDefined();
      for (const a of [s.Action].flat()) expect(a).toMatch(/^kinesis:(Describe|List|Get|Put|Subscribe)/);
      expect([s.Action].flat()).not.toContain('kinesis:PutResourcePolicy');
    }
  });
});
