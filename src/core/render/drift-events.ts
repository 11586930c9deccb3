/**
 * Drift detection in minutes (issue #19, part 4): CloudFormation templates with EventBridge rules matching the
 * CloudTrail management events that change governance state (drift-patterns.ts), delivered to GitHub as a
 * `repository_dispatch` (`meshgov-drift`), so the audit workflow runs for that account within minutes. Pure and
 * deterministic: same desired state, repository and hub account in, same bytes out.
 *
 * The GitHub token lives in ONE account, the hub (`--events-account`): each mesh account's templates only forward
 * matching events to the hub's event bus (cross-account PutEvents with a role; IAM rules in us-east-1 forward to the
 * bus in the mesh's region, https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-cross-region.html). The
 * hub's bus admits exactly the mesh accounts and forwards to the API destination, whose connection reads the token
 * from Secrets Manager through a CloudFormation dynamic reference: the token is never rendered (docs/events.md).
 * IAM is a global service whose CloudTrail events EventBridge receives in us-east-1 only
 * (https://docs.aws.amazon.com/eventbridge/latest/ref/events-ref-iam.html), hence two templates per mesh account.
 */
import type { AccountId, Mesh } from '../model/types.js';
import { governanceRoleArn } from './arn.js';
import type { EventPattern } from './drift-patterns.js';
import {
  iamPolicyPattern,
  iamRolePatterns,
  kinesisPattern,
  kmsPattern,
  organizationsPattern,
  tamperPatterns,
  watchedRoles,
} from './drift-patterns.js';
import { customerKey } from './kms.js';
import type { DesiredState } from './types.js';

/** `owner/name` of the GitHub repository whose audit workflow receives the dispatches. */
export interface GitHubRepository {
  owner: string;
  name: string;
}

/** The region that receives IAM's (and Organizations') CloudTrail events: both are global services. */
export const IAM_EVENTS_REGION = 'us-east-1';
/** The `event_type` of the repository_dispatch the audit workflow accepts. */
export const DRIFT_EVENT_TYPE = 'meshgov-drift';
/** The hub's event bus, in the mesh's region. */
export const HUB_BUS_NAME = 'meshgov-drift';
/** The hub's rule that calls GitHub (named: its CloudWatch metrics and the alarm name it). */
export const HUB_RULE_NAME = 'meshgov-drift-to-github';
/** CloudFormation parameter naming the Secrets Manager secret whose SecretString is `Bearer <token>`. */
export const TOKEN_SECRET_PARAMETER = 'GitHubTokenSecretId';
/** Its default value. */
export const DEFAULT_TOKEN_SECRET = 'meshgov/github-dispatch';
/** CloudFormation parameter: the SNS topic told when deliveries to GitHub fail. */
export const ALARM_TOPIC_PARAMETER = 'AlarmTopicArn';
/** CloudFormation parameter: the id (`p-…`) of the tag-guard SCP, known once Organizations created it. */
export const GUARD_POLICY_PARAMETER = 'GuardScpPolicyId';

type Resources = CloudFormationTemplate['Resources'];
type Resource = Resources[string];

/** A CloudFormation template as plain JSON (the resource shapes are CloudFormation's, documented per resource). */
export interface CloudFormationTemplate {
  AWSTemplateFormatVersion: '2010-09-09';
  Description: string;
  Parameters: Record<string, Record<string, unknown>>;
  Resources: Record<string, { Type: string; Properties: Record<string, unknown> }>;
}

export interface DriftEventTemplate {
  account: AccountId;
  /**
   * `kinesis` (mesh account, mesh region), `iam` (mesh account, us-east-1) or `hub` (the central account, mesh
   * region: the bus, the GitHub delivery and its token).
   */
  kind: 'kinesis' | 'iam' | 'hub';
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

/** A 12-digit account id, or why not. */
export function parseEventsAccount(s: string): AccountId | { problem: string } {
  return /^[0-9]{12}$/.test(s) ? s : { problem: `expected a 12-digit AWS account id, got ${JSON.stringify(s)}` };
}

/**
 * The body GitHub's "create a repository dispatch event" takes
 * (https://docs.github.com/en/rest/repos/repos#create-a-repository-dispatch-event). Values come from the event as
 * strings; a path the event lacks arrives empty or null, and the workflow validates every value before use.
 */
export const INPUT_PATHS: Readonly<Record<string, string>> = {
  account: '$.account',
  eventName: '$.detail.eventName',
  region: '$.region',
  resourceArn: '$.detail.requestParameters.resourceARN',
  role: '$.detail.requestParameters.roleName',
  source: '$.source',
  stream: '$.detail.requestParameters.streamName',
  streamArn: '$.detail.requestParameters.streamARN',
};
export const DISPATCH_INPUT_TEMPLATE =
  `{"event_type":"${DRIFT_EVENT_TYPE}","client_payload":{"account":"<account>","region":"<region>",` +
  `"source":"<source>","eventName":"<eventName>","stream":"<stream>","streamArn":"<streamArn>",` +
  `"resourceArn":"<resourceArn>","role":"<role>"}}`;

const trustEvents = {
  Version: '2012-10-17',
  Statement: [
    {
      Effect: 'Allow',
      Principal: { Service: 'events.amazonaws.com' },
      Action: 'sts:AssumeRole',
      Condition: { StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } } },
    },
  ],
};

