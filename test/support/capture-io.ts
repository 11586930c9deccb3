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
