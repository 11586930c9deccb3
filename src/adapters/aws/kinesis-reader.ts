/**
 * Reads the Kinesis side of one account. Calls per account and stream (documented in docs/api-calls.md):
 * - ListStreams, 100 streams a page (StreamSummaries when the endpoint returns them).
 * - tags: one Resource Groups Tagging API GetResources page per 100 tagged streams; when that API fails
 *   (no permission, or an endpoint without it such as the local target) one ListTagsForResource per stream.
 * - consumer tags: a second GetResources paging, for `kinesis:stream/consumer`, one page per 100 tagged consumers,
 *   once a managed stream's summary counts consumers; a consumer that paging does not list (untagged, or not yet
 *   indexed), or every consumer when it fails, costs one ListTagsForResource.
 * - managed streams only (declared, or tagged managed-by meshgov for this mesh): DescribeStreamSummary,
 *   GetResourcePolicy, ListStreamConsumers (skipped when DescribeStreamSummary reports ConsumerCount 0), and per
 *   consumer GetResourcePolicy (+ ListTagsForResource, see above).
 * All of it pipelined per account (readKinesisAccount); the first EARLY_READS declared streams are read while
 * ListStreams is still on its way.
 * Unmanaged streams are known from ListStreams (and their tags) alone.
 */
import {
  DescribeStreamSummaryCommand,
  GetResourcePolicyCommand,
  ListStreamConsumersCommand,
  ListStreamsCommand,
  ListTagsForResourceCommand,
} from '@aws-sdk/client-kinesis';
import type { Consumer, StreamDescriptionSummary, StreamSummary } from '@aws-sdk/client-kinesis';
import { GetResourcesCommand } from '@aws-sdk/client-resource-groups-tagging-api';
import { unmanagedReason } from '../../core/plan/scope.js';
import type { LiveConsumer, LiveStream, LiveUnmanagedStream } from '../../core/plan/live.js';
import type { PolicyDocument } from '../../core/render/types.js';
import type { ClientPool } from './client-pool.js';
import { mapLimit } from './concurrency.js';
import { AdapterError, isNotFound, toAdapterError } from './errors.js';
import { parseLivePolicy } from './live-policy-json.js';

/** IAM actions this reader needs in each mesh account (granted to the governance role). */
export const KINESIS_READER_IAM_ACTIONS = [
  'kinesis:DescribeStreamSummary',
  'kinesis:GetResourcePolicy',
  'kinesis:ListStreamConsumers',
  'kinesis:ListStreams',
  'kinesis:ListTagsForResource',
  'tag:GetResources',
] as const;

export interface KinesisReadOptions {
  meshName: string;
  region: string;
  partition: string;
  declared: ReadonlySet<string>;
  /** Try the Resource Groups Tagging API first (default true). */
  useTaggingApi?: boolean;
  /** Streams read in parallel in one account. */
  concurrency?: number;
}

export interface KinesisAccountRead {
  streams: LiveStream[];
  unmanaged: LiveUnmanagedStream[];
  notChecked: string[];
  /** True when tags came from the tagging API. */
  usedTaggingApi: boolean;
}

interface Listed {
  name: string;
  arn: string;
  status?: LiveStream['status'];
  mode?: LiveStream['mode'];
  createdAt?: string;
}

async function call<T>(account: string, service: string, operation: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (e) {
    throw toAdapterError(e, service, operation, account);
  }
}

export async function listStreams(
  pool: ClientPool,
  account: string,
  o: Pick<KinesisReadOptions, 'region' | 'partition'>,
): Promise<Listed[]> {
  const client = pool.kinesis(account);
  const out: Listed[] = [];
  let nextToken: string | undefined;
  let startAfter: string | undefined;
  for (;;) {
    const input = nextToken
      ? { NextToken: nextToken }
      : { Limit: 100, ...(startAfter ? { ExclusiveStartStreamName: startAfter } : {}) };
    const page = await call(account, 'kinesis', 'ListStreams', () => client.send(new ListStreamsCommand(input)));
    const summaries: StreamSummary[] = page.StreamSummaries ?? [];
    const names = page.StreamNames ?? summaries.map((s) => s.StreamName ?? '');
    for (const name of names) {
      if (!name) continue;
      const s = summaries.find((x) => x.StreamName === name);
      out.push({
        name,
        arn: s?.StreamARN ?? `arn:${o.partition}:kinesis:${o.region}:${account}:stream/${name}`,
        ...(s?.StreamStatus ? { status: s.StreamStatus as LiveStream['status'] } : {}),
        ...(s?.StreamModeDetails?.StreamMode ? { mode: s.StreamModeDetails.StreamMode as LiveStream['mode'] } : {}),
        ...(s?.StreamCreationTimestamp ? { createdAt: s.StreamCreationTimestamp.toISOString() } : {}),
      });
    }
    if (!page.HasMoreStreams || names.length === 0) break;
    nextToken = page.NextToken;
    startAfter = names[names.length - 1];
  }
  return out;
}

