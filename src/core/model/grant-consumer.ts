/**
 * Which grants register an enhanced fan-out consumer: every `efo` grant, and a `filtered` grant that declares
 * `consumer` (its Lambda event source mapping then reads through that consumer: EventSourceArn = the consumer ARN).
 * https://docs.aws.amazon.com/lambda/latest/dg/with-kinesis.html
 * Render, audit and cost ask this one function instead of testing `pattern === 'efo'`.
 */
import type { Grant } from './types.js';

/** The enhanced fan-out consumer the grant registers on its stream, or undefined. */
export function efoConsumerOf(grant: Pick<Grant, 'access' | 'pattern' | 'consumerName'>): string | undefined {
  if (grant.access !== 'consume' || grant.consumerName === undefined) return undefined;
  return grant.pattern === 'efo' || grant.pattern === 'filtered' ? grant.consumerName : undefined;
}

/** True when the grant registers an enhanced fan-out consumer. */
export function readsThroughConsumer(grant: Pick<Grant, 'access' | 'pattern' | 'consumerName'>): boolean {
  return efoConsumerOf(grant) !== undefined;
}
