/**
 * IAM role policies meshgov manages, desired vs live, and the tag-tampering guard as a permissions boundary (the
 * boundary managed policy, and its attachment to every role meshgov renders identity or fanout policies for).
 * The guard SCP and trust policies are not read back and are listed as not checked (event source mappings are
 * compared in diff-mapping.ts).
 */
import type { AccountId } from '../model/types.js';
import type { IamArtefact, PolicyDocument } from '../render/types.js';
import type { DraftChange } from './diff-stream.js';
import type { LiveRolePolicy } from './live.js';
import { foreignStatements, grantsLost, policiesEqual } from './policy-diff.js';

const BOUNDARY_ROLE_KINDS = new Set<IamArtefact['kind']>(['identity-policy', 'fanout-policy']);
const ROLE_POLICY_KINDS = new Set<IamArtefact['kind']>(['identity-policy', 'governance-policy', 'fanout-policy']);

export function iamAddress(account: AccountId, role: string, policy: string): string {
  return `${account}/iam/role/${role}/policy/${policy}`;
}

function isPolicyDocument(d: IamArtefact['document']): d is PolicyDocument {
  return typeof d === 'object' && d !== null && 'Statement' in d && Array.isArray((d as PolicyDocument).Statement);
}

export function boundaryPolicyAddress(account: AccountId, policy: string): string {
  return `${account}/iam/policy/${policy}`;
}

export function boundaryAttachmentAddress(account: AccountId, role: string): string {
  return `${account}/iam/role/${role}/boundary`;
}

export function diffIam(
  account: AccountId,
  desired: readonly IamArtefact[],
  live: readonly LiveRolePolicy[] | undefined,
  partition = 'aws',
): { changes: DraftChange[]; notChecked: string[] } {
  const changes: DraftChange[] = [];
  const notChecked: string[] = [];
  const rolePolicies = desired.filter(
    (a) => ROLE_POLICY_KINDS.has(a.kind) && a.roleName !== undefined && isPolicyDocument(a.document),
  );
  const boundary = desired.find((a) => a.kind === 'permissions-boundary' && isPolicyDocument(a.document));
  const others = desired.filter(
    (a) => !rolePolicies.includes(a) && a !== boundary && a.kind !== 'event-source-mapping',
  );
  if (others.length) {
    const kinds = [...new Set(others.map((a) => a.kind))].sort();
    notChecked.push(
      `account ${account}: ${others.length} artefact(s) of kind ${kinds.join(', ')} are not read back by the plan`,
    );
  }
  if (live === undefined) {
    if (rolePolicies.length)
      notChecked.push(
        `account ${account}: IAM was not read; ${rolePolicies.length} role polic${rolePolicies.length === 1 ? 'y was' : 'ies were'} not checked against a live service`,
      );
    if (boundary)
      notChecked.push(
        `account ${account}: IAM was not read; the permissions boundary ${boundary.name} was not checked against a live service`,
      );
    return { changes, notChecked };
  }
  const livePolicies = live.filter((p): p is LiveRolePolicy & { kind: 'managed' | 'inline' } => p.kind !== 'boundary');
  const liveByKey = new Map(livePolicies.map((p) => [`${p.role}/${p.policyName}`, p]));
  const seen = new Set<string>();
  for (const a of rolePolicies) {
    const role = a.roleName as string;
    const key = `${role}/${a.name}`;
    seen.add(key);
    const doc = a.document as PolicyDocument;
    const lp = liveByKey.get(key);
    const base = {
      address: iamAddress(account, role, a.name),
      account,
      resourceType: 'iam-policy' as const,
      target: { account, role, policyName: a.name },
    };
    if (!lp) {
      changes.push({
        ...base,
        action: 'create',
        risk: 'safe',
        before: null,
        after: { role, policyName: a.name, kind: a.kind, grantIds: a.grantIds, document: doc },
        reasons: [
          `policy ${a.name} for role ${role} is rendered from grants ${a.grantIds.join(', ') || '(none)'} but not attached`,
        ],
      });
    } else if (!policiesEqual(lp.document, doc, partition)) {
      // Risk from effect: only a change that takes a grant away is destructive; adding a grant rewrites a statement too.
      const lost = grantsLost(lp.document, doc, partition);
      const foreign = foreignStatements(lp.document, doc, partition);
      changes.push({
        ...base,
        action: 'update',
        risk: lost.length ? 'destructive' : 'safe',
        before: { document: lp.document },
        after: { document: doc },
        reasons: [
          'the live policy differs from the rendered one',
          ...(foreign.length ? [`statements not in the rendered policy: ${foreign.join(', ')}`] : []),
          lost.length ? `revokes: ${lost.join('; ')}` : 'it keeps every grant of the live policy and only adds (safe)',
        ],
      });
    }
  }
  for (const lp of livePolicies) {
    const key = `${lp.role}/${lp.policyName}`;
    if (seen.has(key)) continue;
    changes.push({
      address: iamAddress(account, lp.role, lp.policyName),
      account,
      target: { account, role: lp.role, policyName: lp.policyName },
      resourceType: 'iam-policy',
      action: 'delete',
      risk: 'destructive',
      before: { role: lp.role, policyName: lp.policyName, kind: lp.kind, document: lp.document },
      after: null,
      reasons: ['a policy meshgov manages that no grant needs any more', 'removing it revokes the access it grants'],
    });
  }
  if (boundary) changes.push(...diffBoundary(account, boundary, desired, live, changes, partition));
  return { changes, notChecked };
}

