/**
 * A lock on the local target's data directory, so that one kinesis-local at a time writes its data file (two
 * emulators on one file each rewrite it whole every persist interval, and the last writer silently wins).
 *
 * Like Terraform's state lock: `meshgov.lock` in the directory names the holder (pid, command, since) and the
 * emulator it started; a second run waits up to a timeout, then refuses with that information. The lock is created
 * whole (written to a temporary file, then hard-linked into place, which fails if it exists), so a reader never sees
 * half a lock. A lock is stale only when its holder AND its emulator are gone (the emulator outlives a killed holder
 * for as long as its last persist takes); a stale lock is removed under a second lock (`meshgov.lock.break`) after
 * re-reading it, so two runs breaking the same stale lock cannot remove each other's fresh lock.
 * Process identity is pid plus start time (Linux /proc), so a reused pid does not keep a lock alive.
 */
import { randomBytes } from 'node:crypto';
import {
  closeSync,
  fsyncSync,
  linkSync,
  openSync,
  readFileSync,
  renameSync,
  statSync,
  unlinkSync,
  writeFileSync,
} from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { describeRefusal, readRegularFile } from '../fs/bounded-read.js';

/** File name of the lock inside the data directory. */
export const LOCK_FILE = 'meshgov.lock';

/** A holder that died between taking the lock and recording its emulator: its emulator may be starting still. */
const STARTING_GRACE_MS = 5_000;
/** How long to wait for the emulator of a dead holder to finish its last persist and exit. */
const RELEASE_WAIT_MS = 30_000;
const POLL_MS = 200;

/** What the lock file says. */
export interface LockInfo {
  formatVersion: 1;
  /** The holder (the meshgov process). */
  pid: number;
  /** Start time of the holder (Linux: clock ticks after boot, from /proc/<pid>/stat), to tell a reused pid apart. */
  pidStart?: string;
  host: string;
  /** What holds it, e.g. `meshgov apply`. */
  command: string;
  /** ISO 8601, when the lock was taken. */
  since: string;
  /** Random per lock, so a holder removes only its own lock. */
  token: string;
  /** The kinesis-local process the holder started, once started. */
  emulator?: { pid: number; start?: string };
}

/** The data directory is locked by another run (or could not be judged); the message says by whom and what to do. */
export class DataDirLocked extends Error {
  override name = 'DataDirLocked';
  constructor(
    message: string,
    /** `held`: a live run holds it; `releasing`: its holder is gone, its emulator not yet; `unreadable`: not a lock. */
    readonly reason: 'held' | 'releasing' | 'unreadable',
    readonly info?: LockInfo,
  ) {
    super(message);
  }
}

export interface DataLock {
  readonly file: string;
  readonly info: LockInfo;
  /** Record the emulator the holder started (the lock then stays taken until it has exited too). */
  setEmulator(pid: number): void;
  /** Remove the lock if it is still ours. Idempotent. */
  release(): void;
}

export interface LockOptions {
  /** What takes the lock, e.g. `meshgov apply`. */
  command: string;
  /** How long to wait for a lock held by a live run, ms (0: refuse at once). */
  timeoutMs: number;
  /** How to name the directory in messages. */
  display?: string;
  /** Called once when the lock is held and the caller is going to wait. */
  onWait?: (message: string) => void;
  now?: () => Date;
  sleep?: (ms: number) => Promise<void>;
}

/** `/proc/<pid>/stat`: state (field 3) and start time (field 22); undefined where /proc does not exist. */
function procStat(pid: number): { state: string; start: string } | undefined {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return undefined;
  }
  // The command name (field 2) is in parentheses and may contain spaces and parentheses: split after the last ')'.
  const rest = text.slice(text.lastIndexOf(')') + 2).split(' ');
  const state = rest[0];
  const start = rest[19];
  return state && start ? { state, start } : undefined;
}

/** Start time of a process (see `LockInfo.pidStart`), when the platform tells. */
export function processStart(pid: number): string | undefined {
  return procStat(pid)?.start;
}

