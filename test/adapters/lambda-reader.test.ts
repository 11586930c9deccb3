/**
 * The Lambda reader against a local HTTP server answering like the Lambda REST API
 * (GET /2015-03-31/event-source-mappings/?EventSourceArn=...&Marker=...), through the client pool (limiter, call
 * counter, the SDK's retries): pagination, throttling, access denied (not read, not clean), a looping marker.
 */
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { LambdaClient } from '@aws-sdk/client-lambda';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ClientPool } from '../../src/adapters/aws/client-pool.js';
import { LAMBDA_READER_IAM_ACTIONS, readMappings, toLiveMapping } from '../../src/adapters/aws/lambda-reader.js';
import { AwsLiveReader } from '../../src/adapters/aws/live-reader.js';
import { READ_RETRY } from '../../src/adapters/aws/retry.js';

process.env['AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED'] ??= 'true';

const STREAM_ARN = 'arn:aws:kinesis:eu-west-1:111111111111:stream/payments.orders.v1';
const AKID = 'AKIAIOSFODNN7EXAMPLE';
const GRANTEE = '222222222222';
const page = (n: number) =>
  readFileSync(new URL(`../fixtures/lambda/list-event-source-mappings-page${n}.json`, import.meta.url), 'utf8');

interface Answer {
  status: number;
  body: string;
  errorType?: string;
}
/** Answers handed out in order; the last one repeats. */
let script: Answer[] = [];
/** Requests seen: path and query, and the account (access key id) that signed them. */
const seen: { path: string; query: Record<string, string>; account: string }[] = [];
const kinesisSeen: string[] = [];
const CONSUMER_ARN = `${STREAM_ARN}/consumer/alerts:1700000000`;
/** Kinesis answers (Kinesis API reference shapes) for a stream with one enhanced fan-out consumer. */
const KINESIS: Record<string, unknown> = {
  ListStreams: {
    StreamNames: ['payments.orders.v1'],
    HasMoreStreams: false,
    StreamSummaries: [
      {
        StreamName: 'payments.orders.v1',
        StreamARN: STREAM_ARN,
        StreamStatus: 'ACTIVE',
        StreamModeDetails: { StreamMode: 'ON_DEMAND' },
        StreamCreationTimestamp: 1700000000,
      },
    ],
  },
  GetResources: { ResourceTagMappingList: [] },
  DescribeStreamSummary: {
    StreamDescriptionSummary: {
      StreamName: 'payments.orders.v1',
      StreamARN: STREAM_ARN,
      StreamStatus: 'ACTIVE',
      StreamModeDetails: { StreamMode: 'ON_DEMAND' },
      RetentionPeriodHours: 24,
      StreamCreationTimestamp: 1700000000,
      EnhancedMonitoring: [{ ShardLevelMetrics: [] }],
      EncryptionType: 'NONE',
      OpenShardCount: 1,
      ConsumerCount: 1,
    },
  },
  ListStreamConsumers: {
    Consumers: [
      {
        ConsumerName: 'alerts',
        ConsumerARN: CONSUMER_ARN,
        ConsumerStatus: 'ACTIVE',
        ConsumerCreationTimestamp: 1700000000,
      },
    ],
  },
  ListTagsForResource: { Tags: [] },
};
let server: Server;
let endpoint = '';

beforeAll(async () => {
  server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      const target = String(req.headers['x-amz-target'] ?? '');
      if (target !== '') {
        // Kinesis and the tagging API (the live reader's account read): one stream with one EFO consumer.
        const op = target.split('.')[1] ?? '';
        kinesisSeen.push(op);
        res.writeHead(200, { 'content-type': 'application/x-amz-json-1.1' });
        res.end(JSON.stringify(KINESIS[op] ?? {}));
        return;
      }
      const url = new URL(req.url ?? '/', 'http://x');
      const account = /Credential=([0-9]+)\//.exec(String(req.headers['authorization'] ?? ''))?.[1] ?? '';
      seen.push({ path: url.pathname, query: Object.fromEntries(url.searchParams), account });
      const r = (script.length > 1 ? script.shift() : script[0]) as Answer;
      res.writeHead(r.status, {
        'content-type': 'application/json',
        ...(r.errorType ? { 'x-amzn-errortype': r.errorType } : {}),
      });
      res.end(r.body);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));
beforeEach(() => {
  seen.length = 0;
  kinesisSeen.length = 0;
});

function pool(): ClientPool {
  return new ClientPool({
    target: 'local',
    region: 'eu-west-1',
    partition: 'aws',
    endpoint,
    command: 'test',
    rateLimitScale: 0,
    retryBackoff: { computeNextBackoffDelay: () => 0, setDelayBase: () => undefined },
  });
}

