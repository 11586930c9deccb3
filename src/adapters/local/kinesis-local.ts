/**
 * The embedded local target: the npm package `kinesis-local` (kinesis-mock compiled to JavaScript) started on a
 * free loopback port, one process serving several accounts (a request picks its account by signing with the
 * 12-digit account id as access key id), stopped by pid (its whole process group) on stop, exit or SIGINT.
 * Data persists under the given directory (kinesis-local's SHOULD_PERSIST_DATA / PERSIST_PATH), so plan and apply
 * runs see the same streams. The directory is locked while an emulator runs on it (data-lock.ts), and the emulator
 * ends itself, after a last persist, when meshgov dies (WATCHDOG), so a killed run leaves no writer behind.
 */
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { copyFileSync, existsSync, lstatSync, mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import type { Server } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { KinesisClient, ListStreamsCommand } from '@aws-sdk/client-kinesis';
import { linkOnTheWay, readRegularFile } from '../fs/bounded-read.js';
import { LOCK_FILE, lockDataDir } from './data-lock.js';
import type { DataLock } from './data-lock.js';

export interface LocalTargetOptions {
  /** Directory for persisted data; undefined: nothing persisted (tests). */
  dataDir?: string;
  /** Default region of the emulator (the mesh region). */
  region: string;
  /** Extra environment for kinesis-local (e.g. ON_DEMAND_STREAM_COUNT_LIMIT, SHARD_LIMIT). */
  env?: Record<string, string>;
  /** How long to wait for the first successful ListStreams, ms. */
  startTimeoutMs?: number;
  /** Persist interval, ms (kinesis-local writes its data file this often). */
  persistIntervalMs?: number;
  /**
   * Stop the emulator cleanly on SIGINT/SIGTERM and exit 130/143 (default true). On an exit without stop, one that
   * persists nothing is signalled; one with a data directory ends itself (snapshot, then a last persist), as it does
   * whenever this process dies.
   */
  handleSignals?: boolean;
  /** Fixed loopback port (`--local-port`); a free one when undefined. */
  port?: number;
  /** The data directory lock (with `dataDir`): who takes it, how long to wait for another run, how to say so. */
  lock?: { command: string; timeoutMs?: number; display?: string; onWait?: (message: string) => void };
}

export interface LocalTarget {
  /** `http://127.0.0.1:<port>`. */
  endpoint: string;
  port: number;
  pid: number;
  /** Where data persists, when it does. */
  dataDir?: string;
  /** Stop the emulator (SIGTERM: it persists its data, then exits) and release the data directory. Idempotent. */
  stop(): Promise<void>;
  /** The emulator's recent output, for error messages. */
  log(): string;
}

/** Operation durations the emulator simulates; short so local runs are quick. */
export const FAST_DURATIONS: Readonly<Record<string, string>> = {
  CREATE_STREAM_DURATION: '50ms',
  DELETE_STREAM_DURATION: '50ms',
  REGISTER_STREAM_CONSUMER_DURATION: '50ms',
  DEREGISTER_STREAM_CONSUMER_DURATION: '50ms',
  START_STREAM_ENCRYPTION_DURATION: '50ms',
  STOP_STREAM_ENCRYPTION_DURATION: '50ms',
  MERGE_SHARDS_DURATION: '50ms',
  SPLIT_SHARD_DURATION: '50ms',
  UPDATE_SHARD_COUNT_DURATION: '50ms',
  UPDATE_STREAM_MODE_DURATION: '50ms',
};

/** Path of kinesis-local's main.js, resolved from this package's dependencies. */
export function kinesisLocalMain(): string {
  const require = createRequire(import.meta.url);
  return join(dirname(require.resolve('kinesis-local/package.json')), 'main.js');
}

/** Distinct free loopback ports: all listeners stay open until every port is known, so none is handed out twice. */
export async function freePorts(n: number): Promise<number[]> {
  const servers = await Promise.all(
    Array.from(
      { length: n },
      () =>
        new Promise<Server>((res, rej) => {
          const srv = createServer();
          srv.unref();
          srv.on('error', rej);
          srv.listen(0, '127.0.0.1', () => res(srv));
        }),
    ),
  );
  const ports = servers.map((srv) => {
    const addr = srv.address();
    return typeof addr === 'object' && addr ? addr.port : 0;
  });
  await Promise.all(servers.map((srv) => new Promise<void>((res) => srv.close(() => res()))));
  return ports;
}

/** Running emulators of this process, stopped cleanly on SIGINT/SIGTERM; on exit, see installHooks. */
const running = new Set<{ child: ChildProcess; persists: boolean; stop: () => Promise<void> }>();
let hooksInstalled = false;
let signalHooksInstalled = false;

function killGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    try {
      child.kill(signal);
    } catch {
      // Already gone.
    }
  }
}

