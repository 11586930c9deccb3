/**
 * The pool's pacing (src/adapters/aws/client-pool.ts): every attempt takes a token of its (account, API), a retry
 * like the first attempt, and the first attempt takes it before the SDK does any work on the request, so requests
 * waiting for a token cost nothing but their place in the queue. A stand-in Kinesis endpoint on loopback answers.
 */
import { DescribeStreamSummaryCommand } from '@aws-sdk/client-kinesis';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ClientPool } from '../../src/adapters/aws/client-pool.js';
import { RateLimiter } from '../../src/adapters/aws/rate-limit.js';

/** A limiter that records every take and holds them while `gate` is closed. */
class GateLimiter extends RateLimiter {
  readonly takes: string[] = [];
  private open = true;
  private waiting: (() => void)[] = [];
  close(): void {
    this.open = false;
  }
  release(): void {
    this.open = true;
    for (const w of this.waiting.splice(0)) w();
  }
  override async take(account: string, operation: string): Promise<void> {
    this.takes.push(`${account} ${operation}`);
    if (!this.open) await new Promise<void>((r) => this.waiting.push(r));
  }
}

let endpoint: string;
let requests = 0;
/** Answers with HTTP 500 to the next `failNext` requests. */
let failNext = 0;
const server = createServer((req, res) => {
  req.resume();
  req.on('end', () => {
    requests++;
    if (failNext > 0) {
      failNext--;
      res.writeHead(500, { 'content-type': 'application/x-amz-json-1.1' });
      res.end(JSON.stringify({ __type: 'InternalFailure', message: 'try again' }));
      return;
    }
    res.writeHead(200, { 'content-type': 'application/x-amz-json-1.1' });
    res.end(
      JSON.stringify({
        StreamDescriptionSummary: {
          StreamName: 's',
          StreamARN: 'arn:aws:kinesis:eu-west-1:111111111111:stream/s',
          StreamStatus: 'ACTIVE',
          RetentionPeriodHours: 24,
          StreamCreationTimestamp: 1,
          EnhancedMonitoring: [],
          OpenShardCount: 1,
        },
      }),
    );
  });
});

beforeAll(async () => {
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

function pool(limiter: GateLimiter) {
  return new ClientPool(
    {
      target: 'local',
      region: 'eu-west-1',
      partition: 'aws',
      endpoint,
      command: 'test',
      retryBackoff: { computeNextBackoffDelay: () => 0, setDelayBase: () => undefined },
    },
    { limiter },
  );
}

describe('ClientPool pacing', () => {
  it('a call answered at once takes one token; a retried one takes one per attempt and counts once', async () => {
    const limiter = new GateLimiter();
    const p = pool(limiter);
    await p.kinesis('111111111111').send(new DescribeStreamSummaryCommand({ StreamName: 's' }));
    expect(limiter.takes).toEqual(['111111111111 DescribeStreamSummary']);
    failNext = 2;
    limiter.takes.length = 0;
    await p.kinesis('111111111111').send(new DescribeStreamSummaryCommand({ StreamName: 's' }));
    expect(limiter.takes).toEqual(Array(3).fill('111111111111 DescribeStreamSummary'));
    expect(p.counter.byOperation()).toEqual({ 'kinesis:DescribeStreamSummary': 2 });
  });

  it('requests waiting for a token have not been serialised or sent', async () => {
    const limiter = new GateLimiter();
    const p = pool(limiter);
    const client = p.kinesis('111111111111');
    let serialised = 0;
    (client.middlewareStack as unknown as { add(mw: unknown, o: unknown): void }).add(
      (next: (a: unknown) => Promise<unknown>) => (args: unknown) => {
        serialised++;
        return next(args);
      },
      { step: 'serialize', name: 'testCountSerialise', priority: 'high' },
    );
    const before = requests;
    limiter.close();
    const calls = Array.from({ length: 50 }, () => client.send(new DescribeStreamSummaryCommand({ StreamName: 's' })));
    await new Promise((r) => setTimeout(r, 50));
    expect(limiter.takes).toHaveLength(50);
    expect(serialised).toBe(0);
    expect(requests).toBe(before);
    limiter.release();
    await Promise.all(calls);
    expect(serialised).toBe(50);
    expect(requests).toBe(before + 50);
  });

  it("a call takes no token while its credentials are being fetched (an account's first AssumeRole, a refresh)", async () => {
    const limiter = new GateLimiter();
    let answer: (() => void) | undefined;
    const arrived = new Promise<void>((r) => (answer = r));
    const slowCredentials = async () => {
      await arrived;
      return { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret' };
    };
    const p = new ClientPool(
      { target: 'aws', region: 'eu-west-1', partition: 'aws', endpoint, command: 'test' },
      { limiter, credentials: new Map([['111111111111', slowCredentials]]) },
    );
    const client = p.kinesis('111111111111');
    const calls = Array.from({ length: 10 }, () => client.send(new DescribeStreamSummaryCommand({ StreamName: 's' })));
    await new Promise((r) => setTimeout(r, 50));
    // Tokens taken now would all be spent at once when the credentials arrive: a burst past the quota.
    expect(limiter.takes).toEqual([]);
    answer?.();
    await Promise.all(calls);
    expect(limiter.takes).toHaveLength(10);
  });
});
