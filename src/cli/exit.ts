/**
 * How the launcher ends the process once a command has returned its exit code. Node would otherwise wait for every
 * timer still armed, and the AWS SDK leaves one behind when a call is aborted during its retry backoff (the sleep is
 * raced against the signal, not cleared): a plan whose read failed waited up to 20 s for Price List retries it had
 * already given up. Nothing meshgov needs is pending by then (the run awaits its calls, files and emulator stops),
 * so the process exits as soon as what it wrote to stdout and stderr has been handed on: on macOS a pipe is
 * written asynchronously, and `process.exit` would cut off what is still queued.
 */
import { writeSync } from 'node:fs';
import { EXIT_ERROR, EXIT_OK, EXIT_PENDING, processOutputFailure } from './io.js';
import type { OutputFailure } from './io.js';

export interface ExitHost {
  /** Calls `done` once what was written before has been flushed, or the stream has failed or closed. */
  flushed(stream: 'stdout' | 'stderr', done: () => void): void;
  /** How a write to stdout or stderr failed, if one did (a reader that went away is not a failure). */
  outputFailure(): OutputFailure | undefined;
  /** One line to stderr, written at once. */
  say(line: string): void;
  exit(code: number): void;
}

export function processExitHost(): ExitHost {
  return {
    flushed: (stream, done) => {
      const s = stream === 'stdout' ? process.stdout : process.stderr;
      // After the events already queued: a failed write marks the stream destroyed at once but reports its error
      // on the next tick, and that error must be known before the exit code is chosen.
      setImmediate(() => {
        // A stream closed or failed has nothing left to flush; its callback may never come.
        if (s.destroyed || s.writableEnded) return done();
        s.write('', () => done());
      });
    },
    outputFailure: processOutputFailure,
    say: (line) => {
      try {
        writeSync(2, `${line}\n`);
      } catch {
        // stderr is gone too: the exit code says it.
      }
    },
    exit: (code) => process.exit(code),
  };
}

/**
 * Exit with `code` once stdout and stderr are flushed. Output that did not arrive (a full disk behind `> file`)
 * turns success, or "changes pending", into an error: a script must not read the missing report as clean.
 */
export function exitWhenFlushed(code: number, host: ExitHost = processExitHost()): Promise<void> {
  return new Promise<void>((resolve) => {
    let waiting = 2;
    const one = () => {
      if (--waiting > 0) return;
      const failed = host.outputFailure();
      let exitCode = code;
      if (failed !== undefined) {
        host.say(`meshgov: output was lost: writing to ${failed.stream} failed (${failed.code}).`);
        if (code === EXIT_OK || code === EXIT_PENDING) exitCode = EXIT_ERROR;
      }
      resolve();
      host.exit(exitCode);
    };
    host.flushed('stdout', one);
    host.flushed('stderr', one);
  });
}
