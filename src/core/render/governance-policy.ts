/**
 * The governance role's own policy, per account: the only holder of stream administration, tagging,
 * resource-policy and the unscopable actions (UpdateShardCount, UpdateStreamMode, Enable/DisableEnhancedMonitoring,
 * ListStreams). Everything resource-scoped is limited to its own account; `Resource: "*"` appears only for the
 * actions that support no resource scoping. It reads no data (no GetRecords/PutRecord/SubscribeToShard).
 *
 * It covers every action meshgov's readers and executors call (the `*_IAM_ACTIONS` lists in src/adapters/aws;
 * test/render/governance-permissions.test.ts proves it with iam-simulate): Kinesis administration, the IAM role
 * policies meshgov manages (managed policies under the mesh's IAM path, inline ones when a role already has one),
 * KMS key metadata for customer-managed keys, CloudWatch metric reads, the tagging API, and, in the home account
 * only, Organizations reads and the chain into the other accounts' governance roles.
 */
import type { AccountId, Mesh } from '../model/types.js';
import { GOVERNANCE_STREAM_ACTIONS, UNSCOPABLE_GOVERNANCE_ACTIONS, actionUnion } from './actions.js';
import { accountStreamsArn, governanceRoleArn, managedPolicyArn, roleArn } from './arn.js';
import { KMS_GOVERNANCE_KEY_ACTIONS, KMS_GOVERNANCE_UNSCOPABLE_ACTIONS, customerKey, keyStatements } from './kms.js';
import type { KeyScope } from './kms.js';
import type { DesiredEventSourceMapping, PolicyStatement } from './types.js';

/** Prefix of every managed policy meshgov writes; the governance role may manage only these. */
export const POLICY_PREFIX = 'meshgov-';

/** Managed policy writes (iam-executor), on meshgov's policies under the mesh's IAM path only. */
const IAM_POLICY_ACTIONS = [
  'iam:CreatePolicy',
  'iam:CreatePolicyVersion',
  'iam:DeletePolicy',
  'iam:DeletePolicyVersion',
  'iam:ListPolicyVersions',
];
/** Managed policy reads (iam-reader, iam-executor): meshgov's policies wherever they are. */
const IAM_POLICY_READ_ACTIONS = ['iam:GetPolicy', 'iam:GetPolicyVersion'];
const IAM_ATTACH_ACTIONS = ['iam:AttachRolePolicy', 'iam:DetachRolePolicy'];
const IAM_READ_ROLE_ACTIONS = [
  'iam:GetRole',
  'iam:GetRolePolicy',
  'iam:ListAttachedRolePolicies',
  'iam:ListRolePolicies',
];
/** Inline role policies: the executor rewrites or deletes an inline `meshgov*` policy a role already has. */
const IAM_INLINE_ACTIONS = ['iam:DeleteRolePolicy', 'iam:PutRolePolicy'];

/**
 * Reads that support no resource-level scoping, so `Resource: "*"` (Service Authorization Reference):
 * - iam:ListRoles, iam:GetAccountAuthorizationDetails (audit's identity-policy read, src/adapters/aws/iam-authorization.ts):
 *   https://docs.aws.amazon.com/service-authorization/latest/reference/list_awsidentityandaccessmanagementiam.html
 * - tag:GetResources: https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazonresourcegrouptaggingapi.html
 * - cloudwatch:GetMetricData, cloudwatch:ListMetrics (metrics have no ARN; the optional `dataset` type is not what
 *   they read): https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazoncloudwatch.html
 * - kms:ListAliases: https://docs.aws.amazon.com/service-authorization/latest/reference/list_awskeymanagementservice.html
 */
export const UNSCOPABLE_GOVERNANCE_READS = [
  'cloudwatch:GetMetricData',
  'cloudwatch:ListMetrics',
  'iam:GetAccountAuthorizationDetails',
  'iam:ListRoles',
  ...KMS_GOVERNANCE_UNSCOPABLE_ACTIONS,
  'tag:GetResources',
] as const;

