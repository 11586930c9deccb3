import { join } from 'node:path';
import type { CliIO } from '../../src/cli/io.js';

/** A CliIO for in-process CLI runs that captures stdout and stderr (neither is a TTY unless a test says so). */
export type CapturedIO = CliIO & { out: () => string; err: () => string };

export function captureIO(cwd: string, o: { env?: Record<string, string>; now: Date }): CapturedIO {
  let out = '';
  let err = '';
  return {
    stdout: { write: (s) => void (out += s), isTTY: false },
    stderr: { write: (s) => void (err += s), isTTY: false },
    env: { ...(o.env ?? {}) },
    cwd,
    now: () => o.now,
    out: () => out,
    err: () => err,
  };
}

/** Environment for a local-target run: its data under `dir`, and no SDK Node-version warning. */
export function localTargetEnv(dir: string): Record<string, string> {
  return { MESHGOV_LOCAL_DIR: join(dir, 'local'), AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' };
}

/** One in-process CLI run on the local target with its data under `dir`, uncoloured, at a fixed time. */
export async function runLocalCli(
  dir: string,
  args: readonly string[],
  now = new Date('2026-12-01T00:00:00Z'),
): Promise<{ code: number; stdout: string; stderr: string }> {
  const { main } = await import('../../src/cli/main.js');
  const io = captureIO(dir, { env: { NO_COLOR: '1', ...localTargetEnv(dir) }, now });
  const code = await main([...args], io);
  return { code, stdout: io.out(), stderr: io.err() };
}
