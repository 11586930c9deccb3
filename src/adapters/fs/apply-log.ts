/**
 * The apply audit log: two JSON lines per mutating call attempt, its intent (before the request) and its outcome
 * (after, same id), appended (never rewritten) to a file, by default `.meshgov/apply-log.jsonl`. Each line is one
 * synchronous append, so the intent is in the file before the request leaves. Earlier lines are read back for the
 * rolling 24 h scaling budgets.
 */
import { appendFileSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { AuditEntry } from '../../core/apply/types.js';
import { redact } from '../../core/redact.js';

export class ApplyLog {
  /** Entries of this run, in order. */
  readonly entries: AuditEntry[] = [];
  /** Entries read from the file before this run (for budgets). */
  readonly earlier: AuditEntry[];

  constructor(
    readonly file: string,
    readonly options: { now?: () => Date } = {},
  ) {
    mkdirSync(dirname(file), { recursive: true });
    this.earlier = readApplyLog(file);
  }

  append(raw: AuditEntry): void {
    // Error texts come from endpoints, which may echo the signed request: never persist a credential.
    const entry = { ...raw } as AuditEntry;
    if ('error' in entry && entry.error !== undefined) entry.error = redact(entry.error);
    if (entry.note !== undefined) entry.note = redact(entry.note);
    this.entries.push(entry);
    appendFileSync(this.file, `${JSON.stringify(entry)}\n`, { encoding: 'utf8', flag: 'a' });
  }

  /** Earlier entries and this run's, for budget checks. */
  history(): AuditEntry[] {
    return [...this.earlier, ...this.entries];
  }
}

function isEntry(v: unknown): v is AuditEntry {
  if (typeof v !== 'object' || v === null) return false;
  const e = v as Record<string, unknown>;
  if (typeof e['time'] !== 'string' || typeof e['api'] !== 'string' || typeof e['resource'] !== 'string') return false;
  if (e['result'] === 'started') return typeof e['id'] === 'string';
  return e['result'] === 'ok' || e['result'] === 'error';
}

/** Parse a log file; lines that are not entries (a torn last line after a crash) are skipped. */
export function readApplyLog(file: string): AuditEntry[] {
  if (!existsSync(file)) return [];
  const out: AuditEntry[] = [];
  for (const line of readFileSync(file, 'utf8').split('\n')) {
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
