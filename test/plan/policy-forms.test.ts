/**
 * Regression tests (issue 14, defects 1 and 4): the plan reads live resource policies in every form of the IAM
 * grammar. A public principal (`"*"`, `{"AWS": "*"}`) used to crash the plan with
 * `Cannot use 'in' operator to search for 'AWS' in *`; now it is a destructive change whose access diff names `*`
 * as losing access. Equivalent rewritings (statement order, Sids, bare account id vs root ARN) are no change.
 */
import { describe, expect, it } from 'vitest';
import { computePlan, emptyScope } from '../../src/core/plan/index.js';
import type { Plan } from '../../src/core/plan/index.js';
import type { LiveState } from '../../src/core/plan/live.js';
import type { DesiredState, PolicyDocument } from '../../src/core/render/types.js';
import { A1, aDesiredConsumer, aDesiredStream, aPolicy, clock, desiredState, liveConsumerOf, liveOf, liveState } from './builders.js';

const READER = 'arn:aws:iam::222222222222:role/reader';
const ARN = `arn:aws:kinesis:eu-west-1:${A1}:stream/orders.v1`;

function plan(desired: DesiredState, live: LiveState): Plan {
  return computePlan({ desired, live, meshDigest: 'digest', clock, scope: emptyScope() });
}

/** A live policy as an outsider wrote it: the rendered grant plus a public read statement in the given form. */
function publicPolicy(principal: unknown): unknown {
  const rendered = aPolicy(READER);
  return { ...rendered, Statement: [...rendered.Statement, { Sid: 'Public', Effect: 'Allow', Principal: principal, Action: 'kinesis:Get*', Resource: ARN }] };
}

const streamPolicyChanges = (p: Plan) => p.changes.filter((c) => c.resourceType === 'stream-policy');
const losses = (p: Plan) => p.accessDiff.filter((a) => a.change === 'lose').map((a) => `${a.principal} ${a.access} ${a.via}`);

describe('plan: a public stream policy', () => {
  it.each([['"*"', '*'], ['{"AWS": "*"}', { AWS: '*' }], ['{"AWS": ["*"]}', { AWS: ['*'] }]])(
    'Principal %s: a destructive policy update whose access diff names * as losing access',
    (_form, principal) => {
      const s = aDesiredStream({ resourcePolicy: aPolicy(READER) });
      const live = liveOf(s, { resourcePolicy: publicPolicy(principal) });
      const p = plan(desiredState([{ streams: [s] }]), liveState([{ streams: [live] }]));
      const [change, ...rest] = streamPolicyChanges(p);
      expect(rest).toEqual([]);
      expect(change).toMatchObject({ action: 'update', risk: 'destructive' });
      expect(change?.reasons).toEqual(expect.arrayContaining(['not from the mesh: Sid Public', 'revokes access: * (consume)']));
      expect(losses(p)).toEqual(['* consume stream-policy']);
    },
  );

  it('a public policy on a stream that needs none: a destructive delete, * loses access', () => {
    const s = aDesiredStream();
    const p = plan(desiredState([{ streams: [s] }]), liveState([{ streams: [liveOf(s, { resourcePolicy: { Version: '2012-10-17', Statement: { Effect: 'Allow', Principal: '*', Action: 'kinesis:*' } } })] }]));
    expect(streamPolicyChanges(p)).toMatchObject([{ action: 'delete', risk: 'destructive' }]);
    expect(losses(p).sort()).toEqual(['* consume stream-policy', '* produce stream-policy']);
  });

  it('a public consumer policy, and Allow + NotPrincipal (everyone but one account), lose access too', () => {
    const s = aDesiredStream();
    const c = aDesiredConsumer({ resourcePolicy: aPolicy(READER) });
    const lc = liveConsumerOf(c, {
      resourcePolicy: { Statement: [{ Effect: 'Allow', Principal: { AWS: '*' }, Action: 'kinesis:SubscribeToShard' }, { Effect: 'Allow', NotPrincipal: { AWS: '333333333333' }, Action: 'kinesis:PutRecords' }] },
    });
    const p = plan(desiredState([{ streams: [s], consumers: [c] }]), liveState([{ streams: [liveOf(s, { consumers: [lc] })] }]));
    expect(p.changes.filter((x) => x.resourceType === 'consumer-policy')).toMatchObject([{ action: 'update', risk: 'destructive' }]);
    expect(losses(p).sort()).toEqual(['* consume consumer-policy', '* except arn:aws:iam::333333333333:root produce consumer-policy']);
  });

  it('a managed stream no longer declared, with a public policy: its deletion plans without throwing', () => {
    const s = aDesiredStream();
    const live = liveOf(s, { resourcePolicy: publicPolicy('*') });
    const p = plan(desiredState([{ streams: [] }]), liveState([{ streams: [live] }]));
    expect(p.changes.map((c) => `${c.action} ${c.resourceType}`)).toContain('delete stream');
    expect(losses(p)).toContain('* consume stream-policy');
  });

  it.each([
    ['not an object', 'policy'],
    ['statements that are not objects', { Statement: [null, 5, 'x'] }],
    ['a principal of an unknown type', { Statement: { Effect: 'Allow', Principal: { Someone: 'x' }, Action: '*' } }],
    ['numbers for strings', { Statement: { Effect: 'Allow', Principal: { AWS: 222222222222 }, Action: [1] } }],
  ])('a live policy outside the grammar (%s) is replaced, never a crash', (_name, policy) => {
    const s = aDesiredStream({ resourcePolicy: aPolicy(READER) });
    const p = plan(desiredState([{ streams: [s] }]), liveState([{ streams: [liveOf(s, { resourcePolicy: policy })] }]));
    expect(streamPolicyChanges(p)).toMatchObject([{ action: 'update' }]);
  });
});

