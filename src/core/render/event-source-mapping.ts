/**
 * Lambda event source mapping settings for `filtered` grants. Lambda filters on the record's `data` key only
 * (which must be JSON), ORs up to 5 filters (10 with a quota increase), each pattern at most 4096 characters;
 * records matching no filter are dropped. The checks live in model/checks/filters.ts; here the patterns become
 * `FilterCriteria` exactly as the Lambda API takes them.
 * https://docs.aws.amazon.com/lambda/latest/dg/invocation-eventfiltering.html
 */
import { canonicalJson } from '../canonical-json.js';
import type { Grant, Mesh, Stream } from '../model/types.js';
import { efoConsumerOf } from '../model/grant-consumer.js';
import { consumerArnPattern, functionArn, streamArn } from './arn.js';
import type { DesiredEventSourceMapping } from './types.js';

export interface FilterCriteria {
  Filters: { Pattern: string }[];
}

/** Filter patterns are compared as strings, so they are serialised canonically (keys sorted at every level). */
export { canonicalJson };

export function filterCriteria(patterns: readonly Record<string, unknown>[]): FilterCriteria {
  return { Filters: patterns.map((p) => ({ Pattern: canonicalJson(p) })) };
}

export function eventSourceMappingName(grant: Pick<Grant, 'id'>): string {
  return `esm-${grant.id}`;
}

/** CreateEventSourceMapping settings for a filtered grant (undefined when the grant has no filter). */
export function eventSourceMapping(mesh: Mesh, stream: Stream, grant: Grant): Record<string, unknown> | undefined {
  const f = grant.filter;
  if (f === undefined) return undefined;
  const consumer = efoConsumerOf(grant);
  // Through an EFO consumer the source is the consumer; its ARN ends with a timestamp known once it is registered.
  const source = streamArn(mesh, stream.account, stream.name);
  const esm: Record<string, unknown> = {
    FunctionName: f.functionName,
    EventSourceArn: consumer === undefined ? source : consumerArnPattern(mesh, stream.account, stream.name, consumer),
    StartingPosition: f.startingPosition,
  };
  if (f.batchSize !== undefined) esm['BatchSize'] = f.batchSize;
  esm['FilterCriteria'] = filterCriteria(f.patterns);
  return esm;
}

/** The mapping a filtered grant declares, as plan and audit compare it (undefined when the grant has no filter). */
export function desiredMapping(mesh: Mesh, stream: Stream, grant: Grant): DesiredEventSourceMapping | undefined {
  const f = grant.filter;
  if (f === undefined) return undefined;
  const account = grant.principal.account;
  const consumer = efoConsumerOf(grant);
  return {
    grantId: grant.id,
    account,
    streamAccount: stream.account,
    stream: stream.name,
    functionName: f.functionName,
    functionArn: functionArn(mesh, account, f.functionName),
    eventSourceArn: streamArn(mesh, stream.account, stream.name),
    startingPosition: f.startingPosition,
    ...(f.batchSize !== undefined ? { batchSize: f.batchSize } : {}),
    patterns: filterCriteria(f.patterns).Filters.map((x) => x.Pattern),
    manage: f.manageMapping,
    ...(consumer !== undefined ? { consumer } : {}),
  };
}
