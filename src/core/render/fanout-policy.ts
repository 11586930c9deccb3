/**
 * The read policy of a `fanout` grant's intermediary (a Lambda pushing to AppSync / API Gateway WebSockets, or a
 * custom WebSocket server): the polling read set on exactly that stream (plus DescribeStream when it reads through
 * a Lambda event source mapping), still gated by the ABAC grant tag so a removed grant tag revokes it.
 * Subscribers never touch Kinesis, so nothing else is granted. A customer-managed key adds `kms:Decrypt` (kms.ts).
 */
import { grantTagKey } from '../model/governance-tags.js';
import type { Grant, Mesh, Stream } from '../model/types.js';
import { streamArn } from './arn.js';
import { streamActions } from './grants.js';
import { abacCondition } from './identity-policy.js';
import { KMS_CONSUMER_ACTIONS, customerKey, keyStatements } from './kms.js';
import type { PolicyDocument } from './types.js';

export function fanoutPolicyName(grant: Pick<Grant, 'id'>): string {
  return `meshgov-fanout-${grant.id}`;
}

/** `arn` is the stream's ARN when the caller has it. */
export function fanoutPolicy(
  mesh: Mesh,
  stream: Stream,
  grant: Grant,
  arn: string = streamArn(mesh, stream.account, stream.name),
): PolicyDocument {
  const key = customerKey(mesh, stream);
  return {
    Version: '2012-10-17',
    Statement: [
      {
        Sid: 'FanoutRead',
        Effect: 'Allow',
        Action: streamActions(grant),
        Resource: arn,
        Condition: abacCondition(mesh.name, grantTagKey(grant)),
      },
      ...keyStatements(mesh, 'FanoutKms', KMS_CONSUMER_ACTIONS, key === undefined ? [] : [key], true),
    ],
  };
}
