/**
 * Drift detection in minutes (issue #19, part 4): the EventBridge event patterns matching the CloudTrail management
 * events that change governance state, and the tamper patterns that watch the delivery pipeline itself. Pure.
 */
import type { AccountId, Mesh } from '../model/types.js';
import { managedPolicyArn } from './arn.js';
import type { DesiredState } from './types.js';

/** EventBridge's default event pattern size; a quota increase raises it to 4096, meshgov stays under the default. */
export const MAX_EVENT_PATTERN_CHARS = 2048;
const CLOUDTRAIL_DETAIL_TYPE = 'AWS API Call via CloudTrail';

/**
 * IAM calls that change what a role may do or who may assume it; each names the role in
 * `requestParameters.roleName` (https://docs.aws.amazon.com/IAM/latest/UserGuide/cloudtrail-integration.html).
 */
export const IAM_ROLE_EVENTS: readonly string[] = [
  'AttachRolePolicy',
  'DeleteRole',
  'DeleteRolePermissionsBoundary',
  'DeleteRolePolicy',
  'DetachRolePolicy',
  'PutRolePermissionsBoundary',
  'PutRolePolicy',
  'UpdateAssumeRolePolicy',
];

/** IAM calls that change a managed policy's content; they name `requestParameters.policyArn`, not a role. */
export const IAM_POLICY_EVENTS: readonly string[] = [
  'CreatePolicyVersion',
  'DeletePolicy',
  'DeletePolicyVersion',
  'SetDefaultPolicyVersion',
];

/** KMS calls that take a key away from its streams or give it to someone else. */
export const KMS_KEY_EVENTS: readonly string[] = [
  'CreateGrant',
  'DisableKey',
  'PutKeyPolicy',
  'RevokeGrant',
  'ScheduleKeyDeletion',
];

/** Organizations calls that change or remove an SCP (logged in the management account, us-east-1). */
export const ORGANIZATIONS_POLICY_EVENTS: readonly string[] = ['DeletePolicy', 'DetachPolicy', 'UpdatePolicy'];

/** Calls that silence the pipeline: its rules, targets, connection, destination, bus and the trail feeding it. */
export const EVENTS_TAMPER_EVENTS: readonly string[] = [
  'DeleteApiDestination',
  'DeleteConnection',
  'DeleteEventBus',
  'DeleteRule',
  'DisableRule',
  'PutPermission',
  'PutTargets',
  'RemovePermission',
  'RemoveTargets',
  'UpdateApiDestination',
  'UpdateConnection',
];
export const CLOUDTRAIL_TAMPER_EVENTS: readonly string[] = [
  'DeleteTrail',
  'PutEventSelectors',
  'StopLogging',
  'UpdateTrail',
];
export const SECRET_TAMPER_EVENTS: readonly string[] = ['DeleteSecret', 'PutSecretValue', 'UpdateSecret'];

/** An EventBridge event pattern: nested objects down to arrays of matchers (values or operator objects). */
export type EventPattern = { [key: string]: EventPattern | readonly PatternMatcher[] | readonly EventPattern[] };
export type PatternMatcher =
  | string
  | number
  | boolean
  | null
  | { prefix: string | { 'equals-ignore-case': string } | Record<string, unknown> }
  | { 'equals-ignore-case': string }
  | { exists: boolean }
  | { 'anything-but': string | readonly string[] }
  /** A CloudFormation intrinsic (`Ref`, `Fn::Sub`) resolved at deploy time. */
  | { Ref: string }
  | { 'Fn::Sub': string };

/** The role names of one account whose IAM changes matter: the grantees' and the governance roles. */
export function watchedRoles(mesh: Pick<Mesh, 'governanceRole'>, desired: DesiredState, account: AccountId): string[] {
  const roles = new Set<string>([mesh.governanceRole.name]);
  if (mesh.governanceRole.readOnlyName !== undefined) roles.add(mesh.governanceRole.readOnlyName);
  for (const a of desired.accounts)
    if (a.account === account) for (const i of a.iam) if (i.roleName !== undefined) roles.add(i.roleName);
  return [...roles].sort();
}

/**
 * Kinesis calls of every caller but the governance role itself (apply's own Kinesis changes are not drift; the
 * scheduled audit still reviews them). Only Kinesis: the governance role's IAM, KMS and pipeline changes are always
 * reported, so a stolen governance session cannot widen its own or a grantee's rights unseen (docs/events.md, "Trust").
 * `anything-but` never matches a missing field, so callers without a role session (the root user, IAM users) are
 * matched by the second alternative
 * (https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-create-pattern-operators.html).
 */
function notGovernance(governanceArn: string): EventPattern[] {
  const issuer = (m: PatternMatcher): EventPattern => ({ sessionContext: { sessionIssuer: { arn: [m] } } });
  return [{ userIdentity: issuer({ 'anything-but': governanceArn }) }, { userIdentity: issuer({ exists: false }) }];
}

