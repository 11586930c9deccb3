/**
 * The seams for tests and proxies: `--endpoint URL --endpoint-accounts-as-keys` against a Kinesis-only endpoint (here
 * kinesis-local started on a fixed port, with nothing else behind it: no STS, IAM or Organizations), and
 * `--local --local-port N`.
 */
import { ListStreamsCommand } from '@aws-sdk/client-kinesis';
import { copyFileSync, mkdtempSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import type { Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ClientPool } from '../../src/adapters/aws/client-pool.js';
import { freePorts, startKinesisLocal } from '../../src/adapters/local/kinesis-local.js';
import { main } from '../../src/cli/main.js';
import { captureIO } from '../support/capture-io.js';
import type { Plan } from '../../src/core/plan/types.js';
import { bigMeshYaml } from '../support/big-mesh.js';
import { killStarted, startCli } from '../support/cli-child.js';
import { EXAMPLE_MESH_FILE } from '../support/example-mesh.js';
import { withoutProgress } from '../support/progress.js';

process.env['AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED'] ??= 'true';

afterAll(() => killStarted());

function poolOn(endpoint: string): ClientPool {
  return new ClientPool({
    target: 'local',
    region: 'eu-west-1',
    partition: 'aws',
    endpoint,
    command: 'test',
    rateLimitScale: 0,
  });
}

async function run(dir: string, ...args: string[]) {
  const io = captureIO(dir, {
    env: { NO_COLOR: '1', MESHGOV_LOCAL_DIR: join(dir, 'local') },
    now: new Date('2026-12-01T00:00:00Z'),
  });
  const code = await main(args, io);
  return { code, stdout: io.out(), stderr: io.err() };
}

describe('endpoint seams', { timeout: 240_000 }, () => {
  it('--endpoint-accounts-as-keys applies and plans against a Kinesis-only endpoint without STS', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'meshgov-seam-'));
    copyFileSync(EXAMPLE_MESH_FILE, join(dir, 'mesh.yaml'));
    const [port] = (await freePorts(1)) as [number];
    const k = await startKinesisLocal({ region: 'eu-west-1', port, handleSignals: false });
    try {
      expect(k.endpoint).toBe(`http://127.0.0.1:${port}`);
      const flags = ['--endpoint', k.endpoint, '--endpoint-accounts-as-keys'];
      const applied = await run(dir, 'apply', ...flags, '--auto-approve', 'mesh.yaml');
      // Not a terminal: only timestamped progress lines, no warning or error.
      expect(withoutProgress(applied.stderr).trim()).toBe('');
      expect(applied.code).toBe(0);
      expect(applied.stdout).toContain('Apply: 10 done, 0 failed, 0 skipped.');
      // Each account's streams went to that account (the access key id selected it).
      const pool = poolOn(k.endpoint);
      const names = (await pool.kinesis('222222222222').send(new ListStreamsCommand({}))).StreamNames;
      expect(names).toEqual(['risk.fraud-scores.v1']);
      pool.destroy();

      const planned = await run(
        dir,
        'plan',
        ...flags,
        '--detailed-exitcode',
        '--out',
        'plan.json',
        '-f',
        'json',
        'mesh.yaml',
      );
      expect(planned.code).toBe(0);
      const plan = JSON.parse(planned.stdout) as Plan;
      expect(plan.target).toBe('local');
      expect(plan.notChecked).toContain(
        `STS: no emulator on the endpoint ${k.endpoint} (--endpoint-accounts-as-keys); ` +
          'the governance role was not assumed (each account is selected by its id as access key id)',
      );
      // A plan saved this way is applied the same way (and is not taken for an AWS plan).
      expect((await run(dir, 'apply', ...flags, 'plan.json')).code).toBe(0);
      const asAws = await run(dir, 'apply', '--endpoint', k.endpoint, 'plan.json');
      expect(asAws.stderr).toContain('made against the local target');
    } finally {
      await k.stop();
    }
  });

  it('--local-port starts kinesis-local on that port, and refuses a port that is taken', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'meshgov-port-'));
    writeFileSync(join(dir, 'mesh.yaml'), bigMeshYaml({ domains: 1, streams: 4 }));
    const [port, taken] = (await freePorts(2)) as [number, number];
    const env = { MESHGOV_LOCAL_DIR: join(dir, 'local') };
    const child = startCli(['apply', '--local', '--local-port', String(port), '--auto-approve', 'mesh.yaml'], {
      cwd: dir,
      env,
    });
    await child.waitFor(/Applying \d+ change/);
    // Hold the run while its emulator answers on the port that was asked for.
    child.proc.kill('SIGSTOP');
    try {
      const pool = poolOn(`http://127.0.0.1:${port}`);
      const names = (await pool.kinesis('111111111111').send(new ListStreamsCommand({}))).StreamNames ?? [];
      expect(names.every((n) => n.startsWith('d0.'))).toBe(true);
      pool.destroy();
    } finally {
      child.proc.kill('SIGCONT');
    }
    expect((await child.exited).code).toBe(0);

    const blocker: Server = createServer();
    await new Promise<void>((r) => blocker.listen(taken, '127.0.0.1', () => r()));
    try {
      const refused = await run(dir, 'plan', '--local', '--local-port', String(taken), 'mesh.yaml');
      expect(refused.code).toBe(1);
      expect(refused.stderr).toContain(
        `cannot start the local target: port ${taken} on 127.0.0.1 is not free for kinesis-local (EADDRINUSE)`,
      );
    } finally {
      blocker.close();
    }
  });
});
