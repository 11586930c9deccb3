/**
 * Progress of long runs on stderr. On a terminal, one live line rewritten in place (as before). Anywhere else (a CI
 * log, a pipe), timestamped lines at a steady pace: each milestone as it happens (mesh validated, each account read,
 * the plan computed), and while a step takes long, a heartbeat line saying what meshgov is waiting for and for how
 * long, at least every {@link HEARTBEAT_MS}. A piped run is never silent for long, and the log shows where time went.
 */
import type { CliIO } from './io.js';
import { REWRITE_LINE, terminalInline } from '../output/terminal.js';
import type { ReadEvent } from '../app/read-live.js';

/** A heartbeat is written when nothing was written for this long (ms). */
export const HEARTBEAT_MS = 5_000;
/** How often the heartbeat checks (ms): a line is never more than HEARTBEAT_MS + TICK_MS late. */
const TICK_MS = 1_000;

/** The timers the heartbeat uses (tests may pass fakes; the default is the global ones). */
export interface ProgressTimers {
  setInterval(fn: () => void, ms: number): unknown;
  clearInterval(handle: unknown): void;
}

const GLOBAL_TIMERS: ProgressTimers = {
  setInterval: (fn, ms) => {
    const h = setInterval(fn, ms);
    // Progress never keeps the process alive.
    h.unref?.();
    return h;
  },
  clearInterval: (h) => clearInterval(h as ReturnType<typeof setInterval>),
};

/** Seconds, one decimal under a minute (`4.2 s`), whole above (`75 s`). */
export function seconds(ms: number): string {
  const s = Math.max(0, ms) / 1000;
  return s < 60 ? `${s.toFixed(1)} s` : `${Math.round(s)} s`;
}

export class Progress {
  private readonly live: boolean;
  private lastWrite: number;
  private step: { describe: () => string; since: number; withElapsed: boolean } | undefined;
  private handle: unknown;
  private liveLineOpen = false;

  constructor(
    private readonly io: Pick<CliIO, 'stderr' | 'now'>,
    private readonly timers: ProgressTimers = GLOBAL_TIMERS,
  ) {
    this.live = io.stderr.isTTY === true;
    this.lastWrite = io.now().getTime();
  }

  /** Milliseconds since `since` on the run's clock. */
  elapsed(since: number): number {
    return this.io.now().getTime() - since;
  }

  /** The run's clock, ms. */
  now(): number {
    return this.io.now().getTime();
  }

  /** A milestone. Non-TTY: a timestamped line. TTY: shown only when `onTerminal` (the live line shows the rest). */
  note(message: string, onTerminal = false): void {
    if (this.live) {
      if (!onTerminal) return;
      this.endLiveLine();
      this.io.stderr.write(`${terminalInline(message)}\n`);
      return;
    }
    const now = this.io.now();
    this.lastWrite = now.getTime();
    this.io.stderr.write(`${now.toISOString()} meshgov: ${terminalInline(message)}\n`);
  }

  /** The live line (TTY only): rewritten in place; {@link done} or the next note ends it. */
  liveLine(message: string): void {
    if (!this.live) return;
    this.io.stderr.write(`${REWRITE_LINE}${terminalInline(message)}`);
    this.liveLineOpen = true;
  }

  /** End the live line (TTY), so what follows on the terminal starts on a line of its own. */
  endLiveLine(): void {
    if (!this.liveLineOpen) return;
    this.io.stderr.write('\n');
    this.liveLineOpen = false;
  }

  /**
   * A step that may take long: until the next `begin` or `end`, a heartbeat repeats `describe()` with the time the
   * step has taken (unless `withElapsed` is false: `describe` says it) whenever nothing else was written for
   * {@link HEARTBEAT_MS} (non-TTY only).
   */
  begin(describe: () => string, withElapsed = true): void {
    this.step = { describe, since: this.io.now().getTime(), withElapsed };
    if (this.live || this.handle !== undefined) return;
    this.handle = this.timers.setInterval(() => this.tick(), TICK_MS);
  }

  private tick(): void {
    if (this.step === undefined) return;
    const now = this.io.now().getTime();
    if (now - this.lastWrite < HEARTBEAT_MS) return;
    const what = this.step.describe();
    this.note(this.step.withElapsed ? `${what} (${seconds(now - this.step.since)} so far)` : what);
  }