function role(policyName: string, action: string, resource: unknown): Resource {
  return {
    Type: 'AWS::IAM::Role',
    Properties: {
      AssumeRolePolicyDocument: trustEvents,
      Policies: [
        {
          PolicyName: policyName,
          PolicyDocument: {
            Version: '2012-10-17',
            Statement: [{ Effect: 'Allow', Action: action, Resource: resource }],
          },
        },
      ],
    },
  };
}

function rule(description: string, pattern: EventPattern, target: Record<string, unknown>, bus = 'default'): Resource {
  return {
    Type: 'AWS::Events::Rule',
    Properties: {
      Description: description,
      EventBusName: bus,
      EventPattern: pattern,
      State: 'ENABLED',
      Targets: [target],
    },
  };
}

/** The hub's bus ARN, in the mesh's region. */
export function hubBusArn(partition: string, region: string, hub: AccountId): string {
  return `arn:${partition}:events:${region}:${hub}:event-bus/${HUB_BUS_NAME}`;
}

/** A mesh account's rules forward to the hub's bus with this role (cross-account PutEvents needs one). */
function forwardTarget(): Record<string, unknown> {
  return { Id: 'meshgov-drift-hub', Arn: { Ref: 'HubBusArn' }, RoleArn: { 'Fn::GetAtt': ['ForwardRole', 'Arn'] } };
}

function forwarding(busArn: string): { Parameters: CloudFormationTemplate['Parameters']; Resources: Resources } {
  return {
    Parameters: {
      HubBusArn: {
        Type: 'String',
        Default: busArn,
        AllowedValues: [busArn],
        Description: 'The meshgov drift hub event bus (rendered by meshgov render --events-account)',
      },
    },
    Resources: { ForwardRole: role('forward-to-meshgov-drift-hub', 'events:PutEvents', { Ref: 'HubBusArn' }) },
  };
}

function tamperRules(target: Record<string, unknown>, secret?: string): Resources {
  const out: Resources = {};
  tamperPatterns(secret).forEach((p, i) => {
    out[`PipelineTamper${i + 1}`] = rule(
      'Changes to the meshgov drift pipeline itself (rules, targets, trail)',
      p,
      target,
    );
  });
  return out;
}

function template(description: string, parameters: CloudFormationTemplate['Parameters'], resources: Resources) {
  return {
    AWSTemplateFormatVersion: '2010-09-09' as const,
    Description: description,
    Parameters: parameters,
    Resources: resources,
  };
}

type DriftMesh = Pick<Mesh, 'governanceRole' | 'partition' | 'region' | 'streams'>;

/** ARNs of the customer-managed stream keys the mesh names by key (not alias) that `account` owns in the region. */
export function meshKeyArns(mesh: DriftMesh, account: AccountId): string[] {
  const arns = mesh.streams.flatMap((s) => {
    const k = customerKey(mesh, s);
    return k?.keyArn !== undefined && k.account === account && k.region === mesh.region ? [k.keyArn] : [];
  });
  return [...new Set(arns)].sort();
}

