/**
 * What reaches the user when an endpoint misbehaves: throttling is retried by the SDK (adaptive mode), an
 * unparsable response to a read is retried by meshgov, an unparsable response to a write is not.
 */
import { createServer } from 'node:http';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { CreateStreamCommand, ListStreamsCommand } from '@aws-sdk/client-kinesis';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ClientPool } from '../../src/adapters/aws/client-pool.js';

process.env['AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED'] ??= 'true';

/** Responses to hand out per operation, in order; the last one repeats. */
let script: Record<string, { status: number; body: string }[]> = {};
const seen: string[] = [];
let server: Server;
let endpoint = '';

beforeAll(async () => {
  server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      const op = String(req.headers['x-amz-target'] ?? '').split('.')[1] ?? '';
      seen.push(op);
      const queue = script[op] ?? [{ status: 400, body: '{"__type":"UnknownOperationException"}' }];
      const r =
        queue.length > 1
          ? (queue.shift() as { status: number; body: string })
          : (queue[0] as { status: number; body: string });
      res.writeHead(r.status, { 'content-type': 'application/x-amz-json-1.1' });
      res.end(r.body);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));
beforeEach(() => {
  seen.length = 0;
});

const ok = { status: 200, body: '{"StreamNames":["a"],"HasMoreStreams":false}' };
const throttled = { status: 400, body: '{"__type":"LimitExceededException","message":"Rate exceeded for account"}' };
const garbage = { status: 200, body: '{"StreamNames":[' };

function pool(): ClientPool {
  return new ClientPool({
    target: 'local',
    region: 'eu-west-1',
    partition: 'aws',
    endpoint,
    command: 'test',
    rateLimitScale: 0,
  });
}

describe('retries', () => {
  it('retries throttling (LimitExceededException) and unparsable read responses; the caller sees one successful call', async () => {
    script = { ListStreams: [throttled, garbage, throttled, ok] };
    const p = pool();
    const out = await p.kinesis('111111111111').send(new ListStreamsCommand({}));
    expect(out.StreamNames).toEqual(['a']);
    expect(seen).toEqual(['ListStreams', 'ListStreams', 'ListStreams', 'ListStreams']);
    expect(p.counter.byOperation()).toEqual({ 'kinesis:ListStreams': 1 });
    p.destroy();
  });

  it('does not retry an unparsable response to a write (it may have been applied)', async () => {
    script = { CreateStream: [garbage, { status: 200, body: '{}' }] };
    const p = pool();
    await expect(
      p.kinesis('111111111111').send(new CreateStreamCommand({ StreamName: 'x', ShardCount: 1 })),
    ).rejects.toThrow();
    expect(seen).toEqual(['CreateStream']);
    p.destroy();
  });
});
