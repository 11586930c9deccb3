/** Everything the CLI touches of the process, so tests can run commands in-process. */
export interface CliIO {
  stdout: { write(s: string): void; isTTY?: boolean };
  stderr: { write(s: string): void; isTTY?: boolean };
  env: Record<string, string | undefined>;
  cwd: string;
  now(): Date;
}

export function processIO(): CliIO {
  return {
    stdout: { write: (s) => void process.stdout.write(s), isTTY: process.stdout.isTTY === true },
    stderr: { write: (s) => void process.stderr.write(s), isTTY: process.stderr.isTTY === true },
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
