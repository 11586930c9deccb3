/**
 * A process that started a persisting kinesis-local and then exits without stopping it (process.exit: a second
 * Ctrl-C, an uncaught error): the emulator's watchdog keeps a settled snapshot of the data file, holding every change
 * the emulator acknowledged, before the emulator stops. Before the fix meshgov's exit hook sent SIGTERM at once, the
 * emulator began its shutdown write before any snapshot was kept, and under load that write was cut short: the next
 * run found a truncated file, no good copy to restore, and started empty (apply-signals.test.ts, 2 runs of 4 under
 * load lost acknowledged creates). The data file's last write is kinesis-local's and not ours to check; the snapshot
 * is what the next run restores from, so this test asks for the snapshot. The child runs the sources under tsx, whose
 * transpiled functions call esbuild's __name helper: the watchdog embeds one as source and must define it (before,
 * it threw at the parent's death and the emulator ended with no snapshot at all).
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { gone } from '../support/cli-child.js';

const MODULE = fileURLToPath(new URL('../../src/adapters/local/kinesis-local.ts', import.meta.url));

/** Start kinesis-local on `dir`, create a stream, print the emulator's pid, then process.exit without stop(). */
const SCRIPT = `
import { CreateStreamCommand, KinesisClient } from '@aws-sdk/client-kinesis';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { startKinesisLocal } from ${JSON.stringify(MODULE)};
const t = await startKinesisLocal({ dataDir: process.argv[1], region: 'eu-west-1', lock: { command: 'test' } });
const client = new KinesisClient({
  region: 'eu-west-1',
  endpoint: t.endpoint,
  requestHandler: new NodeHttpHandler(),
  credentials: { accessKeyId: '111111111111', secretAccessKey: 'x' },
});
await client.send(new CreateStreamCommand({ StreamName: 'acknowledged-before-exit', ShardCount: 1 }));
process.stdout.write(String(t.pid) + '\\n');
process.exit(3);
`;

function runScript(dir: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', SCRIPT, dir], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (b: Buffer) => (stdout += b.toString()));
    child.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
    child.on('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('local target: exit without stop', { timeout: 120_000 }, () => {
  it('leaves the emulator to its watchdog, which snapshots the acknowledged change before it stops', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'meshgov-exit-'));
    const r = await runScript(dir);
    expect(r.code, r.stderr).toBe(3);
    const pid = Number(r.stdout.trim());
    expect(pid).toBeGreaterThan(0);
    expect(await gone(pid)).toBe(true);
    const snapshot = join(dir, 'kinesis-data.json.last-good');
    expect(existsSync(snapshot)).toBe(true);
    expect(readFileSync(snapshot, 'utf8')).toContain('acknowledged-before-exit');
  });
});
