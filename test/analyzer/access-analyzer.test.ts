/**
 * The Access Analyzer adapter against a local HTTP server answering with recorded responses shaped like the API
 * reference (restJson1: POST /policy/validation, /policy/check-no-public-access, /policy/check-no-new-access), so the
 * real SDK client parses them, pages with nextToken and retries throttling itself.
 */
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { IncomingMessage, Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ACCESS_ANALYZER_IAM_ACTIONS, awsPolicyAnalyzer } from '../../src/adapters/aws/access-analyzer.js';
import { ClientPool } from '../../src/adapters/aws/client-pool.js';
import type { AnalyzerRequest } from '../../src/core/analyzer/types.js';

const recorded = (name: string) => readFileSync(new URL(`./recorded/${name}.json`, import.meta.url), 'utf8');

interface Seen {
  path: string;
  query: URLSearchParams;
  body: Record<string, unknown>;
}
type Reply = { status: number; body: string; errorType?: string };

let server: Server;
let endpoint: string;
let seen: Seen[];
let replies: ((s: Seen) => Reply)[];

async function bodyOf(req: IncomingMessage): Promise<string> {
  let text = '';
  for await (const chunk of req) text += chunk;
  return text;
}

beforeAll(async () => {
  server = createServer((req, res) => {
    void bodyOf(req).then((text) => {
      const url = new URL(req.url ?? '/', 'http://x');
      const s: Seen = {
        path: url.pathname,
        query: url.searchParams,
        body: text ? (JSON.parse(text) as Record<string, unknown>) : {},
      };
      seen.push(s);
      const reply = replies.shift()?.(s) ?? {
        status: 500,
        body: '{"message":"no reply recorded"}',
        errorType: 'InternalServerException',
      };
      res.writeHead(reply.status, {
        'content-type': 'application/json',
        ...(reply.errorType ? { 'x-amzn-errortype': reply.errorType } : {}),
      });
      res.end(reply.body);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await new Promise((r) => server.close(r));
});
beforeEach(() => {
  seen = [];
  replies = [];
});

const ok = (name: string) => (): Reply => ({ status: 200, body: recorded(name) });
const pool = () =>
  new ClientPool({
    target: 'local',
    region: 'eu-west-1',
    partition: 'aws',
    endpoint,
    command: 'plan',
    rateLimitScale: 0,
    maxAttempts: 3,
  });
const doc = JSON.stringify({
  Version: '2012-10-17',
  Statement: [{ Sid: 'A', Effect: 'Allow', Action: 'kinesis:ListStreams', Resource: '*' }],
});
const ref = (address: string) => ({ kind: 'stream-policy' as const, account: '111111111111', address });
const validateStream: AnalyzerRequest = {
  check: 'validate-policy',
  policy: ref('111111111111/stream/orders/policy'),
  document: doc,
  policyType: 'RESOURCE_POLICY',
};
const validateTrust: AnalyzerRequest = {
  check: 'validate-policy',
  policy: { kind: 'trust-policy', account: '222222222222', address: '222222222222/iam/trust-policy/gov' },
  document: doc,
  policyType: 'RESOURCE_POLICY',
  resourceType: 'AWS::IAM::AssumeRolePolicyDocument',
};
const publicStream: AnalyzerRequest = {
  check: 'no-public-access',
  policy: ref('111111111111/stream/orders/policy'),
  document: doc,
  resourceType: 'AWS::Kinesis::Stream',
};
const newAccess: AnalyzerRequest = {
  check: 'no-new-access',
  policy: { kind: 'identity-policy', account: '222222222222', address: '222222222222/iam/role/r/policy/meshgov-r' },
  document: doc,
  existing: '{"Version":"2012-10-17","Statement":[]}',
  policyType: 'IDENTITY_POLICY',
};

describe('Access Analyzer adapter (recorded API answers)', () => {
  it('follows ValidatePolicy pages by nextToken and keeps every finding as the reference shapes it', async () => {
    replies = [ok('validate-policy-page1'), ok('validate-policy-page2')];
    const p = pool();
    const run = await awsPolicyAnalyzer(p, '111111111111').check([validateStream]);
    expect(run.kind).toBe('answered');
    if (run.kind !== 'answered') return;
    expect(seen.map((s) => [s.path, s.query.get('nextToken')])).toEqual([
      ['/policy/validation', null],
      ['/policy/validation', 'page-2'],
    ]);
    // Kinesis is not a validatePolicyResourceType value: none is sent for a stream policy.
    expect(seen[0]?.body).toEqual({ policyDocument: doc, policyType: 'RESOURCE_POLICY', locale: 'EN' });
    const answer = run.answers[0];
    if (answer?.check !== 'validate-policy') throw new Error('expected a validate answer');
    expect(answer.findings.map((f) => [f.findingType, f.issueCode])).toEqual([
      ['ERROR', 'INVALID_ACTION'],
      ['SUGGESTION', 'REDUNDANT_RESOURCE'],
      ['WARNING', 'FORANYVALUE_WITH_SINGLE_VALUED_KEY'],
    ]);
    expect(answer.findings[0]?.locations[0]).toEqual({
      path: [{ value: 'Statement' }, { index: 1 }, { value: 'Action' }, { index: 0 }],
      span: { start: { line: 1, column: 180, offset: 180 }, end: { line: 1, column: 210, offset: 210 } },
    });
    expect(answer.findings[2]?.locations).toEqual([]);
    expect(p.counter.byOperation()).toEqual({ 'access-analyzer:ValidatePolicy': 2 });
  });

  it('an empty findings list is an answer with no findings; trust policies carry their resource type', async () => {
    replies = [ok('validate-policy-empty')];
    const run = await awsPolicyAnalyzer(pool(), '111111111111').check([validateTrust]);
    expect(run).toEqual({
      kind: 'answered',
      account: '111111111111',
      region: 'eu-west-1',
      answers: [{ check: 'validate-policy', findings: [] }],
    });
    expect(seen[0]?.body.validatePolicyResourceType).toBe('AWS::IAM::AssumeRolePolicyDocument');
  });

  it('CheckNoPublicAccess and CheckNoNewAccess: PASS and FAIL with their reasons, in request order', async () => {
    replies = [ok('check-no-public-access-fail'), ok('check-no-new-access-fail'), ok('check-no-public-access-pass')];
    const run = await awsPolicyAnalyzer(pool(), '111111111111', { concurrency: 1 }).check([
      publicStream,
      newAccess,
      publicStream,
    ]);
    if (run.kind !== 'answered') throw new Error(run.message);
    expect(seen.map((s) => s.path)).toEqual([
      '/policy/check-no-public-access',
      '/policy/check-no-new-access',
      '/policy/check-no-public-access',
    ]);
    expect(seen[0]?.body).toEqual({ policyDocument: doc, resourceType: 'AWS::Kinesis::Stream' });
    expect(seen[1]?.body).toEqual({
      newPolicyDocument: doc,
      existingPolicyDocument: '{"Version":"2012-10-17","Statement":[]}',
      policyType: 'IDENTITY_POLICY',
    });
    expect(run.answers).toEqual([
      {
        check: 'no-public-access',
        result: 'FAIL',
        message: 'The resource policy grants public access for the given resource type.',
        reasons: [
          { description: 'Public access granted in the following statement with index: 1.', statementIndex: 1 },
        ],
      },
      {
        check: 'no-new-access',
        result: 'FAIL',
        message: 'The modified permissions grant new access compared to your existing policy.',
        reasons: [
          { description: 'New access in the statement with sid: ConsumeOrders.', statementId: 'ConsumeOrders' },
        ],
      },
      {
        check: 'no-public-access',
        result: 'PASS',
        message: 'The resource policy does not grant public access for the given resource type.',
        reasons: [],
      },
    ]);
  });

  it('a throttling error is retried by the SDK, then the answer is used', async () => {
    replies = [
      () => ({ status: 429, body: recorded('throttling'), errorType: 'ThrottlingException' }),
      ok('check-no-public-access-pass'),
    ];
    const p = pool();
    const run = await awsPolicyAnalyzer(p, '111111111111').check([publicStream]);
    expect(run.kind).toBe('answered');
    expect(seen).toHaveLength(2);
    // One logical call, whatever the SDK retried.
    expect(p.counter.byOperation()).toEqual({ 'access-analyzer:CheckNoPublicAccess': 1 });
  });

  it('a denied call fails the run with where and why, never a stack trace', async () => {
    replies = [() => ({ status: 403, body: recorded('access-denied'), errorType: 'AccessDeniedException' })];
    const run = await awsPolicyAnalyzer(pool(), '111111111111').check([validateStream]);
    expect(run.kind).toBe('failed');
    if (run.kind !== 'failed') return;
    expect(run.message).toMatch(
      /^access-analyzer:ValidatePolicy \(111111111111\/stream\/orders\/policy\) in account 111111111111 failed: AccessDeniedException: .*not authorized/,
    );
    expect(run.message).not.toMatch(/\n\s+at /);
  });

  it('an endpoint that repeats its nextToken is refused instead of followed forever', async () => {
    const again = (): Reply => ({ status: 200, body: JSON.stringify({ findings: [], nextToken: 'same' }) });
    replies = [again, again, again];
    const run = await awsPolicyAnalyzer(pool(), '111111111111').check([validateStream]);
    expect(run.kind).toBe('failed');
    if (run.kind === 'failed') expect(run.message).toContain('kept paging');
    expect(seen).toHaveLength(2);
  });

  it('an answer whose result is neither PASS nor FAIL counts as FAIL and says so', async () => {
    replies = [() => ({ status: 200, body: '{"message":"odd","reasons":[]}' })];
    const run = await awsPolicyAnalyzer(pool(), '111111111111').check([publicStream]);
    if (run.kind !== 'answered') throw new Error(run.message);
    expect(run.answers[0]).toEqual({
      check: 'no-public-access',
      result: 'FAIL',
      message: 'odd (unexpected result null)',
      reasons: [],
    });
  });

  it('no request, no call', async () => {
    const run = await awsPolicyAnalyzer(pool(), '111111111111').check([]);
    expect(run).toEqual({ kind: 'answered', account: '111111111111', region: 'eu-west-1', answers: [] });
    expect(seen).toEqual([]);
  });

  it('declares exactly the operations it calls', () => {
    expect([...ACCESS_ANALYZER_IAM_ACTIONS]).toEqual([
      'access-analyzer:CheckNoNewAccess',
      'access-analyzer:CheckNoPublicAccess',
      'access-analyzer:ValidatePolicy',
    ]);
  });
});
