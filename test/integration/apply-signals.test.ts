/**
 * SIGINT/SIGTERM in the middle of `apply --local`, with the built CLI as a child process (build first) on a mesh
 * large enough to be interrupted part-way (48 streams). The signal is sent once a change has finished (a progress
 * line), never after a fixed delay. The first signal: no new change starts, the changes in flight finish, the summary
 * says what was done and what did not start, the local target stops cleanly, exit 130/143; what the run did is
 * there afterwards (before the fix: a silent exit, and the emulator SIGKILLed without its last persist). A second
 * signal exits at once, and what the log records as ok still persists.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readApplyLog } from '../../src/adapters/fs/apply-log.js';
import { unansweredIntents } from '../../src/core/apply/summary.js';
import type { Plan } from '../../src/core/plan/types.js';
import { bigMeshYaml } from '../support/big-mesh.js';
import { gone, killStarted, lockOf, runCli, startCli } from '../support/cli-child.js';

afterAll(() => killStarted());

function workdir(): { cwd: string; env: Record<string, string>; local: string } {
  const cwd = mkdtempSync(join(tmpdir(), 'meshgov-signal-'));
  writeFileSync(join(cwd, 'mesh.yaml'), bigMeshYaml({ domains: 3, streams: 16 }));
  const local = join(cwd, 'local');
  return { cwd, env: { MESHGOV_LOCAL_DIR: local }, local };
}

const APPLY = ['apply', '--local', '--auto-approve', 'mesh.yaml'];

/** Addresses of the stream creations a fresh plan still wants. */
async function stillToCreate(w: ReturnType<typeof workdir>): Promise<string[]> {
  const r = await runCli(['plan', '--local', '--out', 'plan.json', '--format', 'json', 'mesh.yaml'], w);
  expect(r.code).toBe(0);
  const plan = JSON.parse(r.stdout) as Plan;
  return plan.changes
    .filter((c) => c.resourceType === 'stream' && c.action === 'create')
    .map((c) => c.address)
    .sort();
}

describe('apply --local under SIGINT/SIGTERM', { timeout: 300_000 }, () => {
  const cases = [
    ['SIGINT', 130],
    ['SIGTERM', 143],
  ] as const;
  it.each(cases)('%s: finishes the changes in flight, prints the summary, persists, exits %i', async (sig, code) => {
    const w = workdir();
    const run = startCli(APPLY, w);
    await run.waitFor(/^ {2}done +create stream /m);
    const lock = await lockOf(w.local);
    run.proc.kill(sig);
    const exit = await run.exited;
    expect(exit).toEqual({ code, signal: null });
    expect(run.stderr()).toContain(`meshgov: ${sig} received: no new change starts; waiting for the changes in flight`);
    const out = run.stdout();
    const summary = new RegExp(
      `Apply interrupted \\(${sig}\\): (\\d+) done, 0 failed, 0 skipped, (\\d+) not started\\.`,
    ).exec(out);
    expect(summary, out).not.toBeNull();
    const lines = out.split('\n');
    const done = lines.flatMap((l) => /^ {2}done +create stream (\S+)/.exec(l)?.[1] ?? []).sort();
    const notStarted = lines.flatMap((l) => /^ {2}not started stream (\S+):/.exec(l)?.[1] ?? []).sort();
    expect(done.length).toBe(Number(summary?.[1]));
    expect(notStarted.length).toBe(Number(summary?.[2]));
    expect(done.length + notStarted.length).toBe(48);
    expect(notStarted.length).toBeGreaterThan(0);
    // Every call that started also ended: the run waited for the calls in flight.
    expect(unansweredIntents(readApplyLog(join(w.cwd, '.meshgov', 'apply-log.jsonl')))).toEqual([]);
    // The emulator was stopped (not left running), and what was done is there: exactly the rest is still to do.
    expect(await gone(lock.emulator.pid)).toBe(true);
    expect(await stillToCreate(w)).toEqual(notStarted);
    // And a rerun finishes the job.
    const rerun = await runCli(APPLY, w);
    expect(rerun.code).toBe(0);
    expect(rerun.stdout).toContain(`Apply: ${notStarted.length} done, 0 failed, 0 skipped.`);
  });

  it('a second signal exits at once; what the log records as ok is not lost', async () => {
    const w = workdir();
    const run = startCli(APPLY, w);
    await run.waitFor(/^ {2}done +create stream /m);
    const lock = await lockOf(w.local);
    run.proc.kill('SIGINT');
    await run.waitFor(/SIGINT received/, { stream: 'stderr' });
    run.proc.kill('SIGINT');
    expect(await run.exited).toEqual({ code: 130, signal: null });
    expect(run.stderr()).toContain('meshgov: second interrupt (SIGINT): exiting at once.');
    expect(run.stdout()).not.toContain('Apply interrupted');
    // Its emulator persisted and ended by itself (meshgov did not stop it).
    expect(await gone(lock.emulator.pid)).toBe(true);
    const log = readApplyLog(join(w.cwd, '.meshgov', 'apply-log.jsonl'));
    const created = log
      .filter((e) => e.api === 'kinesis:CreateStream' && e.result === 'ok')
      .map((e) => e.resource.replace(/^arn:aws:kinesis:eu-west-1:(\d{12}):stream\//, '$1/stream/'));
    expect(created.length).toBeGreaterThan(0);
    const todo = await stillToCreate(w);
    expect(todo.length).toBeLessThan(48);
    for (const address of created) expect(todo).not.toContain(address);
  });
});
