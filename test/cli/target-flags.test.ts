/** The target flags of plan and apply: combinations and values that are usage errors (exit 64) before anything runs. */
import { copyFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import type { CliIO } from '../../src/cli/io.js';
import { EXAMPLE_MESH_FILE } from '../support/example-mesh.js';

const dir = mkdtempSync(join(tmpdir(), 'meshgov-flags-'));
copyFileSync(EXAMPLE_MESH_FILE, join(dir, 'mesh.yaml'));

async function run(...args: string[]) {
  let stdout = '';
  let stderr = '';
  const io: CliIO = {
    stdout: { write: (s) => void (stdout += s) },
    stderr: { write: (s) => void (stderr += s) },
    env: { NO_COLOR: '1', MESHGOV_LOCAL_DIR: join(dir, 'local') },
    cwd: dir,
    now: () => new Date('2026-12-01T00:00:00Z'),
  };
  return { code: await main(args, io), stdout, stderr };
}

describe('target flags', () => {
  it.each([
    [['--endpoint-accounts-as-keys'], '--endpoint-accounts-as-keys needs --endpoint URL'],
    [
      ['--local', '--endpoint', 'http://x:1', '--endpoint-accounts-as-keys'],
      '--local and --endpoint cannot be combined',
    ],
    [['--local-port', '4567'], '--local-port needs --local.'],
    [['--endpoint', 'http://127.0.0.1:1', '--local-port', '4567'], '--local-port needs --local.'],
    [['--local', '--local-port', '0'], '--local-port 0: expected a TCP port number from 1 to 65535.'],
    [['--local', '--local-port', '65536'], '--local-port 65536: expected a TCP port number'],
    [['--local', '--local-port', '80x'], '--local-port 80x: expected a TCP port number'],
    [['--local', '--local-port', '-1'], '--local-port -1: expected a TCP port number'],
    [['--lock-timeout', '5'], '--lock-timeout needs --local'],
    [['--local', '--lock-timeout', 'soon'], '--lock-timeout soon: expected a number of seconds from 0 to 86400.'],
    [['--local', '--lock-timeout', '1e9'], '--lock-timeout 1e9: expected a number of seconds'],
    [['--local', '--lock-timeout', '90000'], '--lock-timeout 90000: expected a number of seconds'],
    [['--quota-share', '0'], '--quota-share 0: expected a fraction from 0.05 to 1.'],
    [['--quota-share', '1.5'], '--quota-share 1.5: expected a fraction from 0.05 to 1.'],
    [['--quota-share', 'all'], '--quota-share all: expected a fraction from 0.05 to 1.'],
    [['--quota-share', '-0.5'], '--quota-share -0.5: expected a fraction from 0.05 to 1.'],
  ])('plan and apply %j: usage error', async (flags, message) => {
    for (const cmd of ['plan', 'apply']) {
      const r = await run(cmd, ...flags, 'mesh.yaml');
      expect(r.code, `${cmd} ${flags.join(' ')}`).toBe(64);
      expect(r.stderr).toContain(message);
      expect(r.stdout).toBe('');
    }
  });

  it.each([
    [['--local', '--profile', 'prod'], '--profile has no effect with --local'],
    [['--local', '--region', 'eu-west-1'], '--region has no effect with --local'],
    [['--profile', 'a b'], '--profile "a b": expected a profile name'],
    [['--profile', '[default]'], '--profile "[default]": expected a profile name'],
    [['--profile', ''], '--profile "": expected a profile name'],
    [['--region', 'eu-west'], '--region "eu-west": expected an AWS region'],
    [['--region', 'EU-WEST-1'], '--region "EU-WEST-1": expected an AWS region'],
    [['--region', 'eu-west-1.evil.example'], '--region "eu-west-1.evil.example": expected an AWS region'],
  ])('plan, apply, audit and import %j: usage error', async (flags, message) => {
    for (const cmd of ['plan', 'apply', 'audit', 'import']) {
      const r = await run(cmd, ...flags, 'mesh.yaml');
      expect(r.code, `${cmd} ${flags.join(' ')}`).toBe(64);
      expect(r.stderr).toContain(message);
      expect(r.stdout).toBe('');
    }
  });

  it('plan and apply: --profile and --region mean nothing with --endpoint-accounts-as-keys', async () => {
    for (const cmd of ['plan', 'apply']) {
      for (const flag of [
        ['--profile', 'prod'],
        ['--region', 'eu-west-1'],
      ]) {
        const r = await run(
          cmd,
          '--endpoint',
          'http://127.0.0.1:1',
          '--endpoint-accounts-as-keys',
          ...flag,
          'mesh.yaml',
        );
        expect(r.code).toBe(64);
        expect(r.stderr).toContain(`${flag[0]} has no effect with --endpoint-accounts-as-keys`);
      }
    }
  });

  it('documents --profile and --region in the --help of plan, apply, audit and import', async () => {
    for (const cmd of ['plan', 'apply', 'audit', 'import']) {
      const r = await run(cmd, '--help');
      expect(r.stdout, cmd).toContain('--profile <name>');
      expect(r.stdout, cmd).toContain('--region <region>');
    }
  });

  it('documents the flags in --help', async () => {
    for (const cmd of ['plan', 'apply']) {
      const r = await run(cmd, '--help');
      expect(r.stdout).toContain('--endpoint-accounts-as-keys');
      expect(r.stdout).toContain('--local-port <port>');
      expect(r.stdout).toContain('--lock-timeout <seconds>');
    }
  });

  it('--quota-share reaches the target as a fraction of each quota', async () => {
    const { targetSpec } = await import('../../src/cli/target-flags.js');
    const io = {
      stdout: { write: () => undefined },
      stderr: { write: () => undefined },
      env: {},
      cwd: dir,
      now: () => new Date(),
    };
    expect(targetSpec({ quotaShare: '1' }, io)).toMatchObject({ kind: 'aws', quotaShare: 1 });
    expect(
      targetSpec({ quotaShare: '.5', endpoint: 'http://127.0.0.1:1', endpointAccountsAsKeys: true }, io),
    ).toMatchObject({ kind: 'accounts-as-keys', quotaShare: 0.5 });
    expect(targetSpec({}, io)).not.toHaveProperty('quotaShare');
    const { targetOptions } = await import('../../src/app/node-target.js');
    expect(targetOptions('plan', { kind: 'aws', quotaShare: 1 })).toMatchObject({ quotaShare: 1 });
  });
});
