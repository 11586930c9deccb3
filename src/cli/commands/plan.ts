import { isAbsolute, join } from 'node:path';
import { isWithin } from '../../adapters/fs/bounded-read.js';
import type { Command } from 'commander';
import { plan } from '../../app/plan.js';
import type { PlanEvent, PlanOutcome } from '../../app/plan.js';
import type { TargetOpener } from '../../app/target.js';
import { workspaceFiles } from '../../app/workspace.js';
import { secretsOf } from '../../core/redact.js';
import { readerContext } from '../../output/plan/index.js';
import type { PlanFormat } from '../../output/plan/index.js';
import { plural } from '../../output/plan/readers.js';
import { renderValidationMarkdown } from '../../output/plan/validation.js';
import type { CliIO } from '../io.js';
import { EXIT_ERROR, EXIT_OK, EXIT_PENDING, ExitError } from '../io.js';
import { collect } from '../options.js';
import { Progress, readReporter, seconds } from '../progress.js';
import { addTargetFlags, cliTargetOpener, targetOpenError, targetSpec } from '../target-flags.js';
import type { TargetFlags } from '../target-flags.js';
import {
  cliSources,
  formatContext,
  formatDiagnostics,
  formatFor,
  formatOption,
  ruleMetaOf,
  usageError,
} from '../validation.js';

export interface PlanCommandOptions extends TargetFlags {
  out?: string;
  format: PlanFormat;
  detailedExitcode?: boolean;
  domain: string[];
  account: string[];
  color: boolean;
  policies?: string;
}

/**
 * Shows plan's events on stderr: timestamped lines when stderr is not a terminal (validated, each account read, the
 * plan computed, heartbeats while a step takes long), the live line on a terminal; warnings as they are found.
 */
function planReporter(io: CliIO, progress: Progress, color: boolean): (e: PlanEvent) => void {
  let started = progress.now();
  let computing = started;
  const read = readReporter(progress, false);
  return (e) => {
    switch (e.kind) {
      case 'validating':
        started = progress.now();
        progress.note(`plan: validating ${e.file}`);
        return;
      case 'warnings':
        io.stderr.write(formatDiagnostics(e.diagnostics, 'text', io, ruleMetaOf(e.rules), !color));
        return;
      case 'validated': {
        const counts = `${e.streams} streams, ${e.grants} grants, ${e.accounts} accounts`;
        progress.note(`validated ${e.file}: ${counts} (${seconds(progress.elapsed(started))})`);
        return;
      }
      case 'opening':
        progress.begin(() => (e.target === 'local' ? 'starting the local target' : 'opening the target'));
        return;
      case 'opened':
        progress.end();
        return;
      case 'planning': {
        const against = e.target === 'local' ? `the local target (${e.localEndpoint ?? ''})` : 'AWS';
        progress.note(`planning ${e.mesh} against ${against}`, true);
        return;
      }
      case 'computing':
        computing = progress.now();
        return;
      case 'computed': {
        const what = `${plural(e.changes, 'change')}, ${plural(e.accessChanges, 'access change')}`;
        const took = `${seconds(progress.elapsed(computing))}; total ${seconds(progress.elapsed(started))}`;
        progress.note(`plan computed: ${what} (${took})`);
        return;
      }
      default:
        read(e);
    }
  };
}

/**
 * Where Price List answers are cached: the user's cache directory (`$XDG_CACHE_HOME/meshgov`, else
 * `~/.cache/meshgov`), never the working tree. In CI the working tree is the pull request's checkout, and a cache
 * file committed there would be a forged price table the cost cap trusts. No cache without a home directory.
 */
export function priceCacheDir(env: CliIO['env']): string | undefined {
  const xdg = env['XDG_CACHE_HOME'];
  const home = env['HOME'];
  // The XDG spec: a relative path is invalid and is ignored.
  const dir =
    xdg !== undefined && isAbsolute(xdg)
      ? join(xdg, 'meshgov')
      : home !== undefined && isAbsolute(home)
        ? join(home, '.cache', 'meshgov')
        : undefined;
  // A home inside the checkout (some CI containers) would bring the cache back into the pull request's files.
  const workspace = env['GITHUB_WORKSPACE'];
  if (dir !== undefined && workspace !== undefined && isAbsolute(workspace) && isWithin(workspace, dir))
    return undefined;
  return dir;
}

