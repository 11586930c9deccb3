/** The embedded local target: start on a free port, several accounts, persistence across restarts, stop by pid. */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateStreamCommand, KinesisClient, ListStreamsCommand } from '@aws-sdk/client-kinesis';
import { describe, expect, it } from 'vitest';
import { ClientPool } from '../../src/adapters/aws/client-pool.js';
import { startKinesisLocal } from '../../src/adapters/local/kinesis-local.js';

process.env['AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED'] ??= 'true';

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe('kinesis-local target', { timeout: 180_000 }, () => {
  it('keeps accounts apart, persists data across restarts and stops its process', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'meshgov-local-'));
    const first = await startKinesisLocal({
      region: 'eu-west-1',
      dataDir: dir,
      handleSignals: false,
      persistIntervalMs: 100,
    });
    expect(first.endpoint).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const pool = new ClientPool({
      target: 'local',
      region: 'eu-west-1',
      partition: 'aws',
      endpoint: first.endpoint,
      command: 'test',
      rateLimitScale: 0,
    });
    await pool.kinesis('111111111111').send(new CreateStreamCommand({ StreamName: 'kept.v1', ShardCount: 1 }));
    expect((await pool.kinesis('111111111111').send(new ListStreamsCommand({}))).StreamNames).toEqual(['kept.v1']);
    expect((await pool.kinesis('222222222222').send(new ListStreamsCommand({}))).StreamNames).toEqual([]);
    expect(pool.counter.byOperation()).toEqual({ 'kinesis:CreateStream': 1, 'kinesis:ListStreams': 2 });
    pool.destroy();
    await first.stop();
    expect(alive(first.pid)).toBe(false);

    const second = await startKinesisLocal({ region: 'eu-west-1', dataDir: dir, handleSignals: false });
    try {
      const again = new ClientPool({
        target: 'local',
        region: 'eu-west-1',
        partition: 'aws',
        endpoint: second.endpoint,
        command: 'test',
        rateLimitScale: 0,
      });
      expect((await again.kinesis('111111111111').send(new ListStreamsCommand({}))).StreamNames).toEqual(['kept.v1']);
      again.destroy();
    } finally {
      await second.stop();
    }
  });

  it('honours AWS_ENDPOINT_URL_KINESIS when no --endpoint is given, and --endpoint over it', async () => {
    const t = await startKinesisLocal({ region: 'eu-west-1', handleSignals: false });
    const saved = process.env['AWS_ENDPOINT_URL_KINESIS'];
    try {
      process.env['AWS_ENDPOINT_URL_KINESIS'] = t.endpoint;
      const viaEnv = new ClientPool({
        target: 'local',
        region: 'eu-west-1',
        partition: 'aws',
        command: 'test',
        rateLimitScale: 0,
      });
      expect((await viaEnv.kinesis('333333333333').send(new ListStreamsCommand({}))).StreamNames).toEqual([]);
      viaEnv.destroy();
      process.env['AWS_ENDPOINT_URL_KINESIS'] = 'http://127.0.0.1:9';
      const viaFlag = new ClientPool({
        target: 'local',
        region: 'eu-west-1',
        partition: 'aws',
        command: 'test',
        endpoint: t.endpoint,
        rateLimitScale: 0,
      });
      expect((await viaFlag.kinesis('333333333333').send(new ListStreamsCommand({}))).StreamNames).toEqual([]);
      viaFlag.destroy();
      const plain = new KinesisClient({
        region: 'eu-west-1',
        credentials: { accessKeyId: '333333333333', secretAccessKey: 'x' },
        maxAttempts: 1,
      });
      await expect(plain.send(new ListStreamsCommand({}))).rejects.toThrow();
      plain.destroy();
    } finally {
      if (saved === undefined) delete process.env['AWS_ENDPOINT_URL_KINESIS'];
      else process.env['AWS_ENDPOINT_URL_KINESIS'] = saved;
      await t.stop();
    }
  });
});
