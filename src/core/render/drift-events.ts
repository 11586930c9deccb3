/**
 * Drift detection in minutes (issue #19, part 4): per mesh account, CloudFormation templates with EventBridge rules
 * that match the CloudTrail management events changing governance state, delivered to GitHub as a
 * `repository_dispatch` (`meshgov-drift`) through an EventBridge API destination, so the audit workflow runs for that
 * account (and stream) within minutes. Pure and deterministic: same desired state and repository in, same bytes out.
 *
 * Two templates per account, because IAM is a global service whose CloudTrail events EventBridge receives in
 * us-east-1 only (https://docs.aws.amazon.com/eventbridge/latest/ref/events-ref-iam.html); Kinesis events arrive in
 * the mesh's region. The GitHub token is never rendered: the connection reads it from Secrets Manager through a
 * CloudFormation dynamic reference to a secret the team creates (docs/events.md).
 */
import type { AccountId, Mesh } from '../model/types.js';
import { governanceRoleArn } from './arn.js';
import { meshgovPolicyArnPattern, POLICY_PREFIX } from './governance-policy.js';
import type { DesiredState } from './types.js';

/** `owner/name` of the GitHub repository whose audit workflow receives the dispatches. */
export interface GitHubRepository {
  owner: string;
  name: string;
}

/** EventBridge's default event pattern size; a quota increase raises it to 4096, meshgov stays under the default. */
export const MAX_EVENT_PATTERN_CHARS = 2048;
/** The region that receives IAM's CloudTrail events (IAM is global). */
export const IAM_EVENTS_REGION = 'us-east-1';
/** The `event_type` of the repository_dispatch the audit workflow accepts. */
export const DRIFT_EVENT_TYPE = 'meshgov-drift';
/** CloudFormation parameter naming the Secrets Manager secret whose SecretString is `Bearer <token>`. */
export const TOKEN_SECRET_PARAMETER = 'GitHubTokenSecretId';
/** Its default value. */
export const DEFAULT_TOKEN_SECRET = 'meshgov/github-dispatch';
const CLOUDTRAIL_DETAIL_TYPE = 'AWS API Call via CloudTrail';

/**
 * Kinesis calls that change what meshgov governs (tags, resource policies, consumers, retention, encryption, mode,
 * shard count, monitoring, existence), spelled as CloudTrail records them
 * (https://docs.aws.amazon.com/streams/latest/dev/logging-using-cloudtrail.html). Reads (Describe*, List*, Get*)
 * and data calls (PutRecord(s), GetRecords, SubscribeToShard) are left out.
 */
export const KINESIS_GOVERNANCE_EVENTS: readonly string[] = [
  'AddTagsToStream',
  'CreateStream',
  'DecreaseStreamRetentionPeriod',
  'DeleteResourcePolicy',
  'DeleteStream',
  'DeregisterStreamConsumer',
  'DisableEnhancedMonitoring',
  'EnableEnhancedMonitoring',
  'IncreaseStreamRetentionPeriod',
  'MergeShards',
  'PutResourcePolicy',
  'RegisterStreamConsumer',
  'RemoveTagsFromStream',
  'SplitShard',
  'StartStreamEncryption',
  'StopStreamEncryption',
  'TagResource',
  'UntagResource',
  'UpdateShardCount',
  'UpdateStreamMode',
];

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

/** An EventBridge event pattern: nested objects down to arrays of matchers (values or operator objects). */
export type EventPattern = { [key: string]: EventPattern | readonly PatternMatcher[] | readonly EventPattern[] };
export type PatternMatcher =
  | string
  | number
  | boolean
  | null
  | { prefix: string | { 'equals-ignore-case': string } }
  | { 'equals-ignore-case': string }
  | { exists: boolean }
  | { 'anything-but': string | readonly string[] };

/** A CloudFormation template as plain JSON (the resource shapes are CloudFormation's, documented per resource). */
export interface CloudFormationTemplate {
  AWSTemplateFormatVersion: '2010-09-09';
  Description: string;
  Parameters: Record<string, Record<string, unknown>>;
  Resources: Record<string, { Type: string; Properties: Record<string, unknown> }>;
}

export interface DriftEventTemplate {
  account: AccountId;
  /** `kinesis` (deploy in the mesh's region) or `iam` (deploy in us-east-1). */
  kind: 'kinesis' | 'iam';
  /** The region the stack must be deployed in. */
  region: string;
  /** Stable file name without extension, e.g. `meshgov-drift-kinesis`. */
  name: string;
  template: CloudFormationTemplate;
}

/** `owner/name` parsed, or why not (GitHub's own naming rules: owner 1-39 alphanumerics and inner hyphens). */
export function parseGitHubRepository(s: string): GitHubRepository | { problem: string } {
  const m = /^([A-Za-z0-9](?:[A-Za-z0-9-]{0,37}[A-Za-z0-9])?)\/([A-Za-z0-9._-]{1,100})$/.exec(s);
  if (!m || m[2] === '.' || m[2] === '..')
    return { problem: `expected owner/name (letters, digits, '-', '.' and '_'), got ${JSON.stringify(s)}` };
  return { owner: m[1] as string, name: m[2] as string };
}