/**
 * The plan use case over the command's files and target, with progress on stderr. Usage problems, a target that
 * did not open and a failed read throw the CLI's errors; an invalid mesh comes back (its findings printed).
 */
export async function runPlan(
  file: string,
  opts: PlanCommandOptions,
  io: CliIO,
  open: TargetOpener = cliTargetOpener(io, { priceCacheDir: priceCacheDir(io.env) }),
): Promise<Extract<PlanOutcome, { kind: 'planned' | 'invalid' }>> {
  const target = targetSpec(opts, io);
  const progress = new Progress(io);
  let outcome: PlanOutcome;
  try {
    outcome = await plan(
      file,
      {
        domain: opts.domain,
        account: opts.account,
        target,
        clock: { now: () => io.now() },
        onEvent: planReporter(io, progress, opts.color),
        ...(opts.policies !== undefined ? { policies: opts.policies } : {}),
        ...(opts.out !== undefined ? { out: opts.out } : {}),
      },
      { sources: cliSources(io), openTarget: open, files: workspaceFiles(io.cwd, secretsOf(io.env)) },
    );
  } finally {
    progress.done();
  }
  switch (outcome.kind) {
    case 'usage':
      throw usageError(outcome);
    case 'invalid':
      io.stderr.write(formatDiagnostics(outcome.diagnostics, 'text', io, ruleMetaOf(outcome.rules), !opts.color));
      return outcome;
    case 'target-failed':
      throw targetOpenError(outcome);
    case 'read-failed':
      throw new ExitError(outcome.message, EXIT_ERROR);
    case 'write-failed':
      throw new ExitError(`cannot write --out ${outcome.path}: ${outcome.problem}.`, EXIT_ERROR);
    case 'planned':
      return outcome;
  }
}

export function registerPlan(program: Command, io: CliIO, setExit: (code: number) => void): void {
  const cmd = program
    .command('plan')
    .description('Read the live accounts and show what apply would change: typed changes, risk, access diff.')
    .argument('[file]', 'mesh file', 'mesh.yaml')
    .option(
      '--local',
      'plan against the embedded local target (kinesis-local; data in .meshgov/local or MESHGOV_LOCAL_DIR)',
    )
    .option('--endpoint <url>', 'endpoint for every AWS service (LocalStack or another compatible endpoint)');
  addTargetFlags(cmd)
    .option('-o, --out <file>', 'also write the plan as JSON (for apply and for the PR comment)')
    .addOption(formatOption('plan'))
    .option('--detailed-exitcode', 'exit 2 when changes are pending (0 none, 1 error)')
    .option(
      '--policies <dir>',
      'additional directory of guardrail rule files (as validate; the rules decide whether the mesh may be planned)',
    )
    .option('--domain <domain>', 'limit the run to a domain (repeatable)', collect, [])
    .option('--account <id>', 'limit the run to an account id or alias (repeatable)', collect, [])
    .option('--no-color', 'disable colour')
    .addHelpText(
      'after',
      [
        '',
        'Credentials come from the AWS SDK default chain; meshgov assumes the governance role in each account.',
        'AWS_ENDPOINT_URL and AWS_ENDPOINT_URL_<SERVICE> are honoured; --endpoint overrides them.',
        'When the mesh does not validate, --format markdown prints the located findings (for the PR comment) and exits 1.',
        'Exit codes: 0 success, 1 error (the mesh does not validate, AWS failed),',
        '2 changes pending (with --detailed-exitcode), 64 usage error.',
      ].join('\n'),
    )
    .action(async (file: string, opts: PlanCommandOptions) => {
      const result = await runPlan(file, opts, io);
      if (result.kind === 'invalid') {
        // The PR comment shows the located findings instead of a bare "plan failed" (nothing is written to --out).
        if (opts.format === 'markdown')
          io.stdout.write(
            renderValidationMarkdown(result.diagnostics, {
              title: 'meshgov plan',
              file,
              onErrors: 'No plan: fix the errors below, then plan again.',
            }),
          );
        setExit(EXIT_ERROR);
        return;
      }
      const { plan: computed } = result;
      const context = readerContext(result.mesh, result.live);
      io.stdout.write(
        formatFor('plan', opts.format, { plan: computed, context }, formatContext(io, { noColor: !opts.color })),
      );
      setExit(opts.detailedExitcode && computed.summary.hasChanges ? EXIT_PENDING : EXIT_OK);
    });
}
