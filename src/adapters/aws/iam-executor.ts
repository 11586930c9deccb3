/**
 * Executes `iam-policy` and `iam-boundary` changes on AWS, and writes the IAM artefacts on the local target (no IAM emulator).
 * Role policies are managed policies under the mesh's IAM path (CreatePolicy + AttachRolePolicy; an update is a
 * new default version, pruning the oldest of the five versions IAM keeps) unless the live policy is inline
 * (PutRolePolicy / DeleteRolePolicy). https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies_managed-versioning.html
 * The guard boundary is a managed policy under the same path (created or versioned like a role policy) set on each
 * role with PutRolePermissionsBoundary; the role's current boundary is re-read first (GetRole), and a boundary that
 * is not the one the plan saw is never replaced.
 * https://docs.aws.amazon.com/IAM/latest/APIReference/API_PutRolePermissionsBoundary.html
 */
import {
  AttachRolePolicyCommand,
  CreatePolicyCommand,
  CreatePolicyVersionCommand,
  DeletePolicyCommand,
  DeletePolicyVersionCommand,
  DeleteRolePolicyCommand,
  DetachRolePolicyCommand,
  GetPolicyCommand,
  GetRoleCommand,
  GetRolePolicyCommand,
  ListPolicyVersionsCommand,
  PutRolePermissionsBoundaryCommand,
  PutRolePolicyCommand,
} from '@aws-sdk/client-iam';
import type { IAMClient } from '@aws-sdk/client-iam';
import type { ApplyStep, AuditEntry, ChangeExecutor } from '../../core/apply/types.js';
import type { IamBoundaryChange } from '../../core/plan/types.js';
import type { DesiredState } from '../../core/render/types.js';
import { writeLocalIam } from '../local/iam-artefacts.js';
import { errorCode, isNotFound } from './errors.js';
import { auditLine, describeError, MeshgovRetryStrategy, withRetry, WRITE_RETRY } from './retry.js';
import type { AttemptEvent, RetryPolicy } from './retry.js';

export const IAM_EXECUTOR_IAM_ACTIONS = [
  'iam:AttachRolePolicy',
  'iam:CreatePolicy',
  'iam:CreatePolicyVersion',
  'iam:DeletePolicy',
  'iam:DeletePolicyVersion',
  'iam:DeleteRolePolicy',
  'iam:DetachRolePolicy',
  'iam:GetPolicy',
  'iam:GetRole',
  'iam:GetRolePolicy',
  'iam:ListPolicyVersions',
  'iam:PutRolePermissionsBoundary',
  'iam:PutRolePolicy',
] as const;

export interface IamExecutorOptions {
  /** IAM client of an account for mutating calls (one attempt per call: retried and logged here). */
  client: (account: string) => IAMClient;
  /** IAM client of an account for reads, whose SDK retries (`client` by default). */
  readClient?: (account: string) => IAMClient;
  partition: string;
  /** IAM path of meshgov's policies, e.g. `/meshgov/`. */
  path: string;
  log: (entry: AuditEntry) => void;
  now: () => Date;
  /** Attempts per mutating call and their backoff (WRITE_RETRY by default). */
  retry?: RetryPolicy;
}

/** `<account>/iam/role/<role>/policy/<name>` -> role and policy name. */

/** IAM's name for EntityAlreadyExists (the SDK's exception class, and the wire code older endpoints send). */
const ALREADY_EXISTS = new Set(['EntityAlreadyExistsException', 'EntityAlreadyExists']);

class Failed extends Error {
  constructor(
    message: string,
    readonly code?: string,
  ) {
    super(message);
  }
}

export class IamExecutor implements ChangeExecutor {
  private readonly retry: MeshgovRetryStrategy;
  constructor(private readonly o: IamExecutorOptions) {
    this.retry = new MeshgovRetryStrategy(o.retry ?? WRITE_RETRY);
  }

  async execute(step: ApplyStep): Promise<{ status: 'done' | 'failed'; message?: string }> {
    try {
      return { status: 'done', ...(await this.run(step)) };
    } catch (e) {
      return { status: 'failed', message: e instanceof Failed ? e.message : describeError(e) };
    }
  }

  private policyArn(account: string, name: string): string {
    const path = this.o.path.endsWith('/') ? this.o.path : `${this.o.path}/`;
    return `arn:${this.o.partition}:iam::${account}:policy${path}${name}`;
  }