/** The role names of one account whose IAM changes matter: the grantees' and the governance roles. */
export function watchedRoles(mesh: Pick<Mesh, 'governanceRole'>, desired: DesiredState, account: AccountId): string[] {
  const roles = new Set<string>([mesh.governanceRole.name]);
  if (mesh.governanceRole.readOnlyName !== undefined) roles.add(mesh.governanceRole.readOnlyName);
  for (const a of desired.accounts)
    if (a.account === account) for (const i of a.iam) if (i.roleName !== undefined) roles.add(i.roleName);
  return [...roles].sort();
}

/**
 * The calls of every caller but the governance role itself (apply's own changes are not drift; the scheduled audit
 * still reviews them). `anything-but` never matches a missing field, so callers without a role session (the root
 * user, IAM users) are matched by the second alternative
 * (https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-create-pattern-operators.html).
 */
function notGovernance(governanceArn: string): EventPattern[] {
  const issuer = (m: PatternMatcher): EventPattern => ({ sessionContext: { sessionIssuer: { arn: [m] } } });
  return [{ userIdentity: issuer({ 'anything-but': governanceArn }) }, { userIdentity: issuer({ exists: false }) }];
}

function base(source: string, eventSource: string, eventNames: readonly string[], governanceArn: string): EventPattern {
  return {
    source: [source],
    'detail-type': [CLOUDTRAIL_DETAIL_TYPE],
    detail: {
      eventSource: [eventSource],
      eventName: eventNames,
      // A call that failed (AccessDenied, a validation error) changed nothing.
      errorCode: [{ exists: false }],
      $or: notGovernance(governanceArn),
    },
  };
}

/** The Kinesis rule's pattern: every governance call on any stream of the account (undeclared ones are shadows). */
export function kinesisPattern(governanceArn: string): EventPattern {
  return base('aws.kinesis', 'kinesis.amazonaws.com', KINESIS_GOVERNANCE_EVENTS, governanceArn);
}

/**
 * IAM role-change patterns for the roles, split so each stays under {@link MAX_EVENT_PATTERN_CHARS}. Role names are
 * matched ignoring case: IAM role names are unique regardless of case, so a request may name a role in any case.
 */