/**
 * Organizations reads, home account only (the live reader reads the organisation from there). Neither supports
 * resource scoping: https://docs.aws.amazon.com/service-authorization/latest/reference/list_awsorganizations.html
 */
export const ORGANIZATION_READS = ['organizations:DescribeOrganization', 'organizations:ListAccounts'] as const;

/**
 * IAM Access Analyzer's policy checks, which plan and apply call from the home account only (docs/analyzer.md;
 * src/adapters/aws/access-analyzer.ts). None supports resource scoping:
 * https://docs.aws.amazon.com/service-authorization/latest/reference/list_awsidentityandaccessmanagementaccessanalyzer.html
 */
export const POLICY_CHECKS = [
  'access-analyzer:CheckNoNewAccess',
  'access-analyzer:CheckNoPublicAccess',
  'access-analyzer:ValidatePolicy',
] as const;

/**
 * Lambda event source mappings of filtered grants, in the grantee's account (src/adapters/aws/lambda-reader.ts,
 * lambda-executor.ts). ListEventSourceMappings supports no resource scoping; CreateEventSourceMapping neither, but
 * it takes the `lambda:FunctionArn` condition; UpdateEventSourceMapping is scoped to mappings and takes it too.
 * https://docs.aws.amazon.com/service-authorization/latest/reference/list_awslambda.html
 * https://docs.aws.amazon.com/lambda/latest/dg/lambda-api-permissions-ref.html
 */
export const LAMBDA_MAPPING_READS = ['lambda:ListEventSourceMappings'] as const;

/** The functions of the account's desired mappings (rendered from active filtered grants; all, or opted-in ones). */
function mappingFunctions(mappings: readonly DesiredEventSourceMapping[], managedOnly: boolean): string[] {
  return [...new Set(mappings.filter((m) => !managedOnly || m.manage).map((m) => m.functionArn))].sort();
}

/** Mapping reads, where a filtered grant's function lives (both roles). */
function mappingReadStatements(mappings: readonly DesiredEventSourceMapping[]): PolicyStatement[] {
  if (mappingFunctions(mappings, false).length === 0) return [];
  return [{ Sid: 'ReadEventSourceMappings', Effect: 'Allow', Action: [...LAMBDA_MAPPING_READS], Resource: '*' }];
}

/** Mapping writes, only for the functions of grants that opt in (`filter.manageMapping`), never a delete. */
function mappingWriteStatements(
  mesh: Mesh,
  account: AccountId,
  mappings: readonly DesiredEventSourceMapping[],
): PolicyStatement[] {
  const functions = mappingFunctions(mappings, true);
  if (functions.length === 0) return [];
  // A mapping of an alias or version of the function carries the qualified ARN.
  const condition = { ArnLike: { 'lambda:FunctionArn': [...functions, ...functions.map((f) => `${f}:*`)] } };
  return [
    {
      Sid: 'CreateEventSourceMappings',
      Effect: 'Allow',
      Action: ['lambda:CreateEventSourceMapping'],
      Resource: '*',
      Condition: condition,
    },
    {
      Sid: 'UpdateEventSourceMappings',
      Effect: 'Allow',
      Action: ['lambda:UpdateEventSourceMapping'],
      Resource: `arn:${mesh.partition}:lambda:${mesh.region}:${account}:event-source-mapping:*`,
      Condition: condition,
    },
  ];
}

/** The home account (the first declared) hosts the role CI assumes; it chains into the other accounts. */
export function homeAccount(mesh: Pick<Mesh, 'accounts'>): AccountId | undefined {
  return mesh.accounts[0]?.id;
}

function iamPath(path: string): string {
  let p = path === '' ? '/' : path;
  if (!p.startsWith('/')) p = `/${p}`;
  if (!p.endsWith('/')) p = `${p}/`;
  return p;
}

/** ARN pattern of the managed policies meshgov creates in an account: `policy<path>meshgov-*`. */
export function meshgovPolicyArnPattern(mesh: Pick<Mesh, 'partition' | 'governanceRole'>, account: AccountId): string {
  return managedPolicyArn(mesh.partition, account, `${iamPath(mesh.governanceRole.path).slice(1)}${POLICY_PREFIX}*`);
}