  /** The step is over (no more heartbeats until the next `begin`). */
  end(): void {
    this.step = undefined;
  }

  /** Stop the heartbeat and end the live line. Safe to call twice. */
  done(): void {
    this.step = undefined;
    if (this.handle !== undefined) this.timers.clearInterval(this.handle);
    this.handle = undefined;
    this.endLiveLine();
  }
}

/** A change apply is making, as the progress lines name it. */
export interface StepRef {
  id: string;
  change: { action: string; resourceType: string; address: string };
}

/**
 * Progress of apply's changes: a line as each starts and as each ends (`done` / `FAILED` / `skipped`, `n/total`), and while changes run,
 * the heartbeat names the oldest ones in flight and how long each has waited (a stream becoming ACTIVE, a reshard).
 * Wire `onStart` and `onStep` into the run (RunOptions) and call `progress.done()` at the end.
 */
export interface ApplyProgress {
  onStart(step: StepRef): void;
  onStep(o: { id: string; status: string }): void;
}

export function applyProgress(progress: Progress, total: number): ApplyProgress {
  const inFlight = new Map<string, { label: string; since: number }>();
  let finished = 0;
  const describe = () => {
    const oldest = [...inFlight.values()]
      .sort((a, b) => a.since - b.since)
      .slice(0, 3)
      .map((f) => `${f.label} (${seconds(progress.elapsed(f.since))})`);
    const more = inFlight.size > 3 ? ` and ${inFlight.size - 3} more` : '';
    return `applying: ${finished}/${total} done; waiting for ${oldest.join(', ') || 'the next change'}${more}`;
  };
  progress.begin(describe, false);
  return {
    onStart(step) {
      const { action, resourceType, address } = step.change;
      const label = `${action} ${resourceType} ${address}`;
      inFlight.set(step.id, { label, since: progress.now() });
      progress.note(`started ${label}`);
    },
    onStep(o) {
      const f = inFlight.get(o.id);
      inFlight.delete(o.id);
      finished++;
      const took = f !== undefined ? ` after ${seconds(progress.elapsed(f.since))}` : '';
      progress.note(`${o.status} ${f?.label ?? o.id}${took} (${finished}/${total})`);
      if (finished === total) progress.end();
    },
  };
}

/**
 * Shows a live read's events (src/app/read-live.ts) on `progress`: the live line on a terminal, timestamped lines
 * elsewhere (each account read, and while reading takes long, which accounts it waits for). With `own`, the
 * progress belongs to the read and is stopped after it; otherwise the read's duration is noted.
 */
export function readReporter(progress: Progress, own: boolean): (e: ReadEvent) => void {
  let accounts: readonly string[] = [];
  const pending = new Set<string>();
  let started = 0;
  let done = 0;
  const waitingFor = () => {
    const left = [...pending];
    if (left.length === 0) return `read ${accounts.length}/${accounts.length} accounts; reading the organisation`;
    const shown = left.slice(0, 5).join(', ') + (left.length > 5 ? ` and ${left.length - 5} more` : '');
    return `reading accounts: ${done}/${accounts.length} done; waiting for ${shown}`;
  };
  return (e) => {
    switch (e.kind) {
      case 'read-started': {
        accounts = e.accounts;
        for (const a of accounts) pending.add(a);
        started = progress.now();
        const where = e.target === 'local' ? 'local target' : `AWS, ${e.region}`;
        progress.note(`reading ${accounts.length} account${accounts.length === 1 ? '' : 's'} (${where})`);
        progress.begin(waitingFor);
        return;
      }
      case 'account-read':
        done = e.done;
        pending.delete(e.account);
        progress.liveLine(`read account ${e.account} (${e.done}/${e.total}, ${e.streams} streams)`);
        progress.note(`read account ${e.account} (${e.done}/${e.total}): ${e.streams} streams, ${e.managed} managed`);
        return;
      case 'read-finished':
        progress.end();
        progress.endLiveLine();
        if (own) progress.done();
        else progress.note(`read ${e.done}/${e.total} accounts in ${seconds(progress.elapsed(started))}`);
    }
  };
}