function tagsOf(list: { Key?: string; Value?: string }[] | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const t of list ?? []) if (t.Key !== undefined) out[t.Key] = t.Value ?? '';
  return Object.fromEntries(Object.entries(out).sort(([a], [b]) => (a < b ? -1 : 1)));
}

/** GetResources pages one paging reads at most: past that (or on a repeated token) the answer is not trusted. */
const MAX_TAGGING_PAGES = 1000;

/**
 * Tags of every tagged resource of one type in the account, by exact ARN, through the Resource Groups Tagging API's
 * GetResources; undefined when any page fails (no permission, an endpoint without the API, a refused filter,
 * throttling past the retries) or the pages do not end (a repeated PaginationToken, more than MAX_TAGGING_PAGES).
 * An empty-string PaginationToken ends the paging as a missing one does.
 */
async function taggedResources(
  pool: ClientPool,
  account: string,
  resourceType: string,
): Promise<Map<string, Record<string, string>> | undefined> {
  const client = pool.tagging(account);
  const out = new Map<string, Record<string, string>>();
  const tokens = new Set<string>();
  let token: string | undefined;
  let pages = 0;
  try {
    do {
      if (++pages > MAX_TAGGING_PAGES) return undefined;
      const page = await client.send(
        new GetResourcesCommand({
          ResourceTypeFilters: [resourceType],
          ResourcesPerPage: 100,
          ...(token ? { PaginationToken: token } : {}),
        }),
      );
      for (const r of page.ResourceTagMappingList ?? []) if (r.ResourceARN) out.set(r.ResourceARN, tagsOf(r.Tags));
      token = page.PaginationToken || undefined;
      if (token !== undefined && tokens.has(token)) return undefined;
      if (token !== undefined) tokens.add(token);
    } while (token);
  } catch {
    return undefined;
  }
  return out;
}

/**
 * Tags of every tagged stream in the account, by ARN, through GetResources (`kinesis:stream`); undefined when the
 * API fails. Any consumer ARN a page lists is kept too (its tags then need no ListTagsForResource).
 */
export function tagsViaTaggingApi(
  pool: ClientPool,
  account: string,
): Promise<Map<string, Record<string, string>> | undefined> {
  return taggedResources(pool, account, 'kinesis:stream');
}

/**
 * Tags of every tagged enhanced fan-out consumer in the account, by consumer ARN, through GetResources with the
 * resource type `kinesis:stream/consumer` (the type AWS Organizations tag policies name for Kinesis consumers,
 * which are evaluated over this API; docs/api-calls.md quotes the sources); undefined when that paging fails, e.g.
 * when the API refuses the filter with InvalidParameterException. A paging of its own, so that a refusal costs the
 * stream tags nothing.
 */
export function consumerTagsViaTaggingApi(
  pool: ClientPool,
  account: string,
): Promise<Map<string, Record<string, string>> | undefined> {
  return taggedResources(pool, account, 'kinesis:stream/consumer');
}

async function listTags(pool: ClientPool, account: string, arn: string): Promise<Record<string, string>> {
  const r = await call(account, 'kinesis', 'ListTagsForResource', () =>
    pool.kinesis(account).send(new ListTagsForResourceCommand({ ResourceARN: arn })),
  );
  return tagsOf(r.Tags);
}