describe('plan: equivalent policies are no change (issue 14, defect 4)', () => {
  const desired = (): PolicyDocument => aPolicy(READER, 'arn:aws:iam::333333333333:root');

  it.each<[string, (d: PolicyDocument) => unknown]>([
    ['reordered statements', (d) => ({ ...d, Statement: [...d.Statement].reverse() })],
    ['renamed and dropped Sids', (d) => ({ ...d, Statement: d.Statement.map((s, i) => (i === 0 ? { ...s, Sid: 'Renamed' } : { ...s, Sid: undefined })) })],
    ['a bare account id for the root ARN', (d) => ({ ...d, Statement: d.Statement.map((s, i) => (i === 1 ? { ...s, Principal: { AWS: '333333333333' } } : s)) })],
    ['lists as scalars, duplicated values and action case', (d) => ({
      ...d, Statement: d.Statement.map((s) => ({ ...s, Principal: { AWS: [(s.Principal as { AWS: string }).AWS] }, Action: ['KINESIS:GetRecords', 'kinesis:getShardIterator', 'kinesis:GetRecords'], Resource: [ARN, ARN] })),
    })],
    ['a single statement as an object', () => ({ Version: '2012-10-17', Statement: aPolicy(READER).Statement[0] })],
  ])('%s', (name, rewrite) => {
    const want = name.startsWith('a single') ? aPolicy(READER) : desired();
    const s = aDesiredStream({ resourcePolicy: want });
    const p = plan(desiredState([{ streams: [s] }]), liveState([{ streams: [liveOf(s, { resourcePolicy: rewrite(structuredClone(want)) })] }]));
    expect(p.changes.map((c) => `${c.action} ${c.resourceType}`)).toEqual(['no-op stream']);
    expect(p.accessDiff).toEqual([]);
  });

  it('but a role in another account, or another action, is a change', () => {
    const s = aDesiredStream({ resourcePolicy: aPolicy(READER) });
    const other = aPolicy('arn:aws:iam::444444444444:role/reader');
    const p = plan(desiredState([{ streams: [s] }]), liveState([{ streams: [liveOf(s, { resourcePolicy: other })] }]));
    expect(streamPolicyChanges(p)).toHaveLength(1);
  });
});
