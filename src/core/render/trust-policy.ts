/**
 * Trust policies of the roles meshgov manages. meshgov manages only the governance role; producer and consumer
 * roles belong to the domain teams (meshgov attaches managed policies to them, it does not own their trust).
 *
 * Hub and spoke, kept minimal: CI (e.g. GitHub OIDC) assumes the governance role in the home account (the first
 * declared account), whose trust is bootstrapped outside meshgov because it names the CI identity provider. The
 * governance role in every other account trusts exactly that home governance role (role chaining), with
 * `sts:ExternalId` when the mesh sets one. No account root, no wildcard.
 */
import type { AccountId, Mesh } from '../model/types.js';
import { governanceRoleArn } from './arn.js';
import { homeAccount, readOnlyRoleArn } from './governance-policy.js';
import type { PolicyDocument, PolicyStatement } from './types.js';

/** The trust policy of the governance role in `account`, or undefined for the home account. */
export function governanceTrustPolicy(mesh: Mesh, account: AccountId): PolicyDocument | undefined {
  const home = homeAccount(mesh);
  if (home === undefined || account === home) return undefined;
  const s: PolicyStatement = {
    Sid: 'TrustHomeGovernanceRole',
    Effect: 'Allow',
    Principal: { AWS: governanceRoleArn(mesh, home) },
    Action: 'sts:AssumeRole',
  };
  if (mesh.governanceRole.externalId !== undefined)
    s.Condition = { StringEquals: { 'sts:ExternalId': mesh.governanceRole.externalId } };
  return { Version: '2012-10-17', Statement: [s] };
}

/**
 * The trust policy of the read-only role (`governanceRole.readOnlyName`) in `account`: it trusts exactly the home
 * account's read-only role (same external id), so plan/audit/import never hold credentials that write. Undefined
 * for the home account (bootstrapped with the CI identity) and when the mesh names no read-only role.
 */
export function readOnlyTrustPolicy(mesh: Mesh, account: AccountId): PolicyDocument | undefined {
  const home = homeAccount(mesh);
  const trusted = home === undefined ? undefined : readOnlyRoleArn(mesh, home);
  if (home === undefined || account === home || trusted === undefined) return undefined;
  const s: PolicyStatement = {
    Sid: 'TrustHomeReadOnlyRole',
    Effect: 'Allow',
    Principal: { AWS: trusted },
    Action: 'sts:AssumeRole',
  };
  if (mesh.governanceRole.externalId !== undefined)
    s.Condition = { StringEquals: { 'sts:ExternalId': mesh.governanceRole.externalId } };
  return { Version: '2012-10-17', Statement: [s] };
}