export function iamRolePatterns(roles: readonly string[], governanceArn: string): EventPattern[] {
  const make = (chunk: readonly string[]): EventPattern => {
    const p = base('aws.iam', 'iam.amazonaws.com', IAM_ROLE_EVENTS, governanceArn);
    (p['detail'] as EventPattern)['requestParameters'] = {
      roleName: chunk.map((r) => ({ 'equals-ignore-case': r })),
    };
    return p;
  };
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
 * The managed-policy pattern: new, deleted or re-defaulted versions of the policies meshgov creates in the account
 * (`policy<path>meshgov-*`), in any letter case (IAM policy names, like role names, are unique regardless of case).
 */
export function iamPolicyPattern(mesh: Pick<Mesh, 'partition' | 'governanceRole'>, account: AccountId): EventPattern {
  const p = base('aws.iam', 'iam.amazonaws.com', IAM_POLICY_EVENTS, governanceRoleArn(mesh, account));
  const prefix = meshgovPolicyArnPattern(mesh, account).replace(/\*$/, '');
  (p['detail'] as EventPattern)['requestParameters'] = { policyArn: [{ prefix: { 'equals-ignore-case': prefix } }] };
  return p;
}

/** The size EventBridge counts: the pattern's JSON text. */
export function patternSize(p: EventPattern): number {
  return JSON.stringify(p).length;
}

/**
 * The body GitHub's "create a repository dispatch event" takes
 * (https://docs.github.com/en/rest/repos/repos#create-a-repository-dispatch-event). Values come from the event as
 * strings; a path the event lacks arrives empty or null, and the workflow validates every value before use.
 */
const INPUT_PATHS: Record<string, string> = {
  account: '$.account',
  eventName: '$.detail.eventName',
  region: '$.region',
  resourceArn: '$.detail.requestParameters.resourceARN',
  role: '$.detail.requestParameters.roleName',
  stream: '$.detail.requestParameters.streamName',
  streamArn: '$.detail.requestParameters.streamARN',
};
export const DISPATCH_INPUT_TEMPLATE =
  `{"event_type":"${DRIFT_EVENT_TYPE}","client_payload":{"account":"<account>","region":"<region>",` +
  `"eventName":"<eventName>","stream":"<stream>","streamArn":"<streamArn>","resourceArn":"<resourceArn>",` +
  `"role":"<role>"}}`;

function target(): Record<string, unknown> {
  return {
    Id: 'github-dispatch',
    Arn: { 'Fn::GetAtt': ['Destination', 'Arn'] },
    RoleArn: { 'Fn::GetAtt': ['InvokeRole', 'Arn'] },
    InputTransformer: { InputPathsMap: INPUT_PATHS, InputTemplate: DISPATCH_INPUT_TEMPLATE },
    // GitHub answers 5xx and 429 now and then; EventBridge retries for this long, then drops the event (the
    // scheduled audit still catches the drift).
    RetryPolicy: { MaximumEventAgeInSeconds: 3600, MaximumRetryAttempts: 20 },
  };
}

function rule(description: string, pattern: EventPattern): { Type: string; Properties: Record<string, unknown> } {
  return {
    Type: 'AWS::Events::Rule',
    Properties: {
      Description: description,
      EventBusName: 'default',
      EventPattern: pattern,
      State: 'ENABLED',
      Targets: [target()],
    },
  };
}

/** Connection (API-key auth on `Authorization`), API destination and the role EventBridge invokes it with. */
function delivery(repo: GitHubRepository): CloudFormationTemplate['Resources'] {
  return {
    Connection: {
      Type: 'AWS::Events::Connection',
      Properties: {
        Description: 'GitHub API; the Authorization header comes from a Secrets Manager secret (docs/events.md)',
        AuthorizationType: 'API_KEY',
        AuthParameters: {
          ApiKeyAuthParameters: {
            ApiKeyName: 'Authorization',
            ApiKeyValue: { 'Fn::Sub': `{{resolve:secretsmanager:\${${TOKEN_SECRET_PARAMETER}}}}` },
          },
          InvocationHttpParameters: {
            HeaderParameters: [
              { Key: 'Accept', Value: 'application/vnd.github+json', IsValueSecret: false },
              { Key: 'X-GitHub-Api-Version', Value: '2022-11-28', IsValueSecret: false },
            ],
          },
        },
      },
    },
    Destination: {
      Type: 'AWS::Events::ApiDestination',
      Properties: {
        Description: `repository_dispatch ${DRIFT_EVENT_TYPE} to ${repo.owner}/${repo.name}`,
        ConnectionArn: { 'Fn::GetAtt': ['Connection', 'Arn'] },
        HttpMethod: 'POST',
        InvocationEndpoint: `https://api.github.com/repos/${repo.owner}/${repo.name}/dispatches`,
        // One dispatch a second is far below GitHub's limits and bounds a burst of changes.
        InvocationRateLimitPerSecond: 1,
      },
    },
    InvokeRole: {
      Type: 'AWS::IAM::Role',
      Properties: {
        AssumeRolePolicyDocument: {
          Version: '2012-10-17',
          Statement: [
            {
              Effect: 'Allow',
              Principal: { Service: 'events.amazonaws.com' },
              Action: 'sts:AssumeRole',
              Condition: { StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } } },
            },
          ],
        },
        Policies: [
          {
            PolicyName: 'invoke-github-dispatch',
            PolicyDocument: {
              Version: '2012-10-17',
              Statement: [
                {
                  Effect: 'Allow',
                  Action: 'events:InvokeApiDestination',
                  Resource: { 'Fn::GetAtt': ['Destination', 'Arn'] },
                },
              ],
            },
          },
        ],
      },
    },
  };
}

function template(description: string, resources: CloudFormationTemplate['Resources']): CloudFormationTemplate {
  return {
    AWSTemplateFormatVersion: '2010-09-09',
    Description: description,
    Parameters: {
      [TOKEN_SECRET_PARAMETER]: {
        Type: 'String',
        Default: DEFAULT_TOKEN_SECRET,
        Description: 'Secrets Manager secret (name or ARN) whose SecretString is "Bearer <GitHub token>"',
      },
    },
    Resources: resources,
  };
}

/** Both templates of every mesh account, in mesh order (kinesis first). */
export function driftEventTemplates(
  mesh: Pick<Mesh, 'governanceRole' | 'partition'>,
  desired: DesiredState,
  repo: GitHubRepository,
): DriftEventTemplate[] {
  const out: DriftEventTemplate[] = [];
  for (const { account } of desired.accounts) {
    const where = `mesh ${desired.mesh}, account ${account}`;
    out.push({
      account,
      kind: 'kinesis',
      region: desired.region,
      name: 'meshgov-drift-kinesis',
      template: template(`meshgov drift events (Kinesis), ${where}; deploy in ${desired.region}`, {
        KinesisGovernanceChanges: rule(
          'Kinesis calls that change governed state',
          kinesisPattern(governanceRoleArn(mesh, account)),
        ),
        ...delivery(repo),
      }),
    });
    const rules: CloudFormationTemplate['Resources'] = {};
    iamRolePatterns(watchedRoles(mesh, desired, account), governanceRoleArn(mesh, account)).forEach((p, i) => {
      rules[`IamRoleChanges${i + 1}`] = rule('IAM changes to roles the mesh grants to or governs with', p);
    });
    rules['IamPolicyChanges'] = rule(
      `IAM changes to managed policies (meshgov's are named ${POLICY_PREFIX}*)`,
      iamPolicyPattern(mesh, account),
    );
    out.push({
      account,
      kind: 'iam',
      region: IAM_EVENTS_REGION,
      name: 'meshgov-drift-iam',
      template: template(`meshgov drift events (IAM), ${where}; deploy in ${IAM_EVENTS_REGION}`, {
        ...rules,
        ...delivery(repo),
      }),
    });
  }
  return out;
}
