/**
 * A plan whose read fails ends its Price List calls (src/app/plan.ts) and then the process must end too. The AWS
 * SDK sleeps out a retry's backoff on a timer it does not clear when the call is aborted, so the process used to
 * stay alive until that timer fired: here at least 5 s, because the Price List stand-in answers 503 with a
 * Retry-After far in the future (the SDK waits the backoff plus up to 5 s for it). The launcher now exits once the
 * command has returned (src/cli/exit.ts).
 */
import { spawn } from 'node:child_process';
import { createServer } from 'node:http';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIN } from '../support/cli-child.js';

/** The least the SDK sleeps on a retry after a Retry-After hint: the hint, capped at its backoff plus 5 s. */
const SDK_HINT_SLEEP_MS = 5_000;

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'meshgov-exit-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

interface Endpoint {
  url: string;
  /** When STS was answered (the read fails from then on), in ms since the epoch. */
  stsAnsweredAt(): number | undefined;
  pricingRequests(): number;
  close(): Promise<void>;
}

/**
 * One loopback endpoint for every service: the Price List API answers 503 with a Retry-After an hour ahead; STS
 * refuses AssumeRole, but only once the Price List has answered, so the plan fails while its price call sleeps.
 */
async function startEndpoint(): Promise<Endpoint> {
  let pricingAnswered: () => void = () => undefined;
  const pricingWaiting = new Promise<void>((r) => (pricingAnswered = r));
  let stsAt: number | undefined;
  let pricing = 0;
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const target = String(req.headers['x-amz-target'] ?? '');
      if (target.startsWith('AWSPriceListService.')) {
        pricing++;
        res.writeHead(503, {
          'content-type': 'application/x-amz-json-1.1',
          'retry-after': new Date(Date.now() + 3_600_000).toUTCString(),
        });
        res.end(JSON.stringify({ __type: 'ServiceUnavailableException', message: 'try later' }));
        pricingAnswered();
        return;
      }
      const action = new URLSearchParams(Buffer.concat(chunks).toString('utf8')).get('Action');
      if (action === 'AssumeRole') {
        void pricingWaiting.then(() => {
          res.writeHead(403, { 'content-type': 'text/xml' });
          res.end(
            '<ErrorResponse><Error><Type>Sender</Type><Code>AccessDenied</Code><Message>not allowed</Message></Error><RequestId>r1</RequestId></ErrorResponse>',
          );
          stsAt ??= Date.now();
        });
        return;
      }
      res.writeHead(400, { 'content-type': 'application/x-amz-json-1.1' });
      res.end(JSON.stringify({ __type: 'AccessDeniedException', message: 'not allowed' }));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    stsAnsweredAt: () => stsAt,
    pricingRequests: () => pricing,
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

describe('plan exits once it has failed, whatever the SDK left armed', { timeout: 120_000 }, () => {
  it('does not wait out the retry backoff of an aborted Price List call', async () => {
    const ep = await startEndpoint();
    try {
      const child = spawn(process.execPath, [BIN, 'plan', resolve('mesh.yaml')], {
        cwd: dir,
        env: {
          PATH: process.env['PATH'] ?? '',
          HOME: dir,
          NO_COLOR: '1',
          AWS_ACCESS_KEY_ID: 'AKIAIOSFODNN7EXAMPLE',
          AWS_SECRET_ACCESS_KEY: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
          AWS_EC2_METADATA_DISABLED: 'true',
          AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
          // The SDK's standard configuration: every client, the Price List one included, goes to the stand-in.
          AWS_ENDPOINT_URL: ep.url,
        },
      });
      let stderr = '';
      child.stderr.on('data', (d: Buffer) => void (stderr += d.toString()));
      const killer = setTimeout(() => child.kill('SIGKILL'), 60_000);
      const code = await new Promise<number | null>((r) => child.on('close', (c) => r(c)));
      const exitedAt = Date.now();
      clearTimeout(killer);
      expect(stderr).toMatch(/AssumeRole .*failed/);
      expect(code).not.toBe(0);
      expect(ep.pricingRequests()).toBeGreaterThanOrEqual(1);
      const answeredAt = ep.stsAnsweredAt();
      expect(answeredAt).toBeDefined();
      // Before the launcher's fix the process lived on for the SDK's sleep (>= 5 s after the failed read).
      expect(exitedAt - (answeredAt ?? 0)).toBeLessThan(SDK_HINT_SLEEP_MS);
    } finally {
      await ep.close();
    }
  });
});
