import type { Command } from 'commander';
import type { CliIO } from '../io.js';
import { ExitError } from '../io.js';

/** Placeholder until its issue lands: the command exists so `--help` is honest about it. */
export function registerImport(program: Command, _io: CliIO, _setExit: (code: number) => void): void {
  program
    .command('import')
    .description('(not yet available in this build)')
    .allowUnknownOption(true)
    .allowExcessArguments(true)
    .action(() => {
      throw new ExitError('`meshgov import` is not available yet in this build.', 2);
    });
}