/**
 * On exit without stop (an uncaught error, process.exit, a second signal), SIGTERM only the emulators that persist
 * nothing. One with a data directory is left to its watchdog, which keeps a settled snapshot of the data file before
 * stopping it: a SIGTERM from here started kinesis-local's shutdown write before any snapshot held the run's last
 * changes, and under load that write was cut short with no good copy to restore (the lock keeps the next run out
 * until the emulator has exited). With `signals`, the first SIGINT/SIGTERM stops every emulator cleanly (its last
 * persist included) and exits 130/143; the handler is removed first, so a second signal ends the process at once
 * (the emulators' watchdogs still snapshot, persist and exit). Commands that handle signals themselves
 * (apply) pass `handleSignals: false` and stop the target in their own handler.
 */
function installHooks(signals: boolean): void {
  if (!hooksInstalled) {
    hooksInstalled = true;
    process.on('exit', () => {
      for (const r of running) if (!r.persists) killGroup(r.child, 'SIGTERM');
    });
  }
  if (!signals || signalHooksInstalled) return;
  signalHooksInstalled = true;
  for (const sig of ['SIGINT', 'SIGTERM'] as const) {
    process.once(sig, () => {
      void Promise.allSettled([...running].map((r) => r.stop())).then(() => process.exit(sig === 'SIGINT' ? 130 : 143));
    });
  }
}

/**
 * Copy kinesis-local's data file aside (`.last-good`) once it holds the state as of now. The emulator rewrites the
 * whole file in place every persist interval, and its shutdown write can be cut short (an empty file was seen under
 * load), so a run's changes must not depend on that last write: wait until the file has been rewritten twice since
 * the call (the second rewrite began after the call, so it holds every change acknowledged before it) and parses as
 * complete JSON, then copy that text through a temporary file renamed into place. After `limitMs` the newest
 * complete text is kept. Self-contained (no imports, no closure): the watchdog embeds its source.
 */
export function settledSnapshot(dir: string, intervalMs: number, limitMs: number): Promise<void> {
  const fsx = process.getBuiltinModule('node:fs');
  const file = `${dir}/kinesis-data.json`;
  const started = Date.now();
  const mtime = (): number | undefined => {
    try {
      return fsx.statSync(file).mtimeMs;
    } catch {
      return undefined;
    }
  };
  const complete = (): string | undefined => {
    try {
      const text = fsx.readFileSync(file, 'utf8');
      JSON.parse(text);
      return text;
    } catch {
      return undefined;
    }
  };
  let last = mtime();
  let rewrites = 0;
  return new Promise((resolve) => {
    const poll = (): void => {
      const now = mtime();
      if (now !== undefined && now !== last) {
        rewrites += 1;
        last = now;
      }
      const settled = rewrites >= 2 ? complete() : undefined;
      if (settled !== undefined || Date.now() - started > limitMs) {
        const text = settled ?? complete();
        try {
          if (text !== undefined) {
            // A file of its own (O_EXCL), never written through a link put in its place.
            fsx.rmSync(`${file}.last-good.tmp`, { force: true });
            fsx.writeFileSync(`${file}.last-good.tmp`, text, { flag: 'wx' });
            fsx.renameSync(`${file}.last-good.tmp`, `${file}.last-good`);
          }
        } catch {
          // A directory that cannot be written: nothing to keep.
        }
        resolve();
        return;
      }
      setTimeout(poll, Math.max(5, Math.min(25, intervalMs / 8)));
    };
    poll();
  });
}

