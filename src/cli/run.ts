/**
 * The launcher's entry: loads only the module of the command being run, so `meshgov validate` does not pay for
 * the AWS SDK and Octokit, and `--help`, `--version`, no arguments or an unknown command load no command at all
 * (see catalog.ts).
 */
import { catalogEntry, STUBS } from './catalog.js';
import type { CliIO } from './io.js';
import { processIO } from './io.js';
import { runProgram } from './program.js';

export async function run(argv: string[], io: CliIO = processIO()): Promise<number> {
  const entry = catalogEntry(argv[0]);
  if (entry) return runProgram(argv, io, [await entry.load()]);
  // `meshgov help <command>` is that command's --help, which needs its options: load it.
  const helped = argv[0] === 'help' ? catalogEntry(argv[1]) : undefined;
  if (helped) return runProgram([helped.name, '--help'], io, [await helped.load()]);
  return runProgram(argv, io, [STUBS]);
}