/** The resource policy of a stream or consumer; undefined when there is none. */
export async function getPolicy(pool: ClientPool, account: string, arn: string): Promise<PolicyDocument | undefined> {
  try {
    const r = await pool.kinesis(account).send(new GetResourcePolicyCommand({ ResourceARN: arn }));
    const text = r.Policy?.trim();
    if (!text || text === '{}') return undefined;
    return parseLivePolicy(text) as PolicyDocument;
  } catch (e) {
    if (isNotFound(e)) return undefined;
    throw toAdapterError(e, 'kinesis', 'GetResourcePolicy', account);
  }
}

function fromSummary(d: StreamDescriptionSummary, account: string, tags: Record<string, string>): LiveStream {
  const metrics = (d.EnhancedMonitoring ?? []).flatMap((m) => m.ShardLevelMetrics ?? []);
  return {
    name: d.StreamName ?? '',
    arn: d.StreamARN ?? '',
    account,
    status: (d.StreamStatus ?? 'ACTIVE') as LiveStream['status'],
    mode: (d.StreamModeDetails?.StreamMode ?? 'PROVISIONED') as LiveStream['mode'],
    shards: d.OpenShardCount ?? 0,
    retentionHours: d.RetentionPeriodHours ?? 24,
    encryption: d.EncryptionType === 'KMS' ? { type: 'KMS', ...(d.KeyId ? { keyId: d.KeyId } : {}) } : { type: 'NONE' },
    enhancedMonitoring: [...new Set(metrics)].sort(),
    tags,
    consumers: [],
    ...(d.StreamCreationTimestamp ? { createdAt: d.StreamCreationTimestamp.toISOString() } : {}),
  };
}

/** Tags from the tagging API's pages by ARN, once they are in; undefined when that API is not used or failed. */
type BulkTags = Promise<ReadonlyMap<string, Record<string, string>> | undefined>;

/** The account's tagging API pagings: stream tags, and consumer tags started by the first stream that needs them. */
interface TagPages {
  streams: BulkTags;
  /** The consumer paging; the first call starts it, later calls share it. */
  consumers: () => BulkTags;
}

/**
 * Declared streams of an account read before its ListStreams answers: as many as the limiter lets through at once
 * for GetResourcePolicy at meshgov's default share (4 of its 5 per second), so none of them waits on a token.
 */
const EARLY_READS = 4;

/** Consumers per ListStreamConsumers page (the API's default and a stream's usual maximum of 20 is far below it). */
const CONSUMER_PAGE = 100;

/**
 * The stream's consumers, each with its tags and policy. Tags come from the tagging API's consumer paging, or its
 * stream paging, when either listed the consumer's exact ARN (the consumer is a taggable Kinesis resource), else
 * from ListTagsForResource: an ARN only another stream or account has never lends its tags to this consumer.
 */
async function readConsumers(
  pool: ClientPool,
  account: string,
  streamArn: string,
  pages: TagPages,
): Promise<LiveConsumer[]> {
  const client = pool.kinesis(account);
  const found: Consumer[] = [];
  let token: string | undefined;
  do {
    const page = await call(account, 'kinesis', 'ListStreamConsumers', () =>
      client.send(
        new ListStreamConsumersCommand({
          StreamARN: streamArn,
          MaxResults: CONSUMER_PAGE,
          ...(token ? { NextToken: token } : {}),
        }),
      ),
    );
    const consumers = page.Consumers ?? [];
    found.push(...consumers);
    // A short page is the last one (kinesis-local returns a NextToken even then; AWS does not).
    token = consumers.length < CONSUMER_PAGE ? undefined : page.NextToken || undefined;
  } while (token);
  const out: LiveConsumer[] = [];
  const [consumerPages, streamPages] =
    found.length === 0 ? [undefined, undefined] : await Promise.all([pages.consumers(), pages.streams]);
  for (const c of found) {
    if (!c.ConsumerARN || !c.ConsumerName) continue;
    const bulk = consumerPages?.get(c.ConsumerARN) ?? streamPages?.get(c.ConsumerARN);
    const [tags, policy] = await Promise.all([
      bulk ? Promise.resolve(bulk) : listTags(pool, account, c.ConsumerARN),
      getPolicy(pool, account, c.ConsumerARN),
    ]);
    out.push({
      name: c.ConsumerName,
      arn: c.ConsumerARN,
      status: (c.ConsumerStatus ?? 'ACTIVE') as LiveConsumer['status'],
      tags,
      ...(policy ? { resourcePolicy: policy } : {}),
    });
  }
  return out.sort((a, b) => (a.name < b.name ? -1 : 1));
}

