/**
 * The guard boundary in apply: ordering (after the IAM role policies), gating of a foreign boundary's replacement,
 * and the IAM executor's calls against aws-sdk-client-mock (response shapes from the IAM API reference).
 */
import {
  CreatePolicyCommand,
  CreatePolicyVersionCommand,
  GetPolicyCommand,
  GetRoleCommand,
  IAMClient,
  ListPolicyVersionsCommand,
  PutRolePermissionsBoundaryCommand,
} from '@aws-sdk/client-iam';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { IAM_EXECUTOR_IAM_ACTIONS, IamExecutor } from '../../src/adapters/aws/iam-executor.js';
import { runLanes } from '../../src/core/apply/run.js';
import { buildSteps } from '../../src/core/apply/steps.js';
import type { ApplyStep, AuditEntry } from '../../src/core/apply/types.js';
import { computePlan, emptyScope } from '../../src/core/plan/index.js';
import type { Change } from '../../src/core/plan/types.js';
import type { LiveRolePolicy } from '../../src/core/plan/live.js';
import { GUARD_BOUNDARY_NAME, guardBoundary } from '../../src/core/render/guard.js';
import type { IamArtefact, PolicyDocument } from '../../src/core/render/types.js';
import { aPolicy, clock, desiredState, liveState } from '../plan/builders.js';
import { A1, aChange } from './builders.js';

const BOUNDARY = guardBoundary({
  partition: 'aws',
  governanceRole: { name: 'meshgov-governance', path: '/meshgov/' },
} as Parameters<typeof guardBoundary>[0]);
const DOC = aPolicy(`arn:aws:iam::${A1}:root`);
const POLICY_ARN = `arn:aws:iam::${A1}:policy/meshgov/${GUARD_BOUNDARY_NAME}`;
const FOREIGN_ARN = `arn:aws:iam::${A1}:policy/team/team-boundary`;
const EMPTY: PolicyDocument = { Version: '2012-10-17', Statement: [] };
const NOW = new Date('2026-01-02T12:00:00Z');

const desired: IamArtefact[] = [
  { kind: 'identity-policy', account: A1, name: 'meshgov-writer', roleName: 'writer', grantIds: ['g1'], document: DOC },
  { kind: 'identity-policy', account: A1, name: 'meshgov-reader', roleName: 'reader', grantIds: ['g2'], document: DOC },
  { kind: 'permissions-boundary', account: A1, name: GUARD_BOUNDARY_NAME, grantIds: [], document: BOUNDARY },
];

function planned(live: LiveRolePolicy[]): Change[] {
  return computePlan({
    desired: desiredState([{ iam: desired }]),
    live: liveState([{ iam: live }]),
    meshDigest: 'd',
    clock,
    scope: emptyScope(),
  }).changes;
}

describe('apply order and gating of the guard boundary', () => {
  it('runs the boundary policy and attachments after the IAM role policies, in one IAM lane', async () => {
    const changes = planned([]);
    const { lanes, skipped } = buildSteps(changes, { allowDestructive: false, history: [], now: NOW });
    expect(skipped).toEqual([]);
    expect(lanes.map((l) => [l.key, l.phase])).toEqual([[`${A1}/iam`, 'iam']]);
    const ran: string[] = [];
    const report = await runLanes(
      lanes,
      {
        execute: async (s) => {
          ran.push(s.id);
          return { status: 'done' };
        },
      },
      skipped,
    );
    expect(report.done).toBe(5);
    expect(ran).toEqual([
      `iam-policy:${A1}/iam/role/reader/policy/meshgov-reader`,
      `iam-policy:${A1}/iam/role/writer/policy/meshgov-writer`,
      `iam-boundary:${A1}/iam/policy/${GUARD_BOUNDARY_NAME}`,
      `iam-boundary:${A1}/iam/role/reader/boundary`,
      `iam-boundary:${A1}/iam/role/writer/boundary`,
    ]);
    expect(lanes[0]?.steps.slice(2).map((s) => s.expectedCalls)).toEqual([
      ['CreatePolicy'],
      ['PutRolePermissionsBoundary'],
      ['PutRolePermissionsBoundary'],
    ]);
  });

  it("a failed role policy skips that role's boundary attachment, not the others", async () => {
    const { lanes, skipped } = buildSteps(planned([]), { allowDestructive: false, history: [], now: NOW });
    const report = await runLanes(
      lanes,
      {
        execute: async (s) =>
          s.id.includes('/role/writer/policy/')
            ? { status: 'failed', message: 'NoSuchEntity: role writer' }
            : { status: 'done' },
      },
      skipped,
    );
    expect(report.outcomes.filter((o) => o.status !== 'done').map((o) => [o.id, o.status])).toEqual([
      [`iam-policy:${A1}/iam/role/writer/policy/meshgov-writer`, 'failed'],
      [`iam-boundary:${A1}/iam/role/writer/boundary`, 'skipped'],
    ]);
  });

  it('skips replacing a foreign boundary unless --allow-destructive', () => {
    const live: LiveRolePolicy[] = [
      { role: 'writer', policyName: 'meshgov-writer', kind: 'managed', document: DOC },
      { role: 'reader', policyName: 'meshgov-reader', kind: 'managed', document: DOC },
      { role: 'reader', policyName: GUARD_BOUNDARY_NAME, kind: 'boundary', document: BOUNDARY, policyArn: POLICY_ARN },
      { role: 'writer', policyName: 'team-boundary', kind: 'boundary', document: EMPTY, policyArn: FOREIGN_ARN },
    ];
    const changes = planned(live);
    const id = `iam-boundary:${A1}/iam/role/writer/boundary`;
    expect(changes.filter((c) => c.action !== 'no-op').map((c) => `${c.id} ${c.risk}`)).toEqual([`${id} disruptive`]);
    const without = buildSteps(changes, { allowDestructive: false, history: [], now: NOW });
    expect(without.lanes).toEqual([]);
    expect(without.skipped).toMatchObject([{ id, status: 'skipped', skipReason: 'destructive' }]);
    expect(without.skipped[0]?.message).toContain(FOREIGN_ARN);
    const withFlag = buildSteps(changes, { allowDestructive: true, history: [], now: NOW });
    expect(withFlag.skipped).toEqual([]);
    expect(withFlag.lanes[0]?.steps.map((s) => s.id)).toEqual([id]);
  });
});