/** Whether a process is running: it exists, is not a zombie, and (when known) started when the lock says. */
export function processAlive(pid: number, start?: string): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
  } catch (e) {
    // EPERM: it exists but belongs to someone else.
    if ((e as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  const stat = procStat(pid);
  if (!stat) return true;
  if (stat.state === 'Z' || stat.state === 'X') return false;
  return start === undefined || stat.start === start;
}

/** A lock file is a line of JSON: anything much larger was not written by meshgov. */
const MAX_LOCK_BYTES = 64 * 1024;

function readRaw(file: string): string | undefined {
  // Not through a link, never a FIFO (it would block) or a device (it would not end).
  const read = readRegularFile(file, { maxBytes: MAX_LOCK_BYTES });
  if (read.ok) return read.text;
  if (read.refusal.kind === 'not-found') return undefined;
  throw new Error(`the lock file ${file} is not one meshgov wrote: ${describeRefusal(read.refusal)}. Remove it.`);
}

function parseLock(raw: string): LockInfo | undefined {
  try {
    const v = JSON.parse(raw) as Partial<LockInfo>;
    if (v.formatVersion !== 1 || typeof v.pid !== 'number' || typeof v.host !== 'string') return undefined;
    if (typeof v.since !== 'string' || typeof v.token !== 'string') return undefined;
    return { command: 'meshgov', ...v } as LockInfo;
  } catch {
    return undefined;
  }
}

function unlinkQuiet(file: string): void {
  try {
    unlinkSync(file);
  } catch {
    // Gone already.
  }
}

/**
 * Create `file` with `content` only if it does not exist; false if it does. Written to a temporary file first and
 * hard-linked into place, so the file appears complete; file systems without hard links fall back to O_EXCL.
 */
export function createExclusive(file: string, content: string): boolean {
  const tmp = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  writeFileSync(tmp, content, { flag: 'wx' });
  try {
    linkSync(tmp, file);
    return true;
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') return false;
    if (code !== 'EPERM' && code !== 'ENOTSUP' && code !== 'EOPNOTSUPP' && code !== 'ENOSYS') throw e;
  } finally {
    unlinkQuiet(tmp);
  }
  let fd: number;
  try {
    fd = openSync(file, 'wx');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw e;
  }
  try {
    writeFileSync(fd, content);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  return true;
}

type Judgement =
  | { kind: 'held'; info: LockInfo }
  | { kind: 'releasing'; info: LockInfo; emulatorPid?: number }
  | { kind: 'stale' }
  | { kind: 'unreadable'; young: boolean };

function ageMs(file: string, now: Date): number {
  try {
    return now.getTime() - statSync(file).mtimeMs;
  } catch {
    return 0;
  }
}

function judge(file: string, raw: string, now: Date): Judgement {
  const info = parseLock(raw);
  if (!info) return { kind: 'unreadable', young: ageMs(file, now) < STARTING_GRACE_MS };
  // Another host's process cannot be checked from here: treat it as alive.
  if (info.host !== hostname()) return { kind: 'held', info };
  if (processAlive(info.pid, info.pidStart)) return { kind: 'held', info };
  const emulator = info.emulator;
  if (emulator && processAlive(emulator.pid, emulator.start)) {
    return { kind: 'releasing', info, emulatorPid: emulator.pid };
  }
  if (!info.emulator && ageMs(file, now) < STARTING_GRACE_MS) return { kind: 'releasing', info };
  return { kind: 'stale' };
}

function describeHolder(info: LockInfo, display: string): string {
  const where = info.host === hostname() ? '' : ` on host ${info.host}`;
  const by = `pid ${info.pid}${where} (${info.command})`;
  return `the local target's data directory ${display} is locked by ${by} since ${info.since}`;
}

/** Remove a stale lock, under the break lock, only if it still reads `staleRaw`. */
export function breakStale(file: string, staleRaw: string): void {
  const brk = `${file}.break`;
  const me = JSON.stringify({ pid: process.pid, pidStart: processStart(process.pid), host: hostname() });
  if (!createExclusive(brk, me)) {
    // Someone else is breaking it (for microseconds); a breaker that died doing so leaves its file behind.
    const raw = readRaw(brk);
    const b =
      raw === undefined
        ? undefined
        : (() => {
            try {
              return JSON.parse(raw) as { pid?: number; pidStart?: string; host?: string };
            } catch {
              return undefined;
            }
          })();
    if (b?.host === hostname() && typeof b.pid === 'number' && !processAlive(b.pid, b.pidStart)) unlinkQuiet(brk);
    return;
  }
  try {
    if (readRaw(file) === staleRaw) unlinkSync(file);
  } finally {
    unlinkQuiet(brk);
  }
}

/**
 * Take the lock of `dir`, waiting up to `timeoutMs` for a live holder (and, for a dead holder, up to 30 s for its
 * emulator to finish writing). Throws DataDirLocked when it cannot.
 */
export async function lockDataDir(dir: string, o: LockOptions): Promise<DataLock> {
  const file = join(dir, LOCK_FILE);
  const now = o.now ?? (() => new Date());
  const sleep = o.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const display = o.display ?? dir;
  const started = now().getTime();
  let waited = false;
  for (;;) {
    const info: LockInfo = {
      formatVersion: 1,
      pid: process.pid,
      host: hostname(),
      command: o.command,
      since: now().toISOString(),
      token: randomBytes(8).toString('hex'),
      ...(processStart(process.pid) !== undefined ? { pidStart: processStart(process.pid) as string } : {}),
    };
    if (createExclusive(file, `${JSON.stringify(info)}\n`)) return holdLock(file, info);
    const raw = readRaw(file);
    if (raw === undefined) continue;
    const j = judge(file, raw, now());
    if (j.kind === 'stale') {
      breakStale(file, raw);
      continue;
    }
    const elapsed = now().getTime() - started;
    let message: string;
    let limit: number;
    if (j.kind === 'held') {
      limit = o.timeoutMs;
      message =
        `${describeHolder(j.info, display)}: another meshgov run is using it, and two runs would overwrite ` +
        "each other's changes. Wait for it to finish.";
    } else if (j.kind === 'releasing') {
      limit = Math.max(o.timeoutMs, RELEASE_WAIT_MS);
      message =
        j.emulatorPid !== undefined
          ? `${describeHolder(j.info, display)}; that process is gone but its kinesis-local (pid ${j.emulatorPid}) is ` +
            `still running and may still write the data file. Stop it (kill ${j.emulatorPid}) and run again.`
          : `${describeHolder(j.info, display)}; that process is gone and its kinesis-local may still be starting.`;
    } else {
      limit = j.young ? Math.max(o.timeoutMs, STARTING_GRACE_MS) : 0;
      message =
        `the local target's data directory ${display} has a lock file that is not a meshgov lock (${file}). ` +
        'If no meshgov run is using the directory, remove that file.';
    }
    if (elapsed >= limit) throw new DataDirLocked(message, j.kind, j.kind === 'unreadable' ? undefined : j.info);
    if (!waited && j.kind === 'held') {
      o.onWait?.(`${describeHolder(j.info, display)}; waiting up to ${Math.ceil(o.timeoutMs / 1000)} s for it`);
    }
    waited = true;
    await sleep(POLL_MS);
  }
}

function holdLock(file: string, info: LockInfo): DataLock {
  let current = info;
  let released = false;
  return {
    file,
    get info() {
      return current;
    },
    setEmulator(pid: number) {
      const start = processStart(pid);
      current = { ...current, emulator: { pid, ...(start !== undefined ? { start } : {}) } };
      // Replace the file whole (rename is atomic), so a reader never sees a partial lock.
      const tmp = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
      writeFileSync(tmp, `${JSON.stringify(current)}\n`);
      renameSync(tmp, file);
    },
    release() {
      if (released) return;
      released = true;
      const raw = readRaw(file);
      if (raw !== undefined && parseLock(raw)?.token === current.token) unlinkQuiet(file);
    },
  };
}
