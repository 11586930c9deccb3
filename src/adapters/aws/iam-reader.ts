/**
 * Reads the IAM role policies meshgov manages in one account: roles under the mesh's IAM path (ListRoles with
 * PathPrefix) plus the roles the rendered artefacts name, and of those roles the managed policies under that
 * path or named `meshgov-*` and the inline policies named `meshgov-*`; and each role's permissions boundary (GetRole
 * `PermissionsBoundary`; ListRoles does not return it) as a `boundary` entry, with the boundary policy's default
 * version when the boundary is meshgov's (a foreign boundary is reported by ARN only, never read).
 * IAM returns policy documents URL-encoded (RFC 3986); they are decoded here.
 * https://docs.aws.amazon.com/IAM/latest/APIReference/API_GetPolicyVersion.html
 */
import {
  GetPolicyCommand,
  GetPolicyVersionCommand,
  GetRoleCommand,
  GetRolePolicyCommand,
  ListAttachedRolePoliciesCommand,
  ListRolePoliciesCommand,
  ListRolesCommand,
} from '@aws-sdk/client-iam';
import type { LiveRolePolicy } from '../../core/plan/live.js';
import type { PolicyDocument } from '../../core/render/types.js';
import type { ClientPool } from './client-pool.js';
import { isNotFound, toAdapterError } from './errors.js';
import { parseLivePolicy } from './live-policy-json.js';

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
  return parseLivePolicy(decoded) as PolicyDocument;
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
    const page = await call(account, 'ListRoles', () =>
      iam.send(new ListRolesCommand({ PathPrefix: pathPrefix, ...(marker ? { Marker: marker } : {}) })),
    );
    for (const r of page.Roles ?? []) if (r.RoleName) out.push(r.RoleName);
    marker = page.IsTruncated ? page.Marker : undefined;
  } while (marker);
  return out;
}

/** The role's permissions boundary ARN (null: none), or undefined when the role does not exist. */
async function roleBoundary(pool: ClientPool, account: string, role: string): Promise<string | null | undefined> {
  try {
    const r = await pool.iam(account).send(new GetRoleCommand({ RoleName: role }));
    return r?.Role?.PermissionsBoundary?.PermissionsBoundaryArn ?? null;
  } catch (e) {
    if (isNotFound(e)) return undefined;
    throw toAdapterError(e, 'iam', 'GetRole', account);
  }
}

async function defaultVersion(pool: ClientPool, account: string, arn: string): Promise<PolicyDocument | undefined> {
  const iam = pool.iam(account);
  const pol = await call(account, 'GetPolicy', () => iam.send(new GetPolicyCommand({ PolicyArn: arn })));
  const version = pol.Policy?.DefaultVersionId;
  if (!version) return undefined;
  // Decoded inside the call: a document that is not JSON, or nests too deep, fails as that call's answer.
  return call(account, 'GetPolicyVersion', async () => {
    const v = await iam.send(new GetPolicyVersionCommand({ PolicyArn: arn, VersionId: version }));
    return v.PolicyVersion?.Document ? decodePolicyDocument(v.PolicyVersion.Document) : undefined;
  });
}

const EMPTY_DOCUMENT: PolicyDocument = { Version: '2012-10-17', Statement: [] };

function isMeshgovPolicy(name: string, arn: string | undefined, pathPrefix: string): boolean {
  if (name.startsWith(MESHGOV_POLICY_PREFIX)) return true;
  const path = arn ? /:policy(\/.*\/)[^/]+$/.exec(arn)?.[1] : undefined;
  return pathPrefix !== '/' && path !== undefined && path.startsWith(pathPrefix);
}

async function managedPolicies(
  pool: ClientPool,
  account: string,
  role: string,
  pathPrefix: string,
): Promise<LiveRolePolicy[]> {
  const iam = pool.iam(account);
  const out: LiveRolePolicy[] = [];
  let marker: string | undefined;
  do {
    const page = await call(account, 'ListAttachedRolePolicies', () =>
      iam.send(new ListAttachedRolePoliciesCommand({ RoleName: role, ...(marker ? { Marker: marker } : {}) })),
    );
    for (const p of page.AttachedPolicies ?? []) {
      if (!p.PolicyName || !p.PolicyArn || !isMeshgovPolicy(p.PolicyName, p.PolicyArn, pathPrefix)) continue;
      const document = await defaultVersion(pool, account, p.PolicyArn);
      if (document) out.push({ role, policyName: p.PolicyName, kind: 'managed', document });
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
    const page = await call(account, 'ListRolePolicies', () =>
      iam.send(new ListRolePoliciesCommand({ RoleName: role, ...(marker ? { Marker: marker } : {}) })),
    );
    for (const name of page.PolicyNames ?? []) {
      if (!name.startsWith(MESHGOV_POLICY_PREFIX)) continue;
      const document = await call(account, 'GetRolePolicy', async () => {
        const p = await iam.send(new GetRolePolicyCommand({ RoleName: role, PolicyName: name }));
        return p.PolicyDocument ? decodePolicyDocument(p.PolicyDocument) : undefined;
      });
      if (document) out.push({ role, policyName: name, kind: 'inline', document });
    }
    marker = page.IsTruncated ? page.Marker : undefined;
  } while (marker);
  return out;
}

export async function readIamAccount(pool: ClientPool, account: string, o: IamReadOptions): Promise<LiveRolePolicy[]> {
  const underPath = await rolesUnderPath(pool, account, o.pathPrefix);
  const boundaries = new Map<string, string | null>();
  for (const r of [...new Set([...underPath, ...o.roles])].sort()) {
    const b = await roleBoundary(pool, account, r);
    if (b !== undefined) boundaries.set(r, b);
  }
  const documents = new Map<string, PolicyDocument | undefined>();
  const out: LiveRolePolicy[] = [];
  for (const role of [...boundaries.keys()].sort()) {
    out.push(
      ...(await managedPolicies(pool, account, role, o.pathPrefix)),
      ...(await inlinePolicies(pool, account, role)),
    );
    const arn = boundaries.get(role);
    if (!arn) continue;
    const policyName = arn.slice(arn.lastIndexOf('/') + 1);
    let document = EMPTY_DOCUMENT;
    if (isMeshgovPolicy(policyName, arn, o.pathPrefix)) {
      if (!documents.has(arn)) documents.set(arn, await defaultVersion(pool, account, arn));
      document = documents.get(arn) ?? EMPTY_DOCUMENT;
    }
    out.push({ role, policyName, kind: 'boundary', document, policyArn: arn });
  }
  return out;
}
