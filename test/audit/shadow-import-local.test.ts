/**
 * The shadow-stream round trip on kinesis-local (slow: starts the emulator), in-process: an untagged stream made
 * out of band in a mesh account is a shadow-stream; the import command its finding carries (with the audit's
 * target option) adopts it, and the next audit no longer reports it.
 */
import { copyFileSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateStreamCommand, DescribeStreamSummaryCommand } from '@aws-sdk/client-kinesis';
import { describe, expect, it } from 'vitest';
import { ClientPool } from '../../src/adapters/aws/client-pool.js';
import { startKinesisLocal } from '../../src/adapters/local/kinesis-local.js';
import type { AuditReport } from '../../src/core/audit/findings.js';
import { EXAMPLE_MESH_FILE, EXAMPLE_TODAY } from '../support/example-mesh.js';
import { runLocalCli } from '../support/capture-io.js';

const A = '111111111111';
const SHADOW = 'team-x.scratch';
const dir = mkdtempSync(join(tmpdir(), 'meshgov-shadow-'));
copyFileSync(EXAMPLE_MESH_FILE, join(dir, 'mesh.yaml'));

function run(...args: string[]) {
  return runLocalCli(dir, args, new Date(`${EXAMPLE_TODAY}T09:00:00Z`));
}

async function makeShadow(): Promise<void> {
  const region = 'eu-west-1';
  const t = await startKinesisLocal({
    region,
    dataDir: join(dir, 'local', 'kinesis'),
    handleSignals: false,
    persistIntervalMs: 100,
  });
  const pool = new ClientPool({
    target: 'local',
    region,
    partition: 'aws',
    endpoint: t.endpoint,
    command: 'test',
    rateLimitScale: 0,
  });
  try {
    const c = pool.kinesis(A);
    await c.send(new CreateStreamCommand({ StreamName: SHADOW, ShardCount: 1 }));
    for (let i = 0; i < 200; i++) {
      const s = await c.send(new DescribeStreamSummaryCommand({ StreamName: SHADOW }));
      if (s.StreamDescriptionSummary?.StreamStatus === 'ACTIVE') break;
      await new Promise((r) => setTimeout(r, 25));
    }
    await new Promise((r) => setTimeout(r, 300));
  } finally {
    pool.destroy();
    await t.stop();
  }
}

const shadows = (r: { stdout: string }) =>
  (JSON.parse(r.stdout) as AuditReport).findings.filter((f) => f.code === 'shadow-stream');

describe('shadow-stream -> meshgov import -> audit', { timeout: 240_000 }, () => {
  it('adopts the stream with the command the finding names', async () => {
    await makeShadow();
    const first = await run('audit', 'mesh.yaml', '--local', '--format', 'json', '--fail-on', 'never');
    expect(first.code, first.stderr).toBe(0);
    const found = shadows(first);
    expect(found.map((f) => f.resource)).toEqual([`${A}/stream/${SHADOW}`]);
    const command = found[0]?.evidence['importCommand'];
    expect(command).toBe(`meshgov import mesh.yaml --account ${A} --write`);

    // The command as a user runs it, plus the audit's target option (the file name needs no shell quoting).
    const argv = String(command).split(' ').slice(1);
    const imported = await run(...argv, '--local');
    expect(imported.stderr).toMatch(/imported 1 stream\(s\)/);
    expect(readFileSync(join(dir, 'mesh.yaml'), 'utf8')).toContain(`name: ${SHADOW}`);

    const second = await run('audit', 'mesh.yaml', '--local', '--format', 'json', '--fail-on', 'never');
    expect(second.code, second.stderr).toBe(0);
    expect(shadows(second)).toEqual([]);
  });
});
