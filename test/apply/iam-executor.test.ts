/** The IAM executor against aws-sdk-client-mock (response shapes from the IAM API reference). */
import {
  AttachRolePolicyCommand,
  CreatePolicyCommand,
  CreatePolicyVersionCommand,
  DeletePolicyCommand,
  DeletePolicyVersionCommand,
  DetachRolePolicyCommand,
  GetPolicyCommand,
  GetRolePolicyCommand,
  IAMClient,
  ListPolicyVersionsCommand,
  PutRolePolicyCommand,
} from '@aws-sdk/client-iam';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { IAM_EXECUTOR_IAM_ACTIONS, IamExecutor } from '../../src/adapters/aws/iam-executor.js';
import type { ApplyStep, AuditEntry } from '../../src/core/apply/types.js';
import { A1, aChange } from './builders.js';

const iam = mockClient(IAMClient);
const client = new IAMClient({ region: 'us-east-1', credentials: { accessKeyId: 'x', secretAccessKey: 'y' } });
const ARN = `arn:aws:iam::${A1}:policy/meshgov/meshgov-writer`;
const DOC = {
  Version: '2012-10-17',
  Statement: [{ Sid: 'Produce', Effect: 'Allow', Action: 'kinesis:PutRecord', Resource: '*' }],
};
const noSuchEntity = () =>
  Object.assign(new Error('The role policy with name meshgov-writer cannot be found.'), {
    name: 'NoSuchEntityException',
    $metadata: { httpStatusCode: 404 },
  });

function executor(log: AuditEntry[]) {
  return new IamExecutor({
    client: () => client,
    partition: 'aws',
    path: '/meshgov/',
    log: (e) => log.push(e),
    now: () => new Date('2026-01-01T00:00:00Z'),
    retry: { maxAttempts: 3, backoff: { computeNextBackoffDelay: () => 0, setDelayBase: () => undefined } },
  });
}

function step(action: 'create' | 'update' | 'delete'): ApplyStep {
  const change = aChange({
    resourceType: 'iam-policy',
    stream: undefined,
    action,
    risk: action === 'delete' ? 'destructive' : 'safe',
    after: action === 'delete' ? null : { document: DOC },
    before: action === 'create' ? null : { kind: 'managed', document: DOC },
  });
  return { id: change.id, change, lane: `${A1}/iam`, expectedCalls: [] };
}

const calls = () =>
  iam.calls().map((c) => (c.args[0] as { constructor: { name: string } }).constructor.name.replace(/Command$/, ''));

const seen = new Set<string>();