function memberTemplates(
  mesh: DriftMesh,
  desired: DesiredState,
  account: AccountId,
  busArn: string,
): DriftEventTemplate[] {
  const where = `mesh ${desired.mesh}, account ${account}`;
  const fwd = forwarding(busArn);
  const target = forwardTarget();
  const kinesis: Resources = {
    KinesisGovernanceChanges: rule(
      'Kinesis write calls by anyone but the governance role',
      kinesisPattern(governanceRoleArn(mesh, account)),
      target,
    ),
  };
  const keys = meshKeyArns(mesh, account);
  if (keys.length > 0)
    kinesis['KmsKeyChanges'] = rule('Changes to the KMS keys of the mesh streams', kmsPattern(keys), target);
  const iam: Resources = {};
  iamRolePatterns(watchedRoles(mesh, desired, account)).forEach((p, i) => {
    iam[`IamRoleChanges${i + 1}`] = rule('IAM changes to roles the mesh grants to or governs with', p, target);
  });
  iam['IamPolicyChanges'] = rule('IAM changes to customer-managed policies', iamPolicyPattern(mesh, account), target);
  const parameters = { ...fwd.Parameters };
  const guard = desired.accounts.find((a) => a.account === account)?.iam.some((i) => i.kind === 'guard-scp') === true;
  if (guard) {
    iam['GuardScpChanges'] = rule(
      'Organizations changes to the tag-guard SCP',
      organizationsPattern(GUARD_POLICY_PARAMETER),
      target,
    );
    parameters[GUARD_POLICY_PARAMETER] = {
      Type: 'String',
      AllowedPattern: '^p-[0-9a-z]{8,128}$',
      Description: 'Id of the meshgov-tag-guard SCP (aws organizations list-policies --filter SERVICE_CONTROL_POLICY)',
    };
  }
  return [
    {
      account,
      kind: 'kinesis',
      region: desired.region,
      name: 'meshgov-drift-kinesis',
      template: template(`meshgov drift events (Kinesis, KMS), ${where}; deploy in ${desired.region}`, fwd.Parameters, {
        ...kinesis,
        ...tamperRules(target),
        ...fwd.Resources,
      }),
    },
    {
      account,
      kind: 'iam',
      region: IAM_EVENTS_REGION,
      name: 'meshgov-drift-iam',
      template: template(`meshgov drift events (IAM), ${where}; deploy in ${IAM_EVENTS_REGION}`, parameters, {
        ...iam,
        ...tamperRules(target),
        ...fwd.Resources,
      }),
    },
  ];
}

/** The hub's bus policy: PutEvents from exactly the mesh accounts. */
function busPolicy(partition: string, accounts: readonly AccountId[]): Resource {
  return {
    Type: 'AWS::Events::EventBusPolicy',
    Properties: {
      EventBusName: { Ref: 'Bus' },
      StatementId: 'meshgov-mesh-accounts',
      Statement: {
        Effect: 'Allow',
        Principal: { AWS: accounts.map((a) => `arn:${partition}:iam::${a}:root`) },
        Action: 'events:PutEvents',
        Resource: { 'Fn::GetAtt': ['Bus', 'Arn'] },
      },
    },
  };
}

/** Connection (API-key auth on `Authorization`), API destination and the role EventBridge invokes it with. */
function delivery(repo: GitHubRepository): Resources {
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
    InvokeRole: role('invoke-github-dispatch', 'events:InvokeApiDestination', { 'Fn::GetAtt': ['Destination', 'Arn'] }),
  };
}

/**
 * Nobody notices a dead pipeline by its silence: events GitHub refused after every retry land in a dead-letter
 * queue, and an alarm on the rule's FailedInvocations (and on the queue) tells the SNS topic the team names.
 * https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-rule-dlq.html
 */
function deadLetters(): Resources {
  const alarm = (description: string, namespace: string, metric: string, dimensions: unknown[]): Resource => ({
    Type: 'AWS::CloudWatch::Alarm',
    Properties: {
      AlarmDescription: description,
      Namespace: namespace,
      MetricName: metric,
      Dimensions: dimensions,
      Statistic: metric === 'FailedInvocations' ? 'Sum' : 'Maximum',
      Period: 300,
      EvaluationPeriods: 1,
      Threshold: 0,
      ComparisonOperator: 'GreaterThanThreshold',
      TreatMissingData: 'notBreaching',
      AlarmActions: [{ Ref: ALARM_TOPIC_PARAMETER }],
    },
  });
  return {
    DeadLetters: {
      Type: 'AWS::SQS::Queue',
      Properties: { MessageRetentionPeriod: 1_209_600, SqsManagedSseEnabled: true },
    },
    DeadLettersPolicy: {
      Type: 'AWS::SQS::QueuePolicy',
      Properties: {
        Queues: [{ Ref: 'DeadLetters' }],
        PolicyDocument: {
          Version: '2012-10-17',
          Statement: [
            {
              Effect: 'Allow',
              Principal: { Service: 'events.amazonaws.com' },
              Action: 'sqs:SendMessage',
              Resource: { 'Fn::GetAtt': ['DeadLetters', 'Arn'] },
              Condition: { ArnEquals: { 'aws:SourceArn': { 'Fn::GetAtt': ['ForwardToGitHub', 'Arn'] } } },
            },
          ],
        },
      },
    },
    FailedDeliveriesAlarm: alarm('meshgov drift events: GitHub deliveries failed', 'AWS/Events', 'FailedInvocations', [
      { Name: 'EventBusName', Value: HUB_BUS_NAME },
      { Name: 'RuleName', Value: HUB_RULE_NAME },
    ]),
    DeadLettersAlarm: alarm(
      'meshgov drift events: undelivered events in the dead-letter queue',
      'AWS/SQS',
      'ApproximateNumberOfMessagesVisible',
      [{ Name: 'QueueName', Value: { 'Fn::GetAtt': ['DeadLetters', 'QueueName'] } }],
    ),
  };
}

