/**
 * Vitest helper: one kinesis-local instance per test file (beforeAll/afterAll), nothing persisted.
 * `client(account)` signs with the account id as access key id, which selects the account in kinesis-local.
 */
import { DescribeStreamSummaryCommand, KinesisClient } from '@aws-sdk/client-kinesis';
import { afterAll, beforeAll } from 'vitest';
import { ClientPool } from '../../src/adapters/aws/client-pool.js';
import { startKinesisLocal } from '../../src/adapters/local/kinesis-local.js';
import type { LocalTarget } from '../../src/adapters/local/kinesis-local.js';

process.env['AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED'] ??= 'true';

export interface KinesisLocalHandle {
  readonly endpoint: string;
  readonly target: LocalTarget;
  /** A Kinesis client for an account (out-of-band changes, HTTP/1.1 like meshgov's own). */
  client(account: string): KinesisClient;
  /** A fresh meshgov client pool on the local target (rate limits off unless `rateLimitScale` is given). */
  pool(rateLimitScale?: number): ClientPool;
  waitActive(account: string, stream: string): Promise<void>;
}

export function useKinesisLocal(options: { region?: string; env?: Record<string, string> } = {}): KinesisLocalHandle {
  const region = options.region ?? 'eu-west-1';
  let target: LocalTarget | undefined;
  const pools: ClientPool[] = [];
  let shared: ClientPool | undefined;
  beforeAll(async () => {
    target = await startKinesisLocal({ region, handleSignals: false, ...(options.env ? { env: options.env } : {}) });
  }, 120_000);
  afterAll(async () => {
    for (const p of pools) p.destroy();
    await target?.stop();
  });
  const handle: KinesisLocalHandle = {
    get endpoint() {
      if (!target) throw new Error('kinesis-local is not running (use the handle inside tests)');
      return target.endpoint;
    },
    get target() {
      if (!target) throw new Error('kinesis-local is not running');
      return target;
    },
    client(account: string) {
      shared ??= handle.pool(0);
      return shared.kinesis(account);
    },
    pool(rateLimitScale = 0) {
      const p = new ClientPool({
        target: 'local',
        region,
        partition: 'aws',
        endpoint: handle.endpoint,
        command: 'test',
        rateLimitScale,
      });
      pools.push(p);
      return p;
    },
    async waitActive(account: string, stream: string) {
      const c = handle.client(account);
      for (let i = 0; i < 200; i++) {
        const s = await c.send(new DescribeStreamSummaryCommand({ StreamName: stream }));
        if (s.StreamDescriptionSummary?.StreamStatus === 'ACTIVE') return;
        await new Promise((r) => setTimeout(r, 25));
      }
      throw new Error(`stream ${stream} in ${account} did not become ACTIVE`);
    },
  };
  return handle;
}
