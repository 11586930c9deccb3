/**
 * The governance role's own policy, per account: the only holder of stream administration, tagging,
 * resource-policy and the unscopable actions (UpdateShardCount, UpdateStreamMode, Enable/DisableEnhancedMonitoring,
 * ListStreams). Everything resource-scoped is limited to its own account; `Resource: "*"` appears only for the
 * actions that support no resource scoping. It reads no data (no GetRecords/PutRecord/SubscribeToShard).
 */
import type { AccountId, Mesh } from '../model/types.js';
import { GOVERNANCE_STREAM_ACTIONS, UNSCOPABLE_GOVERNANCE_ACTIONS, actionUnion } from './actions.js';
import { accountStreamsArn, governanceRoleArn, managedPolicyArn } from './arn.js';
import type { PolicyStatement } from './types.js';

/** Prefix of every managed policy meshgov writes; the governance role may manage only these. */
export const POLICY_PREFIX = 'meshgov-';

const IAM_POLICY_ACTIONS = ['iam:CreatePolicy', 'iam:CreatePolicyVersion', 'iam:DeletePolicy', 'iam:DeletePolicyVersion', 'iam:GetPolicy', 'iam:GetPolicyVersion', 'iam:ListPolicyVersions'];
const IAM_ATTACH_ACTIONS = ['iam:AttachRolePolicy', 'iam:DetachRolePolicy'];
const IAM_READ_ROLE_ACTIONS = ['iam:GetRole', 'iam:ListAttachedRolePolicies'];

/** The home account (the first declared) hosts the role CI assumes; it chains into the other accounts. */
export function homeAccount(mesh: Pick<Mesh, 'accounts'>): AccountId | undefined {
  return mesh.accounts[0]?.id;
}

export function governanceStatements(mesh: Mesh, account: AccountId): PolicyStatement[] {
  const p = mesh.partition;
  const policies = managedPolicyArn(p, account, `${POLICY_PREFIX}*`);
  const roles = `arn:${p}:iam::${account}:role/*`;
  const out: PolicyStatement[] = [
    {
      Sid: 'StreamAdministration',
      Effect: 'Allow',
      Action: actionUnion(GOVERNANCE_STREAM_ACTIONS),
      Resource: [accountStreamsArn(mesh, account), `${accountStreamsArn(mesh, account)}/consumer/*`],
    },
    {
      // These support no resource-level scoping: https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazonkinesis.html
      Sid: 'UnscopableStreamActions',
      Effect: 'Allow',
      Action: actionUnion(UNSCOPABLE_GOVERNANCE_ACTIONS),
      Resource: '*',
    },
    { Sid: 'ManageMeshgovPolicies', Effect: 'Allow', Action: IAM_POLICY_ACTIONS, Resource: policies },
    { Sid: 'AttachMeshgovPolicies', Effect: 'Allow', Action: IAM_ATTACH_ACTIONS, Resource: roles, Condition: { ArnLike: { 'iam:PolicyARN': policies } } },
    { Sid: 'SetMeshgovBoundary', Effect: 'Allow', Action: ['iam:PutRolePermissionsBoundary'], Resource: roles, Condition: { ArnLike: { 'iam:PermissionsBoundary': policies } } },
    { Sid: 'ReadRoles', Effect: 'Allow', Action: IAM_READ_ROLE_ACTIONS, Resource: roles },
  ];
  if (account === homeAccount(mesh)) {
    const others = mesh.accounts.filter((a) => a.id !== account).map((a) => governanceRoleArn(mesh, a.id)).sort();
    if (others.length > 0) out.push({ Sid: 'AssumeGovernanceRoles', Effect: 'Allow', Action: ['sts:AssumeRole'], Resource: others.length === 1 ? (others[0] as string) : others });
  }
  return out;
}