function base(source: string, eventNames: readonly string[] | undefined, detail: EventPattern = {}): EventPattern {
  return {
    source: [source],
    'detail-type': [CLOUDTRAIL_DETAIL_TYPE],
    detail: {
      eventSource: [`${source.slice('aws.'.length)}.amazonaws.com`],
      ...(eventNames !== undefined ? { eventName: eventNames } : {}),
      // A call that failed (AccessDenied, a validation error) changed nothing.
      errorCode: [{ exists: false }],
      ...detail,
    },
  };
}

/**
 * The Kinesis rule's pattern: every write management call on any stream of the account (undeclared ones are
 * shadows), by anyone but the governance role. `readOnly` and `managementEvent` are fields of every CloudTrail
 * record (https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-event-reference-record-contents.html):
 * a call Kinesis adds later is matched without a list to keep up to date, and data calls (PutRecord, GetRecords,
 * SubscribeToShard) are data events, not management events.
 */
export function kinesisPattern(governanceArn: string): EventPattern {
  return base('aws.kinesis', undefined, {
    readOnly: [false],
    managementEvent: [true],
    $or: notGovernance(governanceArn),
  });
}

/**
 * IAM role-change patterns for the roles, split so each stays under {@link MAX_EVENT_PATTERN_CHARS}. Role names are
 * matched ignoring case: IAM role names are unique regardless of case, so a request may name a role in any case.
 * No caller is exempt (the governance role's own changes to its or a grantee's rights are reported too).
 */
export function iamRolePatterns(roles: readonly string[]): EventPattern[] {
  const make = (chunk: readonly string[]): EventPattern =>
    base('aws.iam', IAM_ROLE_EVENTS, {
      requestParameters: { roleName: chunk.map((r) => ({ 'equals-ignore-case': r })) },
    });
  const out: EventPattern[] = [];
  let chunk: string[] = [];
  for (const role of roles) {
    if (chunk.length > 0 && patternSize(make([...chunk, role])) > MAX_EVENT_PATTERN_CHARS) {
      out.push(make(chunk));
      chunk = [];
    }
    chunk.push(role);
  }
  if (chunk.length > 0) out.push(make(chunk));
  return out;
}

/**
 * The managed-policy pattern: new, deleted or re-defaulted versions of every customer-managed policy of the account
 * (`arn:<partition>:iam::<account>:policy/`, any path and name): any of them may be attached to a grantee role, and
 * a new default version can widen it to `kinesis:*`. Matched in any letter case (IAM names are case-insensitive).
 */
export function iamPolicyPattern(mesh: Pick<Mesh, 'partition'>, account: AccountId): EventPattern {
  const prefix = managedPolicyArn(mesh.partition, account, '');
  return base('aws.iam', IAM_POLICY_EVENTS, {
    requestParameters: { policyArn: [{ prefix: { 'equals-ignore-case': prefix } }] },
  });
}

/**
 * KMS changes to the customer-managed keys of the mesh's streams owned by one account. CloudTrail names the key in
 * `resources[].ARN` whatever form (id, ARN, alias) the request used, so the rule matches key ARNs there.
 */
export function kmsPattern(keyArns: readonly string[]): EventPattern {
  return base('aws.kms', KMS_KEY_EVENTS, { resources: { ARN: keyArns } });
}

/** Organizations changes to the tag-guard SCP, by its policy id (a template parameter: ids exist after creation). */
export function organizationsPattern(policyIdParameter: string): EventPattern {
  return base('aws.organizations', ORGANIZATIONS_POLICY_EVENTS, {
    requestParameters: { policyId: [{ Ref: policyIdParameter }] },
  });
}

/**
 * Changes to the pipeline itself (EventBridge and CloudTrail calls in the template's region, and, in the hub, to the
 * token's secret), by anyone: a silenced pipeline looks exactly like a quiet mesh.
 */
export function tamperPatterns(secretParameter?: string): EventPattern[] {
  const out = [base('aws.events', EVENTS_TAMPER_EVENTS), base('aws.cloudtrail', CLOUDTRAIL_TAMPER_EVENTS)];
  if (secretParameter !== undefined)
    out.push(
      base('aws.secretsmanager', SECRET_TAMPER_EVENTS, {
        // The secret is named by name or by ARN (the ARN ends in a random suffix).
        requestParameters: {
          secretId: [
            { Ref: secretParameter },
            {
              prefix: {
                'Fn::Sub':
                  'arn:${AWS::Partition}:secretsmanager:${AWS::Region}:${AWS::AccountId}:secret:' +
                  `\${${secretParameter}}`,
              },
            },
          ],
        },
      }),
    );
  return out;
}

/** The size EventBridge counts: the pattern's JSON text. */
export function patternSize(p: EventPattern): number {
  return JSON.stringify(p).length;
}
