/**
 * The benchmark's quota proxy answers like Kinesis over the documented quotas: a call past an API's per-account
 * (or per-stream) TPS gets LimitExceededException "Rate exceeded" and never reaches kinesis-local; a sixth stream
 * in CREATING gets Kinesis' transition-limit answer. The proxy's clock is frozen or stepped by the test, so nothing
 * here depends on timing.
 */
import {
  CreateStreamCommand,
  KinesisClient,
  ListStreamConsumersCommand,
  ListStreamsCommand,
} from '@aws-sdk/client-kinesis';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { afterEach, describe, expect, it } from 'vitest';
import { classify } from '../../src/adapters/aws/retry.js';
import { accountOf, quotaOf, startQuotaProxy, streamOf } from '../../bench/quota-proxy.js';
import type { QuotaProxy } from '../../bench/quota-proxy.js';
import { useKinesisLocal } from '../support/kinesis-local.js';

// Streams stay CREATING for the whole test, so the transition limit is what a sixth create meets.
const k = useKinesisLocal({ env: { CREATE_STREAM_DURATION: '120s' } });
const A = '111111111111';
const B = '222222222222';
const proxies: QuotaProxy[] = [];
const clients: KinesisClient[] = [];

afterEach(async () => {
  for (const c of clients.splice(0)) c.destroy();
  for (const p of proxies.splice(0)) await p.close();
});

function client(endpoint: string, account: string): KinesisClient {
  // HTTP/1.1 like meshgov's own clients (the Kinesis client defaults to HTTP/2).
  const c = new KinesisClient({
    endpoint,
    region: 'eu-west-1',
    maxAttempts: 1,
    credentials: { accessKeyId: account, secretAccessKey: 'x' },
    requestHandler: new NodeHttpHandler(),
  });
  clients.push(c);
  return c;
}

async function outcome(p: Promise<unknown>): Promise<string> {
  try {
    await p;
    return 'ok';
  } catch (e) {
    return `${(e as Error).name}: ${(e as Error).message}`;
  }
}

describe('quota proxy', () => {
  it('reads the account from the SigV4 credential and the stream from names or ARNs', () => {
    expect(
      accountOf('AWS4-HMAC-SHA256 Credential=123456789012/20260101/eu-west-1/kinesis/aws4_request, SignedHeaders=host'),
    ).toBe('123456789012');
    expect(accountOf(undefined)).toBe('unsigned');
    expect(streamOf({ StreamName: 's1' })).toBe('s1');
    expect(streamOf({ ResourceARN: 'arn:aws:kinesis:eu-west-1:1:stream/s2/consumer/c:1' })).toBe('s2');
    expect(quotaOf('DescribeStreamSummary')).toEqual({ tps: 20, per: 'account' });
    expect(quotaOf('GetResourcePolicy')).toEqual({ tps: 5, per: 'account' });
  });

  it('throttles past the per-account TPS, per account, without forwarding the refused call', async () => {
    const frozen = 1_000;
    const p = await startQuotaProxy({ upstream: k.endpoint, now: () => frozen });
    proxies.push(p);
    const a = client(p.endpoint, A);
    const results = [];
    for (let i = 0; i < 6; i++) results.push(await outcome(a.send(new ListStreamsCommand({}))));
    expect(results.slice(0, 5)).toEqual(['ok', 'ok', 'ok', 'ok', 'ok']);
    expect(results[5]).toBe(`LimitExceededException: Rate exceeded for account ${A}.`);
    // meshgov's retry layer reads it as throttling.
    await a.send(new ListStreamsCommand({})).catch((e: unknown) => expect(classify(e)).toBe('throttle'));
    // Another account has its own quota.
    expect(await outcome(client(p.endpoint, B).send(new ListStreamsCommand({})))).toBe('ok');
    // The clock is frozen: the first and the last call arrived at the same instant.
    expect(p.counts()[A]?.['ListStreams']).toEqual({
      calls: 7,
      throttled: 2,
      transitionRefused: 0,
      firstAt: frozen,
      lastAt: frozen,
    });
  });

  it('keeps per-stream quotas per stream', async () => {
    const p = await startQuotaProxy({ upstream: k.endpoint, now: () => 5_000 });
    proxies.push(p);
    const a = client(p.endpoint, A);
    const arn = (s: string) => `arn:aws:kinesis:eu-west-1:${A}:stream/${s}`;
    const onX = [];
    for (let i = 0; i < 6; i++)
      onX.push(await outcome(a.send(new ListStreamConsumersCommand({ StreamARN: arn('x') }))));
    expect(
      onX.filter((r) => r.startsWith('LimitExceededException: Rate exceeded for stream x under account')),
    ).toHaveLength(1);
    // Stream y is not affected by x's calls (it does not exist, so kinesis-local answers not found: forwarded).
    expect(await outcome(a.send(new ListStreamConsumersCommand({ StreamARN: arn('y') })))).toMatch(
      /^ResourceNotFoundException/,
    );
  });

  it('refuses a sixth stream in CREATING with the answer Kinesis gives, per account', async () => {
    let t = 0;
    // Each call a second later: the rate is never what stops a create here.
    const p = await startQuotaProxy({ upstream: k.endpoint, now: () => (t += 1000) });
    proxies.push(p);
    const a = client(p.endpoint, A);
    const results = [];
    for (let i = 0; i < 6; i++)
      results.push(await outcome(a.send(new CreateStreamCommand({ StreamName: `creating-${i}`, ShardCount: 1 }))));
    expect(results.slice(0, 5)).toEqual(['ok', 'ok', 'ok', 'ok', 'ok']);
    expect(results[5]).toBe(
      `LimitExceededException: This request would have exceed the limit on the number of streams that can simultaneously be in CREATING or DELETING for the account ${A}. Limit: 5.`,
    );
    expect(p.counts()[A]?.['CreateStream']).toMatchObject({ calls: 6, throttled: 0, transitionRefused: 1 });
    expect(p.peakInTransition()).toBe(5);
    // Another account has its own five: the proxy forwards its create (kinesis-local, whose own limit of five
    // CREATING streams spans all accounts, may still refuse it).
    await outcome(client(p.endpoint, B).send(new CreateStreamCommand({ StreamName: 'creating-0', ShardCount: 1 })));
    expect(p.counts()[B]?.['CreateStream']).toMatchObject({ calls: 1, throttled: 0, transitionRefused: 0 });
  });

  it('refuses a non-loopback upstream', async () => {
    await expect(startQuotaProxy({ upstream: 'http://192.0.2.1:4567' })).rejects.toThrow(/not a loopback address/);
  });
});