/** The IAM reader reads `meshgov*` policies at any path, and any policy under the mesh's path. */
function readablePolicies(mesh: Pick<Mesh, 'partition' | 'governanceRole'>, account: AccountId): string[] {
  const p = mesh.partition;
  return [
    managedPolicyArn(p, account, 'meshgov*'),
    managedPolicyArn(p, account, '*/meshgov*'),
    ...(iamPath(mesh.governanceRole.path) === '/'
      ? []
      : [managedPolicyArn(p, account, `${iamPath(mesh.governanceRole.path).slice(1)}*`)]),
  ].sort();
}

/** Name of the read-only role's managed policy (when the mesh names `governanceRole.readOnlyName`). */
export const READ_ONLY_POLICY_NAME = `${POLICY_PREFIX}governance-readonly`;

/** The read-only role (`governanceRole.readOnlyName`, same path) in one account. */
export function readOnlyRoleArn(
  mesh: Pick<Mesh, 'partition' | 'governanceRole'>,
  account: AccountId,
): string | undefined {
  const name = mesh.governanceRole.readOnlyName;
  return name === undefined ? undefined : roleArn(mesh.partition, account, mesh.governanceRole.path, name);
}

/**
 * Stream reads of the read-only commands (plan, audit, import): the Kinesis reader's actions plus
 * `kinesis:ListShards`, which audit calls for the shards open during its window (closed ones included) it reads metrics of.
 */
const READ_ONLY_STREAM_ACTIONS = [
  'kinesis:DescribeStreamSummary',
  'kinesis:GetResourcePolicy',
  'kinesis:ListShards',
  'kinesis:ListStreamConsumers',
  'kinesis:ListTagsForResource',
];
/** Reads without resource scoping (see UNSCOPABLE_GOVERNANCE_READS for the references; ListStreams: Kinesis). */
const READ_ONLY_UNSCOPABLE = [
  'cloudwatch:GetMetricData',
  'cloudwatch:ListMetrics',
  'iam:GetAccountAuthorizationDetails',
  'iam:ListRoles',
  'kinesis:ListStreams',
  'tag:GetResources',
];

/**
 * The read-only role's policy, per account, when the mesh names one: exactly what the readers call (Kinesis, IAM,
 * tagging API, CloudWatch; Organizations and the chain into the other accounts' read-only roles from the home
 * account). No write, no data-plane action, no KMS.
 */
export function readOnlyStatements(
  mesh: Mesh,
  account: AccountId,
  mappings: readonly DesiredEventSourceMapping[] = [],
): PolicyStatement[] {
  if (mesh.governanceRole.readOnlyName === undefined) return [];
  const out: PolicyStatement[] = [
    {
      Sid: 'StreamReads',
      Effect: 'Allow',
      Action: actionUnion(READ_ONLY_STREAM_ACTIONS),
      Resource: [accountStreamsArn(mesh, account), `${accountStreamsArn(mesh, account)}/consumer/*`],
    },
    { Sid: 'UnscopableReads', Effect: 'Allow', Action: actionUnion(READ_ONLY_UNSCOPABLE), Resource: '*' },
    {
      Sid: 'ReadMeshgovPolicies',
      Effect: 'Allow',
      Action: IAM_POLICY_READ_ACTIONS,
      Resource: readablePolicies(mesh, account),
    },
    {
      Sid: 'ReadRoles',
      Effect: 'Allow',
      Action: IAM_READ_ROLE_ACTIONS,
      Resource: `arn:${mesh.partition}:iam::${account}:role/*`,
    },
    ...mappingReadStatements(mappings),
  ];
  if (account === homeAccount(mesh)) {
    const others = mesh.accounts
      .filter((a) => a.id !== account)
      .map((a) => readOnlyRoleArn(mesh, a.id) as string)
      .sort();
    if (others.length > 0)
      out.push({
        Sid: 'AssumeReadOnlyRoles',
        Effect: 'Allow',
        Action: ['sts:AssumeRole'],
        Resource: others.length === 1 ? (others[0] as string) : others,
      });
    out.push({ Sid: 'ReadOrganization', Effect: 'Allow', Action: actionUnion(ORGANIZATION_READS), Resource: '*' });
    out.push({ Sid: 'CheckPolicies', Effect: 'Allow', Action: [...POLICY_CHECKS], Resource: '*' });
  }
  return out;
}

