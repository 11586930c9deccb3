/**
 * Apply's per-change progress when stderr is not a terminal (a CI log): a timestamped line as each change starts
 * and as it ends, on the local target. The changes expected come from apply's own stdout (one line per change).
 */
import { copyFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import { captureIO, localTargetEnv } from '../support/capture-io.js';
import { EXAMPLE_MESH_FILE } from '../support/example-mesh.js';

const STAMP = '\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z meshgov: ';

describe('apply progress on a non-terminal stderr', () => {
  it('prints a timestamped line when each change starts and when it ends', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'meshgov-apply-progress-'));
    copyFileSync(EXAMPLE_MESH_FILE, join(dir, 'mesh.yaml'));
    const io = captureIO(dir, {
      env: { NO_COLOR: '1', ...localTargetEnv(dir) },
      now: new Date('2026-12-01T00:00:00Z'),
    });
    const code = await main(['apply', '--local', '--auto-approve', 'mesh.yaml'], io);
    expect(code, io.err()).toBe(0);
    const total = Number(/Applying (\d+) change\(s\)/.exec(io.out())?.[1]);
    // stdout: "  done    create stream 111111111111/stream/payments.refunds.v1"
    const changes = [...io.out().matchAll(/^ {2}done {4}(\S+ \S+ \S+)$/gm)].map((m) => m[1] as string);
    expect(changes.length).toBeGreaterThan(0);
    expect(changes.length).toBe(total);
    const err = io.err().split('\n');
    for (const change of changes) {
      const label = change.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
      expect(
        err.filter((l) => new RegExp(`^${STAMP}started ${label}$`).test(l)),
        change,
      ).toHaveLength(1);
      expect(
        err.filter((l) => new RegExp(`^${STAMP}done ${label} after \\d+\\.\\d s \\(\\d+/${total}\\)$`).test(l)),
        change,
      ).toHaveLength(1);
    }
    // The last change to end says so: n/total reaches total.
    expect(err.some((l) => new RegExp(`^${STAMP}done .* \\(${total}/${total}\\)$`).test(l))).toBe(true);
  }, 180_000);
});
