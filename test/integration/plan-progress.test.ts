/**
 * A piped `plan` of a large mesh is never silent for long: a progress line within its first 2 seconds and then at
 * least every 10 seconds, up to the plan. The live read is a stand-in reader that takes as long as a slow AWS
 * account would (one account 13 s, the others a moment); the test asserts on the timestamps the run printed.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { generateMesh } from '../../bench/generate-mesh.js';
import type { CliIO } from '../../src/cli/io.js';
import { runPlan } from '../../src/cli/commands/plan.js';
import type { PlanCommandOptions } from '../../src/cli/commands/plan.js';
import type { TargetOpener } from '../../src/app/target.js';
import { fakeTarget, openerOf } from '../support/fake-target.js';
import type { ReadProgress, ReadRequest } from '../../src/core/ports.js';
import type { LiveState } from '../../src/core/plan/live.js';
import { renderPlanText } from '../../src/output/plan/text.js';
import { plainStyle } from '../../src/output/style.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A target whose reader finds empty accounts, slowly: the first account takes `slowMs`. */
function slowTarget(slowMs: number): TargetOpener {
  const reader = {
    async read(req: ReadRequest, progress?: ReadProgress): Promise<LiveState> {
      const accounts = await Promise.all(
        req.accounts.map(async (account, i) => {
          progress?.({ account, phase: 'start' });
          await sleep(i === 0 ? slowMs : 50 * i);
          progress?.({ account, phase: 'done', streams: 0, managed: 0 });
          return { account, streams: [], unmanagedStreams: [] };
        }),
      );
      return { region: req.region, accounts, notChecked: [] };
    },
  };
  return openerOf(fakeTarget(reader));
}

const LINE = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z) meshgov: (.*)$/;

describe('plan progress when stderr is not a terminal', () => {
  it('prints a line within 2 s and then at least every 10 s on a 500-stream mesh', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'meshgov-progress-'));
    writeFileSync(
      join(dir, 'mesh.yaml'),
      generateMesh({ domains: 10, streamsPerDomain: 50, grantsPerStream: 3, clean: true }),
    );
    let err = '';
    let out = '';
    const io: CliIO = {
      stdout: { write: (s) => void (out += s), isTTY: false },
      stderr: { write: (s) => void (err += s), isTTY: false },
      env: { NO_COLOR: '1' },
      cwd: dir,
      now: () => new Date(),
    };
    const opts: PlanCommandOptions = { format: 'text', domain: [], account: [], color: false };
    const started = Date.now();
    const run = await runPlan('mesh.yaml', opts, io, slowTarget(13_000));
    if (run.kind !== 'planned') throw new Error('the plan did not run');
    out += renderPlanText(run.plan, plainStyle);
    const ended = Date.now();

    const lines = err.split('\n').filter((l) => l !== '');
    // Every stderr line is a progress line (warnings of the mesh would be too, but this mesh has none).
    for (const l of lines) expect(l).toMatch(LINE);
    const times = lines.map((l) => Date.parse(LINE.exec(l)?.[1] as string));
    expect(times[0]! - started).toBeLessThanOrEqual(2_000);
    const gaps = [...times, ended].slice(1).map((t, i) => t - times[i]!);
    expect(Math.max(...gaps)).toBeLessThanOrEqual(10_000);
    // The long read was covered by heartbeats that say what the run waits for and for how long.
    const heartbeats = lines.filter((l) => /waiting for 100000000000 \(\d+\.\d s so far\)$/.test(l));
    expect(heartbeats.length).toBeGreaterThanOrEqual(2);
    expect(lines.some((l) => / meshgov: read account 100000000000 \(10\/10\)/.test(l))).toBe(true);
    expect(lines.at(-1)).toMatch(/meshgov: plan computed: \d+ changes, \d+ access changes/);
    expect(out).toContain('Plan: ');
    // The whole run took as long as the slow account: the test did not pass by being quick.
    expect(ended - started).toBeGreaterThanOrEqual(13_000);
  }, 60_000);
});
