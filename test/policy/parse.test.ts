/** parsePolicy by example: every form of the grammar, and what it reports for what it cannot understand. */
import { describe, expect, it } from 'vitest';
import {
  accountOf,
  canonicalPolicy,
  isPublicStatement,
  parsePolicy,
  policiesEquivalent,
  principalAccount,
  principalId,
  statementPrincipals,
} from '../../src/core/policy/index.js';
import type { Principal, Statement } from '../../src/core/policy/index.js';

const ID = '123456789012';
const ROOT = `arn:aws:iam::${ID}:root`;
const account = (partition = 'aws') => ({ kind: 'account', partition, account: ID });
const other = (value: string) => ({ kind: 'aws', value, account: ID });

const one = (statement: Record<string, unknown>, options = {}): Statement => {
  const r = parsePolicy({ Version: '2012-10-17', Statement: statement }, options);
  expect(r.policy.statements).toHaveLength(1);
  return r.policy.statements[0] as Statement;
};
const principalsOf = (principal: unknown): Principal[] => {
  const s = one({ Effect: 'Allow', Principal: principal, Action: 'kinesis:GetRecords' });
  return s.principal.kind === 'principal' ? s.principal.principals : [];
};
const codes = (json: unknown) => parsePolicy(json).diagnostics.map((d) => d.code);

describe('principals', () => {
  it.each([
    ['"*"', '*', [{ kind: 'public', form: 'star' }]],
    ['{"AWS": "*"}', { AWS: '*' }, [{ kind: 'public', form: 'aws-star' }]],
    ['a bare account id', { AWS: ID }, [account()]],
    ['a root ARN', { AWS: ROOT }, [account()]],
    ['a root ARN in another partition', { AWS: `arn:aws-cn:iam::${ID}:root` }, [account('aws-cn')]],
    [
      'a role with a path',
      { AWS: `arn:aws:iam::${ID}:role/app/etl` },
      [
        {
          kind: 'role',
          arn: `arn:aws:iam::${ID}:role/app/etl`,
          partition: 'aws',
          account: ID,
          path: '/app/',
          name: 'etl',
        },
      ],
    ],
    ['a user', { AWS: `arn:aws:iam::${ID}:user/bob` }, [other(`arn:aws:iam::${ID}:user/bob`)]],
    ['a session', { AWS: `arn:aws:sts::${ID}:assumed-role/r/s` }, [other(`arn:aws:sts::${ID}:assumed-role/r/s`)]],
    ["a deleted role's unique id", { AWS: 'AROAEXAMPLEID' }, [{ kind: 'aws', value: 'AROAEXAMPLEID' }]],
    ['a service', { Service: ['firehose.amazonaws.com'] }, [{ kind: 'service', value: 'firehose.amazonaws.com' }]],
    ['a federated provider', { Federated: 'cognito' }, [{ kind: 'federated', value: 'cognito' }]],
    ['a canonical user', { CanonicalUser: 'abc' }, [{ kind: 'canonical-user', value: 'abc' }]],
  ])('%s', (_name, principal, expected) => {
    expect(principalsOf(principal)).toEqual(expected);
  });

  it('removes duplicates, a bare id and its root ARN being one principal', () => {
    expect(principalsOf({ AWS: [ID, ROOT, ID] })).toHaveLength(1);
  });

  it('takes a role name in any case for the same role (IAM role names are unique without regard to case)', () => {
    const arn = (role: string) => `arn:aws:iam::${ID}:role/a/${role}`;
    const doc = (role: string) => ({ Statement: { Effect: 'Allow', Principal: { AWS: arn(role) } } });
    expect(policiesEquivalent(doc('Reader'), doc('reader'))).toBe(true);
    expect(policiesEquivalent(doc('Reader'), doc('writer'))).toBe(false);
    expect(principalsOf({ AWS: [`arn:aws:iam::${ID}:role/Reader`, `arn:aws:iam::${ID}:role/READER`] })).toHaveLength(1);
  });

  it('puts bare account ids in the partition it is told', () => {
    const s = one({ Effect: 'Allow', Principal: { AWS: ID }, Action: '*' }, { partition: 'aws-us-gov' });
    expect(statementPrincipals(s)).toEqual([`arn:aws-us-gov:iam::${ID}:root`]);
  });

  it('names principals as one string each: * for both public forms, service:, federated:, canonical-user:', () => {
    const principal = { AWS: ['*', ID], Service: 's.amazonaws.com', Federated: 'f', CanonicalUser: 'c' };
    const s = one({ Effect: 'Allow', Principal: principal });
    expect(statementPrincipals(s)).toEqual(['*', ROOT, 'service:s.amazonaws.com', 'federated:f', 'canonical-user:c']);
    expect(statementPrincipals(one({ Effect: 'Allow', Principal: '*' }))).toEqual(['*']);
    expect(isPublicStatement(s)).toBe(true);
  });

  it('tells the account of a principal', () => {
    const principals = principalsOf({ AWS: [`arn:aws:iam::${ID}:role/r`, '*'], Service: 'x' });
    expect(principals.map(accountOf)).toEqual([ID, undefined, undefined]);
    expect(principalAccount(ID)).toBe(ID);
    expect(principalAccount(`arn:aws:sts::${ID}:assumed-role/r/s`)).toBe(ID);
    expect(principalAccount('*')).toBeUndefined();
    expect(principalId({ kind: 'account', partition: 'aws', account: ID })).toBe(ROOT);
  });

  it('NotPrincipal: everyone but the listed principals; public for the statement', () => {
    const s = one({ Effect: 'Allow', NotPrincipal: { AWS: ID }, Action: '*' });
    expect(s.principal).toEqual({ kind: 'not-principal', principals: [account()] });
    expect(statementPrincipals(s)).toEqual([]);
    expect(isPublicStatement(s)).toBe(true);
  });
});