const throttled: Answer = {
  status: 429,
  errorType: 'TooManyRequestsException',
  body: '{"Type":"User","message":"Rate exceeded","Reason":"CallerRateLimitExceeded"}',
};
const denied: Answer = {
  status: 403,
  errorType: 'AccessDeniedException',
  body: JSON.stringify({
    Message:
      'User: arn:aws:sts::222222222222:assumed-role/meshgov-governance/x is not authorized to perform: ' +
      'lambda:ListEventSourceMappings',
  }),
};

describe('readMappings', () => {
  it('lists by EventSourceArn, follows NextMarker to the last page, in the grantee account', async () => {
    script = [
      { status: 200, body: page(1) },
      { status: 200, body: page(2) },
    ];
    const p = pool();
    const r = await readMappings(p.lambda(GRANTEE), GRANTEE, new Set([STREAM_ARN]));
    expect(seen.map((s) => s.path)).toEqual(['/2015-03-31/event-source-mappings', '/2015-03-31/event-source-mappings']);
    expect(seen.map((s) => s.query)).toEqual([
      { EventSourceArn: STREAM_ARN, MaxItems: '100' },
      { EventSourceArn: STREAM_ARN, MaxItems: '100', Marker: 'bWFya2VyLXBhZ2UtMg==' },
    ]);
    expect(seen.every((s) => s.account === GRANTEE)).toBe(true);
    expect(r.status).toBe('read');
    if (r.status !== 'read') return;
    expect(r.sources).toEqual([STREAM_ARN]);
    expect(r.mappings.map((m) => [m.uuid, m.filterPatterns.length, m.state])).toEqual([
      ['6d9bce8e-836b-442c-8070-74e77903c815', 1, 'Enabled'],
      ['0f5a3c0e-1c2d-4e5f-8a9b-0c1d2e3f4a5b', 0, 'Disabled'],
      ['9a8b7c6d-5e4f-4a3b-9c2d-1e0f9a8b7c6d', 0, 'Enabled'],
    ]);
    expect(p.counter.byOperation()).toEqual({ 'lambda:ListEventSourceMappings': 2 });
    // The IAM actions the reader declares are exactly the calls it made.
    expect(Object.keys(p.counter.byOperation())).toEqual([...LAMBDA_READER_IAM_ACTIONS]);
    p.destroy();
  });

  it('retries TooManyRequestsException (the SDK standard retry) and counts one call', async () => {
    script = [throttled, throttled, { status: 200, body: page(2) }];
    const p = pool();
    const r = await readMappings(p.lambda(GRANTEE), GRANTEE, new Set([STREAM_ARN]));
    expect(seen).toHaveLength(3);
    expect(r.status === 'read' && r.mappings.length).toBe(2);
    expect(p.counter.byOperation()).toEqual({ 'lambda:ListEventSourceMappings': 1 });
    p.destroy();
  });

  it('access denied: the account is "not read" with the reason, never an empty (clean) read', async () => {
    script = [denied];
    const p = pool();
    const r = await readMappings(p.lambda(GRANTEE), GRANTEE, new Set([STREAM_ARN]));
    expect(r.status).toBe('not-read');
    expect(r.status === 'not-read' && r.reason).toContain('AccessDeniedException');
    p.destroy();
  });

  it('a 403 whose body is not an AWS error (a proxy\'s page) is "not read" too, with the status in the reason', async () => {
    script = [{ status: 403, body: '<html><body>Forbidden by proxy</body></html>' }];
    const p = pool();
    const r = await readMappings(p.lambda(GRANTEE), GRANTEE, new Set([STREAM_ARN]));
    expect(r.status).toBe('not-read');
    expect(r.status === 'not-read' && r.reason).toContain('403');
    p.destroy();
  });

  // One account's Lambda failing must not abort the whole plan or audit: its mappings are "not read" with the
  // reason, and plan and audit list them as not checked / not run (test/plan/diff-mapping, test/audit/mappings).
  it('a 5xx after the SDK\'s retries: "not read" with the AWS error in the reason', async () => {
    script = [
      { status: 500, errorType: 'ServiceException', body: '{"Type":"Service","message":"An internal error occurred"}' },
    ];
    const p = pool();
    const r = await readMappings(p.lambda(GRANTEE), GRANTEE, new Set([STREAM_ARN]));
    expect(seen).toHaveLength(READ_RETRY.maxAttempts);
    expect(r).toEqual({
      status: 'not-read',
      reason:
        `lambda:ListEventSourceMappings in account ${GRANTEE} failed: ` +
        'ServiceException: An internal error occurred',
    });
    p.destroy();
  });

  it('a 500 whose body is not an AWS error: "not read", the reason says the answer was not JSON', async () => {
    script = [{ status: 500, body: '<html>oops</html>' }];
    const p = pool();
    const r = await readMappings(p.lambda(GRANTEE), GRANTEE, new Set([STREAM_ARN]));
    expect(r.status).toBe('not-read');
    expect(r.status === 'not-read' && r.reason).toMatch(
      new RegExp(`^lambda:ListEventSourceMappings in account ${GRANTEE} failed: .*JSON`),
    );
    p.destroy();
  });

  it('a 5xx that echoes the signed request: the reason carries no credentials', async () => {
    const echo = `Authorization: AWS4-HMAC-SHA256 Credential=${AKID}/20261130/eu-west-1/lambda/aws4_request`;
    script = [{ status: 503, errorType: 'ServiceException', body: JSON.stringify({ message: echo }) }];
    const p = pool();
    const r = await readMappings(p.lambda(GRANTEE), GRANTEE, new Set([STREAM_ARN]));
    expect(r.status).toBe('not-read');
    expect(r.status === 'not-read' && r.reason).toContain('ServiceException');
    expect(r.status === 'not-read' && r.reason).not.toContain(AKID);
    p.destroy();
  });

  it('an unparsable 200 answer: "not read", not a crash', async () => {
    script = [{ status: 200, body: '{"EventSourceMappings": [' }];
    const p = pool();
    const r = await readMappings(p.lambda(GRANTEE), GRANTEE, new Set([STREAM_ARN]));
    expect(r.status).toBe('not-read');
    expect(r.status === 'not-read' && r.reason).toContain(`lambda:ListEventSourceMappings in account ${GRANTEE}`);
    p.destroy();
  });

  it('a marker that comes back again: "not read" instead of looping', async () => {
    script = [{ status: 200, body: page(1) }];
    const p = pool();
    const r = await readMappings(p.lambda(GRANTEE), GRANTEE, new Set([STREAM_ARN]));
    expect(r).toEqual({
      status: 'not-read',
      reason:
        `lambda:ListEventSourceMappings in account ${GRANTEE} failed: ` +
        'ListEventSourceMappings returned the marker bWFya2VyLXBhZ2UtMg== twice',
    });
    expect(seen).toHaveLength(2);
    p.destroy();
  });

  it('more than 1000 pages: "not read" after page 1000, no further call', async () => {
    let calls = 0;
    // A fake client: a new marker on every page, never the last page.
    const client = {
      send: () => Promise.resolve({ EventSourceMappings: [], NextMarker: `m-${++calls}` }),
    } as unknown as LambdaClient;
    const r = await readMappings(client, GRANTEE, new Set([STREAM_ARN]));
    expect(calls).toBe(1000);
    expect(r).toEqual({
      status: 'not-read',
      reason:
        `lambda:ListEventSourceMappings in account ${GRANTEE} failed: ` +
        `ListEventSourceMappings for ${STREAM_ARN} returned more than 1000 pages`,
    });
  });

  it('drops an entry of another source the endpoint slipped in', async () => {
    const other = JSON.parse(page(2)) as { EventSourceMappings: { EventSourceArn: string }[] };
    (other.EventSourceMappings[0] as { EventSourceArn: string }).EventSourceArn = `${STREAM_ARN}-other`;
    script = [{ status: 200, body: JSON.stringify(other) }];
    const p = pool();
    const r = await readMappings(p.lambda(GRANTEE), GRANTEE, new Set([STREAM_ARN]));
    expect(r.status === 'read' && r.mappings.map((m) => m.uuid)).toEqual(['9a8b7c6d-5e4f-4a3b-9c2d-1e0f9a8b7c6d']);
    p.destroy();
  });
});

