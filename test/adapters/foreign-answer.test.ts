/**
 * An endpoint that answers with something other than the AWS API (an HTML 404 page of a proxy or a wrong --endpoint)
 * fails at once with a hint; it was retried about 40 times (~50 s) per step (issue: the plan as a contract, defect 8).
 * A 5xx page is still a transient failure and retried.
 */
import { CreateStreamCommand } from '@aws-sdk/client-kinesis';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyPool } from '../../src/adapters/aws/apply-engine.js';
import { ClientPool } from '../../src/adapters/aws/client-pool.js';
import { describeError, MeshgovRetryStrategy, withRetry } from '../../src/adapters/aws/retry.js';

let status = 404;
let requests = 0;
const server = createServer((req, res) => {
  req.resume();
  req.on('end', () => {
    requests++;
    res.writeHead(status, { 'content-type': 'text/html' });
    res.end('<html><body><h1>Not Found</h1></body></html>');
  });
});
let endpoint = '';
beforeAll(async () => {
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

const noDelay = { computeNextBackoffDelay: () => 0, setDelayBase: () => undefined };
const strategy = (maxAttempts: number) => new MeshgovRetryStrategy({ maxAttempts, backoff: noDelay });

describe('an endpoint that is not the AWS API', () => {
  it('HTTP 404 with an HTML body: one request, fatal, and a message naming the endpoint', async () => {
    status = 404;
    requests = 0;
    const pool = applyPool(
      new ClientPool({ target: 'local', region: 'eu-west-1', partition: 'aws', endpoint, command: 'plan' }),
    );
    const r = await withRetry(
      () => pool.kinesis('111111111111').send(new CreateStreamCommand({ StreamName: 'x', ShardCount: 1 })),
      () => {},
      strategy(8),
    );
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect([r.kind, r.attempt, requests]).toEqual(['fatal', 1, 1]);
    expect(describeError(r.error)).toContain('the endpoint answered HTTP 404 with a body that is not the AWS API');
    pool.destroy();
  });

  it('HTTP 503 with an HTML body: still transient, retried', async () => {
    status = 503;
    requests = 0;
    const pool = applyPool(
      new ClientPool({ target: 'local', region: 'eu-west-1', partition: 'aws', endpoint, command: 'plan' }),
    );
    const r = await withRetry(
      () => pool.kinesis('111111111111').send(new CreateStreamCommand({ StreamName: 'x', ShardCount: 1 })),
      () => {},
      strategy(3),
    );
    expect(r.ok ? 'ok' : r.kind).toBe('transient');
    expect(requests).toBe(3);
    pool.destroy();
  });
});