/**
 * The emulator's entry (`node -e`): a watchdog, then kinesis-local's main.js (argv[1]). When meshgov dies, however
 * it dies (kill -9 included), the kernel closes the stdin pipe; the watchdog then keeps a settled snapshot of the
 * data file (which the next run restores if the last write is cut short) and sends its own process SIGTERM, on which
 * kinesis-local (a cats-effect IOApp) runs its shutdown finalizers, which persist the data file, and exits. A changed parent pid (re-parented to init) is the fallback signal. A last timer ends a shutdown that hangs.
 */
export const WATCHDOG = [
  "'use strict';",
  // esbuild (tsx, vitest) wraps the named functions it transpiles in __name(fn, name), a helper of its module.
  'var __name = (f) => f;',
  'const parent = Number(process.env.MESHGOV_PARENT_PID);',
  'const hardExit = process.exit.bind(process);',
  'let leaving = false;',
  // settledSnapshot, in the emulator's own process (whose event loop keeps running the periodic persist).
  settledSnapshot.toString(),
  'function leave() {',
  '  if (leaving) return;',
  '  leaving = true;',
  '  setTimeout(() => hardExit(1), 15000).unref();',
  '  const dir = process.env.PERSIST_PATH;',
  "  const term = () => process.kill(process.pid, 'SIGTERM');",
  "  if (dir) settledSnapshot(dir, parseInt(process.env.PERSIST_INTERVAL || '200', 10), 5000).then(term, term);",
  '  else term();',
  '}',
  "process.stdout.on('error', () => {});",
  "process.stderr.on('error', () => {});",
  "process.stdin.on('end', leave);",
  "process.stdin.on('close', leave);",
  "process.stdin.on('error', leave);",
  'process.stdin.resume();',
  'setInterval(() => { if (process.ppid !== parent) leave(); }, 1000).unref();',
  'if (process.ppid !== parent) leave();',
  'require(process.argv[1]);',
].join('\n');

async function waitReady(
  endpoint: string,
  region: string,
  child: ChildProcess,
  timeoutMs: number,
  log: () => string,
): Promise<void> {
  const client = new KinesisClient({
    region,
    endpoint,
    credentials: { accessKeyId: '000000000000', secretAccessKey: 'meshgov-local' },
    maxAttempts: 1,
  });
  const deadline = Date.now() + timeoutMs;
  let lastError = '';
  try {
    for (;;) {
      if (child.exitCode !== null || child.signalCode !== null) {
        throw new EarlyExit(
          `kinesis-local exited (${child.exitCode ?? child.signalCode}) before it was ready:\n${log()}`,
        );
      }
      try {
        // Its very first responses can fail to parse while the server warms up: only a clean ListStreams counts.
        await client.send(new ListStreamsCommand({ Limit: 1 }));
        return;
      } catch (e) {
        lastError = (e as Error).message;
      }
      if (Date.now() > deadline)
        throw new Error(`kinesis-local did not answer ListStreams within ${timeoutMs} ms (${lastError})`);
      await new Promise((r) => setTimeout(r, 100));
    }
  } finally {
    client.destroy();
  }
}

class EarlyExit extends Error {}

/** kinesis-local's data file inside PERSIST_PATH. */
const DATA_FILE = 'kinesis-data.json';

/** Most bytes of a data file meshgov reads back (the 1,100-stream benchmark's is a few MiB). */
const MAX_DATA_FILE_BYTES = 256 * 1024 * 1024;

/**
 * Files meshgov and kinesis-local keep in the data directory. The directory may be in the working tree (the default
 * `.meshgov/local`), which a pull request can change: each of them must be a regular file if it is there, or a link
 * would have the emulator's state written to, or read from, any file the runner can reach.
 */
const DATA_DIR_FILES = [
  DATA_FILE,
  `${DATA_FILE}.last-good`,
  `${DATA_FILE}.last-good.tmp`,
  `${DATA_FILE}.broken`,
  LOCK_FILE,
];

