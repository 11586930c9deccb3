/**
 * SIGINT/SIGTERM for long runs, the way Terraform handles them: the first signal asks the run to stop (what that
 * means depends on where the run is, so the command sets it), the second exits at once. Exit codes follow the
 * shell convention: 130 for SIGINT, 143 for SIGTERM.
 */
import type { CliIO } from './io.js';

export type StopSignal = 'SIGINT' | 'SIGTERM';

export const EXIT_SIGNAL: Readonly<Record<StopSignal, number>> = { SIGINT: 130, SIGTERM: 143 };

/** The process as far as signals go (tests pass a fake). */
export interface SignalHost {
  on(signal: StopSignal, listener: () => void): void;
  off(signal: StopSignal, listener: () => void): void;
  exit(code: number): void;
}

export function processSignals(): SignalHost {
  return {
    on: (s, l) => void process.on(s, l),
    off: (s, l) => void process.off(s, l),
    exit: (code) => process.exit(code),
  };
}

export interface Interrupts {
  /** The first signal received, if any. */
  readonly signal: StopSignal | undefined;
  /** What the first signal does from now on. */
  onFirst(handler: (signal: StopSignal) => void): void;
  /** Stop listening. */
  dispose(): void;
}

/**
 * Listen for SIGINT/SIGTERM. The first calls the current `onFirst` handler; the second says what may have been left
 * behind and exits at once with its own code.
 */
export function watchInterrupts(io: CliIO, host: SignalHost = processSignals(), secondNote = ''): Interrupts {
  let first: StopSignal | undefined;
  let handler: (signal: StopSignal) => void = () => undefined;
  const listeners = new Map<StopSignal, () => void>();
  for (const sig of ['SIGINT', 'SIGTERM'] as const) {
    const l = () => {
      if (first === undefined) {
        first = sig;
        handler(sig);
        return;
      }
      io.stderr.write(`\nmeshgov: second interrupt (${sig}): exiting at once.${secondNote ? ` ${secondNote}` : ''}\n`);
      host.exit(EXIT_SIGNAL[sig]);
    };
    listeners.set(sig, l);
    host.on(sig, l);
  }
  return {
    get signal() {
      return first;
    },
    onFirst(h) {
      handler = h;
    },
    dispose() {
      for (const [sig, l] of listeners) host.off(sig, l);
      listeners.clear();
    },
  };
}
