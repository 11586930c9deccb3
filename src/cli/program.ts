/** The program and its error handling, independent of which commands are loaded (see main.ts and run.ts). */
import { Command, CommanderError } from 'commander';
import { InternalError } from '../core/diagnostics/diagnostic.js';
import { redact, secretsOf } from '../core/redact.js';
import { terminalSafe } from '../output/terminal.js';
import type { Register } from './commands/index.js';
import type { CliIO, OutputStream } from './io.js';
import { EXIT_ERROR, EXIT_OK, EXIT_USAGE, ExitError } from './io.js';
import { VERSION } from './version.js';

const PLAIN = { ansi: false } as const;

/** Build the program with the given commands; each command registers itself from its own file. */
export function buildProgram(io: CliIO, setExit: (code: number) => void, registers: readonly Register[]): Command {
  const program = new Command();
  program
    .name('meshgov')
    .description('Policy-as-code governance for streaming data meshes on Amazon Kinesis Data Streams.')
    .version(VERSION, '-V, --version')
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride()
    .configureOutput({ writeOut: (s) => io.stdout.write(s), writeErr: (s) => io.stderr.write(s) });
  for (const register of registers) register(program, io, setExit);
  for (const cmd of program.commands)
    cmd.exitOverride().configureOutput({ writeOut: (s) => io.stdout.write(s), writeErr: (s) => io.stderr.write(s) });
  return program;
}

/**
 * The same IO with every write to stdout and stderr redacted: whatever path a message takes (an error, a warning,
 * a plan's not-checked note, the apply summary), credentials an endpoint echoed back never reach the terminal or
 * a CI log.
 */
export function redactingIO(io: CliIO): CliIO {
  const secrets = secretsOf(io.env);
  const wrap = (s: OutputStream): OutputStream => ({
    write: (text: string) => s.write(redact(text, secrets)),
    ...(s.isTTY !== undefined ? { isTTY: s.isTTY } : {}),
    ...(s.drain !== undefined ? { drain: s.drain } : {}),
  });
  return { ...io, stdout: wrap(io.stdout), stderr: wrap(io.stderr) };
}

/** Run meshgov with argv (without node and script). Resolves to the exit code; never throws. */
export async function runProgram(argv: string[], rawIO: CliIO, registers: readonly Register[]): Promise<number> {
  const io = redactingIO(rawIO);
  let code = EXIT_OK;
  const program = buildProgram(
    io,
    (c) => {
      code = c;
    },
    registers,
  );
  try {
    if (argv.length === 0) {
      program.outputHelp();
      return EXIT_USAGE;
    }
    await program.parseAsync(argv, { from: 'user' });
    return code;
  } catch (e) {
    if (e instanceof CommanderError) {
      if (e.code === 'commander.helpDisplayed' || e.code === 'commander.version' || e.code === 'commander.help')
        return EXIT_OK;
      return EXIT_USAGE;
    }
    if (e instanceof ExitError) {
      // Messages carry names from the mesh and text from the accounts: no control sequence reaches the terminal.
      io.stderr.write(terminalSafe(`meshgov: ${e.message}\n`, PLAIN));
      return e.exitCode;
    }
    if (e instanceof InternalError) {
      io.stderr.write(terminalSafe(`meshgov: internal error: ${e.message}\n`, PLAIN));
      io.stderr.write(`This is a bug in meshgov; please report it with the command you ran.\n`);
      return EXIT_ERROR;
    }
    const err = e as Error;
    io.stderr.write(terminalSafe(`meshgov: ${err?.message ?? String(e)}\n`, PLAIN));
    if (io.env['MESHGOV_DEBUG']) io.stderr.write(`${err?.stack ?? ''}\n`);
    return EXIT_ERROR;
  }
}