/**
 * The guard boundary: create or update the boundary policy, then attach it to each role that gets identity or
 * fanout policies. A role whose boundary is another policy keeps it: the plan lists the replacement as a
 * disruptive `update` (a boundary caps everything the role may do, so replacing it can widen the role's rights),
 * and apply runs it only with `--allow-destructive`.
 */
function diffBoundary(
  account: AccountId,
  boundary: IamArtefact,
  desired: readonly IamArtefact[],
  live: readonly LiveRolePolicy[],
  policyChanges: readonly DraftChange[],
  partition: string,
): DraftChange[] {
  const out: DraftChange[] = [];
  const name = boundary.name;
  const doc = boundary.document as PolicyDocument;
  const liveBoundaries = live.filter((p) => p.kind === 'boundary');
  const ours = liveBoundaries.find((p) => p.policyName === name);
  const policyAddress = boundaryPolicyAddress(account, name);
  const policyBase = {
    address: policyAddress,
    account,
    resourceType: 'iam-boundary' as const,
    target: { account, policyName: name },
  };
  let policyChangeId: string | undefined;
  if (!ours) {
    out.push({
      ...policyBase,
      action: 'create',
      risk: 'safe',
      before: null,
      after: { policyName: name, document: doc },
      reasons: [
        `the tag-tampering guard boundary ${name} is not attached to any role yet`,
        'it only denies tag changes on managed resources and meshgov:* keys in any case; it grants nothing',
      ],
    });
    policyChangeId = `iam-boundary:${policyAddress}`;
  } else if (!policiesEqual(ours.document, doc, partition)) {
    out.push({
      ...policyBase,
      action: 'update',
      risk: 'safe',
      before: { document: ours.document },
      after: { policyName: name, document: doc },
      reasons: [
        'the live guard boundary differs from the rendered one',
        'it only denies tag changes on managed resources and meshgov:* keys in any case; it grants nothing',
      ],
    });
    policyChangeId = `iam-boundary:${policyAddress}`;
  }
  const roles = [
    ...new Set(
      desired
        .filter((a) => BOUNDARY_ROLE_KINDS.has(a.kind) && a.roleName !== undefined)
        .map((a) => a.roleName as string),
    ),
  ].sort();
  for (const role of roles) {
    const current = liveBoundaries.find((p) => p.role === role);
    if (current?.policyName === name) continue;
    const address = boundaryAttachmentAddress(account, role);
    const roleDeps = policyChanges
      .filter(
        (c) =>
          c.resourceType === 'iam-policy' &&
          c.action !== 'delete' &&
          c.address.startsWith(`${account}/iam/role/${role}/policy/`),
      )
      .map((c) => `iam-policy:${c.address}`);
    const dependsOn = [...(policyChangeId ? [policyChangeId] : []), ...roleDeps];
    const after = { role, policyName: name };
    if (!current) {
      out.push({
        address,
        account,
        target: { account, role, policyName: name },
        resourceType: 'iam-boundary',
        action: 'create',
        risk: 'safe',
        before: null,
        after,
        dependsOn,
        reasons: [`role ${role} gets meshgov policies but not the tag-tampering guard boundary ${name}`],
      });
    } else {
      const foreign = current.policyArn ?? current.policyName;
      out.push({
        address,
        account,
        target: { account, role, policyName: name },
        resourceType: 'iam-boundary',
        action: 'update',
        risk: 'disruptive',
        before: { role, foreignBoundary: foreign },
        after,
        dependsOn,
        reasons: [
          `role ${role} already has the permissions boundary ${foreign}, which meshgov did not set`,
          "replacing it drops the limits that boundary sets (a role has one boundary); skipped unless apply --allow-destructive, or add the guard's deny statements to that boundary",
        ],
      });
    }
  }
  return out;
}