describe('toLiveMapping', () => {
  const complete = {
    UUID: '6d9bce8e-836b-442c-8070-74e77903c815',
    FunctionArn: `arn:aws:lambda:eu-west-1:${GRANTEE}:function:order-alerts`,
    EventSourceArn: STREAM_ARN,
  };
  it('keeps a mapping with its UUID, function and source', () => {
    expect(toLiveMapping(complete)).toEqual({
      uuid: complete.UUID,
      functionArn: complete.FunctionArn,
      eventSourceArn: STREAM_ARN,
      filterPatterns: [],
    });
  });

  // A mapping meshgov cannot name cannot be updated by UUID nor reported: it is not read as one.
  it.each(['UUID', 'FunctionArn', 'EventSourceArn'])('drops an entry without %s, or with a non-string one', (key) => {
    expect(toLiveMapping({ ...complete, [key]: undefined })).toBeUndefined();
    expect(toLiveMapping({ ...complete, [key]: 42 } as never)).toBeUndefined();
  });

  it('drops an entry without UUID from a listed page (the rest of the page is kept)', async () => {
    const body = JSON.parse(page(2)) as { EventSourceMappings: Record<string, unknown>[] };
    delete (body.EventSourceMappings[0] as Record<string, unknown>)['UUID'];
    script = [{ status: 200, body: JSON.stringify(body) }];
    const p = pool();
    const r = await readMappings(p.lambda(GRANTEE), GRANTEE, new Set([STREAM_ARN]));
    expect(r.status === 'read' && r.mappings.map((m) => m.uuid)).toEqual(['9a8b7c6d-5e4f-4a3b-9c2d-1e0f9a8b7c6d']);
    p.destroy();
  });
});

