/**
 * A quota-enforcing proxy for benchmarks: loopback HTTP in front of kinesis-local that answers like Kinesis when a
 * caller goes over the documented control-plane quotas, so a run through it shows how close meshgov gets to the
 * floor those quotas set (bench/quota-floor.ts).
 *
 * - The account is the access key id of the request's SigV4 `Credential=` (kinesis-local's convention; meshgov's
 *   `--endpoint URL --endpoint-accounts-as-keys` signs that way).
 * - One token bucket per (account, API), or per (account, stream, API) for the per-stream quotas, refilled at the
 *   documented TPS and holding at most one second of tokens (AWS does not document its burst; one second is the
 *   assumption). A call without a token gets HTTP 400 `LimitExceededException` "Rate exceeded for ..." (the text
 *   Kinesis uses: https://github.com/hashicorp/terraform-provider-aws/pull/3108) and is not forwarded.
 * - At most 5 streams per account in CREATING or DELETING: a CreateStream or DeleteStream beyond that gets
 *   `LimitExceededException` with the text Kinesis answers
 *   (https://github.com/hashicorp/terraform-provider-aws/pull/1339;
 *   https://docs.aws.amazon.com/kinesis/latest/APIReference/API_CreateStream.html: "Have more than five streams in
 *   the CREATING state at any point in time"). The proxy tracks the streams it saw created or deleted and asks
 *   kinesis-local for their status (those reads bypass the quotas and are not counted).
 * - Answers the Resource Groups Tagging API's GetResources as AWS does (the tagged resources of the account with
 *   their tags, at most ResourcesPerPage (1-100) a page, PaginationToken, "" on the last page;
 *   https://docs.aws.amazon.com/resourcegroupstagging/latest/APIReference/API_GetResources.html), since
 *   kinesis-local has no tagging API and meshgov reads tags through it on AWS: `kinesis:stream` lists streams,
 *   `kinesis:stream/consumer` enhanced fan-out consumers (the resource type AWS Organizations tag policies name for
 *   them; docs/api-calls.md quotes the sources), `kinesis` or no filter both; other types get an empty list. The
 *   proxy builds the answer from kinesis-local's ListStreams, ListStreamConsumers and ListTagsForResource (not
 *   counted, not limited). `taggingApi: false` answers every GetResources like kinesis-local
 *   (UnknownOperationException); `consumerFilter: false` refuses the `kinesis:stream/consumer` filter with HTTP 400
 *   `InvalidParameterException` (the Tagging API's error for a parameter it does not accept), as AWS would if it did
 *   not list consumers, so meshgov's fallback runs.
 * - Counts calls, throttled answers and transition refusals per (account, API).
 *
 * Bounded: loopback only (listens on 127.0.0.1 and refuses a non-loopback upstream), request bodies at most 1 MiB,
 * at most 256 connections, and it closes itself after `lifetimeMs` (default 30 minutes) even if nobody calls close.
 *
 * Documented per-account TPS (Kinesis API Reference, "has a limit of ..." in each action's page,
 * https://docs.aws.amazon.com/kinesis/latest/APIReference/API_<Action>.html; the same text is in the SDK's
 * command docs, node_modules/@aws-sdk/client-kinesis/dist-types/commands/<Action>Command.d.ts):
 *
 * | API | TPS | Per | Source |
 * |---|---:|---|---|
 * | AddTagsToStream | 5 | account | API reference: "five transactions per second per account" |
 * | CreateStream | 5 | account | API reference: "five transactions per second per account" |
 * | DeleteStream | 5 | account | API reference: "five transactions per second per account" |
 * | DeregisterStreamConsumer | 5 | stream | API reference: "five transactions per second per stream" |
 * | DescribeLimits | 1 | account | API reference: "one transaction per second per account" |
 * | DescribeStream | 10 | account | API reference: "10 transactions per second per account" |
 * | DescribeStreamConsumer | 20 | stream | API reference: "20 transactions per second per stream" |
 * | DescribeStreamSummary | 20 | account | API reference: "20 transactions per second per account" |
 * | ListStreamConsumers | 5 | stream | API reference: "5 transactions per second per stream" |
 * | ListStreams | 5 | account | API reference: "five transactions per second per account" |
 * | ListTagsForStream | 5 | account | API reference: "five transactions per second per account" |
 * | MergeShards, SplitShard | 5 | account | API reference: "five transactions per second per account" |
 * | RegisterStreamConsumer | 5 | account | API reference: "five transactions per second per account" |
 * | RemoveTagsFromStream | 5 | account | API reference: "five transactions per second per account" |
 * | UpdateShardCount | 10 | account | API reference: "Make over 10 TPS" is refused |
 * | GetResources (Resource Groups Tagging API) | 15 | account | Tag Editor user guide, "Service quotas" (https://docs.aws.amazon.com/tag-editor/latest/userguide/reference.html): "Rate of calling the GetResources API operation: Maximum of 15 calls per second" |
 * | every other API (GetResourcePolicy, PutResourcePolicy, DeleteResourcePolicy, ListTagsForResource, TagResource, UntagResource, StartStreamEncryption, StopStreamEncryption, Increase/DecreaseStreamRetentionPeriod, Enable/DisableEnhancedMonitoring, UpdateStreamMode) | 5 | account | not stated in the API reference; 5, the figure of every stated per-account control-plane write, and the default of meshgov's own limiter (src/adapters/aws/rate-limit.ts) |
 */