describe('actions, resources, conditions', () => {
  it('reads Action/NotAction and Resource/NotResource as string or list, without duplicates (actions any case)', () => {
    const actions = ['kinesis:GetRecords', 'KINESIS:getrecords', 'kinesis:Put*'];
    const s = one({ Effect: 'Deny', NotAction: actions, Resource: 'a' });
    expect(s.action).toEqual({ kind: 'not-action', patterns: ['kinesis:GetRecords', 'kinesis:Put*'] });
    expect(s.resource).toEqual({ kind: 'resource', patterns: ['a'] });
    expect(one({ Effect: 'Allow', NotResource: ['a', 'a', 'b'] }).resource).toEqual({
      kind: 'not-resource',
      patterns: ['a', 'b'],
    });
    expect(one({ Effect: 'Allow' }).action).toEqual({ kind: 'none' });
  });

  it('reads condition operators with set qualifiers and IfExists; booleans and numbers as IAM stores them', () => {
    const s = one({
      Effect: 'Allow',
      Principal: '*',
      Condition: {
        'ForAnyValue:StringLikeIfExists': { 'aws:PrincipalTag/team': ['a*', 'a*', 'b'] },
        Bool: { 'aws:SecureTransport': true },
        NumericLessThan: { 'kinesis:x': 10 },
        'ForAllValues:StringEquals': { 'aws:TagKeys': 'k' },
      },
    });
    expect(s.conditions).toEqual([
      {
        operator: 'ForAnyValue:StringLikeIfExists',
        base: 'StringLike',
        set: 'for-any-value',
        ifExists: true,
        key: 'aws:PrincipalTag/team',
        values: ['a*', 'b'],
      },
      { operator: 'Bool', base: 'Bool', set: 'single', ifExists: false, key: 'aws:SecureTransport', values: ['true'] },
      {
        operator: 'NumericLessThan',
        base: 'NumericLessThan',
        set: 'single',
        ifExists: false,
        key: 'kinesis:x',
        values: ['10'],
      },
      {
        operator: 'ForAllValues:StringEquals',
        base: 'StringEquals',
        set: 'for-all-values',
        ifExists: false,
        key: 'aws:TagKeys',
        values: ['k'],
      },
    ]);
    expect(
      policiesEquivalent(
        { Statement: { Effect: 'Allow', Condition: { Bool: { 'aws:SecureTransport': true } } } },
        { Statement: [{ Effect: 'Allow', Condition: { Bool: { 'AWS:SecureTransport': ['true'] } } }] },
      ),
    ).toBe(true);
  });

  it('keeps the statement position, the Sid, and the statement as written for evidence', () => {
    const doc = { Statement: [{ Sid: 'A', Effect: 'Allow' }, { Effect: 'Deny' }] };
    const [a, b] = parsePolicy(doc).policy.statements;
    expect([a?.position, a?.sid, b?.position, b?.sid]).toEqual([1, 'A', 2, undefined]);
    expect(b?.source).toBe(doc.Statement[1]);
  });
});