describe('AwsLiveReader and mappings', () => {
  const request = {
    mesh: 'm',
    region: 'eu-west-1',
    partition: 'aws',
    accounts: ['111111111111', GRANTEE],
    declared: new Map([['111111111111', new Set(['payments.orders.v1'])]]),
    mappingSources: new Map([[GRANTEE, new Set([STREAM_ARN])]]),
  };

  it('reads the mappings in the grantee account only, of the stream and of its EFO consumers', async () => {
    script = [{ status: 200, body: page(2) }];
    const p = pool();
    const reader = new AwsLiveReader(p, { readIam: false, readOrganization: false, iamPathPrefix: '/' });
    const state = await reader.read(request);
    expect(kinesisSeen).toContain('ListStreamConsumers');
    expect(seen.map((s) => s.account)).toEqual([GRANTEE, GRANTEE]);
    expect(seen.map((s) => s.query['EventSourceArn']).sort()).toEqual([STREAM_ARN, CONSUMER_ARN].sort());
    expect(state.accounts.find((a) => a.account === '111111111111')?.lambda).toBeUndefined();
    const lambda = state.accounts.find((a) => a.account === GRANTEE)?.lambda;
    // Both sources answered page 2 (two mappings of the stream ARN): those listed under the consumer are dropped.
    expect(lambda?.status === 'read' && lambda.mappings.length).toBe(2);
    expect(lambda?.status === 'read' && lambda.sources).toEqual([STREAM_ARN, CONSUMER_ARN].sort());
    p.destroy();
  });

  it("a scoped run that does not read the stream's account says its consumers' mappings are not checked", async () => {
    script = [{ status: 200, body: page(2) }];
    const p = pool();
    const reader = new AwsLiveReader(p, { readIam: false, readOrganization: false, iamPathPrefix: '/' });
    const state = await reader.read({ ...request, accounts: [GRANTEE] });
    // Only the stream ARN is asked for: the consumers of a stream in an unread account are unknown.
    expect(seen.map((s) => s.query['EventSourceArn'])).toEqual([STREAM_ARN]);
    expect(state.notChecked).toContain(
      `account ${GRANTEE}: Lambda mappings through enhanced fan-out consumers of ${STREAM_ARN} not checked ` +
        "(the stream's account 111111111111 is not read in this run)",
    );
    p.destroy();
  });

  it("a run that reads the stream's account has no such line", async () => {
    script = [{ status: 200, body: page(2) }];
    const p = pool();
    const reader = new AwsLiveReader(p, { readIam: false, readOrganization: false, iamPathPrefix: '/' });
    const state = await reader.read(request);
    expect(state.notChecked.filter((l) => l.includes('enhanced fan-out consumers'))).toEqual([]);
    p.destroy();
  });

  it('a Lambda 5xx in the grantee account: the read still returns, that account\'s mappings "not read"', async () => {
    script = [{ status: 500, errorType: 'ServiceException', body: '{"message":"An internal error occurred"}' }];
    const p = pool();
    const reader = new AwsLiveReader(p, { readIam: false, readOrganization: false, iamPathPrefix: '/' });
    const state = await reader.read(request);
    expect(state.accounts.find((a) => a.account === '111111111111')?.streams.map((s) => s.name)).toEqual([
      'payments.orders.v1',
    ]);
    const lambda = state.accounts.find((a) => a.account === GRANTEE)?.lambda;
    expect(lambda?.status).toBe('not-read');
    expect(lambda?.status === 'not-read' && lambda.reason).toContain('ServiceException: An internal error occurred');
    p.destroy();
  });

  it('without Lambda on the target the grantee account is "not read" with the reason; no Lambda call', async () => {
    script = [{ status: 200, body: page(2) }];
    const p = pool();
    const reader = new AwsLiveReader(p, {
      readIam: false,
      readOrganization: false,
      iamPathPrefix: '/',
      readLambda: false,
      lambdaNotRead: 'no Lambda on the local target',
    });
    const state = await reader.read(request);
    expect(seen).toEqual([]);
    expect(state.accounts.find((a) => a.account === GRANTEE)?.lambda).toEqual({
      status: 'not-read',
      reason: 'no Lambda on the local target',
    });
    p.destroy();
  });
});