  /** A mutating call with retries; `absentOk` turns NoSuchEntity into undefined. */
  private async call<T>(
    step: ApplyStep,
    api: string,
    resource: string,
    send: () => Promise<T>,
    absentOk = false,
  ): Promise<T | undefined> {
    const call = { account: step.change.account, api: `iam:${api}`, resource, change: step.id };
    const log = (attempt: number, ev: AttemptEvent) => {
      this.o.log(auditLine({ ...call, time: this.o.now().toISOString() }, attempt, ev));
    };
    const r = await withRetry(send, log, this.retry);
    if (r.ok) return r.value;
    if (absentOk && r.kind === 'not-found') return undefined;
    throw new Failed(`${api} failed after ${r.attempt} attempt(s): ${describeError(r.error)}`, errorCode(r.error));
  }

  /** A read (not logged; its client's SDK retries); undefined when the entity does not exist. */
  private async read<T>(account: string, send: (reader: IAMClient) => Promise<T>): Promise<T | undefined> {
    try {
      return await send((this.o.readClient ?? this.o.client)(account));
    } catch (e) {
      if (isNotFound(e)) return undefined;
      throw new Failed(describeError(e));
    }
  }

  /** Create the managed policy under the mesh path, or make `doc` its new default version. */
  private async upsertManaged(
    step: ApplyStep,
    iam: IAMClient,
    arn: string,
    policy: string,
    doc: string,
  ): Promise<void> {
    const account = step.change.account;
    const existing = await this.read(account, (reader) => reader.send(new GetPolicyCommand({ PolicyArn: arn })));
    if (!existing?.Policy) {
      try {
        await this.call(step, 'CreatePolicy', arn, () =>
          iam.send(
            new CreatePolicyCommand({
              PolicyName: policy,
              Path: this.o.path,
              PolicyDocument: doc,
              Tags: [{ Key: 'meshgov:managed-by', Value: 'meshgov' }],
            }),
          ),
        );
      } catch (e) {
        // EntityAlreadyExists after a lost answer: the policy is there; make the rendered document its default version.
        if (!(e instanceof Failed) || !ALREADY_EXISTS.has(e.code ?? '')) throw e;
        await this.call(step, 'CreatePolicyVersion', arn, () =>
          iam.send(new CreatePolicyVersionCommand({ PolicyArn: arn, PolicyDocument: doc, SetAsDefault: true })),
        );
      }
      return;
    }
    const versions = await this.read(account, (reader) =>
      reader.send(new ListPolicyVersionsCommand({ PolicyArn: arn })),
    );
    const list = versions?.Versions ?? [];
    if (list.length >= 5) {
      const oldest = list
        .filter((v) => !v.IsDefaultVersion)
        .sort((a, b) => (a.CreateDate?.getTime() ?? 0) - (b.CreateDate?.getTime() ?? 0))[0];
      if (oldest?.VersionId)
        await this.call(
          step,
          'DeletePolicyVersion',
          arn,
          () => iam.send(new DeletePolicyVersionCommand({ PolicyArn: arn, VersionId: oldest.VersionId })),
          true,
        );
    }
    await this.call(step, 'CreatePolicyVersion', arn, () =>
      iam.send(new CreatePolicyVersionCommand({ PolicyArn: arn, PolicyDocument: doc, SetAsDefault: true })),
    );
  }

  /** The guard boundary: its policy, or its attachment to one role (never over a boundary the plan did not see). */
  private async runBoundary(step: ApplyStep, c: IamBoundaryChange): Promise<{ message?: string }> {
    const { account } = c.target;
    const iam = this.o.client(account);
    if (!('role' in c.target)) {
      // The boundary policy itself (the union says it carries the rendered document).
      const policy = c.target.policyName;
      if (!('document' in c.after)) throw new Failed(`${c.id}: the boundary policy change carries no document`);
      await this.upsertManaged(step, iam, this.policyArn(account, policy), policy, JSON.stringify(c.after.document));
      return {};
    }
    const arn = this.policyArn(account, c.target.policyName);
    const role = c.target.role;
    const got = await this.read(account, (reader) => reader.send(new GetRoleCommand({ RoleName: role })));
    if (!got?.Role) throw new Failed(`role ${role} does not exist in ${account}`);
    const current = got.Role.PermissionsBoundary?.PermissionsBoundaryArn;
    if (current === arn) return { message: 'the guard boundary was already set' };
    const approved = c.before !== null && 'foreignBoundary' in c.before ? c.before.foreignBoundary : undefined;
    if (current !== undefined && current !== approved) {
      throw new Failed(
        `role ${role} now has the permissions boundary ${current}, which the plan did not show; it was not replaced (plan again)`,
      );
    }
    await this.call(step, 'PutRolePermissionsBoundary', `arn:${this.o.partition}:iam::${account}:role/${role}`, () =>
      iam.send(new PutRolePermissionsBoundaryCommand({ RoleName: role, PermissionsBoundary: arn })),
    );
    return {};
  }

