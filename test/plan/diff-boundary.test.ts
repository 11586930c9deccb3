/** The tag-tampering guard as a permissions boundary: plan changes for the boundary policy and its attachments. */
import { describe, expect, it } from 'vitest';
import { diffIam } from '../../src/core/plan/diff-iam.js';
import { computePlan, emptyScope } from '../../src/core/plan/index.js';
import type { Change, Plan } from '../../src/core/plan/index.js';
import type { LiveRolePolicy } from '../../src/core/plan/live.js';
import { GUARD_BOUNDARY_NAME, guardBoundary } from '../../src/core/render/guard.js';
import type { IamArtefact, PolicyDocument } from '../../src/core/render/types.js';
import { A1, aPolicy, clock, desiredState, liveState } from './builders.js';

const mesh = { partition: 'aws', governanceRole: { name: 'meshgov-governance', path: '/meshgov/' } } as Parameters<
  typeof guardBoundary
>[0];
const BOUNDARY = guardBoundary(mesh);
const DOC = aPolicy(`arn:aws:iam::${A1}:root`);
const GOV_DOC: PolicyDocument = {
  Version: '2012-10-17',
  Statement: [{ Sid: 'Gov', Effect: 'Allow', Action: 'kinesis:*', Resource: '*' }],
};
const OURS_ARN = `arn:aws:iam::${A1}:policy/meshgov/${GUARD_BOUNDARY_NAME}`;
const FOREIGN_ARN = `arn:aws:iam::${A1}:policy/team/team-boundary`;
const EMPTY: PolicyDocument = { Version: '2012-10-17', Statement: [] };

const desired: IamArtefact[] = [
  { kind: 'identity-policy', account: A1, name: 'meshgov-writer', roleName: 'writer', grantIds: ['g1'], document: DOC },
  { kind: 'fanout-policy', account: A1, name: 'meshgov-fanout-x', roleName: 'fanout', grantIds: ['g2'], document: DOC },
  {
    kind: 'governance-policy',
    account: A1,
    name: 'meshgov-governance',
    roleName: 'meshgov-governance',
    grantIds: [],
    document: GOV_DOC,
  },
  { kind: 'permissions-boundary', account: A1, name: GUARD_BOUNDARY_NAME, grantIds: [], document: BOUNDARY },
];
/** Live role policies matching `desired`, so only boundary changes are planned. */
const livePolicies: LiveRolePolicy[] = [
  { role: 'writer', policyName: 'meshgov-writer', kind: 'managed', document: DOC },
  { role: 'fanout', policyName: 'meshgov-fanout-x', kind: 'managed', document: DOC },
  { role: 'meshgov-governance', policyName: 'meshgov-governance', kind: 'managed', document: GOV_DOC },
];
const ours = (role: string, document: PolicyDocument = BOUNDARY): LiveRolePolicy => ({
  role,
  policyName: GUARD_BOUNDARY_NAME,
  kind: 'boundary',
  document,
  policyArn: OURS_ARN,
});
const summary = (cs: { action: string; resourceType: string; address: string; risk: string }[]) =>
  cs.map((c) => `${c.action} ${c.resourceType} ${c.address} ${c.risk}`);

