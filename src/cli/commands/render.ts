import type { Command } from 'commander';
import { Option } from 'commander';
import { render } from '../../app/render.js';
import { parseEventsAccount, parseGitHubRepository } from '../../core/render/drift-events.js';
import { workspaceRenderDirs } from '../../app/workspace.js';
import { formatsOf } from '../../output/formats.js';
import type { CliIO } from '../io.js';
import { EXIT_ERROR, EXIT_OK, EXIT_USAGE, ExitError } from '../io.js';
import { cliSources, formatContext, formatDiagnostics, ruleMetaOf, usageError, writeFormatted } from '../validation.js';

/** `files` writes a directory of artefacts (--out); the formats printed to stdout come from the formatter registry. */
export const RENDER_FORMATS: readonly string[] = ['files', ...formatsOf('render')];

interface RenderCommandOptions {
  out?: string;
  format: string;
  policies?: string;
  githubRepo?: string;
  eventsAccount?: string;
  color: boolean;
}

export function registerRender(program: Command, io: CliIO, setExit: (code: number) => void): void {
  program
    .command('render')
    .description('Render the desired state (tags, resource, identity, trust and guard policies) as JSON artefacts.')
    .argument('[file]', 'mesh file', 'mesh.yaml')
    .option('-o, --out <dir>', 'directory to write one JSON file per artefact into')
    .addOption(
      new Option('-f, --format <format>', '`files` writes --out DIR; `json` prints one document')
        .choices(RENDER_FORMATS)
        .default('files'),
    )
    .option('--policies <dir>', 'additional directory of guardrail rule files')
    .option(
      '--github-repo <owner/name>',
      'also render the drift-event CloudFormation templates (EventBridge -> repository_dispatch to this repository)',
    )
    .option(
      '--events-account <id>',
      'with --github-repo: the one account (12 digits) holding the drift-event bus and the GitHub token ' +
        '(default: the home account, the first declared)',
    )
    .option('--no-color', 'disable colour')
    .addHelpText(
      'after',
      [
        '',
        'The output directory must be new, empty, or a previous render output (it holds a .meshgov-render marker);',
        'files a previous render wrote and this one does not are removed, nothing else is touched.',
        'With --github-repo, <account>/events/ holds the drift-event templates of docs/events.md (the hub, the',
        '--events-account or else the home account: <hub>/events/meshgov-drift-hub.template.json).',
        'Exit codes: 0 rendered, 1 validation or render errors (nothing written), 64 usage error.',
      ].join('\n'),
    )
    .action(async (file: string, opts: RenderCommandOptions) => {
      if (opts.format === 'files' && opts.out === undefined)
        throw new ExitError('`meshgov render` needs --out DIR (or --format json to print to stdout).', EXIT_USAGE);
      const githubRepo = opts.githubRepo !== undefined ? parseGitHubRepository(opts.githubRepo) : undefined;
      if (githubRepo !== undefined && 'problem' in githubRepo)
        throw new ExitError(`--github-repo: ${githubRepo.problem}.`, EXIT_USAGE);
      const eventsAccount = opts.eventsAccount !== undefined ? parseEventsAccount(opts.eventsAccount) : undefined;
      if (typeof eventsAccount === 'object')
        throw new ExitError(`--events-account: ${eventsAccount.problem}.`, EXIT_USAGE);
      if (githubRepo === undefined && eventsAccount !== undefined)
        throw new ExitError(
          '--events-account needs --github-repo: it names the hub of the drift-event templates, which are only ' +
            'rendered for a repository to dispatch to (docs/events.md).',
          EXIT_USAGE,
        );
      const diagFormat = opts.format === 'json' ? 'json' : 'text';
      const out = opts.format === 'files' ? opts.out : undefined;
      const outcome = render(
        file,
        {
          clock: { now: () => io.now() },
          ...(opts.policies !== undefined ? { policies: opts.policies } : {}),
          ...(out !== undefined ? { out } : {}),
          ...(githubRepo !== undefined ? { githubRepo } : {}),
          ...(eventsAccount !== undefined ? { eventsAccount } : {}),
        },
        { sources: cliSources(io), dirs: workspaceRenderDirs(io.cwd) },
      );
      switch (outcome.kind) {
        case 'usage':
          throw usageError(outcome);
        case 'invalid':
          io.stdout.write(
            formatDiagnostics(outcome.diagnostics, diagFormat, io, ruleMetaOf(outcome.rules), !opts.color),
          );
          setExit(EXIT_ERROR);
          return;
        case 'write-failed':
          throw new ExitError(`cannot write --out ${outcome.path}: ${outcome.problem}.`, EXIT_ERROR);
      }
      if (outcome.diagnostics.some((d) => d.severity !== 'info')) {
        io.stderr.write(formatDiagnostics(outcome.diagnostics, 'text', io, ruleMetaOf(outcome.rules), !opts.color));
      }
      if (githubRepo === undefined)
        io.stderr.write(
          'meshgov: drift-event templates not rendered: they need the repository to dispatch to ' +
            '(--github-repo owner/name; docs/events.md).\n',
        );
      if (opts.format !== 'files') {
        const subject = {
          desired: outcome.desired,
          ...(outcome.driftEvents ? { driftEvents: outcome.driftEvents } : {}),
        };
        await writeFormatted(io.stdout, 'render', opts.format, subject, formatContext(io));
      } else io.stderr.write(`Wrote ${outcome.written ?? 0} files to ${opts.out as string}\n`);
      setExit(EXIT_OK);
    });
}