const iam = mockClient(IAMClient);
const client = new IAMClient({ region: 'us-east-1', credentials: { accessKeyId: 'x', secretAccessKey: 'y' } });
const noSuchEntity = () =>
  Object.assign(new Error('Policy not found.'), { name: 'NoSuchEntityException', $metadata: { httpStatusCode: 404 } });
const created = new Date('2026-01-01T00:00:00Z');
const role = (boundary?: string) => ({
  Role: {
    Path: '/',
    RoleName: 'writer',
    RoleId: 'AROAEXAMPLE',
    Arn: `arn:aws:iam::${A1}:role/writer`,
    CreateDate: created,
    ...(boundary
      ? {
          PermissionsBoundary: {
            PermissionsBoundaryType: 'PermissionsBoundaryPolicy' as const,
            PermissionsBoundaryArn: boundary,
          },
        }
      : {}),
  },
});

function executor(log: AuditEntry[]) {
  return new IamExecutor({
    client: () => client,
    partition: 'aws',
    path: '/meshgov/',
    log: (e) => log.push(e),
    now: () => NOW,
    retry: { maxAttempts: 3, backoff: { computeNextBackoffDelay: () => 0, setDelayBase: () => undefined } },
  });
}

function stepOf(change: Change): ApplyStep {
  return { id: change.id, change, lane: `${A1}/iam`, expectedCalls: [] };
}
const policyStep = (action: 'create' | 'update') =>
  stepOf(
    aChange({
      resourceType: 'iam-boundary',
      stream: undefined,
      action,
      address: `${A1}/iam/policy/${GUARD_BOUNDARY_NAME}`,
      after: { policyName: GUARD_BOUNDARY_NAME, document: BOUNDARY },
    }),
  );
const attachStep = (foreign?: string) =>
  stepOf(
    aChange({
      resourceType: 'iam-boundary',
      stream: undefined,
      action: foreign ? 'update' : 'create',
      address: `${A1}/iam/role/writer/boundary`,
      before: foreign ? { role: 'writer', foreignBoundary: foreign } : null,
      after: { role: 'writer', policyName: GUARD_BOUNDARY_NAME },
    }),
  );
const calls = () =>
  iam.calls().map((c) => (c.args[0] as { constructor: { name: string } }).constructor.name.replace(/Command$/, ''));