/** Refuse a data directory holding one of its files as anything but a regular file. */
export function checkDataDir(dir: string, cwd = process.cwd()): void {
  const link = linkOnTheWay(cwd, dir);
  if (link !== undefined)
    throw new Error(
      `${link} is a symbolic link: the local target's data directory in the working tree is not reached through links (they would have its files written, and replaced, elsewhere). Remove it, or set MESHGOV_LOCAL_DIR.`,
    );
  for (const name of DATA_DIR_FILES) {
    const path = join(dir, name);
    let st;
    try {
      st = lstatSync(path);
    } catch {
      continue;
    }
    const what = st.isSymbolicLink() ? 'a symbolic link' : st.isFile() ? undefined : 'not a regular file';
    if (what !== undefined)
      throw new Error(
        `${path} is ${what}: the local target keeps only regular files in its data directory. Remove it (the local target then starts from the other files, or empty).`,
      );
  }
}

/** The file's text when it is a regular file of complete JSON, else undefined. */
function completeJsonText(file: string): string | undefined {
  const read = readRegularFile(file, { maxBytes: MAX_DATA_FILE_BYTES });
  if (!read.ok) return undefined;
  try {
    JSON.parse(read.text);
    return read.text;
  } catch {
    return undefined;
  }
}

function completeJson(file: string): boolean {
  return completeJsonText(file) !== undefined;
}

/**
 * Copy the data file aside when it is complete JSON (the last good state). The text checked is the text written
 * (the emulator may be rewriting the file meanwhile), through a temporary file renamed into place.
 */
export function snapshotDataFile(dir: string): void {
  const file = join(dir, DATA_FILE);
  const text = existsSync(file) ? completeJsonText(file) : undefined;
  if (text === undefined) return;
  rmSync(`${file}.last-good.tmp`, { force: true });
  writeFileSync(`${file}.last-good.tmp`, text, { flag: 'wx' });
  renameSync(`${file}.last-good.tmp`, `${file}.last-good`);
}

/**
 * A truncated data file makes kinesis-local exit at start: restore the last good copy, or move the broken file
 * aside (the local target then starts empty, which a plan shows plainly).
 */
export function repairDataFile(dir: string): void {
  const file = join(dir, DATA_FILE);
  if (!existsSync(file) || completeJson(file)) return;
  const good = `${file}.last-good`;
  if (existsSync(good) && completeJson(good)) copyFileSync(good, file);
  else renameSync(file, `${file}.broken`);
}

/** Refuse a fixed port that is taken, with a message that names it (the emulator would just exit). */
async function checkPortFree(port: number): Promise<void> {
  await new Promise<void>((res, rej) => {
    const srv = createServer();
    srv.once('error', (e: NodeJS.ErrnoException) =>
      rej(
        new PortInUse(
          `port ${port} on 127.0.0.1 is not free for kinesis-local (${e.code ?? e.message}); ` +
            'choose another port, or let meshgov pick a free one',
        ),
      ),
    );
    srv.listen(port, '127.0.0.1', () => srv.close(() => res()));
  });
}

class PortInUse extends Error {}

/**
 * Start kinesis-local. With a data directory: lock it first (a second run waits up to `lock.timeoutMs`, then
 * refuses), repair a data file a crash left truncated, and record the emulator in the lock.
 */
export async function startKinesisLocal(o: LocalTargetOptions): Promise<LocalTarget> {
  if (o.port !== undefined && (!Number.isInteger(o.port) || o.port < 1 || o.port > 65535)) {
    throw new PortInUse(`port ${o.port} is not a TCP port (1-65535)`);
  }
  const dataDir = o.dataDir === undefined ? undefined : resolve(o.dataDir);
  let lock: DataLock | undefined;
  if (dataDir) {
    // Before creating anything: a link on the way would have the folders made elsewhere.
    checkDataDir(dataDir);
    mkdirSync(dataDir, { recursive: true });
    lock = await lockDataDir(dataDir, {
      command: o.lock?.command ?? 'meshgov',
      timeoutMs: o.lock?.timeoutMs ?? 0,
      ...(o.lock?.display ? { display: o.lock.display } : {}),
      ...(o.lock?.onWait ? { onWait: o.lock.onWait } : {}),
    });
  }
  try {
    if (dataDir) repairDataFile(dataDir);
    try {
      return await startOnce(o, dataDir, lock);
    } catch (e) {
      // A port taken between choosing it and the emulator binding it makes the emulator exit at once: retry once
      // on fresh ports. A timeout, or a port the caller fixed, is not retried.
      if (!(e instanceof EarlyExit) || o.port !== undefined) throw e;
      return await startOnce(o, dataDir, lock);
    }
  } catch (e) {
    lock?.release();
    throw e;
  }
}

