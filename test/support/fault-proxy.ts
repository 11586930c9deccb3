/**
 * A loopback HTTP proxy between meshgov and kinesis-local that injects faults into a share of calls:
 * throttling (LimitExceededException), ResourceInUseException, HTTP 500 InternalFailure and dropped connections.
 * Deterministic for a given seed. Only mutating or read calls named in `targets` (X-Amz-Target suffixes) are faulted;
 * by default every call is eligible.
 */
import { createServer, request } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { xorshift32 } from './xorshift.js';

export type Fault = 'throttle' | 'in-use' | 'http-500' | 'drop' | 'drop-after';

export interface FaultProxyOptions {
  /** Upstream endpoint, e.g. http://127.0.0.1:4568 */
  upstream: string;
  /** Share of eligible calls that get a fault, 0..1. */
  rate: number;
  /** Faults to pick from (uniformly). */
  faults?: Fault[];
  seed?: number;
  /** Only calls whose operation (e.g. `CreateStream`) is in this set are eligible; all when undefined. */
  targets?: ReadonlySet<string>;
  /** Stop injecting after this many faults (e.g. 1: only the first eligible call fails). */
  maxFaults?: number;
}

export interface FaultProxy {
  endpoint: string;
  /** Faults injected so far, by kind. */
  injected: Record<Fault, number>;
  /** Calls seen, by operation. */
  calls: Map<string, number>;
  close(): Promise<void>;
}

const ERRORS: Record<'throttle' | 'in-use' | 'http-500', { status: number; type: string; message: string }> = {
  throttle: { status: 400, type: 'LimitExceededException', message: 'Rate exceeded for stream (injected)' },
  'in-use': { status: 400, type: 'ResourceInUseException', message: 'Stream is currently being updated (injected)' },
  'http-500': { status: 500, type: 'InternalFailure', message: 'Internal service error (injected)' },
};

export async function startFaultProxy(options: FaultProxyOptions): Promise<FaultProxy> {
  const rand = xorshift32(options.seed ?? 7);
  const faults = options.faults ?? ['throttle', 'in-use', 'http-500', 'drop'];
  const upstream = new URL(options.upstream);
  const injected: Record<Fault, number> = { throttle: 0, 'in-use': 0, 'http-500': 0, drop: 0, 'drop-after': 0 };
  const calls = new Map<string, number>();

  const forward = (req: IncomingMessage, body: Buffer, res: ServerResponse, dropAfter: boolean) => {
    const up = request(
      { host: upstream.hostname, port: upstream.port, method: req.method, path: req.url, headers: req.headers },
      (upRes) => {
        const chunks: Buffer[] = [];
        upRes.on('data', (c: Buffer) => chunks.push(c));
        upRes.on('end', () => {
          if (dropAfter) {
            // The call reached the service, but the client never sees the answer.
            req.socket.destroy();
            return;
          }
          res.writeHead(upRes.statusCode ?? 502, upRes.headers);
          res.end(Buffer.concat(chunks));
        });
      },
    );
    up.on('error', () => {
      res.writeHead(502);
      res.end();
    });
    up.end(body);
  };

  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const target = String(req.headers['x-amz-target'] ?? '');
      const op = target.split('.').pop() ?? '';
      calls.set(op, (calls.get(op) ?? 0) + 1);
      const eligible = options.targets === undefined || options.targets.has(op);
      const budgetLeft =
        options.maxFaults === undefined || Object.values(injected).reduce((a, b) => a + b, 0) < options.maxFaults;
      if (eligible && budgetLeft && rand() < options.rate) {
        const fault = faults[Math.floor(rand() * faults.length)] as Fault;
        injected[fault]++;
        if (fault === 'drop') {
          req.socket.destroy();
          return;
        }
        if (fault === 'drop-after') {
          forward(req, body, res, true);
          return;
        }
        const e = ERRORS[fault];
        res.writeHead(e.status, {
          'content-type': 'application/x-amz-json-1.1',
          'x-amzn-requestid': `injected-${calls.get(op)}`,
        });
        res.end(JSON.stringify({ __type: e.type, message: e.message }));
        return;
      }
      forward(req, body, res, false);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    injected,
    calls,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