function hubTemplate(
  mesh: DriftMesh,
  desired: DesiredState,
  repo: GitHubRepository,
  hub: AccountId,
): DriftEventTemplate {
  const accounts = desired.accounts.map((a) => a.account);
  const sources = [
    'aws.cloudtrail',
    'aws.events',
    'aws.iam',
    'aws.kinesis',
    'aws.kms',
    'aws.organizations',
    'aws.secretsmanager',
  ];
  const toGitHub = {
    Id: 'github-dispatch',
    Arn: { 'Fn::GetAtt': ['Destination', 'Arn'] },
    RoleArn: { 'Fn::GetAtt': ['InvokeRole', 'Arn'] },
    InputTransformer: { InputPathsMap: INPUT_PATHS, InputTemplate: DISPATCH_INPUT_TEMPLATE },
    // GitHub answers 5xx and 429 now and then; EventBridge retries for an hour, then dead-letters the event.
    RetryPolicy: { MaximumEventAgeInSeconds: 3600, MaximumRetryAttempts: 20 },
    DeadLetterConfig: { Arn: { 'Fn::GetAtt': ['DeadLetters', 'Arn'] } },
  };
  const forward = rule(
    'Drift events of the mesh accounts, to GitHub repository_dispatch',
    { account: [...new Set([...accounts, hub])].sort(), source: sources },
    toGitHub,
    HUB_BUS_NAME,
  );
  forward.Properties['Name'] = HUB_RULE_NAME;
  forward.Properties['EventBusName'] = { Ref: 'Bus' };
  const busArn = hubBusArn(mesh.partition, desired.region, hub);
  const fwd = forwarding(busArn);
  return {
    account: hub,
    kind: 'hub',
    region: desired.region,
    name: 'meshgov-drift-hub',
    template: template(
      `meshgov drift events hub, mesh ${desired.mesh}, account ${hub}; deploy in ${desired.region}. ` +
        'The only stack holding the GitHub token.',
      {
        [TOKEN_SECRET_PARAMETER]: {
          Type: 'String',
          Default: DEFAULT_TOKEN_SECRET,
          Description: 'Secrets Manager secret (name or ARN) whose SecretString is "Bearer <GitHub token>"',
        },
        [ALARM_TOPIC_PARAMETER]: {
          Type: 'String',
          AllowedPattern: '^arn:aws[a-z-]*:sns:[a-z0-9-]+:[0-9]{12}:[A-Za-z0-9_-]{1,256}$',
          Description: 'SNS topic told when drift events cannot be delivered to GitHub (the governance team on call)',
        },
        ...fwd.Parameters,
      },
      {
        Bus: { Type: 'AWS::Events::EventBus', Properties: { Name: HUB_BUS_NAME } },
        BusPolicy: busPolicy(mesh.partition, accounts),
        ForwardToGitHub: forward,
        ...delivery(repo),
        ...deadLetters(),
        ...tamperRules(forwardTarget(), TOKEN_SECRET_PARAMETER),
        ...fwd.Resources,
      },
    ),
  };
}

/** The hub's template first, then both templates of every mesh account, in mesh order (kinesis first). */
export function driftEventTemplates(
  mesh: DriftMesh,
  desired: DesiredState,
  repo: GitHubRepository,
  hub: AccountId,
): DriftEventTemplate[] {
  const busArn = hubBusArn(mesh.partition, desired.region, hub);
  return [
    hubTemplate(mesh, desired, repo, hub),
    ...desired.accounts.flatMap(({ account }) => memberTemplates(mesh, desired, account, busArn)),
  ];
}
