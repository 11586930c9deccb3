/**
 * The embedded local target: the npm package `kinesis-local` (kinesis-mock compiled to JavaScript) started on a
 * free loopback port, one process serving several accounts (a request picks its account by signing with the
 * 12-digit account id as access key id), stopped by pid (its whole process group) on stop, exit or SIGINT.
 * Data persists under the given directory (kinesis-local's SHOULD_PERSIST_DATA / PERSIST_PATH), so plan and apply
 * runs see the same streams.
 */
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readFileSync, renameSync } from 'node:fs';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import type { Server } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { KinesisClient, ListStreamsCommand } from '@aws-sdk/client-kinesis';

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
  /** Stop the emulator on SIGINT/SIGTERM and process exit (default true). */
  handleSignals?: boolean;
}

export interface LocalTarget {
  /** `http://127.0.0.1:<port>`. */
  endpoint: string;
  port: number;
  pid: number;
  /** Where data persists, when it does. */
  dataDir?: string;
  /** Stop the emulator (waits one persist interval first so the last writes reach disk). Idempotent. */
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
  const servers = await Promise.all(Array.from({ length: n }, () => new Promise<Server>((res, rej) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', rej);
    srv.listen(0, '127.0.0.1', () => res(srv));
  })));
  const ports = servers.map((srv) => {
    const addr = srv.address();
    return typeof addr === 'object' && addr ? addr.port : 0;
  });
  await Promise.all(servers.map((srv) => new Promise<void>((res) => srv.close(() => res()))));
  return ports;
}

const running = new Set<ChildProcess>();
let hooksInstalled = false;

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

function installHooks(): void {
  if (hooksInstalled) return;
  hooksInstalled = true;
  process.on('exit', () => {
    for (const c of running) killGroup(c, 'SIGKILL');
  });
  for (const sig of ['SIGINT', 'SIGTERM'] as const) {
    process.once(sig, () => {
      for (const c of running) killGroup(c, 'SIGKILL');
      process.exit(sig === 'SIGINT' ? 130 : 143);
    });
  }
}

async function waitReady(endpoint: string, region: string, child: ChildProcess, timeoutMs: number, log: () => string): Promise<void> {
  const client = new KinesisClient({ region, endpoint, credentials: { accessKeyId: '000000000000', secretAccessKey: 'meshgov-local' }, maxAttempts: 1 });
  const deadline = Date.now() + timeoutMs;
  let lastError = '';
  try {
    for (;;) {
      if (child.exitCode !== null || child.signalCode !== null) {
        throw new EarlyExit(`kinesis-local exited (${child.exitCode ?? child.signalCode}) before it was ready:\n${log()}`);
      }
      try {
        // Its very first responses can fail to parse while the server warms up: only a clean ListStreams counts.
        await client.send(new ListStreamsCommand({ Limit: 1 }));
        return;
      } catch (e) {
        lastError = (e as Error).message;
      }
      if (Date.now() > deadline) throw new Error(`kinesis-local did not answer ListStreams within ${timeoutMs} ms (${lastError})`);
      await new Promise((r) => setTimeout(r, 100));
    }
  } finally {
    client.destroy();
  }
}

export async function startKinesisLocal(o: LocalTargetOptions): Promise<LocalTarget> {
  try {
    return await startOnce(o);
  } catch (e) {
    // A port taken between choosing it and the emulator binding it makes the emulator exit at once: retry once
    // on fresh ports. A timeout is not retried.
    if (!(e instanceof EarlyExit)) throw e;
    return startOnce(o);
  }
}

class EarlyExit extends Error {}

/** kinesis-local's data file inside PERSIST_PATH. */
const DATA_FILE = 'kinesis-data.json';

function completeJson(file: string): boolean {
  try {
    JSON.parse(readFileSync(file, 'utf8'));
    return true;
  } catch {
    return false;
  }
}

/** Copy the data file aside when it is complete JSON (the last good state). */
export function snapshotDataFile(dir: string): void {
  const file = join(dir, DATA_FILE);
  if (existsSync(file) && completeJson(file)) copyFileSync(file, `${file}.last-good`);
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

async function startOnce(o: LocalTargetOptions): Promise<LocalTarget> {
  const main = kinesisLocalMain();
  const [plain, tls] = (await freePorts(2)) as [number, number];
  const persistMs = o.persistIntervalMs ?? 200;
  const dataDir = o.dataDir === undefined ? undefined : resolve(o.dataDir);
  if (dataDir) {
    mkdirSync(dataDir, { recursive: true });
    repairDataFile(dataDir);
  }
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
  };
  const child = spawn(process.execPath, [main], { cwd: dataDir ?? tmpdir(), env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const keep = (b: Buffer) => {
    output = (output + b.toString('utf8')).slice(-8000);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  running.add(child);
  if (o.handleSignals !== false) installHooks();
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  const endpoint = `http://127.0.0.1:${plain}`;
  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    if (dataDir) await new Promise((r) => setTimeout(r, persistMs + 100));
    // kinesis-local rewrites its data file in place on every persist interval; a kill in the middle of a write
    // leaves it truncated. Keep the last complete copy and restore it if the kill caught a write.
    if (dataDir) snapshotDataFile(dataDir);
    killGroup(child, 'SIGTERM');
    const timer = setTimeout(() => killGroup(child, 'SIGKILL'), 3000);
    await exited;
    clearTimeout(timer);
    running.delete(child);
    if (dataDir) repairDataFile(dataDir);
  };
  try {
    await waitReady(endpoint, o.region, child, o.startTimeoutMs ?? 60_000, () => output);
  } catch (e) {
    await stop();
    throw e;
  }
  return { endpoint, port: plain, pid: child.pid ?? -1, ...(dataDir ? { dataDir } : {}), stop, log: () => output };
}