describe('diffIam: the guard boundary', () => {
  it('no boundary anywhere: creates the policy and attaches it to the identity and fanout roles (not the governance role)', () => {
    const r = diffIam(A1, desired, livePolicies);
    expect(summary(r.changes)).toEqual([
      `create iam-boundary ${A1}/iam/policy/${GUARD_BOUNDARY_NAME} safe`,
      `create iam-boundary ${A1}/iam/role/fanout/boundary safe`,
      `create iam-boundary ${A1}/iam/role/writer/boundary safe`,
    ]);
    expect(r.changes[0]?.after).toEqual({ policyName: GUARD_BOUNDARY_NAME, document: BOUNDARY });
    expect(r.changes[1]).toMatchObject({
      after: { role: 'fanout', policyName: GUARD_BOUNDARY_NAME },
      dependsOn: [`iam-boundary:${A1}/iam/policy/${GUARD_BOUNDARY_NAME}`],
    });
    expect(r.notChecked.join('\n')).not.toContain('permissions-boundary');
  });

  it('the same boundary on every role: no change', () => {
    expect(diffIam(A1, desired, [...livePolicies, ours('writer'), ours('fanout')]).changes).toEqual([]);
  });

  it('a different live boundary document: updates the policy only', () => {
    const old = { ...BOUNDARY, Statement: BOUNDARY.Statement.slice(0, 2) };
    const r = diffIam(A1, desired, [...livePolicies, ours('writer', old), ours('fanout', old)]);
    expect(summary(r.changes)).toEqual([`update iam-boundary ${A1}/iam/policy/${GUARD_BOUNDARY_NAME} safe`]);
    expect(r.changes[0]).toMatchObject({ before: { document: old }, after: { document: BOUNDARY } });
  });

  it('a foreign boundary on a role is flagged as a disruptive replacement, never a silent one', () => {
    const foreign: LiveRolePolicy = {
      role: 'writer',
      policyName: 'team-boundary',
      kind: 'boundary',
      document: EMPTY,
      policyArn: FOREIGN_ARN,
    };
    const r = diffIam(A1, desired, [...livePolicies, ours('fanout'), foreign]);
    expect(summary(r.changes)).toEqual([`update iam-boundary ${A1}/iam/role/writer/boundary disruptive`]);
    expect(r.changes[0]).toMatchObject({
      before: { role: 'writer', foreignBoundary: FOREIGN_ARN },
      after: { role: 'writer', policyName: GUARD_BOUNDARY_NAME },
      dependsOn: [],
    });
    expect(r.changes[0]?.reasons.join(' ')).toContain(`already has the permissions boundary ${FOREIGN_ARN}`);
  });

  it('boundary entries are not taken for stray role policies (no delete)', () => {
    const r = diffIam(A1, desired, [...livePolicies, ours('writer'), ours('fanout'), ours('meshgov-governance')]);
    expect(r.changes).toEqual([]);
  });

  it('IAM not read: no boundary change, and the boundary is listed as not checked', () => {
    const r = diffIam(A1, desired, undefined);
    expect(r.changes).toEqual([]);
    expect(r.notChecked.join('\n')).toContain(`the permissions boundary ${GUARD_BOUNDARY_NAME} was not checked`);
  });
});

describe('computePlan: boundary changes come after the IAM policies they guard', () => {
  it('orders iam-boundary after iam-policy creates, the attachment depending on the role policy', () => {
    const d = desiredState([{ iam: desired }]);
    const p: Plan = computePlan({
      desired: d,
      live: liveState([{ iam: livePolicies.filter((x) => x.role !== 'writer') }]),
      meshDigest: 'digest',
      clock,
      scope: emptyScope(),
    });
    const active = p.changes.filter((c) => c.action !== 'no-op');
    expect(active.map((c) => `${c.order} ${c.id}`)).toEqual([
      `1 iam-policy:${A1}/iam/role/writer/policy/meshgov-writer`,
      `2 iam-boundary:${A1}/iam/policy/${GUARD_BOUNDARY_NAME}`,
      `3 iam-boundary:${A1}/iam/role/fanout/boundary`,
      `4 iam-boundary:${A1}/iam/role/writer/boundary`,
    ]);
    const writer = active.find((c) => c.address.endsWith('/role/writer/boundary')) as Change;
    expect(writer.dependsOn).toEqual([
      `iam-boundary:${A1}/iam/policy/${GUARD_BOUNDARY_NAME}`,
      `iam-policy:${A1}/iam/role/writer/policy/meshgov-writer`,
    ]);
    expect(p.summary).toMatchObject({ add: 4, disruptive: 0 });
  });
});