describe('what it cannot understand is reported and kept, never thrown', () => {
  const allow = (members: Record<string, unknown>) => ({ Statement: { Effect: 'Allow', ...members } });
  it.each([
    ['not an object', 'a string', ['policy-not-object']],
    ['null', null, ['policy-not-object']],
    ['no Statement', { Version: '2012-10-17' }, ['policy-no-statement']],
    ['Statement a number', { Statement: 5 }, ['policy-bad-statement']],
    ['a statement that is not an object', { Statement: [null, { Effect: 'Allow' }] }, ['statement-not-object']],
    ['an unknown version', { Version: '2020-01-01', Statement: [] }, ['policy-unknown-version']],
    ['an unknown element', { Statement: [], Extra: 1 }, ['policy-unknown-element']],
    ['a lower-case effect', { Statement: { Effect: 'allow' } }, ['statement-bad-effect']],
    ['no effect', { Statement: { Action: '*' } }, ['statement-no-effect']],
    ['Action and NotAction', allow({ Action: 'a', NotAction: 'b' }), ['statement-both-elements']],
    ['Principal and NotPrincipal', allow({ Principal: '*', NotPrincipal: '*' }), ['statement-both-elements']],
    ['a principal string other than *', allow({ Principal: ROOT }), ['principal-bad-form']],
    ['an unknown principal type', allow({ Principal: { aws: '*' } }), ['principal-unknown-type']],
    ['a number among actions', allow({ Action: ['a', 7] }), ['element-not-string']],
    ['an object as Resource', allow({ Resource: { a: 1 } }), ['element-not-strings']],
    ['a null condition value', allow({ Condition: { StringEquals: { k: null } } }), ['condition-bad-value']],
    ['an unknown operator', allow({ Condition: { StringSortOf: { k: 'v' } } }), ['condition-unknown-operator']],
    ['a Condition list', allow({ Condition: [] }), ['condition-not-object']],
  ])('%s', (_name, json, expected) => {
    expect(codes(json)).toEqual(expected);
  });

  it('treats __proto__ and constructor members as data', () => {
    const text = '{"Statement":{"Effect":"Allow","Principal":{"__proto__":{"AWS":"*"}},"Action":"*","constructor":1}}';
    const json = JSON.parse(text) as unknown;
    const r = parsePolicy(json);
    expect(r.diagnostics.map((d) => d.code).sort()).toEqual(['principal-unknown-type', 'statement-unknown-element']);
    expect(statementPrincipals(r.policy.statements[0] as Statement)).toEqual([]);
    expect(({} as Record<string, unknown>)['AWS']).toBeUndefined();
  });

  it('survives very deep nesting and cycles (depth-limited canonical form)', () => {
    let deep: unknown = 'x';
    for (let i = 0; i < 100_000; i++) deep = [deep];
    const nested = { Statement: { Effect: 'Allow', Condition: deep } };
    expect(() => canonicalPolicy(parsePolicy(nested).policy)).not.toThrow();
    const cyclic: Record<string, unknown> = { Effect: 'Allow' };
    cyclic['Resource'] = cyclic;
    expect(() => canonicalPolicy(parsePolicy({ Statement: cyclic }).policy)).not.toThrow();
  });

  it('locates a non-object statement without its position, so reordering does not change the policy', () => {
    const allowAll = { Effect: 'Allow' };
    expect(policiesEquivalent({ Statement: [1, allowAll] }, { Statement: [allowAll, 1] })).toBe(true);
    expect(policiesEquivalent({ Statement: [1, allowAll] }, { Statement: [allowAll, 2] })).toBe(false);
  });
});