/** The endpoint does not implement the API (an emulator): the part is reported as not read instead of failing. */
function isUnsupported(e: unknown): boolean {
  const code = e instanceof AdapterError ? e.code : undefined;
  return code !== undefined && /UnknownOperation|NotImplemented|InvalidAction|UnsupportedOperation/.test(code);
}

/**
 * Full read of one managed stream (tags aside); undefined when it disappeared since it was listed. Its policy is
 * read alongside DescribeStreamSummary (the listed ARN is enough), its consumers once the summary says it has any.
 */
async function readStream(
  pool: ClientPool,
  account: string,
  listed: Listed,
  pages: TagPages,
): Promise<LiveStream | undefined> {
  const policyOf = (arn: string) =>
    getPolicy(pool, account, arn).catch((e: unknown) => {
      if (isUnsupported(e)) return 'unsupported' as const;
      throw e;
    });
  // The policy first: GetResourcePolicy is the account's binding API (one per stream and per consumer), so it is
  // the first call to get a token; DescribeStreamSummary's quota is four times larger.
  const early = policyOf(listed.arn);
  // Its failure is awaited below; until then it must not count as unhandled.
  early.catch(() => undefined);
  const describe = (async () => {
    try {
      return (await pool.kinesis(account).send(new DescribeStreamSummaryCommand({ StreamName: listed.name })))
        .StreamDescriptionSummary;
    } catch (e) {
      if (isNotFound(e)) return undefined;
      throw toAdapterError(e, 'kinesis', 'DescribeStreamSummary', account);
    }
  })();
  // Its failure is awaited below.
  describe.catch(() => undefined);
  const summary = await describe;
  if (!summary) return undefined;
  const stream = fromSummary(summary, account, {});
  if (!stream.arn) stream.arn = listed.arn;
  // The consumer tag paging starts with the first stream that counts consumers, alongside its ListStreamConsumers.
  if ((summary.ConsumerCount ?? 0) > 0) void pages.consumers();
  const [policy, consumers] = await Promise.all([
    // The listed ARN is the stream's (AWS lists ARNs; otherwise meshgov built it the way Kinesis does).
    stream.arn === listed.arn ? early : policyOf(stream.arn),
    // ConsumerCount from DescribeStreamSummary saves the ListStreamConsumers call for streams without consumers.
    summary.ConsumerCount === 0 ? Promise.resolve([]) : readConsumers(pool, account, stream.arn, pages),
  ]);
  if (policy === 'unsupported') stream.notRead = ['resourcePolicy'];
  else if (policy) stream.resourcePolicy = policy;
  stream.consumers = consumers;
  return stream;
}

/** Tags of a listed stream by ListTagsForResource; undefined when it disappeared since it was listed. */
async function streamTagsOf(pool: ClientPool, account: string, s: Listed): Promise<Record<string, string> | undefined> {
  try {
    return await listTags(pool, account, s.arn);
  } catch (e) {
    if (isNotFound((e as { cause?: unknown }).cause)) return undefined;
    throw e;
  }
}

/**
 * One account, pipelined: every listed stream at once (the client-side limiter paces each API), a declared stream
 * read alongside its tags (they only tell whether another mesh fences it off), any other stream read once its tags
 * say meshgov manages it. So the account's binding API (GetResourcePolicy: one per stream and per consumer) is busy
 * from the first second to the last.
 */
