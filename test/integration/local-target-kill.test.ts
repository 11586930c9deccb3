/**
 * The local target under kill -9 and concurrent runs, with the built CLI as real child processes (build first:
 * `npx tsc -p tsconfig.build.json`):
 * - `apply --local` killed with SIGKILL part-way: its kinesis-local ends by itself (after a last persist), a rerun
 *   converges, and its changes are still there once every process is gone (before the fix the orphaned emulator
 *   kept writing its stale state over the rerun's);
 * - two applies on one MESHGOV_LOCAL_DIR: the second refuses (naming the first) or, with --lock-timeout, waits;
 *   either way no stream is lost (before the fix both exited 0 and one run's streams were overwritten).
 */
import { existsSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { bigMeshYaml } from '../support/big-mesh.js';
import { gone, killStarted, lockOf, runCli, startCli } from '../support/cli-child.js';
import { withoutProgress } from '../support/progress.js';

afterAll(() => killStarted());

function workdir(streams: number): { cwd: string; env: Record<string, string>; local: string } {
  const cwd = mkdtempSync(join(tmpdir(), 'meshgov-kill-'));
  mkdirSync(cwd, { recursive: true });
  writeFileSync(join(cwd, 'mesh.yaml'), bigMeshYaml({ domains: 3, streams }));
  const local = join(cwd, 'local');
  return { cwd, env: { MESHGOV_LOCAL_DIR: local }, local };
}

const doneLines = (out: string) => out.split('\n').filter((l) => l.startsWith('  done ')).length;
const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));
const REST = ['--domain', 'd1', '--domain', 'd2', 'mesh.yaml'];

describe('local target: kill -9 and concurrent runs', { timeout: 300_000 }, () => {
  it.each([1, 10])(
    'apply killed with SIGKILL after %i finished change(s): a rerun converges and persists',
    async (k) => {
      const w = workdir(8);
      const first = startCli(['apply', '--local', '--auto-approve', 'mesh.yaml'], w);
      await first.waitFor((out) => doneLines(out) >= k);
      first.proc.kill('SIGKILL');
      expect((await first.exited).signal).toBe('SIGKILL');
      // The dead run's lock names its emulator. (Read leniently, so that this test also runs against a build without
      // the lock, MESHGOV_TEST_BIN, and fails on the data.)
      const lock = await lockOf(w.local, 0).catch(() => undefined);

      // The rerun starts at once; it must not share the data file with the killed run's emulator.
      const rerun = await runCli(['apply', '--local', '--auto-approve', 'mesh.yaml'], w);
      // Not a terminal: only timestamped progress lines, no warning or error.
      expect(withoutProgress(rerun.stderr).trim()).toBe('');
      expect(rerun.code).toBe(0);
      expect(rerun.stdout).toMatch(/Apply: \d+ done, 0 failed, 0 skipped\./);

      // Longer than a persist interval: a stray writer would have overwritten the data file by now.
      await pause(1_000);
      const plan = await runCli(['plan', '--local', '--detailed-exitcode', 'mesh.yaml'], w);
      expect(plan.stdout).toContain('No changes.');
      expect(plan.code).toBe(0);
      // The killed run held the lock and had recorded its emulator, which ended by itself; no lock is left behind.
      expect(lock?.pid).toBe(first.pid);
      expect(await gone(lock?.emulator.pid ?? -1)).toBe(true);
      expect(existsSync(join(w.local, 'kinesis', 'meshgov.lock'))).toBe(false);
    },
  );

  it('a second apply on the same data directory refuses, naming the first, and no stream is lost', async () => {
    const w = workdir(6);
    const first = startCli(['apply', '--local', '--auto-approve', '--domain', 'd0', 'mesh.yaml'], w);
    await first.waitFor(/Applying \d+ change/);
    // Hold the first run mid-apply (a stopped process is alive), so the two runs overlap for certain.
    first.proc.kill('SIGSTOP');
    try {
      const second = await runCli(['apply', '--local', '--auto-approve', ...REST], w);
      expect(second.code).toBe(1);
      const locked = `the local target's data directory local is locked by pid ${first.pid} \\(meshgov apply\\) since \\d{4}-`;
      expect(second.stderr).toMatch(new RegExp(locked));
      expect(second.stderr).toContain('pass --lock-timeout SECONDS');
      expect(second.stdout).toBe('');
    } finally {
      first.proc.kill('SIGCONT');
    }
    expect((await first.exited).code).toBe(0);
    const again = await runCli(['apply', '--local', '--auto-approve', ...REST], w);
    expect(again.code).toBe(0);
    expect(again.stdout).toContain('Apply: 12 done, 0 failed, 0 skipped.');
    const plan = await runCli(['plan', '--local', '--detailed-exitcode', 'mesh.yaml'], w);
    expect(plan.stdout).toContain('No changes.');
    expect(plan.code).toBe(0);
  });

  it("with --lock-timeout the second apply waits for the first, then runs; both runs' streams persist", async () => {
    const w = workdir(6);
    const first = startCli(['apply', '--local', '--auto-approve', '--domain', 'd0', 'mesh.yaml'], w);
    await first.waitFor(/Applying \d+ change/);
    first.proc.kill('SIGSTOP');
    let second: ReturnType<typeof startCli>;
    try {
      second = startCli(['apply', '--local', '--auto-approve', '--lock-timeout', '300', ...REST], w);
      const waiting = new RegExp(`locked by pid ${first.pid} \\(meshgov apply\\) since .*; waiting up to 300 s`);
      await second.waitFor(waiting, { stream: 'stderr' });
      expect(second.stdout()).toBe('');
    } finally {
      first.proc.kill('SIGCONT');
    }
    expect((await first.exited).code).toBe(0);
    expect((await second.exited).code).toBe(0);
    expect(second.stdout()).toContain('Apply: 12 done, 0 failed, 0 skipped.');
    await pause(1_000);
    const plan = await runCli(['plan', '--local', '--detailed-exitcode', 'mesh.yaml'], w);
    expect(plan.stdout).toContain('No changes.');
    expect(plan.code).toBe(0);
  });
});
