import { join } from 'node:path';
import { ClientPool } from '../../src/adapters/aws/client-pool.js';
import { startKinesisLocal } from '../../src/adapters/local/kinesis-local.js';

/**
 * Open the local target's persisted accounts (`<localDir>/kinesis`) for a direct look or an out-of-band change, then
 * give the emulator `settleMs` to persist before it stops.
 */
export async function withLocalAccounts<T>(
  localDir: string,
  fn: (pool: ClientPool) => Promise<T>,
  settleMs = 250,
): Promise<T> {
  const t = await startKinesisLocal({
    region: 'eu-west-1',
    dataDir: join(localDir, 'kinesis'),
    handleSignals: false,
    persistIntervalMs: 100,
  });
  const pool = new ClientPool({
    target: 'local',
    region: 'eu-west-1',
    partition: 'aws',
    endpoint: t.endpoint,
    command: 'test',
    rateLimitScale: 0,
  });
  try {
    const r = await fn(pool);
    await new Promise((res) => setTimeout(res, settleMs));
    return r;
  } finally {
    pool.destroy();
    await t.stop();
  }
}