export async function readKinesisAccount(
  pool: ClientPool,
  account: string,
  o: KinesisReadOptions,
): Promise<KinesisAccountRead> {
  const listing = listStreams(pool, account, o);
  // Its failure is awaited below.
  listing.catch(() => undefined);
  // The tagging API's pages are read while declared streams are read already (they need tags only at the end).
  const viaApi: BulkTags = listing.then((listed) =>
    o.useTaggingApi === false || listed.length === 0 ? undefined : tagsViaTaggingApi(pool, account),
  );
  viaApi.catch(() => undefined);
  // Consumer tags: a paging of its own, started once a managed stream counts consumers, and only where the stream
  // paging worked (where it failed, for want of permission or of the API, this one would fail alike). Both
  // pagings share the account's GetResources rate, so running the second after the first costs no time.
  let consumerPaging: BulkTags | undefined;
  const pages: TagPages = {
    streams: viaApi,
    // From a stream paging that cannot fail (viaApi fails with the listing, which an early read may outlive): a
    // paging started by an early read must not be a rejection nobody handles.
    consumers: () =>
      (consumerPaging ??= viaApi
        .catch(() => undefined)
        .then((streams) => (streams === undefined ? undefined : consumerTagsViaTaggingApi(pool, account)))),
  };
  // The first few declared streams are read before ListStreams answers, under the ARN Kinesis gives them: the
  // binding API's first tokens are not left idle for that round trip. A stream the listing then lacks is dropped
  // (it costs its two calls: a plan from empty spends at most EARLY_READS of each per account).
  const earlyReads = new Map<string, Promise<LiveStream | undefined>>();
  const kinesisArn = (name: string) => `arn:${o.partition}:kinesis:${o.region}:${account}:stream/${name}`;
  for (const name of [...o.declared].sort().slice(0, EARLY_READS)) {
    const read = readStream(pool, account, { name, arn: kinesisArn(name) }, pages);
    read.catch(() => undefined);
    earlyReads.set(name, read);
  }
  // Early reads not taken up by the listing (or all of them, when the read fails) end before the read does: no
  // call outlives it. A declared stream the listing lacks (absent, or deleted meanwhile) is dropped.
  const settleEarlyReads = () => Promise.all([...earlyReads.values()].map((r) => r.catch(() => undefined)));
  let listed: Listed[];
  try {
    listed = await listing;
  } catch (e) {
    await settleEarlyReads();
    throw e;
  }
  const tagsOf = async (s: Listed) => {
    const bulk = await viaApi;
    return bulk ? (bulk.get(s.arn) ?? {}) : streamTagsOf(pool, account, s);
  };
  let read: (LiveStream | LiveUnmanagedStream | undefined)[];
  try {
    read = await mapLimit(
      listed,
      o.concurrency ?? 64,
      async (s): Promise<LiveStream | LiveUnmanagedStream | undefined> => {
        const declared = o.declared.has(s.name);
        // An early read counts only under the ARN the listing gives (an emulator may list another), and a stream it
        // did not find (created while ListStreams was answering) is read again now that it is listed. Otherwise it
        // is left to settle with the others.
        let started = s.arn === kinesisArn(s.name) ? earlyReads.get(s.name) : undefined;
        if (started !== undefined) {
          earlyReads.delete(s.name);
          started = started.then((r) => r ?? readStream(pool, account, s, pages));
        }
        const early = declared ? (started ?? readStream(pool, account, s, pages)) : undefined;
        early?.catch(() => undefined);
        const tags = await tagsOf(s);
        const why = unmanagedReason(tags, declared, o.meshName);
        if (why !== undefined) {
          // Fenced off by another mesh after all: the early read is discarded, but no call outlives the read.
          await early?.catch(() => undefined);
          return {
            name: s.name,
            arn: s.arn,
            reason: why,
            ...(s.status ? { status: s.status } : {}),
            ...(s.mode ? { mode: s.mode } : {}),
            ...(s.createdAt ? { createdAt: s.createdAt } : {}),
          };
        }
        const stream = await (early ?? readStream(pool, account, s, pages));
        if (stream) stream.tags = tags ?? {};
        return stream;
      },
    );
  } finally {
    await settleEarlyReads();
  }
  const streams: LiveStream[] = [];
  const unmanaged: LiveUnmanagedStream[] = [];
  for (const r of read) {
    if (r === undefined) continue;
    if ('reason' in r) unmanaged.push(r);
    else streams.push(r);
  }
  const byName = (a: { name: string }, b: { name: string }) => (a.name < b.name ? -1 : 1);
  const usedTaggingApi = (await viaApi) !== undefined;
  return { streams: streams.sort(byName), unmanaged: unmanaged.sort(byName), notChecked: [], usedTaggingApi };
}
