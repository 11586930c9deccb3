/**
 * lostGrants: what a policy change takes away. Examples, and a soundness property checked with an independent
 * evaluator (@cloud-copilot/iam-simulate): whenever lostGrants says nothing is lost, every request the live policy
 * allows, the desired one allows too.
 */
import { runUnsafeSimulation } from '@cloud-copilot/iam-simulate';
import type { Simulation } from '@cloud-copilot/iam-simulate';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { lostGrants, parsePolicy } from '../../src/core/policy/index.js';

const S = (name: string, account = '111111111111') => `arn:aws:kinesis:eu-west-1:${account}:stream/${name}`;
type Stmt = {
  Sid?: string;
  Effect: 'Allow' | 'Deny';
  Action: string | string[];
  Resource: string | string[];
  Condition?: Record<string, Record<string, string>>;
};
const doc = (...Statement: Stmt[]) => ({ Version: '2012-10-17', Statement });
const lost = (live: unknown, desired: unknown) => lostGrants(parsePolicy(live).policy, parsePolicy(desired).policy);
const TEAM = { StringEquals: { 'aws:ResourceTag/team': 'x' } };

describe('lostGrants: examples', () => {
  const base: Stmt = { Effect: 'Allow', Action: ['kinesis:GetRecords'], Resource: S('a'), Condition: TEAM };
  it('nothing is lost by widening: more actions, more resources, fewer conditions, a new statement, a removed deny', () => {
    expect(lost(doc(base), doc({ ...base, Action: ['kinesis:GetRecords', 'kinesis:ListShards'] }))).toEqual([]);
    expect(lost(doc(base), doc({ ...base, Resource: [S('a'), S('b')] }))).toEqual([]);
    expect(lost(doc(base), doc({ ...base, Resource: S('*') }))).toEqual([]);
    expect(lost(doc(base), doc({ Effect: 'Allow', Action: 'kinesis:*', Resource: '*' }))).toEqual([]);
    expect(lost(doc(base), doc(base, { Effect: 'Allow', Action: 'kinesis:PutRecord', Resource: S('b') }))).toEqual([]);
    expect(lost(doc(base, { Effect: 'Deny', Action: '*', Resource: S('b') }), doc(base))).toEqual([]);
    expect(lost(doc({ ...base, Sid: 'Old' }), doc({ ...base, Sid: 'New', Action: 'kinesis:getrecords' }))).toEqual([]);
  });
  it('losses are named: an action, a resource, an added condition, a new deny, a dropped NotAction statement', () => {
    expect(lost(doc({ ...base, Action: ['kinesis:GetRecords', 'kinesis:ListShards'] }), doc(base))).toEqual([
      `no longer granted: kinesis:ListShards on ${S('a')} (statement #1)`,
    ]);
    expect(lost(doc({ ...base, Resource: [S('a'), S('b')] }), doc(base))).toEqual([
      `no longer granted: kinesis:GetRecords on ${S('b')} (statement #1)`,
    ]);
    expect(lost(doc({ ...base, Condition: undefined } as Stmt), doc(base))).toHaveLength(1);
    expect(lost(doc(base), doc(base, { Sid: 'Stop', Effect: 'Deny', Action: 'kinesis:*', Resource: '*' }))).toEqual([
      'new deny: Sid Stop (Deny)',
    ]);
    expect(
      lost(doc({ Effect: 'Allow', NotAction: 'iam:*', Resource: '*' } as unknown as Stmt), doc(base)),
    ).toHaveLength(1);
    // A wildcard is kept only by a pattern that provably covers it.
    expect(lost(doc({ ...base, Action: 'kinesis:Get*' }), doc({ ...base, Action: 'kinesis:G?t*' }))).toHaveLength(1);
    expect(lost(doc({ ...base, Action: 'kinesis:Get*' }), doc({ ...base, Action: 'kinesis:*' }))).toEqual([]);
  });
  it('resource policies: the principal matters, an account id and its root ARN are one', () => {
    const p = (aws: string) =>
      doc({
        Effect: 'Allow',
        Principal: { AWS: aws },
        Action: 'kinesis:GetRecords',
        Resource: S('a'),
      } as unknown as Stmt);
    expect(lost(p('222222222222'), p('arn:aws:iam::222222222222:root'))).toEqual([]);
    expect(lost(p('arn:aws:iam::222222222222:role/r'), p('arn:aws:iam::333333333333:role/r'))).toHaveLength(1);
    expect(lost(p('arn:aws:iam::222222222222:role/r'), p('*'))).toEqual([]);
  });
  it('garbage never throws and counts as lost', () => {
    expect(lost(doc(base), 'nonsense')).toHaveLength(1);
    expect(lost({ Statement: [42] }, doc(base))).toEqual([]);
  });
});