import { createServer, request } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

export interface ApiQuota {
  /** Transactions per second. */
  tps: number;
  /** What the quota counts: calls of the account, or calls on one stream of the account. */
  per: 'account' | 'stream';
}

/** The documented quotas (table above). */
export const DOCUMENTED_QUOTAS: Readonly<Record<string, ApiQuota>> = {
  AddTagsToStream: { tps: 5, per: 'account' },
  CreateStream: { tps: 5, per: 'account' },
  DeleteStream: { tps: 5, per: 'account' },
  DeregisterStreamConsumer: { tps: 5, per: 'stream' },
  DescribeLimits: { tps: 1, per: 'account' },
  DescribeStream: { tps: 10, per: 'account' },
  DescribeStreamConsumer: { tps: 20, per: 'stream' },
  DescribeStreamSummary: { tps: 20, per: 'account' },
  ListStreamConsumers: { tps: 5, per: 'stream' },
  ListStreams: { tps: 5, per: 'account' },
  ListTagsForStream: { tps: 5, per: 'account' },
  MergeShards: { tps: 5, per: 'account' },
  SplitShard: { tps: 5, per: 'account' },
  RegisterStreamConsumer: { tps: 5, per: 'account' },
  RemoveTagsFromStream: { tps: 5, per: 'account' },
  UpdateShardCount: { tps: 10, per: 'account' },
  GetResources: { tps: 15, per: 'account' },
};

/** APIs the API reference gives no figure for. */
export const UNSTATED_QUOTA: ApiQuota = { tps: 5, per: 'account' };

/** Streams that may be CREATING or DELETING at once in an account. */
export const MAX_STREAMS_IN_TRANSITION = 5;

export function quotaOf(api: string): ApiQuota {
  return DOCUMENTED_QUOTAS[api] ?? UNSTATED_QUOTA;
}

const MAX_BODY = 1024 * 1024;
const MAX_CONNECTIONS = 256;

export interface QuotaProxyOptions {
  /** kinesis-local's endpoint, e.g. http://127.0.0.1:4567 (loopback only). */
  upstream: string;
  /** Close by itself after this long, ms (default 30 minutes). */
  lifetimeMs?: number;
  /** Clock, ms (tests). */
  now?: () => number;
  /** Answer GetResources for Kinesis streams and consumers like AWS (default true). */
  taggingApi?: boolean;
  /**
   * List consumers for the `kinesis:stream/consumer` filter (default true); false refuses that filter with
   * InvalidParameterException, to exercise meshgov's fallback to ListTagsForResource per consumer.
   */
  consumerFilter?: boolean;
}

/** Calls the proxy saw for one (account, API). */
export interface ApiCount {
  /** Every call, answered or refused. */
  calls: number;
  /** Refused for the rate (LimitExceededException "Rate exceeded"). */
  throttled: number;
  /** Refused because 5 streams were already CREATING or DELETING. */
  transitionRefused: number;
  /** When the first and the last of these calls arrived (ms since the epoch, the proxy's clock). */
  firstAt?: number;
  lastAt?: number;
}

export interface QuotaProxy {
  endpoint: string;
  /** Counts by account, then API. */
  counts(): Record<string, Record<string, ApiCount>>;
  /** Forget the counts (between the runs of a scenario). */
  resetCounts(): void;
  /** Most streams seen in CREATING or DELETING at once in any account. */
  peakInTransition(): number;
  close(): Promise<void>;
}

class Bucket {
  private tokens: number;
  private last: number;
  constructor(
    private readonly rate: number,
    private readonly now: () => number,
  ) {
    this.tokens = rate;
    this.last = now();
  }
  take(): boolean {
    const t = this.now();
    this.tokens = Math.min(this.rate, this.tokens + ((t - this.last) / 1000) * this.rate);
    this.last = t;
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }
}