async function startOnce(o: LocalTargetOptions, dataDir: string | undefined, lock?: DataLock): Promise<LocalTarget> {
  const main = kinesisLocalMain();
  let plain: number;
  let tls: number;
  if (o.port !== undefined) {
    await checkPortFree(o.port);
    plain = o.port;
    tls = (await freePorts(1))[0] as number;
  } else {
    [plain, tls] = (await freePorts(2)) as [number, number];
  }
  const persistMs = o.persistIntervalMs ?? 200;
  const env: Record<string, string> = {
    ...(process.env as Record<string, string>),
    ...FAST_DURATIONS,
    KINESIS_MOCK_PLAIN_PORT: String(plain),
    KINESIS_MOCK_TLS_PORT: String(tls),
    KINESIS_MOCK_CERT_PATH: join(dirname(main), 'server.json'),
    AWS_REGION: o.region,
    LOG_LEVEL: 'WARN',
    SHOULD_PERSIST_DATA: dataDir ? 'true' : 'false',
    LOAD_DATA_IF_EXISTS: dataDir ? 'true' : 'false',
    ...(dataDir ? { PERSIST_PATH: dataDir, PERSIST_INTERVAL: `${persistMs}ms` } : {}),
    ...(o.env ?? {}),
    MESHGOV_PARENT_PID: String(process.pid),
  };
  // Its own process group (so a Ctrl-C in the terminal reaches meshgov, which then stops it cleanly), and stdin a
  // pipe from this process: the watchdog ends the emulator when the pipe closes.
  const child = spawn(process.execPath, ['-e', WATCHDOG, main], {
    cwd: dataDir ?? tmpdir(),
    env,
    detached: true,
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  if (child.pid !== undefined) lock?.setEmulator(child.pid);
  child.stdin?.on('error', () => undefined);
  let output = '';
  const keep = (b: Buffer) => {
    output = (output + b.toString('utf8')).slice(-8000);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const exited = new Promise<void>((r) => {
    if (child.exitCode !== null || child.signalCode !== null) r();
    else child.once('exit', () => r());
  });
  child.once('error', (e) => {
    output += `\n${e.message}`;
  });
  const endpoint = `http://127.0.0.1:${plain}`;
  let stopping: Promise<void> | undefined;
  /** SIGTERM: kinesis-local persists its data and exits; SIGKILL only if it hangs. */
  const shutdown = async (): Promise<void> => {
    // kinesis-local rewrites its data file in place, and a write cut short (its own shutdown write, or a SIGKILL)
    // leaves it truncated: keep a complete copy holding every acknowledged change, restored below if need be.
    if (dataDir && child.exitCode === null && child.signalCode === null)
      await settledSnapshot(dataDir, persistMs, 5_000);
    else if (dataDir) snapshotDataFile(dataDir);
    killGroup(child, 'SIGTERM');
    const timer = setTimeout(() => killGroup(child, 'SIGKILL'), 15_000);
    await exited;
    clearTimeout(timer);
    if (dataDir) repairDataFile(dataDir);
  };
  const entry = { child, persists: dataDir !== undefined, stop: async () => undefined as void };
  const stop = (): Promise<void> => {
    stopping ??= shutdown().finally(() => {
      running.delete(entry);
      lock?.release();
    });
    return stopping;
  };
  entry.stop = stop;
  running.add(entry);
  installHooks(o.handleSignals !== false);
  try {
    await waitReady(endpoint, o.region, child, o.startTimeoutMs ?? 60_000, () => output);
  } catch (e) {
    await shutdown();
    running.delete(entry);
    throw e;
  }
  return { endpoint, port: plain, pid: child.pid ?? -1, ...(dataDir ? { dataDir } : {}), stop, log: () => output };
}
