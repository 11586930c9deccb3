/**
 * The apply audit log: one JSON line per mutating call attempt, appended (never rewritten) to a file, by default
 * `.meshgov/apply-log.jsonl`. Earlier lines are read back for the rolling 24 h scaling budgets.
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

  constructor(readonly file: string, readonly options: { now?: () => Date } = {}) {
    mkdirSync(dirname(file), { recursive: true });
    this.earlier = readApplyLog(file);
  }

  append(raw: AuditEntry): void {
    // Error texts come from endpoints, which may echo the signed request: never persist a credential.
    const entry: AuditEntry = { ...raw, ...(raw.error !== undefined ? { error: redact(raw.error) } : {}), ...(raw.note !== undefined ? { note: redact(raw.note) } : {}) };
    this.entries.push(entry);
    appendFileSync(this.file, `${JSON.stringify(entry)}\n`, { encoding: 'utf8', flag: 'a' });
  }

  /** Earlier entries and this run's, for budget checks. */
  history(): AuditEntry[] {
    return [...this.earlier, ...this.entries];
  }
}

/** Parse a log file; lines that are not entries (a torn last line after a crash) are skipped. */
export function readApplyLog(file: string): AuditEntry[] {
  if (!existsSync(file)) return [];
  const out: AuditEntry[] = [];
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    if (!line.trim()) continue;
    try {
      const e = JSON.parse(line) as AuditEntry;
      if (typeof e.time === 'string' && typeof e.api === 'string' && typeof e.resource === 'string') out.push(e);
    } catch {
      // A partial line: ignore it, the rest of the log stays usable.
    }
  }
  return out;
}
