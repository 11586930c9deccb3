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
import { consumerArnOf, functionArn, streamArn } from './arn.js';
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

/** What a filtered grant renders: its CreateEventSourceMapping settings and the mapping plan and audit compare. */
export interface FilteredGrantMapping {
  esm: Record<string, unknown>;
  mapping: DesiredEventSourceMapping;
}

/**
 * Both artefacts of a filtered grant (undefined when the grant has no filter), built together so the filter
 * patterns are serialised once and the stream ARN is named once. `arn` is the stream's ARN when the caller has it.
 */
export function filteredGrantMapping(
  mesh: Mesh,
  stream: Stream,
  grant: Grant,
  arn: string = streamArn(mesh, stream.account, stream.name),
): FilteredGrantMapping | undefined {
  const f = grant.filter;
  if (f === undefined) return undefined;
  const consumer = efoConsumerOf(grant);
  const patterns = f.patterns.map((p) => canonicalJson(p));
  // Through an EFO consumer the source is the consumer; its ARN ends with a timestamp known once it is registered.
  const esm: Record<string, unknown> = {
    FunctionName: f.functionName,
    EventSourceArn: consumer === undefined ? arn : consumerArnOf(arn, consumer),
    StartingPosition: f.startingPosition,
  };
  if (f.batchSize !== undefined) esm['BatchSize'] = f.batchSize;
  esm['FilterCriteria'] = { Filters: patterns.map((p) => ({ Pattern: p })) };
  const account = grant.principal.account;
  const mapping: DesiredEventSourceMapping = {
    grantId: grant.id,
    account,
    streamAccount: stream.account,
    stream: stream.name,
    functionName: f.functionName,
    functionArn: functionArn(mesh, account, f.functionName),
    eventSourceArn: arn,
    startingPosition: f.startingPosition,
    ...(f.batchSize !== undefined ? { batchSize: f.batchSize } : {}),
    patterns,
    manage: f.manageMapping,
    ...(consumer !== undefined ? { consumer } : {}),
  };
  return { esm, mapping };
}

/** CreateEventSourceMapping settings for a filtered grant (undefined when the grant has no filter). */
export function eventSourceMapping(mesh: Mesh, stream: Stream, grant: Grant): Record<string, unknown> | undefined {
  return filteredGrantMapping(mesh, stream, grant)?.esm;
}

/** The mapping a filtered grant declares, as plan and audit compare it (undefined when the grant has no filter). */
export function desiredMapping(mesh: Mesh, stream: Stream, grant: Grant): DesiredEventSourceMapping | undefined {
  return filteredGrantMapping(mesh, stream, grant)?.mapping;
}