/** The customer-managed keys of the account's streams, in stream order. */
export function accountStreamKeys(mesh: Mesh, account: AccountId): KeyScope[] {
  return mesh.streams
    .filter((s) => s.account === account)
    .map((s) => customerKey(mesh, s))
    .filter((k): k is KeyScope => k !== undefined);
}

/**
 * `mappings`: the account's desired event source mappings (filtered grants whose function lives there). `keys`: the
 * customer-managed keys of the account's streams ({@link accountStreamKeys}); render passes them, gathered for every
 * account in one pass over the streams instead of one pass per account.
 */
export function governanceStatements(
  mesh: Mesh,
  account: AccountId,
  mappings: readonly DesiredEventSourceMapping[] = [],
  keys: readonly KeyScope[] = accountStreamKeys(mesh, account),
): PolicyStatement[] {
  const p = mesh.partition;
  const policies = meshgovPolicyArnPattern(mesh, account);
  const readable = readablePolicies(mesh, account);
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
    // See UNSCOPABLE_GOVERNANCE_READS for the reference of each action.
    { Sid: 'UnscopableReads', Effect: 'Allow', Action: actionUnion(UNSCOPABLE_GOVERNANCE_READS), Resource: '*' },
    { Sid: 'ManageMeshgovPolicies', Effect: 'Allow', Action: IAM_POLICY_ACTIONS, Resource: policies },
    { Sid: 'ReadMeshgovPolicies', Effect: 'Allow', Action: IAM_POLICY_READ_ACTIONS, Resource: readable },
    {
      Sid: 'AttachMeshgovPolicies',
      Effect: 'Allow',
      Action: IAM_ATTACH_ACTIONS,
      Resource: roles,
      Condition: { ArnLike: { 'iam:PolicyARN': policies } },
    },
    {
      Sid: 'SetMeshgovBoundary',
      Effect: 'Allow',
      Action: ['iam:PutRolePermissionsBoundary'],
      Resource: roles,
      Condition: { ArnLike: { 'iam:PermissionsBoundary': policies } },
    },
    { Sid: 'ReadRoles', Effect: 'Allow', Action: IAM_READ_ROLE_ACTIONS, Resource: roles },
    { Sid: 'ManageInlineRolePolicies', Effect: 'Allow', Action: IAM_INLINE_ACTIONS, Resource: roles },
  ];
  // StartStreamEncryption with a customer-managed key: "kms:List*" and "kms:DescribeKey*" on the key
  // (https://docs.aws.amazon.com/streams/latest/dev/permissions-user-key-KMS.html); ListAliases is in UnscopableReads.
  out.push(...keyStatements(mesh, 'DescribeStreamKeys', KMS_GOVERNANCE_KEY_ACTIONS, keys, false));
  out.push(...mappingReadStatements(mappings), ...mappingWriteStatements(mesh, account, mappings));
  if (account === homeAccount(mesh)) {
    const others = mesh.accounts
      .filter((a) => a.id !== account)
      .map((a) => governanceRoleArn(mesh, a.id))
      .sort();
    if (others.length > 0)
      out.push({
        Sid: 'AssumeGovernanceRoles',
        Effect: 'Allow',
        Action: ['sts:AssumeRole'],
        Resource: others.length === 1 ? (others[0] as string) : others,
      });
    out.push({ Sid: 'ReadOrganization', Effect: 'Allow', Action: actionUnion(ORGANIZATION_READS), Resource: '*' });
    out.push({ Sid: 'CheckPolicies', Effect: 'Allow', Action: [...POLICY_CHECKS], Resource: '*' });
  }
  return out;
}
