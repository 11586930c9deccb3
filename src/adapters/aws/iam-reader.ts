/**
 * Reads the IAM role policies meshgov manages in one account: roles under the mesh's IAM path (ListRoles with
 * PathPrefix) plus the roles the rendered artefacts name, and of those roles the managed policies under that
 * path or named `meshgov-*` and the inline policies named `meshgov-*`.
 * IAM returns policy documents URL-encoded (RFC 3986); they are decoded here.
 * https://docs.aws.amazon.com/IAM/latest/APIReference/API_GetPolicyVersion.html
 */
import {
  GetPolicyCommand, GetPolicyVersionCommand, GetRoleCommand, GetRolePolicyCommand, ListAttachedRolePoliciesCommand, ListRolePoliciesCommand, ListRolesCommand,
} from '@aws-sdk/client-iam';
import type { LiveRolePolicy } from '../../core/plan/live.js';
import type { PolicyDocument } from '../../core/render/types.js';
import type { ClientPool } from './client-pool.js';
import { isNotFound, toAdapterError } from './errors.js';

export const IAM_READER_IAM_ACTIONS = [
  'iam:GetPolicy',
  'iam:GetPolicyVersion',
  'iam:GetRole',
  'iam:GetRolePolicy',
  'iam:ListAttachedRolePolicies',
  'iam:ListRolePolicies',
  'iam:ListRoles',
] as const;

/** Name prefix of the policies meshgov creates. */
export const MESHGOV_POLICY_PREFIX = 'meshgov';

export interface IamReadOptions {
  /** IAM path of meshgov's roles and policies, e.g. `/meshgov/`. */
  pathPrefix: string;
  /** Role names the desired artefacts attach policies to. */
  roles: ReadonlySet<string>;
}

/** Decode an IAM policy document (URL-encoded JSON). */
export function decodePolicyDocument(text: string): PolicyDocument {
  let decoded = text;
  try {
    decoded = decodeURIComponent(text);
  } catch {
    // Not URL-encoded (some emulators return plain JSON): parse as is.
  }
  return JSON.parse(decoded) as PolicyDocument;
}

async function call<T>(account: string, operation: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (e) {
    throw toAdapterError(e, 'iam', operation, account);
  }
}

async function rolesUnderPath(pool: ClientPool, account: string, pathPrefix: string): Promise<string[]> {
  const iam = pool.iam(account);
  const out: string[] = [];
  let marker: string | undefined;
  do {
    const page = await call(account, 'ListRoles', () => iam.send(new ListRolesCommand({ PathPrefix: pathPrefix, ...(marker ? { Marker: marker } : {}) })));
    for (const r of page.Roles ?? []) if (r.RoleName) out.push(r.RoleName);
    marker = page.IsTruncated ? page.Marker : undefined;
  } while (marker);
  return out;
}

async function roleExists(pool: ClientPool, account: string, role: string): Promise<boolean> {
  try {
    await pool.iam(account).send(new GetRoleCommand({ RoleName: role }));
    return true;
  } catch (e) {
    if (isNotFound(e)) return false;
    throw toAdapterError(e, 'iam', 'GetRole', account);
  }
}

function isMeshgovPolicy(name: string, arn: string | undefined, pathPrefix: string): boolean {
  if (name.startsWith(MESHGOV_POLICY_PREFIX)) return true;
  const path = arn ? /:policy(\/.*\/)[^/]+$/.exec(arn)?.[1] : undefined;
  return pathPrefix !== '/' && path !== undefined && path.startsWith(pathPrefix);
}

async function managedPolicies(pool: ClientPool, account: string, role: string, pathPrefix: string): Promise<LiveRolePolicy[]> {
  const iam = pool.iam(account);
  const out: LiveRolePolicy[] = [];
  let marker: string | undefined;
  do {
    const page = await call(account, 'ListAttachedRolePolicies', () => iam.send(new ListAttachedRolePoliciesCommand({ RoleName: role, ...(marker ? { Marker: marker } : {}) })));
    for (const p of page.AttachedPolicies ?? []) {
      if (!p.PolicyName || !p.PolicyArn || !isMeshgovPolicy(p.PolicyName, p.PolicyArn, pathPrefix)) continue;
      const pol = await call(account, 'GetPolicy', () => iam.send(new GetPolicyCommand({ PolicyArn: p.PolicyArn })));
      const version = pol.Policy?.DefaultVersionId;
      if (!version) continue;
      const v = await call(account, 'GetPolicyVersion', () => iam.send(new GetPolicyVersionCommand({ PolicyArn: p.PolicyArn, VersionId: version })));
      if (!v.PolicyVersion?.Document) continue;
      out.push({ role, policyName: p.PolicyName, kind: 'managed', document: decodePolicyDocument(v.PolicyVersion.Document) });
    }
    marker = page.IsTruncated ? page.Marker : undefined;
  } while (marker);
  return out;
}

async function inlinePolicies(pool: ClientPool, account: string, role: string): Promise<LiveRolePolicy[]> {
  const iam = pool.iam(account);
  const out: LiveRolePolicy[] = [];
  let marker: string | undefined;
  do {
    const page = await call(account, 'ListRolePolicies', () => iam.send(new ListRolePoliciesCommand({ RoleName: role, ...(marker ? { Marker: marker } : {}) })));
    for (const name of page.PolicyNames ?? []) {
      if (!name.startsWith(MESHGOV_POLICY_PREFIX)) continue;
      const p = await call(account, 'GetRolePolicy', () => iam.send(new GetRolePolicyCommand({ RoleName: role, PolicyName: name })));
      if (p.PolicyDocument) out.push({ role, policyName: name, kind: 'inline', document: decodePolicyDocument(p.PolicyDocument) });
    }
    marker = page.IsTruncated ? page.Marker : undefined;
  } while (marker);
  return out;
}

export async function readIamAccount(pool: ClientPool, account: string, o: IamReadOptions): Promise<LiveRolePolicy[]> {
  const underPath = await rolesUnderPath(pool, account, o.pathPrefix);
  const roles = new Set(underPath);
  for (const r of [...o.roles].sort()) {
    if (!roles.has(r) && (await roleExists(pool, account, r))) roles.add(r);
  }
  const out: LiveRolePolicy[] = [];
  for (const role of [...roles].sort()) {
    out.push(...(await managedPolicies(pool, account, role, o.pathPrefix)), ...(await inlinePolicies(pool, account, role)));
  }
  return out;
}
