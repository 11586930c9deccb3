/** Everything the CLI touches of the process, so tests can run commands in-process. */
export interface CliIO {
  stdout: { write(s: string): void; isTTY?: boolean };
  stderr: { write(s: string): void; isTTY?: boolean };
  env: Record<string, string | undefined>;
  cwd: string;
  now(): Date;
}

/**
 * A reader that went away (`meshgov plan | head`) closes the pipe: later writes are dropped instead of ending the
 * process with an unhandled EPIPE stack trace (an apply in progress still finishes and logs). Other stream errors
 * are left to Node.
 */
function pipeWriter(stream: NodeJS.WriteStream): (s: string) => void {
  let closed = false;
  stream.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code !== 'EPIPE') throw e;
    closed = true;
  });
  return (s) => {
    if (!closed) stream.write(s);
  };
}

let writers: { out: (s: string) => void; err: (s: string) => void } | undefined;

export function processIO(): CliIO {
  writers ??= { out: pipeWriter(process.stdout), err: pipeWriter(process.stderr) };
  const { out, err } = writers;
  return {
    stdout: { write: out, isTTY: process.stdout.isTTY === true },
    stderr: { write: err, isTTY: process.stderr.isTTY === true },
    env: process.env,
    cwd: process.cwd(),
    now: () => new Date(),
  };
}

/** Exit codes: 0 ok, 1 errors/findings/failed apply, 2 usage errors (and `plan --detailed-exitcode` with changes). */
export const EXIT_OK = 0;
export const EXIT_FINDINGS = 1;
export const EXIT_USAGE = 2;

/** A user-facing failure with an exit code; printed without a stack trace. */
export class ExitError extends Error {
  override name = 'ExitError';
  constructor(message: string, readonly exitCode: number = EXIT_FINDINGS) {
    super(message);
  }
}

export function today(io: CliIO): string {
  return io.now().toISOString().slice(0, 10);
}
