import type { Command } from 'commander';
import { COMMANDS } from './commands/index.js';
import type { CliIO } from './io.js';
import { processIO } from './io.js';
import { buildProgram as build, runProgram } from './program.js';

/** The program with every command (for help, and for tests that inspect the commands). */
export function buildProgram(io: CliIO, setExit: (code: number) => void): Command {
  return build(io, setExit, COMMANDS);
}

/** Run meshgov with argv (without node and script). Resolves to the exit code; never throws. */
export async function main(argv: string[], io: CliIO = processIO()): Promise<number> {
  return runProgram(argv, io, COMMANDS);
}
