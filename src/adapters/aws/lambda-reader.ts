/**
 * Reads the Lambda event source mappings of filtered grants in one (grantee) account: ListEventSourceMappings by
 * EventSourceArn, one source at a time, paginated with Marker / NextMarker.
 * https://docs.aws.amazon.com/lambda/latest/api/API_ListEventSourceMappings.html
 * Vendor types stop here: mappings become `LiveEventSourceMapping` with the filter patterns as untrusted strings.
 * Any failure (access denied, a 5xx after the SDK's retries, a looping marker, too many pages, an unparsable answer)
 * makes that account's mappings "not read" with the redacted reason: the checks do not run there, the rest of the
 * mesh is still planned and audited.
 */
import { ListEventSourceMappingsCommand } from '@aws-sdk/client-lambda';
import type { EventSourceMappingConfiguration, LambdaClient } from '@aws-sdk/client-lambda';
import type { LiveEventSourceMapping, LiveLambda } from '../../core/plan/live.js';
import { toAdapterError } from './errors.js';

/** IAM actions the reader calls (read-only and governance roles). */
export const LAMBDA_READER_IAM_ACTIONS = ['lambda:ListEventSourceMappings'] as const;

/** Mappings per page: the API's maximum. */
const PAGE_SIZE = 100;
/** Pages per source before giving up: 100,000 mappings on one stream is not a real answer. */
const MAX_PAGES = 1000;

/** A mapping as meshgov reads it; undefined when the answer lacks what identifies a mapping. */
export function toLiveMapping(c: EventSourceMappingConfiguration): LiveEventSourceMapping | undefined {
  if (typeof c.UUID !== 'string' || typeof c.FunctionArn !== 'string' || typeof c.EventSourceArn !== 'string')
    return undefined;
  const filters = Array.isArray(c.FilterCriteria?.Filters) ? c.FilterCriteria.Filters : [];
  const m: LiveEventSourceMapping = {
    uuid: c.UUID,
    functionArn: c.FunctionArn,
    eventSourceArn: c.EventSourceArn,
    filterPatterns: filters.map((f) => (typeof f?.Pattern === 'string' ? f.Pattern : '')),
  };
  if (typeof c.StartingPosition === 'string') m.startingPosition = c.StartingPosition;
  if (typeof c.BatchSize === 'number') m.batchSize = c.BatchSize;
  if (typeof c.MaximumBatchingWindowInSeconds === 'number')
    m.maximumBatchingWindowInSeconds = c.MaximumBatchingWindowInSeconds;
  if (typeof c.State === 'string') m.state = c.State;
  return m;
}

/** Every mapping of one event source, all pages. */
export async function listSource(client: LambdaClient, source: string): Promise<LiveEventSourceMapping[]> {
  const out: LiveEventSourceMapping[] = [];
  const seen = new Set<string>();
  let marker: string | undefined;
  for (let page = 0; page < MAX_PAGES; page++) {
    const r = await client.send(
      new ListEventSourceMappingsCommand({
        EventSourceArn: source,
        MaxItems: PAGE_SIZE,
        ...(marker !== undefined ? { Marker: marker } : {}),
      }),
    );
    for (const c of r.EventSourceMappings ?? []) {
      const m = toLiveMapping(c);
      // The filter by source is the service's; a mapping of another source in the answer is not this source's.
      if (m !== undefined && m.eventSourceArn === source) out.push(m);
    }
    marker = r.NextMarker || undefined;
    if (marker === undefined) return out;
    // A marker seen before would loop forever.
    if (seen.has(marker)) throw new Error(`ListEventSourceMappings returned the marker ${marker} twice`);
    seen.add(marker);
  }
  throw new Error(`ListEventSourceMappings for ${source} returned more than ${MAX_PAGES} pages`);
}

/** The mappings of `sources` in `account`, or why they could not be read. */
export async function readMappings(
  client: LambdaClient,
  account: string,
  sources: ReadonlySet<string>,
): Promise<LiveLambda> {
  const sorted = [...sources].sort();
  const mappings: LiveEventSourceMapping[] = [];
  for (const source of sorted) {
    try {
      mappings.push(...(await listSource(client, source)));
    } catch (e) {
      // One grantee account's Lambda failing (a 403 whatever its body says, or anything else) must not abort the
      // whole plan or audit: its mappings are "not read", and plan and audit say so. AdapterError redacts the text
      // (an endpoint may echo the signed request).
      return { status: 'not-read', reason: toAdapterError(e, 'lambda', 'ListEventSourceMappings', account).message };
    }
  }
  return { status: 'read', sources: sorted, mappings };
}
