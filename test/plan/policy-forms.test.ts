/**
 * Regression tests (issue 14, defects 1 and 4): the plan reads live resource policies in every form of the IAM
 * grammar. A public principal (`"*"`, `{"AWS": "*"}`) used to crash the plan with
 * `Cannot use 'in' operator to search for 'AWS' in *`; now it is a destructive change whose access diff names `*`
 * as losing access. Equivalent rewritings (statement order, Sids, bare account id vs root ARN) are no change.
 */
import { describe, expect, it } from 'vitest';
import { computePlan, emptyScope } from '../../src/core/plan/index.js';
import type { Plan } from '../../src/core/plan/index.js';
import type { LiveConsumer, LiveState, LiveStream } from '../../src/core/plan/live.js';
import type { DesiredConsumer, DesiredState, DesiredStream, PolicyDocument } from '../../src/core/render/types.js';
import {
  A1,
  aDesiredConsumer,
  aDesiredStream,
  aPolicy,
  clock,
  desiredState,
  liveConsumerOf,
  liveOf,
  liveState,
} from './builders.js';

const READER = 'arn:aws:iam::222222222222:role/reader';
const ARN = `arn:aws:kinesis:eu-west-1:${A1}:stream/orders.v1`;

function plan(desired: DesiredState, live: LiveState): Plan {
  return computePlan({ desired, live, meshDigest: 'digest', clock, scope: emptyScope() });
}

/** The plan of one desired stream (and consumers) against its live twin with the given overrides. */
function planOne(s: DesiredStream, live: Partial<LiveStream>, consumers: DesiredConsumer[] = []): Plan {
  return plan(desiredState([{ streams: [s], consumers }]), liveState([{ streams: [liveOf(s, live)] }]));
}

/** A live policy as an outsider wrote it: the rendered grant plus a public read statement in the given form. */
function publicPolicy(principal: unknown): unknown {
  const rendered = aPolicy(READER);
  const open = { Sid: 'Public', Effect: 'Allow', Principal: principal, Action: 'kinesis:Get*', Resource: ARN };
  return { ...rendered, Statement: [...rendered.Statement, open] };
}

const streamPolicyChanges = (p: Plan) => p.changes.filter((c) => c.resourceType === 'stream-policy');
const losses = (p: Plan) =>
  p.accessDiff.filter((a) => a.change === 'lose').map((a) => `${a.principal} ${a.access} ${a.via}`);

describe('plan: a public stream policy', () => {
  it.each([
    ['"*"', '*'],
    ['{"AWS": "*"}', { AWS: '*' }],
    ['{"AWS": ["*"]}', { AWS: ['*'] }],
  ])('Principal %s: a destructive policy update whose access diff names * as losing access', (_form, principal) => {
    const s = aDesiredStream({ resourcePolicy: aPolicy(READER) });
    const p = planOne(s, { resourcePolicy: publicPolicy(principal) });
    const [change, ...rest] = streamPolicyChanges(p);
    expect(rest).toEqual([]);
    expect(change).toMatchObject({ action: 'update', risk: 'destructive' });
    const reasons = ['not from the mesh: Sid Public', 'revokes access: * (consume)'];
    expect(change?.reasons).toEqual(expect.arrayContaining(reasons));
    expect(losses(p)).toEqual(['* consume stream-policy']);
  });

  it('a public policy on a stream that needs none: a destructive delete, * loses access', () => {
    const open = { Version: '2012-10-17', Statement: { Effect: 'Allow', Principal: '*', Action: 'kinesis:*' } };
    const p = planOne(aDesiredStream(), { resourcePolicy: open });
    expect(streamPolicyChanges(p)).toMatchObject([{ action: 'delete', risk: 'destructive' }]);
    expect(losses(p).sort()).toEqual(['* consume stream-policy', '* produce stream-policy']);
  });

  it('a public consumer policy, and Allow + NotPrincipal (everyone but one account), lose access too', () => {
    const c = aDesiredConsumer({ resourcePolicy: aPolicy(READER) });
    const lc: LiveConsumer = liveConsumerOf(c, {
      resourcePolicy: {
        Statement: [
          { Effect: 'Allow', Principal: { AWS: '*' }, Action: 'kinesis:SubscribeToShard' },
          { Effect: 'Allow', NotPrincipal: { AWS: '333333333333' }, Action: 'kinesis:PutRecords' },
        ],
      },
    });
    const p = planOne(aDesiredStream(), { consumers: [lc] }, [c]);
    const changes = p.changes.filter((x) => x.resourceType === 'consumer-policy');
    expect(changes).toMatchObject([{ action: 'update', risk: 'destructive' }]);
    expect(losses(p).sort()).toEqual([
      '* consume consumer-policy',
      '* except arn:aws:iam::333333333333:root produce consumer-policy',
    ]);
  });

  it('a managed stream no longer declared, with a public policy: its deletion plans without throwing', () => {
    const live = liveOf(aDesiredStream(), { resourcePolicy: publicPolicy('*') });
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
    expect(streamPolicyChanges(planOne(s, { resourcePolicy: policy }))).toMatchObject([{ action: 'update' }]);
  });
});

describe('plan: equivalent policies are no change (issue 14, defect 4)', () => {
  const ID = '333333333333';
  const ACCOUNT = `arn:aws:iam::${ID}:root`;
  const principalOf = (s: PolicyDocument['Statement'][number]) => (s.Principal as { AWS: string }).AWS;

  it.each<[string, (d: PolicyDocument) => unknown]>([
    ['reordered statements', (d) => ({ ...d, Statement: [...d.Statement].reverse() })],
    [
      'renamed and dropped Sids',
      (d) => ({
        ...d,
        Statement: d.Statement.map((s, i) => ({ ...s, Sid: i === 0 ? 'Renamed' : undefined })),
      }),
    ],
    [
      'a bare account id for the root ARN',
      (d) => ({
        ...d,
        Statement: d.Statement.map((s) => (principalOf(s) === ACCOUNT ? { ...s, Principal: { AWS: ID } } : s)),
      }),
    ],
    [
      'lists for scalars, repeated values and action case',
      (d) => ({
        ...d,
        Statement: d.Statement.map((s) => ({
          ...s,
          Principal: { AWS: [principalOf(s)] },
          Action: ['KINESIS:GetRecords', 'kinesis:getShardIterator', 'kinesis:GetRecords'],
          Resource: [ARN, ARN],
        })),
      }),
    ],
    ['one statement as an object', (d) => ({ Version: '2012-10-17', Statement: d.Statement[0] })],
  ])('%s', (name, rewrite) => {
    const want = name.startsWith('one statement') ? aPolicy(READER) : aPolicy(READER, ACCOUNT);
    const p = planOne(aDesiredStream({ resourcePolicy: want }), { resourcePolicy: rewrite(structuredClone(want)) });
    expect(p.changes.map((c) => `${c.action} ${c.resourceType}`)).toEqual(['no-op stream']);
    expect(p.accessDiff).toEqual([]);
  });

  it('but a role in another account is a change', () => {
    const s = aDesiredStream({ resourcePolicy: aPolicy(READER) });
    const p = planOne(s, { resourcePolicy: aPolicy('arn:aws:iam::444444444444:role/reader') });
    expect(streamPolicyChanges(p)).toHaveLength(1);
  });
});