  private async run(step: ApplyStep): Promise<{ message?: string }> {
    const c = step.change;
    if (c.resourceType === 'iam-boundary') return this.runBoundary(step, c);
    if (c.resourceType !== 'iam-policy') throw new Failed(`${c.id} is not an IAM role policy change`);
    // The structured target, never the display address, says which role and policy.
    const { account, role, policyName: policy } = c.target;
    const iam = this.o.client(account);
    const roleRes = `arn:${this.o.partition}:iam::${account}:role/${role}`;
    const inline = await this.read(account, (reader) =>
      reader.send(new GetRolePolicyCommand({ RoleName: role, PolicyName: policy })),
    );
    const arn = this.policyArn(account, policy);
    if (c.action === 'delete') {
      if (inline) {
        await this.call(
          step,
          'DeleteRolePolicy',
          roleRes,
          () => iam.send(new DeleteRolePolicyCommand({ RoleName: role, PolicyName: policy })),
          true,
        );
        return {};
      }
      await this.call(
        step,
        'DetachRolePolicy',
        arn,
        () => iam.send(new DetachRolePolicyCommand({ RoleName: role, PolicyArn: arn })),
        true,
      );
      const p = await this.read(account, (reader) => reader.send(new GetPolicyCommand({ PolicyArn: arn })));
      if (p?.Policy && (p.Policy.AttachmentCount ?? 0) === 0) {
        const versions = await this.read(account, (reader) =>
          reader.send(new ListPolicyVersionsCommand({ PolicyArn: arn })),
        );
        for (const v of versions?.Versions ?? []) {
          if (!v.IsDefaultVersion && v.VersionId)
            await this.call(
              step,
              'DeletePolicyVersion',
              arn,
              () => iam.send(new DeletePolicyVersionCommand({ PolicyArn: arn, VersionId: v.VersionId })),
              true,
            );
        }
        await this.call(step, 'DeletePolicy', arn, () => iam.send(new DeletePolicyCommand({ PolicyArn: arn })), true);
        return {};
      }
      return { message: 'detached; the policy is still attached elsewhere and was kept' };
    }
    const doc = JSON.stringify(c.after.document);
    if (inline) {
      await this.call(step, 'PutRolePolicy', roleRes, () =>
        iam.send(new PutRolePolicyCommand({ RoleName: role, PolicyName: policy, PolicyDocument: doc })),
      );
      return {};
    }
    await this.upsertManaged(step, iam, arn, policy, doc);
    await this.call(step, 'AttachRolePolicy', roleRes, () =>
      iam.send(new AttachRolePolicyCommand({ RoleName: role, PolicyArn: arn })),
    );
    return {};
  }
}

/**
 * The local target's IAM "apply": the rendered artefacts (role policies, trust policies, boundary, guard SCP,
 * event source mappings) are written under `<localDir>/iam/`, one audit entry for the write.
 */
export async function writeLocalIamArtefacts(
  localDir: string,
  desired: DesiredState,
  log: (e: AuditEntry) => void,
  now: () => Date,
): Promise<number> {
  const account = desired.accounts[0]?.account ?? '-';
  try {
    const n = await writeLocalIam(localDir, desired);
    log({
      time: now().toISOString(),
      account,
      api: 'local:WriteIamArtefacts',
      resource: `${localDir}/iam`,
      result: 'ok',
      attempt: 1,
      note: `${n} artefact file(s)`,
    });
    return n;
  } catch (e) {
    log({
      time: now().toISOString(),
      account,
      api: 'local:WriteIamArtefacts',
      resource: `${localDir}/iam`,
      result: 'error',
      attempt: 1,
      error: describeError(e),
    });
    throw e;
  }
}
