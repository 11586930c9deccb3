/**
 * How the launcher ends the process once a command has returned its exit code. Node would otherwise wait for every
 * timer still armed, and the AWS SDK leaves one behind when a call is aborted during its retry backoff (the sleep is
 * raced against the signal, not cleared): a plan whose read failed waited up to 20 s for Price List retries it had
 * already given up. Nothing meshgov needs is pending by then (the run awaits its calls, files and emulator stops),
 * so the process exits as soon as what it wrote to stdout and stderr has been handed on: on macOS a pipe is
 * written asynchronously, and `process.exit` would cut off what is still queued.
 */
export interface ExitHost {
  /** Calls `done` once what was written before has been flushed (a zero-length write's callback). */
  flushed(stream: 'stdout' | 'stderr', done: () => void): void;
  exit(code: number): void;
}

export function processExitHost(): ExitHost {
  return {
    flushed: (stream, done) => {
      const s = stream === 'stdout' ? process.stdout : process.stderr;
      // A stream already closed (the reader went away) has nothing left to flush; its callback may never come.
      if (s.destroyed || s.writableEnded) return done();
      s.write('', () => done());
    },
    exit: (code) => process.exit(code),
  };
}

/** Exit with `code` once stdout and stderr are flushed. */
export function exitWhenFlushed(code: number, host: ExitHost = processExitHost()): Promise<void> {
  return new Promise<void>((resolve) => {
    let waiting = 2;
    const one = () => {
      if (--waiting > 0) return;
      resolve();
      host.exit(code);
    };
    host.flushed('stdout', one);
    host.flushed('stderr', one);
  });
}