// --- soundness against an independent evaluator ---
const ACTIONS = [
  'kinesis:GetRecords',
  'kinesis:PutRecord',
  'kinesis:ListShards',
  'kinesis:DescribeStreamSummary',
  'kinesis:GetShardIterator',
];
const RESOURCES = [S('a'), S('b'), S('c'), S('a', '222222222222')];
const TAGS: (string | undefined)[] = ['x', 'y', undefined];
const actionPattern = fc.constantFrom(
  'kinesis:GetRecords',
  'kinesis:PutRecord',
  'kinesis:ListShards',
  'kinesis:Get*',
  'kinesis:*',
  'kinesis:*Records',
  'kinesis:Describe*',
);
const resourcePattern = fc.constantFrom(S('a'), S('b'), S('*'), 'arn:aws:kinesis:eu-west-1:*:stream/a', '*', S('?'));
const statement: fc.Arbitrary<Stmt> = fc
  .record({
    Effect: fc.constantFrom<'Allow' | 'Deny'>('Allow', 'Allow', 'Allow', 'Deny'),
    Action: fc.uniqueArray(actionPattern, { minLength: 1, maxLength: 3 }),
    Resource: fc.uniqueArray(resourcePattern, { minLength: 1, maxLength: 2 }),
    cond: fc.boolean(),
  })
  .map(({ cond, ...s }) => (cond ? { ...s, Condition: TEAM } : s));
const policy = fc.array(statement, { minLength: 1, maxLength: 4 }).map((st) => doc(...st));

function allowed(d: unknown, action: string, resource: string, tag: string | undefined): boolean {
  const sim: Simulation = {
    request: {
      principal: 'arn:aws:iam::111111111111:role/r',
      action,
      resource: { resource, accountId: resource.split(':')[4] as string },
      contextVariables: tag === undefined ? {} : { 'aws:ResourceTag/team': tag },
    },
    identityPolicies: [{ name: 'p', policy: d }],
    serviceControlPolicies: [],
    resourceControlPolicies: [],
  };
  return runUnsafeSimulation(sim, {}) === 'Allowed';
}

describe('lostGrants: soundness (iam-simulate)', () => {
  it('when nothing is reported lost, the desired policy allows every request the live one allows', () => {
    let checkedPairs = 0;
    fc.assert(
      fc.property(policy, policy, fc.boolean(), (live, other, widen) => {
        // Half the pairs are widenings of live (live plus more), so "nothing lost" is exercised often.
        const desired = widen
          ? doc(
              ...live.Statement.filter((s) => s.Effect === 'Allow'),
              ...other.Statement.filter((s) => s.Effect === 'Allow'),
            )
          : other;
        if (lost(live, desired).length > 0) return;
        checkedPairs++;
        for (const a of ACTIONS)
          for (const r of RESOURCES)
            for (const t of TAGS) {
              if (allowed(live, a, r, t)) expect([a, r, t, allowed(desired, a, r, t)]).toEqual([a, r, t, true]);
            }
      }),
      { numRuns: 300, seed: 20261130 },
    );
    expect(checkedPairs).toBeGreaterThan(50);
  });
});
