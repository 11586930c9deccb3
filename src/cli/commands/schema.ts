import type { Command } from 'commander';
import { Option } from 'commander';
import { domainFileSchema, meshSchema, schemaText } from '../../core/model/schema.js';
import type { CliIO } from '../io.js';
import { EXIT_OK } from '../io.js';

export function registerSchema(program: Command, io: CliIO, setExit: (code: number) => void): void {
  program
    .command('schema')
    .description('Print the JSON Schema (draft 2020-12) of mesh files, for editors and other tools.')
    .addOption(new Option('--kind <kind>', 'which schema').choices(['mesh', 'domain']).default('mesh'))
    .action((opts: { kind: 'mesh' | 'domain' }) => {
      io.stdout.write(schemaText(opts.kind === 'mesh' ? meshSchema : domainFileSchema));
      setExit(EXIT_OK);
    });
}
