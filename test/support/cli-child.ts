/**
 * The built CLI (`node bin/meshgov.js`, after `npx tsc -p tsconfig.build.json`) as a real child process, for tests
 * that kill it, signal it or run two at once. Output is collected; `waitFor` polls it for a progress marker (no
 * timing assumptions), `exited` resolves with the exit code or signal.
 */
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { processAlive } from '../../src/adapters/local/data-lock.js';
import type { LockInfo } from '../../src/adapters/local/data-lock.js';

/** The launcher; MESHGOV_TEST_BIN points the tests at another build (e.g. to show a test fails before a fix). */
export const BIN = process.env['MESHGOV_TEST_BIN'] || fileURLToPath(new URL('../../bin/meshgov.js', import.meta.url));

interface WaitOptions {
  stream?: 'stdout' | 'stderr';
  timeoutMs?: number;
}

type Exit = { code: number | null; signal: NodeJS.Signals | null };

export interface CliChild {
  readonly proc: ChildProcess;
  readonly pid: number;
  stdout(): string;
  stderr(): string;
  exited: Promise<Exit>;
  /** Resolve once stdout (or stderr) matches; reject if the process ends first or after `timeoutMs`. */
  waitFor(test: RegExp | ((text: string) => boolean), o?: WaitOptions): Promise<void>;
}

const started: ChildProcess[] = [];

export function startCli(args: string[], o: { cwd: string; env?: Record<string, string> }): CliChild {
  const proc = spawn(process.execPath, [BIN, ...args], {
    cwd: o.cwd,
    env: {
      ...process.env,
      NO_COLOR: '1',
      MESHGOV_DEBUG: '',
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
      ...(o.env ?? {}),
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  started.push(proc);
  let out = '';
  let err = '';
  proc.stdout.on('data', (b: Buffer) => void (out += b.toString('utf8')));
  proc.stderr.on('data', (b: Buffer) => void (err += b.toString('utf8')));
  let ended = false;
  const exited = new Promise<Exit>((res) =>
    proc.on('close', (code, signal) => {
      ended = true;
      res({ code, signal });
    }),
  );
  return {
    proc,
    pid: proc.pid as number,
    stdout: () => out,
    stderr: () => err,
    exited,
    async waitFor(test, w = {}) {
      const deadline = Date.now() + (w.timeoutMs ?? 120_000);
      const ok = (t: string) => (typeof test === 'function' ? test(t) : test.test(t));
      for (;;) {
        if (ok(w.stream === 'stderr' ? err : out)) return;
        if (ended) throw new Error(`meshgov ${args.join(' ')} ended before ${String(test)} held:\n${out}\n${err}`);
        if (Date.now() > deadline) throw new Error(`timed out waiting for ${String(test)}:\n${out}\n${err}`);
        await new Promise((r) => setTimeout(r, 50));
      }
    },
  };
}

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Run to the end. */
export async function runCli(args: string[], o: { cwd: string; env?: Record<string, string> }): Promise<CliResult> {
  const c = startCli(args, o);
  const { code } = await c.exited;
  return { code, stdout: c.stdout(), stderr: c.stderr() };
}

/** The lock of a local data directory (`<MESHGOV_LOCAL_DIR>/kinesis/meshgov.lock`), once it names an emulator. */
export async function lockOf(localDir: string, timeoutMs = 60_000): Promise<LockInfo & { emulator: { pid: number } }> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const info = JSON.parse(readFileSync(join(localDir, 'kinesis', 'meshgov.lock'), 'utf8')) as LockInfo;
      if (info.emulator) return info as LockInfo & { emulator: { pid: number } };
    } catch {
      // Not there yet.
    }
    if (Date.now() > deadline) throw new Error(`no lock with an emulator in ${localDir}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Wait until a process is gone (bounded); false if it is still running. */
export async function gone(pid: number, timeoutMs = 30_000): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (processAlive(pid)) {
    if (Date.now() > deadline) return false;
    await new Promise((r) => setTimeout(r, 50));
  }
  return true;
}

/** Kill (SIGKILL) every child these helpers started that is still running: for afterAll. */
export function killStarted(): void {
  for (const p of started.splice(0)) if (p.exitCode === null && p.signalCode === null) p.kill('SIGKILL');
}