/** The account: the access key id in `Authorization: AWS4-HMAC-SHA256 Credential=<key>/<date>/...`. */
export function accountOf(authorization: string | undefined): string {
  return /Credential=([^/,\s]+)\//.exec(authorization ?? '')?.[1] ?? 'unsigned';
}

/** The stream a request names (StreamName, or the stream part of StreamARN / ResourceARN / ConsumerARN). */
export function streamOf(body: Record<string, unknown>): string | undefined {
  if (typeof body['StreamName'] === 'string') return body['StreamName'];
  for (const k of ['StreamARN', 'ResourceARN', 'ConsumerARN']) {
    const v = body[k];
    if (typeof v === 'string') {
      const m = /:stream\/([^/]+)/.exec(v);
      if (m) return m[1];
    }
  }
  return undefined;
}

function isLoopback(host: string): boolean {
  return host === '127.0.0.1' || host === 'localhost' || host === '[::1]' || host === '::1';
}

export async function startQuotaProxy(o: QuotaProxyOptions): Promise<QuotaProxy> {
  const upstream = new URL(o.upstream);
  if (!isLoopback(upstream.hostname)) throw new Error(`quota proxy: upstream ${o.upstream} is not a loopback address`);
  const now = o.now ?? (() => Date.now());
  const buckets = new Map<string, Bucket>();
  let counts = new Map<string, Map<string, ApiCount>>();
  /** Streams this proxy saw created or deleted and not yet seen settled, per account. */
  const inTransition = new Map<string, Set<string>>();
  /** One CreateStream/DeleteStream at a time per account, so two cannot both take the fifth slot. */
  const transitionQueue = new Map<string, Promise<unknown>>();
  let peak = 0;

  const count = (account: string, api: string): ApiCount => {
    let a = counts.get(account);
    if (!a) counts.set(account, (a = new Map()));
    let c = a.get(api);
    if (!c) a.set(api, (c = { calls: 0, throttled: 0, transitionRefused: 0 }));
    return c;
  };

  const send = (res: ServerResponse, status: number, type: string, message: string) => {
    res.writeHead(status, {
      'content-type': 'application/x-amz-json-1.1',
      'x-amzn-requestid': `quota-proxy-${Date.now()}`,
    });
    res.end(JSON.stringify({ __type: type, message }));
  };

  /** POST to kinesis-local; resolves with status, headers and body. */
  const upstreamCall = (path: string, headers: IncomingMessage['headers'], body: Buffer) =>
    new Promise<{ status: number; headers: IncomingMessage['headers']; body: Buffer }>((resolve, reject) => {
      const up = request({ host: upstream.hostname, port: upstream.port, method: 'POST', path, headers }, (r) => {
        const chunks: Buffer[] = [];
        r.on('data', (c: Buffer) => chunks.push(c));
        r.on('end', () => resolve({ status: r.statusCode ?? 502, headers: r.headers, body: Buffer.concat(chunks) }));
        r.on('error', reject);
      });
      up.on('error', reject);
      up.end(body);
    });

  /** Streams of the account still CREATING or DELETING, asked of kinesis-local (not counted, not limited). */
  const stillInTransition = async (account: string, headers: IncomingMessage['headers']): Promise<Set<string>> => {
    const set = inTransition.get(account) ?? new Set<string>();
    for (const name of [...set]) {
      const body = Buffer.from(JSON.stringify({ StreamName: name }));
      const h = {
        ...headers,
        'x-amz-target': 'Kinesis_20131202.DescribeStreamSummary',
        'content-length': String(body.length),
      };
      const r = await upstreamCall('/', h, body).catch(() => undefined);
      const status =
        r && r.status === 200
          ? (JSON.parse(r.body.toString('utf8')) as { StreamDescriptionSummary?: { StreamStatus?: string } })
              .StreamDescriptionSummary?.StreamStatus
          : undefined;
      // Gone (404) or settled: no longer in transition.
      if (!r || r.status !== 200 || (status !== 'CREATING' && status !== 'DELETING')) set.delete(name);
    }
    inTransition.set(account, set);
    return set;
  };

  /** kinesis-local's answer to one Kinesis call made for the proxy itself (not counted, not limited). */
  const kinesisCall = async <T>(headers: IncomingMessage['headers'], api: string, input: object): Promise<T> => {
    const body = Buffer.from(JSON.stringify(input));
    const h = { ...headers, 'x-amz-target': `Kinesis_20131202.${api}`, 'content-length': String(body.length) };
    const r = await upstreamCall('/', h, body);
    if (r.status !== 200) throw new Error(`quota proxy: ${api} answered HTTP ${r.status}`);
    return JSON.parse(r.body.toString('utf8') || '{}') as T;
  };

  type Mapping = { ResourceARN: string; Tags: { Key: string; Value: string }[] };
  type TagList = { Key: string; Value?: string }[];

  /** The ARNs of the account's streams (kinesis-local lists names only: built the way Kinesis does). */
  const streamArns = async (headers: IncomingMessage['headers']): Promise<string[]> => {
    const region = /Credential=[^/]+\/[^/]+\/([^/]+)\//.exec(String(headers.authorization ?? ''))?.[1] ?? 'us-east-1';
    const account = accountOf(headers.authorization);
    const arns: string[] = [];
    let after: string | undefined;
    for (;;) {
      type Page = { StreamNames?: string[]; HasMoreStreams?: boolean };
      const page: Page = await kinesisCall<Page>(headers, 'ListStreams', {
        Limit: 100,
        ...(after ? { ExclusiveStartStreamName: after } : {}),
      });
      const names = page.StreamNames ?? [];
      for (const n of names) arns.push(`arn:aws:kinesis:${region}:${account}:stream/${n}`);
      if (!page.HasMoreStreams || names.length === 0) break;
      after = names[names.length - 1];
    }
    return arns;
  };

  /** The consumer ARNs of the given streams (ListStreamConsumers; a short page is the last, as in meshgov). */
  const consumerArns = async (headers: IncomingMessage['headers'], streams: string[]): Promise<string[]> => {
    const out: string[] = [];
    for (let i = 0; i < streams.length; i += 16) {
      const batch = await Promise.all(
        streams.slice(i, i + 16).map(async (StreamARN) => {
          const arns: string[] = [];
          let token: string | undefined;
          do {
            type Page = { Consumers?: { ConsumerARN?: string }[]; NextToken?: string };
            const page: Page = await kinesisCall<Page>(headers, 'ListStreamConsumers', {
              StreamARN,
              MaxResults: 100,
              ...(token ? { NextToken: token } : {}),
            });
            const consumers = page.Consumers ?? [];
            for (const c of consumers) if (c.ConsumerARN) arns.push(c.ConsumerARN);
            token = consumers.length < 100 ? undefined : page.NextToken || undefined;
          } while (token);
          return arns;
        }),
      );
      out.push(...batch.flat());
    }
    return out;
  };

  /** The given resources that carry tags, with their tags, as GetResources lists them. */
  const tagged = async (headers: IncomingMessage['headers'], arns: string[]): Promise<Mapping[]> => {
    const out: Mapping[] = [];
    for (let i = 0; i < arns.length; i += 16) {
      const batch = await Promise.all(
        arns.slice(i, i + 16).map(async (arn) => {
          const t = await kinesisCall<{ Tags?: TagList }>(headers, 'ListTagsForResource', { ResourceARN: arn });
          return { ResourceARN: arn, Tags: (t.Tags ?? []).map((x) => ({ Key: x.Key, Value: x.Value ?? '' })) };
        }),
      );
      out.push(...batch.filter((m) => m.Tags.length > 0));
    }
    return out;
  };

  /** Lists taken at a first GetResources page, by PaginationToken id, for the pages after it. */
  const listings = new Map<string, Mapping[]>();
  const getResources = async (req: IncomingMessage, res: ServerResponse, input: Record<string, unknown>) => {
    const filters = Array.isArray(input['ResourceTypeFilters']) ? (input['ResourceTypeFilters'] as unknown[]) : [];
    const perPage = Math.max(1, Math.min(100, Number(input['ResourcesPerPage'] ?? 100) || 100));
    const [id, at] = String(input['PaginationToken'] ?? '').split(':');
    let list = id ? listings.get(id) : undefined;
    let key = id ?? '';
    if (!list) {
      const wants = (type: string) => filters.length === 0 || filters.some((f) => f === 'kinesis' || f === type);
      const streams = wants('kinesis:stream') || wants('kinesis:stream/consumer') ? await streamArns(req.headers) : [];
      const arns = [
        ...(wants('kinesis:stream') ? streams : []),
        ...(wants('kinesis:stream/consumer') ? await consumerArns(req.headers, streams) : []),
      ];
      list = await tagged(req.headers, arns);
      key = `p${listings.size}`;
      listings.set(key, list);
    }
    const from = Number(at ?? 0) || 0;
    const next = from + perPage < list.length ? `${key}:${from + perPage}` : '';
    res.writeHead(200, {
      'content-type': 'application/x-amz-json-1.1',
      'x-amzn-requestid': `quota-proxy-${Date.now()}`,
    });
    res.end(JSON.stringify({ PaginationToken: next, ResourceTagMappingList: list.slice(from, from + perPage) }));
  };

  const forward = async (req: IncomingMessage, res: ServerResponse, body: Buffer) => {
    try {
      const r = await upstreamCall(req.url ?? '/', req.headers, body);
      res.writeHead(r.status, r.headers);
      res.end(r.body);
      return r.status;
    } catch {
      send(res, 502, 'InternalFailure', 'quota proxy: upstream unreachable');
      return 502;
    }
  };

  const handle = async (req: IncomingMessage, res: ServerResponse, body: Buffer) => {
    const api =
      String(req.headers['x-amz-target'] ?? '')
        .split('.')
        .pop() ?? '';
    const account = accountOf(req.headers.authorization);
    const c = count(account, api);
    c.calls++;
    const arrived = now();
    c.firstAt ??= arrived;
    c.lastAt = arrived;
    let parsed: Record<string, unknown> = {};
    try {
      parsed = JSON.parse(body.toString('utf8') || '{}') as Record<string, unknown>;
    } catch {
      parsed = {};
    }
    const stream = streamOf(parsed);
    const q = quotaOf(api);
    const key = q.per === 'stream' ? `${account}\u0000${stream ?? ''}\u0000${api}` : `${account}\u0000${api}`;
    let b = buckets.get(key);
    if (!b) buckets.set(key, (b = new Bucket(q.tps, now)));
    if (!b.take()) {
      c.throttled++;
      const what = q.per === 'stream' ? `stream ${stream ?? ''} under account ${account}` : `account ${account}`;
      send(res, 400, 'LimitExceededException', `Rate exceeded for ${what}.`);
      return;
    }
    if (api === 'GetResources' && o.taggingApi !== false) {
      const filters = parsed['ResourceTypeFilters'];
      if (o.consumerFilter === false && Array.isArray(filters) && filters.includes('kinesis:stream/consumer')) {
        res.writeHead(400, {
          'content-type': 'application/x-amz-json-1.1',
          'x-amzn-requestid': `quota-proxy-${Date.now()}`,
        });
        res.end(
          JSON.stringify({
            __type: 'InvalidParameterException',
            Message:
              'quota proxy (consumerFilter: false): ResourceTypeFilters kinesis:stream/consumer is not supported',
          }),
        );
        return;
      }
      await getResources(req, res, parsed);
      return;
    }
    if ((api === 'CreateStream' || api === 'DeleteStream') && stream !== undefined) {
      const prev = transitionQueue.get(account) ?? Promise.resolve();
      const mine = prev.then(async () => {
        const set = await stillInTransition(account, req.headers);
        if (set.size >= MAX_STREAMS_IN_TRANSITION) {
          c.transitionRefused++;
          send(
            res,
            400,
            'LimitExceededException',
            'This request would have exceed the limit on the number of streams that can ' +
              `simultaneously be in CREATING or DELETING for the account ${account}. Limit: ${MAX_STREAMS_IN_TRANSITION}.`,
          );
          return;
        }
        const status = await forward(req, res, body);
        if (status === 200) {
          set.add(stream);
          peak = Math.max(peak, set.size);
        }
      });
      transitionQueue.set(
        account,
        mine.catch(() => undefined),
      );
      await mine;
      return;
    }
    await forward(req, res, body);
  };

  const sockets = new Set<Socket>();
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY) {
        send(res, 413, 'InvalidArgumentException', 'quota proxy: request body over 1 MiB');
        req.destroy();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => {
      if (size > MAX_BODY) return;
      void handle(req, res, Buffer.concat(chunks)).catch(() => {
        if (!res.headersSent) send(res, 500, 'InternalFailure', 'quota proxy: internal error');
      });
    });
  });
  server.maxConnections = MAX_CONNECTIONS;
  server.on('connection', (s: Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;

  let closed: Promise<void> | undefined;
  const close = () => {
    closed ??= new Promise<void>((resolve) => {
      clearTimeout(timer);
      for (const s of sockets) s.destroy();
      server.close(() => resolve());
    });
    return closed;
  };
  // Stops by itself: a benchmark that dies without closing leaves no listener behind for long.
  const timer = setTimeout(() => void close(), o.lifetimeMs ?? 30 * 60_000);
  timer.unref();

  return {
    endpoint: `http://127.0.0.1:${port}`,
    counts: () =>
      Object.fromEntries([...counts].map(([a, m]) => [a, Object.fromEntries([...m].map(([k, v]) => [k, { ...v }]))])),
    resetCounts: () => {
      counts = new Map();
    },
    peakInTransition: () => peak,
    close,
  };
}
