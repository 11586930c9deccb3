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

/**
 * Exit codes a script can trust (README "Exit codes"): each outcome has its own number, so a typo never reads as
 * "changes pending" and "the audit could not run" never reads as "the audit found something".
 */
/** Success: nothing pending, nothing at or above `--fail-on`. */
export const EXIT_OK = 0;
/** The command could not do its job: the mesh does not validate, AWS or GitHub failed, apply failed or refused. */
export const EXIT_ERROR = 1;
/** The command ran and the answer is "not clean": `plan --detailed-exitcode` with changes pending, audit findings at or above `--fail-on`. */
export const EXIT_PENDING = 2;
/** Usage error: unknown command or option, bad flag value (sysexits.h EX_USAGE). */
export const EXIT_USAGE = 64;
/** @deprecated The old name of {@link EXIT_ERROR} (findings now exit {@link EXIT_PENDING}). */
export const EXIT_FINDINGS = EXIT_ERROR;

/** A user-facing failure with an exit code; printed without a stack trace. */
export class ExitError extends Error {
  override name = 'ExitError';
  constructor(message: string, readonly exitCode: number = EXIT_ERROR) {
    super(message);
  }
}

export function today(io: CliIO): string {
  return io.now().toISOString().slice(0, 10);
}
