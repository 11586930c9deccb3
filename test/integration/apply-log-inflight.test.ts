/**
 * A call in flight when apply dies is in the log: a proxy in front of kinesis-local forwards an UpdateShardCount
 * (so it takes effect) but never answers it, and the built CLI (`apply --endpoint <proxy>
 * --endpoint-accounts-as-keys`) is killed with SIGKILL while it waits. The log then has the call's intent without an
 * outcome, and the 24 h budget counts it (before the fix the call left no line at all).
 */
import { CreateStreamCommand, DescribeStreamSummaryCommand } from '@aws-sdk/client-kinesis';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer, request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readApplyLog } from '../../src/adapters/fs/apply-log.js';
import { budgetFor } from '../../src/core/apply/budget.js';
import { unansweredIntents } from '../../src/core/apply/summary.js';
import { oob } from '../apply/harness.js';
import { bigMeshYaml } from '../support/big-mesh.js';
import { killStarted, startCli } from '../support/cli-child.js';
import { useKinesisLocal } from '../support/kinesis-local.js';

const k = useKinesisLocal();
afterAll(() => killStarted());

const ACCOUNT = '111111111111';
const STREAM = 'd0.s00.v1';

/** Forwards everything; an UpdateShardCount is forwarded but its answer is held back for ever. */
async function holdingProxy(upstream: string) {
  const up = new URL(upstream);
  const state = { held: 0, upstreamAnswered: 0 };
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const hold = String(req.headers['x-amz-target'] ?? '').endsWith('.UpdateShardCount');
      if (hold) state.held++;
      const fwd = request(
        { host: up.hostname, port: up.port, method: req.method, path: req.url, headers: req.headers },
        (upRes) => {
          const body: Buffer[] = [];
          upRes.on('data', (c: Buffer) => body.push(c));
          upRes.on('end', () => {
            if (hold) {
              state.upstreamAnswered++;
              return;
            }
            res.writeHead(upRes.statusCode ?? 500, upRes.headers);
            res.end(Buffer.concat(body));
          });
        },
      );
      fwd.end(Buffer.concat(chunks));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  return {
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    state,
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

describe('apply log: a call in flight when apply dies', { timeout: 180_000 }, () => {
  it('leaves an intent without an outcome, which the scaling budget counts', async () => {
    // A stream with 2 shards where the mesh wants 1: apply tags it, then calls UpdateShardCount.
    await oob(() => k.client(ACCOUNT).send(new CreateStreamCommand({ StreamName: STREAM, ShardCount: 2 })));
    await k.waitActive(ACCOUNT, STREAM);
    const dir = mkdtempSync(join(tmpdir(), 'meshgov-inflight-'));
    writeFileSync(join(dir, 'mesh.yaml'), bigMeshYaml({ domains: 1, streams: 1 }));
    const proxy = await holdingProxy(k.endpoint);
    try {
      const args = [
        'apply',
        '--endpoint',
        proxy.endpoint,
        '--endpoint-accounts-as-keys',
        '--auto-approve',
        '--log',
        'log.jsonl',
        'mesh.yaml',
      ];
      const run = startCli(args, { cwd: dir, env: { MESHGOV_LOCAL_DIR: join(dir, 'local') } });
      for (let i = 0; i < 1200 && proxy.state.upstreamAnswered === 0; i++) await new Promise((r) => setTimeout(r, 50));
      expect(proxy.state.upstreamAnswered).toBe(1);
      run.proc.kill('SIGKILL');
      expect((await run.exited).signal).toBe('SIGKILL');
    } finally {
      await proxy.close();
    }
    const log = readApplyLog(join(dir, 'log.jsonl'));
    const open = unansweredIntents(log);
    expect(open.map((e) => [e.api, e.resource, e.result])).toEqual([
      ['kinesis:UpdateShardCount', `arn:aws:kinesis:eu-west-1:${ACCOUNT}:stream/${STREAM}`, 'started'],
    ]);
    expect(log.filter((e) => e.api === 'kinesis:UpdateShardCount' && e.result !== 'started')).toEqual([]);
    // The call did reach the service, so counting it is right.
    await k.waitActive(ACCOUNT, STREAM);
    const s = await k.client(ACCOUNT).send(new DescribeStreamSummaryCommand({ StreamName: STREAM }));
    expect(s.StreamDescriptionSummary?.OpenShardCount).toBe(1);
    expect(budgetFor(log, ACCOUNT, STREAM, new Date()).shardUpdatesLeft).toBe(9);
  });
});
