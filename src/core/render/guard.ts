/**
 * The tag-tampering guard. With ABAC the right to tag is the right to access, so nobody but the governance role
 * may add, change or remove a `meshgov:*` tag, nor set one at creation (CreateStream, RegisterStreamConsumer).
 * `aws:TagKeys` holds the keys of the request (for tag-on-create as well as Add/Remove/Tag/Untag); condition keys
 * cannot wildcard a key name (`aws:RequestTag/meshgov:*` is not a key), so `aws:TagKeys` is the one to match.
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html#condition-keys-tagkeys
 *
 * Rendered twice: as an Organizations SCP (when the mesh declares an organisation) and as a permissions boundary
 * for the producer and consumer roles in accounts without that SCP. A boundary only caps permissions, so it also
 * carries an allow-all statement; it grants nothing by itself.
 */
import { TAG_PREFIX } from '../model/governance-tags.js';
import type { Mesh } from '../model/types.js';
import { TAGGING_ACTIONS, TAG_ON_CREATE_ACTIONS, actionUnion } from './actions.js';
import { governanceRoleArnPattern } from './arn.js';
import type { PolicyDocument, PolicyStatement } from './types.js';

export const GUARD_SCP_NAME = 'meshgov-tag-guard';
export const GUARD_BOUNDARY_NAME = 'meshgov-tag-guard-boundary';

export function guardStatements(mesh: Pick<Mesh, 'partition' | 'governanceRole'>): PolicyStatement[] {
  const condition = {
    'ForAnyValue:StringLike': { 'aws:TagKeys': `${TAG_PREFIX}*` },
    ArnNotLike: { 'aws:PrincipalArn': governanceRoleArnPattern(mesh) },
  };
  return [
    { Sid: 'DenyGovernanceTagChanges', Effect: 'Deny', Action: actionUnion(TAGGING_ACTIONS), Resource: '*', Condition: condition },
    { Sid: 'DenyGovernanceTagsOnCreate', Effect: 'Deny', Action: actionUnion(TAG_ON_CREATE_ACTIONS), Resource: '*', Condition: condition },
  ];
}

export function guardScp(mesh: Pick<Mesh, 'partition' | 'governanceRole'>): PolicyDocument {
  return { Version: '2012-10-17', Statement: guardStatements(mesh) };
}

export function guardBoundary(mesh: Pick<Mesh, 'partition' | 'governanceRole'>): PolicyDocument {
  return {
    Version: '2012-10-17',
    Statement: [{ Sid: 'BoundaryAllowsIdentityPolicies', Effect: 'Allow', Action: '*', Resource: '*' }, ...guardStatements(mesh)],
  };
}
