import type { Writable } from 'node:stream';
import { terminalWrite } from '../output/terminal.js';

/** Everything the CLI touches of the process, so tests can run commands in-process. */
export interface CliIO {
  stdout: OutputStream;
  stderr: OutputStream;
  env: Record<string, string | undefined>;
  cwd: string;
  now(): Date;
}

export interface OutputStream {
  write(s: string): void;
  isTTY?: boolean;
  /**
   * Resolves once what was written has been handed on (a pipe's reader may be slower than meshgov, and until then
   * the text waits in memory): output written in chunks waits on it between them. Absent: nothing to wait for.
   */
  drain?(): Promise<void>;
}

/**
 * A reader that went away (`meshgov plan | head`) closes the pipe: later writes are dropped instead of ending the
 * process with an unhandled EPIPE stack trace (an apply in progress still finishes and logs). Any other write error
 * (a full disk: `> /dev/full`, ENOSPC) also stops the writes, but is kept: the output did not arrive, so the run
 * must not exit 0 (src/cli/exit.ts asks {@link Writer.failure}).
 */
export function pipeWriter(stream: Writable): Writer {
  let closed = false;
  let failure: string | undefined;
  stream.on('error', (e: NodeJS.ErrnoException) => {
    closed = true;
    if (e.code !== 'EPIPE') failure ??= e.code ?? e.message;
  });
  return {
    write: (s) => {
      if (!closed) stream.write(s);
    },
    // Also settled by the stream's end: a closed pipe never drains, and output must not wait on it forever.
    drain: () =>
      new Promise((resolve) => {
        if (closed || stream.destroyed || !stream.writableNeedDrain) return resolve();
        const done = () => {
          stream.off('drain', done).off('close', done).off('error', done);
          resolve();
        };
        stream.on('drain', done).on('close', done).on('error', done);
      }),
    failure: () => failure,
  };
}

/** What pipeWriter gives: an output stream's write, a drain that is always there, and the write error if any. */
export type Writer = Required<Pick<OutputStream, 'write' | 'drain'>> & {
  /** The error code of a failed write (not EPIPE: a reader that went away is not a failure). */
  failure(): string | undefined;
};

let writers: { out: Writer; err: Writer } | undefined;

/**
 * A terminal obeys control sequences, so what reaches one passes {@link terminalWrite} (defence in depth: renderers
 * already make their text terminal-safe). Pipes and files get the bytes as written: JSON and SARIF stay exact.
 */
function toStream(stream: NodeJS.WriteStream, writer: Writer): OutputStream {
  const tty = stream.isTTY === true;
  return { write: (s) => writer.write(tty ? terminalWrite(s) : s), isTTY: tty, drain: writer.drain };
}

function processWriters(): { out: Writer; err: Writer } {
  writers ??= { out: pipeWriter(process.stdout), err: pipeWriter(process.stderr) };
  return writers;
}

/** A write to one of the process's output streams that failed, and how (a reader that went away is not one). */
export interface OutputFailure {
  stream: 'stdout' | 'stderr';
  code: string;
}

export function processOutputFailure(): OutputFailure | undefined {
  if (writers === undefined) return undefined;
  const out = writers.out.failure();
  if (out !== undefined) return { stream: 'stdout', code: out };
  const err = writers.err.failure();
  return err === undefined ? undefined : { stream: 'stderr', code: err };
}

export function processIO(): CliIO {
  const { out, err } = processWriters();
  return {
    stdout: toStream(process.stdout, out),
    stderr: toStream(process.stderr, err),
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
  constructor(
    message: string,
    readonly exitCode: number = EXIT_ERROR,
  ) {
    super(message);
  }
}

export function today(io: CliIO): string {
  return io.now().toISOString().slice(0, 10);
}