describe('IamExecutor: the guard boundary', () => {
  beforeEach(() => iam.reset());

  it('creates the boundary policy under the mesh path', async () => {
    iam.on(GetPolicyCommand).rejects(noSuchEntity());
    iam.on(CreatePolicyCommand).resolves({ Policy: { Arn: POLICY_ARN }, $metadata: { requestId: 'req-1' } });
    const log: AuditEntry[] = [];
    expect(await executor(log).execute(policyStep('create'))).toEqual({ status: 'done' });
    expect(calls()).toEqual(['GetPolicy', 'CreatePolicy']);
    expect(iam.commandCalls(CreatePolicyCommand)[0]?.args[0].input).toEqual({
      PolicyName: GUARD_BOUNDARY_NAME,
      Path: '/meshgov/',
      PolicyDocument: JSON.stringify(BOUNDARY),
      Tags: [{ Key: 'meshgov:managed-by', Value: 'meshgov' }],
    });
    expect(log.map((e) => [e.api, e.resource, e.requestId, e.result])).toEqual([
      ['iam:CreatePolicy', POLICY_ARN, undefined, 'started'],
      ['iam:CreatePolicy', POLICY_ARN, 'req-1', 'ok'],
    ]);
  });

  it('updates an existing boundary policy with a new default version', async () => {
    iam.on(GetPolicyCommand).resolves({ Policy: { Arn: POLICY_ARN, DefaultVersionId: 'v1', AttachmentCount: 2 } });
    iam
      .on(ListPolicyVersionsCommand)
      .resolves({ Versions: [{ VersionId: 'v1', IsDefaultVersion: true, CreateDate: created }] });
    iam.on(CreatePolicyVersionCommand).resolves({});
    expect(await executor([]).execute(policyStep('update'))).toEqual({ status: 'done' });
    expect(calls()).toEqual(['GetPolicy', 'ListPolicyVersions', 'CreatePolicyVersion']);
    expect(iam.commandCalls(CreatePolicyVersionCommand)[0]?.args[0].input).toEqual({
      PolicyArn: POLICY_ARN,
      PolicyDocument: JSON.stringify(BOUNDARY),
      SetAsDefault: true,
    });
  });

  it('sets the boundary on a role without one (PutRolePermissionsBoundary with the policy ARN)', async () => {
    iam.on(GetRoleCommand).resolves(role());
    iam.on(PutRolePermissionsBoundaryCommand).resolves({ $metadata: { requestId: 'req-9' } });
    const log: AuditEntry[] = [];
    expect(await executor(log).execute(attachStep())).toEqual({ status: 'done' });
    expect(calls()).toEqual(['GetRole', 'PutRolePermissionsBoundary']);
    expect(iam.commandCalls(PutRolePermissionsBoundaryCommand)[0]?.args[0].input).toEqual({
      RoleName: 'writer',
      PermissionsBoundary: POLICY_ARN,
    });
    expect(log.filter((e) => e.result !== 'started').map((e) => [e.api, e.resource, e.requestId])).toEqual([
      ['iam:PutRolePermissionsBoundary', `arn:aws:iam::${A1}:role/writer`, 'req-9'],
    ]);
  });

  it('is idempotent: a role that already has the guard boundary gets no call', async () => {
    iam.on(GetRoleCommand).resolves(role(POLICY_ARN));
    expect(await executor([]).execute(attachStep())).toEqual({
      status: 'done',
      message: 'the guard boundary was already set',
    });
    expect(calls()).toEqual(['GetRole']);
  });

  it('never replaces a boundary the plan did not show', async () => {
    iam.on(GetRoleCommand).resolves(role(FOREIGN_ARN));
    const r = await executor([]).execute(attachStep());
    expect(r.status).toBe('failed');
    expect(r.message).toContain(`now has the permissions boundary ${FOREIGN_ARN}`);
    expect(calls()).toEqual(['GetRole']);
  });

  it('replaces the foreign boundary the (allowed) plan named', async () => {
    iam.on(GetRoleCommand).resolves(role(FOREIGN_ARN));
    iam.on(PutRolePermissionsBoundaryCommand).resolves({});
    expect(await executor([]).execute(attachStep(FOREIGN_ARN))).toEqual({ status: 'done' });
    expect(iam.commandCalls(PutRolePermissionsBoundaryCommand)[0]?.args[0].input).toEqual({
      RoleName: 'writer',
      PermissionsBoundary: POLICY_ARN,
    });
  });

  it('fails clearly when the role does not exist', async () => {
    iam.on(GetRoleCommand).rejects(
      Object.assign(new Error('The role with name writer cannot be found.'), {
        name: 'NoSuchEntityException',
        $metadata: { httpStatusCode: 404 },
      }),
    );
    expect(await executor([]).execute(attachStep())).toEqual({
      status: 'failed',
      message: `role writer does not exist in ${A1}`,
    });
    expect(calls()).toEqual(['GetRole']);
  });

  it('declares every IAM action the boundary steps call', () => {
    for (const a of [
      'iam:GetRole',
      'iam:PutRolePermissionsBoundary',
      'iam:CreatePolicy',
      'iam:CreatePolicyVersion',
      'iam:GetPolicy',
      'iam:ListPolicyVersions',
    ]) {
      expect(IAM_EXECUTOR_IAM_ACTIONS).toContain(a);
    }
  });
});
