/**
 * `meshgov import`: read the mesh accounts (read-only) and write mesh.yaml stanzas for the streams meshgov does
 * not manage yet. The new document goes to stdout, `--out FILE` or (with `--write`) back into FILE; notes go to
 * stderr. The result is validated before it is written, and a preview lists every change the next `meshgov plan`
 * of the extended mesh will make (src/core/import/preview.ts).
 */
import type { Command } from 'commander';
import { importStreams } from '../../app/import.js';
import { workspaceFiles } from '../../app/workspace.js';
import { secretsOf } from '../../core/redact.js';
import type { ImportNote } from '../../core/import/index.js';
import type { CliIO } from '../io.js';
import { EXIT_FINDINGS, EXIT_OK, EXIT_USAGE, ExitError } from '../io.js';
import { collect } from '../options.js';
import { Progress, readReporter } from '../progress.js';
import { cliTargetOpener, profileOption, regionOption, targetSpec } from '../target-flags.js';
import type { AwsFlags } from '../target-flags.js';
import { cliSources, formatDiagnostics, ruleMetaOf, usageError } from '../validation.js';

export interface ImportCommandOptions extends AwsFlags {
  account: string[];
  local?: boolean;
  endpoint?: string;
  out?: string;
  write?: boolean;
  domainFromTag?: string;
  color: boolean;
  policies?: string;
}

function formatNotes(notes: readonly ImportNote[]): string {
  return notes.map((n) => `${n.severity}: ${n.subject}: ${n.message}\n`).join('');
}

export async function runImport(file: string, opts: ImportCommandOptions, io: CliIO): Promise<number> {
  const target = targetSpec(opts, io);
  if (opts.write && opts.out)
    throw new ExitError('--write and --out cannot be combined: --write rewrites FILE in place.', EXIT_USAGE);
  if (opts.domainFromTag !== undefined && !/^[\p{L}\p{N}_.:/=+\-@]{1,128}$/u.test(opts.domainFromTag)) {
    throw new ExitError(`--domain-from-tag ${opts.domainFromTag}: not a tag key.`, EXIT_USAGE);
  }
  const out = opts.write ? file : opts.out;
  const outcome = await importStreams(
    file,
    {
      account: opts.account,
      target,
      clock: { now: () => io.now() },
      domainTags: [...(opts.domainFromTag ? [opts.domainFromTag] : []), 'meshgov:domain', 'domain'],
      ...(opts.policies !== undefined ? { policies: opts.policies } : {}),
      ...(out !== undefined ? { out } : {}),
      onEvent: readReporter(new Progress(io), true),
    },
    { sources: cliSources(io), openTarget: cliTargetOpener(io), files: workspaceFiles(io.cwd, secretsOf(io.env)) },
  );
  switch (outcome.kind) {
    case 'usage':
      throw usageError(outcome);
    case 'invalid':
      io.stderr.write(formatDiagnostics(outcome.diagnostics, 'text', io, ruleMetaOf(outcome.rules), !opts.color));
      io.stderr.write(`import extends a valid mesh: fix ${file} first.\n`);
      return EXIT_FINDINGS;
    case 'refused':
    case 'read-failed':
      throw new ExitError(outcome.message, EXIT_FINDINGS);
    case 'target-failed':
      throw new ExitError(`cannot start the local target: ${outcome.message}`, EXIT_FINDINGS);
    case 'write-failed':
      throw new ExitError(`cannot write ${outcome.path}: ${outcome.problem}.`, EXIT_FINDINGS);
  }
  const { result, errors } = outcome;
  io.stderr.write(formatNotes(outcome.notes));
  const adopted = result.adopted.length ? ` (${result.adopted.length} of them for consumers of declared streams)` : '';
  io.stderr.write(
    `imported ${result.imported.length} stream(s) and ${result.grants.length} grant(s)${adopted} ` +
      `from ${outcome.accounts} account(s); nothing was changed in AWS.\n`,
  );
  if (errors.length > 0) {
    io.stderr.write(formatDiagnostics(errors, 'text', io, ruleMetaOf(outcome.rules), !opts.color));
    io.stderr.write('the imported mesh does not validate (see above); it is written anyway so you can fix it.\n');
  }
  if (out === undefined) io.stdout.write(outcome.text);
  return errors.length > 0 ? EXIT_FINDINGS : EXIT_OK;
}

export function registerImport(program: Command, io: CliIO, setExit: (code: number) => void): void {
  program
    .command('import')
    .description(
      'Adopt existing streams and EFO consumers: read the accounts (read-only), write mesh.yaml stanzas ' +
        'for them and their grants, and preview the next plan.',
    )
    .argument('[file]', 'mesh file to extend', 'mesh.yaml')
    .option('--account <id>', 'read only this account id or alias (repeatable; default all mesh accounts)', collect, [])
    .option('--local', 'read the embedded local target (kinesis-local; data in .meshgov/local or MESHGOV_LOCAL_DIR)')
    .option('--endpoint <url>', 'endpoint for every AWS service (LocalStack or another compatible endpoint)')
    .addOption(profileOption())
    .addOption(regionOption())
    .option('-o, --out <file>', 'write the extended mesh to this file instead of stdout')
    .option('--write', 'rewrite FILE in place')
    .option(
      '--policies <dir>',
      'additional directory of guardrail rule files (as validate; the rules decide whether the mesh may be planned)',
    )
    .option('--domain-from-tag <key>', "tag key naming a stream's domain (tried before meshgov:domain and domain)")
    .option('--no-color', 'disable colour')
    .addHelpText(
      'after',
      [
        '',
        'Import never changes anything in AWS. Unknown owners, classifications and principals get defaults that validate',
        'and a `# TODO(meshgov import): ...` comment; resource-policy statements that no grant can express are reported',
        'on stderr and as `# meshgov import: could not express ...` comments. Every change the next `meshgov plan` makes',
        '(IAM included where IAM is read) is previewed on stderr. See docs/import.md.',
      ].join('\n'),
    )
    .action(async (file: string, opts: ImportCommandOptions) => {
      setExit(await runImport(file, opts, io));
    });
}
