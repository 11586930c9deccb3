/**
 * The apply audit log: two JSON lines per mutating call attempt, its intent (before the request) and its outcome
 * (after, same id), appended (never rewritten) to a file, by default `.meshgov/apply-log.jsonl`. Each line is one
 * synchronous append, so the intent is in the file before the request leaves. Earlier lines are read back for the
 * rolling 24 h scaling budgets.
 *
 * The file sits in the working tree, which a pull request can change: it is only ever a regular file opened without
 * following a link (a committed link would have the log appended to any file the runner can write), never a FIFO
 * (which would block the open) or a device (`/dev/zero` would be read for ever), and only its last 64 MiB are read.
 */
import { closeSync, constants, fstatSync, mkdirSync, openSync, readSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import { linkOnTheWay } from './bounded-read.js';
import type { AuditEntry } from '../../core/apply/types.js';
import { redact } from '../../core/redact.js';

/** How much of the log's end is read back: the budgets look at the last 24 hours, far less than this. */
export const MAX_LOG_READ_BYTES = 64 * 1024 * 1024;

/** Never through a link; a FIFO cannot hold the open. */
const GUARDED = (constants.O_NOFOLLOW ?? 0) | (constants.O_NONBLOCK ?? 0);

/** The log file is not one meshgov may read or append to. */
export class ApplyLogRefused extends Error {
  override name = 'ApplyLogRefused';
}

function refusal(file: string, what: string): ApplyLogRefused {
  return new ApplyLogRefused(
    `the apply log ${file} is ${what}: meshgov only writes its log to a regular file it does not reach through a link. ` +
      'Remove what was put there, or pass --log FILE with another file.',
  );
}

/** Open `file` guarded; undefined when it does not exist and `flags` do not create it. */
function openGuarded(file: string, flags: number, cwd = process.cwd()): number | undefined {
  const link = linkOnTheWay(cwd, dirname(file));
  if (link !== undefined) throw refusal(file, `reached through the symbolic link ${link}`);
  // Its folder made only now, after the check: through a link it would have been made elsewhere.
  if ((flags & constants.O_CREAT) !== 0) mkdirSync(dirname(file), { recursive: true });
  let fd: number;
  try {
    fd = openSync(file, flags | GUARDED, 0o644);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' && (flags & constants.O_CREAT) === 0) return undefined;
    if (code === 'ELOOP') throw refusal(file, 'a symbolic link');
    // O_NONBLOCK write-only open of a FIFO nobody reads; a socket.
    if (code === 'ENXIO' || code === 'EISDIR') throw refusal(file, 'not a regular file');
    throw e;
  }
  if (!fstatSync(fd).isFile()) {
    closeSync(fd);
    throw refusal(file, 'not a regular file');
  }
  return fd;
}

export class ApplyLog {
  /** Entries of this run, in order. */
  readonly entries: AuditEntry[] = [];
  /** Entries read from the file before this run (for budgets). */
  readonly earlier: AuditEntry[];
  /** Opened for appending at the first entry: a run that changes nothing leaves no file behind. */
  private fd: number | undefined;

  constructor(
    readonly file: string,
    /** `cwd`: the working tree, where no folder on the way to the log may be a link (default: the process's). */
    readonly options: { now?: () => Date; cwd?: string } = {},
  ) {
    this.earlier = readApplyLog(file, MAX_LOG_READ_BYTES, options.cwd);
  }

  append(raw: AuditEntry): void {
    // Error texts come from endpoints, which may echo the signed request: never persist a credential.
    const entry = { ...raw } as AuditEntry;
    if ('error' in entry && entry.error !== undefined) entry.error = redact(entry.error);
    if (entry.note !== undefined) entry.note = redact(entry.note);
    this.entries.push(entry);
    if (this.fd === undefined) {
      this.fd = openGuarded(this.file, constants.O_WRONLY | constants.O_APPEND | constants.O_CREAT, this.options.cwd);
    }
    writeSync(this.fd as number, `${JSON.stringify(entry)}\n`);
  }

  /** Earlier entries and this run's, for budget checks. */
  history(): AuditEntry[] {
    return [...this.earlier, ...this.entries];
  }

  /** Close the file (appending again opens it again). */
  close(): void {
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
  }
}

function isEntry(v: unknown): v is AuditEntry {
  if (typeof v !== 'object' || v === null) return false;
  const e = v as Record<string, unknown>;
  if (typeof e['time'] !== 'string' || typeof e['api'] !== 'string' || typeof e['resource'] !== 'string') return false;
  if (e['result'] === 'started') return typeof e['id'] === 'string';
  return e['result'] === 'ok' || e['result'] === 'error';
}

/** The last `maxBytes` of a regular file's first `size` bytes, from the first whole line. */
function tail(fd: number, size: number, maxBytes: number): string {
  const start = Math.max(0, size - maxBytes);
  const buf = Buffer.allocUnsafe(size - start);
  let got = 0;
  while (got < buf.length) {
    const n = readSync(fd, buf, got, buf.length - got, start + got);
    if (n === 0) break;
    got += n;
  }
  const text = buf.subarray(0, got).toString('utf8');
  return start === 0 ? text : text.slice(text.indexOf('\n') + 1);
}

/**
 * Parse a log file (its last {@link MAX_LOG_READ_BYTES}); lines that are not entries (a torn last line after a
 * crash) are skipped. Throws ApplyLogRefused for a link or a file that is not regular.
 */
export function readApplyLog(file: string, maxBytes = MAX_LOG_READ_BYTES, cwd?: string): AuditEntry[] {
  const fd = openGuarded(file, constants.O_RDONLY, cwd);
  if (fd === undefined) return [];
  let text: string;
  try {
    // What the file holds now: lines appended while it is read are not waited for.
    text = tail(fd, fstatSync(fd).size, maxBytes);
  } finally {
    closeSync(fd);
  }
  const out: AuditEntry[] = [];
  for (const line of text.split('\n')) {
    if (!line.trim()) continue;
    try {
      const e: unknown = JSON.parse(line);
      if (isEntry(e)) out.push(e);
    } catch {
      // A partial line: ignore it, the rest of the log stays usable.
    }
  }
  return out;
}