describe('IamExecutor', () => {
  beforeEach(() => {
    for (const c of calls()) seen.add(`iam:${c}`);
    iam.reset();
  });

  it('creates a managed policy under the mesh path and attaches it, logging each mutating call', async () => {
    iam.on(GetRolePolicyCommand).rejects(noSuchEntity());
    iam.on(GetPolicyCommand).rejects(noSuchEntity());
    iam.on(CreatePolicyCommand).resolves({ Policy: { Arn: ARN }, $metadata: { requestId: 'req-1' } });
    iam.on(AttachRolePolicyCommand).resolves({ $metadata: { requestId: 'req-2' } });
    const log: AuditEntry[] = [];
    expect(await executor(log).execute(step('create'))).toEqual({ status: 'done' });
    expect(calls()).toEqual(['GetRolePolicy', 'GetPolicy', 'CreatePolicy', 'AttachRolePolicy']);
    expect(iam.commandCalls(CreatePolicyCommand)[0]?.args[0].input).toMatchObject({
      PolicyName: 'meshgov-writer',
      Path: '/meshgov/',
      PolicyDocument: JSON.stringify(DOC),
    });
    expect(log.map((e) => [e.api, e.resource, e.requestId, e.result, e.attempt])).toEqual([
      ['iam:CreatePolicy', ARN, undefined, 'started', 1],
      ['iam:CreatePolicy', ARN, 'req-1', 'ok', 1],
      ['iam:AttachRolePolicy', `arn:aws:iam::${A1}:role/writer`, undefined, 'started', 1],
      ['iam:AttachRolePolicy', `arn:aws:iam::${A1}:role/writer`, 'req-2', 'ok', 1],
    ]);
    // Each outcome carries its intent's id.
    expect(log[1]?.id).toBe(log[0]?.id);
    expect(log[3]?.id).toBe(log[2]?.id);
    expect(log[2]?.id).not.toBe(log[0]?.id);
  });

  it('updates a managed policy with a new default version, pruning the oldest when five exist', async () => {
    iam.on(GetRolePolicyCommand).rejects(noSuchEntity());
    iam.on(GetPolicyCommand).resolves({ Policy: { Arn: ARN, DefaultVersionId: 'v5', AttachmentCount: 1 } });
    iam.on(ListPolicyVersionsCommand).resolves({
      Versions: [5, 4, 3, 2, 1].map((n) => ({
        VersionId: `v${n}`,
        IsDefaultVersion: n === 5,
        CreateDate: new Date(Date.UTC(2025, 0, n)),
      })),
    });
    iam.on(DeletePolicyVersionCommand).resolves({});
    iam
      .on(CreatePolicyVersionCommand)
      .rejectsOnce(
        Object.assign(new Error('Rate exceeded'), { name: 'Throttling', $metadata: { httpStatusCode: 400 } }),
      )
      .resolves({});
    iam.on(AttachRolePolicyCommand).resolves({});
    const log: AuditEntry[] = [];
    expect(await executor(log).execute(step('update'))).toEqual({ status: 'done' });
    expect(iam.commandCalls(DeletePolicyVersionCommand)[0]?.args[0].input).toEqual({ PolicyArn: ARN, VersionId: 'v1' });
    expect(iam.commandCalls(CreatePolicyVersionCommand).map((c) => c.args[0].input.SetAsDefault)).toEqual([true, true]);
    expect(log.filter((e) => e.api === 'iam:CreatePolicyVersion').map((e) => [e.result, e.attempt])).toEqual([
      ['started', 1],
      ['error', 1],
      ['started', 2],
      ['ok', 2],
    ]);
  });

  it('updates an inline policy in place', async () => {
    iam.on(GetRolePolicyCommand).resolves({
      RoleName: 'writer',
      PolicyName: 'meshgov-writer',
      PolicyDocument: encodeURIComponent(JSON.stringify(DOC)),
    });
    iam.on(PutRolePolicyCommand).resolves({});
    expect(await executor([]).execute(step('update'))).toEqual({ status: 'done' });
    expect(calls()).toEqual(['GetRolePolicy', 'PutRolePolicy']);
  });

  it('deletes a managed policy only once nothing else uses it', async () => {
    iam.on(GetRolePolicyCommand).rejects(noSuchEntity());
    iam.on(DetachRolePolicyCommand).resolves({});
    iam.on(GetPolicyCommand).resolves({ Policy: { Arn: ARN, DefaultVersionId: 'v2', AttachmentCount: 0 } });
    iam.on(ListPolicyVersionsCommand).resolves({
      Versions: [
        { VersionId: 'v2', IsDefaultVersion: true },
        { VersionId: 'v1', IsDefaultVersion: false },
      ],
    });
    iam.on(DeletePolicyVersionCommand).resolves({});
    iam.on(DeletePolicyCommand).resolves({});
    expect(await executor([]).execute(step('delete'))).toEqual({ status: 'done' });
    expect(calls()).toEqual([
      'GetRolePolicy',
      'DetachRolePolicy',
      'GetPolicy',
      'ListPolicyVersions',
      'DeletePolicyVersion',
      'DeletePolicy',
    ]);

    iam.reset();
    iam.on(GetRolePolicyCommand).rejects(noSuchEntity());
    iam.on(DetachRolePolicyCommand).resolves({});
    iam.on(GetPolicyCommand).resolves({ Policy: { Arn: ARN, AttachmentCount: 2 } });
    expect(await executor([]).execute(step('delete'))).toMatchObject({
      status: 'done',
      message: expect.stringContaining('still attached elsewhere'),
    });
    expect(calls()).not.toContain('DeletePolicy');
  });

  it('reports an access error as a failed step', async () => {
    iam.on(GetRolePolicyCommand).rejects(noSuchEntity());
    iam.on(GetPolicyCommand).rejects(noSuchEntity());
    iam.on(CreatePolicyCommand).rejects(
      Object.assign(new Error('not authorized to perform iam:CreatePolicy'), {
        name: 'AccessDenied',
        $metadata: { httpStatusCode: 403 },
      }),
    );
    const r = await executor([]).execute(step('create'));
    expect(r).toEqual({
      status: 'failed',
      message: 'CreatePolicy failed after 1 attempt(s): AccessDenied: not authorized to perform iam:CreatePolicy',
    });
  });

  it('declares every IAM action it called in these tests', () => {
    for (const c of calls()) seen.add(`iam:${c}`);
    expect(seen.size).toBeGreaterThan(5);
    for (const a of seen) expect(IAM_EXECUTOR_IAM_ACTIONS).toContain(a);
  });
});
