import type { Command } from 'commander';
import type { CliIO } from '../io.js';
import { EXIT_ERROR, EXIT_OK } from '../io.js';
import type { OutputFormat } from '../../output/formats.js';
import { formatDiagnostics, formatOption, runValidation } from '../validation.js';

export function registerValidate(program: Command, io: CliIO, setExit: (code: number) => void): void {
  program
    .command('validate')
    .description('Check a mesh file: YAML, JSON Schema, semantic checks and guardrail rules.')
    .argument('[file]', 'mesh file', 'mesh.yaml')
    .addOption(formatOption('validate'))
    .option('--policies <dir>', 'additional directory of guardrail rule files')
    .option('--no-color', 'disable colour')
    .addHelpText('after', '\nExit codes: 0 valid (warnings allowed), 1 errors found, 64 usage error.')
    .action((file: string, opts: { format: OutputFormat; policies?: string; color: boolean }) => {
      const options = opts.policies === undefined ? {} : { policies: opts.policies };
      const result = runValidation(file, io, options);
      io.stdout.write(formatDiagnostics(result.diagnostics, opts.format, io, result.ruleMeta, !opts.color, file));
      setExit(result.ok ? EXIT_OK : EXIT_ERROR);
    });
}
