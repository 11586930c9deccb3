/** `meshgov apply` rejects unusable inputs with a clear message and no stack trace, before touching any target. */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { CliIO } from '../../src/cli/io.js';
import { main } from '../../src/cli/main.js';

async function run(cwd: string, ...args: string[]) {
  let stdout = '';
  let stderr = '';
  const io: CliIO = {
    stdout: { write: (s) => void (stdout += s), isTTY: false },
    stderr: { write: (s) => void (stderr += s), isTTY: false },
    env: { NO_COLOR: '1', MESHGOV_LOCAL_DIR: join(cwd, 'local') },
    cwd,
    now: () => new Date('2026-12-01T00:00:00Z'),
  };
  const code = await main(args, io);
  return { code, stdout, stderr };
}

describe('meshgov apply input', () => {
  it('says a directory is a directory', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'meshgov-apply-in-'));
    mkdirSync(join(dir, 'plans'));
    const r = await run(dir, 'apply', '--local', '--auto-approve', join(dir, 'plans'));
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('is a directory');
    expect(r.stderr).not.toMatch(/^\s+at /m);
  });

  it('refuses a JSON file that is not a meshgov plan as a usage error', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'meshgov-apply-in-'));
    writeFileSync(join(dir, 'plan.json'), '{"hello":"world"}');
    const r = await run(dir, 'apply', '--local', join(dir, 'plan.json'));
    expect(r.code).toBe(64);
    expect(r.stderr).toContain('not a meshgov plan');
    expect(r.stderr).not.toMatch(/^\s+at /m);
  });
});
