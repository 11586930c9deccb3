import type { Command } from 'commander';
import { Option } from 'commander';
import { report as publishReport } from '../../app/report.js';
import type { ReportOutcome } from '../../app/report.js';
import { workspaceInputs } from '../../app/workspace.js';
import type { PublishResult } from '../../adapters/github/publish.js';
import { publishApplyStatus, publishAuditIssue, publishPlanComment } from '../../adapters/github/publish.js';
import { redact } from '../../core/redact.js';
import type { CliIO } from '../io.js';
import { EXIT_ERROR, EXIT_OK, EXIT_USAGE, ExitError } from '../io.js';
import { cliSources } from '../validation.js';
import { VERSION } from '../version.js';

interface GithubReportOptions {
  kind: 'plan' | 'audit' | 'apply';
  reviewedPlan?: string;
  approvalEnvironment: string;
  input: string;
  meshFile: string;
  clean?: boolean;
  partial?: boolean;
  pr?: string;
  title?: string;
  label?: string;
  artifactName?: string;
  trustedAuthor?: string[];
  summary: boolean;
  dryRun?: boolean;
}

/** The use case's outcome as output and an exit code; the token is redacted from everything written. */
function exitOf(outcome: ReportOutcome, io: CliIO, token: string | undefined): number {
  const fail = (message: string, code: number): never => {
    throw new ExitError(redact(message, [token]), code);
  };
  switch (outcome.kind) {
    case 'usage':
      return fail(outcome.message, EXIT_USAGE);
    case 'no-github-context':
      return fail(outcome.message, EXIT_USAGE);
    case 'github-failed':
      return fail(outcome.message, EXIT_ERROR);
    case 'dry-run':
      io.stdout.write(`${redact(outcome.body, [token])}\n`);
      return EXIT_OK;
    case 'published':
      io.stdout.write(redact(describe(outcome.result, outcome.report), [token]));
      return EXIT_OK;
    case 'apply-published': {
      const where =
        outcome.comment !== undefined
          ? `apply status ${outcome.comment.action} ${outcome.comment.url}`
          : 'no pull request: apply status not posted';
      io.stdout.write(redact(`meshgov: ${where}${outcome.summaryWritten ? ' (job summary written)' : ''}\n`, [token]));
      return EXIT_OK;
    }
  }
}

function describe(result: PublishResult, kind: 'plan' | 'audit'): string {
  const what = kind === 'plan' ? 'plan comment' : 'audit issue';
  const where = result.url !== undefined ? ` ${result.url}` : '';
  const extra = [
    result.truncated ? "truncated to fit GitHub's limit" : '',
    result.removedDuplicates ? `removed ${result.removedDuplicates} duplicate(s)` : '',
    result.summaryWritten ? 'job summary written' : '',
  ]
    .filter((s) => s !== '')
    .join(', ');
  const verb = result.action === 'none' ? `no ${what} needed (audit clean)` : `${what} ${result.action}`;
  return `meshgov: ${verb}${where}${extra !== '' ? ` (${extra})` : ''}\n`;
}

function parsePr(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  if (!/^[1-9]\d*$/.test(value))
    throw new ExitError(`--pr must be a pull request number, got ${JSON.stringify(value)}`, EXIT_USAGE);
  return Number(value);
}

export function registerReport(program: Command, io: CliIO, setExit: (code: number) => void): void {
  const report = program
    .command('report')
    .description('Publish reports: the sticky plan comment on a pull request, the audit issue, the job summary.');
  report
    .command('github')
    .description(
      'Post a prepared plan as the sticky PR comment, or bring the audit issue up to date (GitHub Actions environment).',
    )
    .addOption(
      new Option('--kind <kind>', 'what the report is').choices(['plan', 'audit', 'apply']).makeOptionMandatory(),
    )
    .requiredOption(
      '--input <file>',
      'report markdown (.md), a saved plan (plan --out plan.json), an audit report (audit --out audit.json), or JSON {title?, summary?, clean?, items: [{level, subject, message}]}',
    )
    .option('--mesh-file <file>', 'mesh file the report is about (one comment / issue per mesh file)', 'mesh.yaml')
    .option('--clean', 'audit: no findings, close the issue if it is open')
    .option(
      '--partial',
      'audit: the report covers part of the mesh (audit --account/--stream): never close the issue or replace ' +
        'its body; announce new findings in a comment (a closed issue reopens with them)',
    )
    .option('--pr <number>', 'plan: pull request number (default: from the event payload)')
    .option('--title <title>', 'audit: issue title (default "meshgov audit: <mesh file>")')
    .option('--label <label>', 'audit: label that marks the issue', 'meshgov-audit')
    .option('--artifact-name <name>', 'artefact holding the full report, named when the body is truncated')
    .option(
      '--trusted-author <login...>',
      'authors whose comments/issues meshgov may update (default github-actions[bot])',
    )
    .option(
      '--reviewed-plan <plan.json>',
      'plan: record this saved plan as the one reviewed for the PR head commit ' +
        '(hidden marker: head, run id, change-set digest), for apply after merge',
    )
    .option(
      '--approval-environment <name>',
      'apply: the environment whose reviewers approve destructive changes',
      'meshgov-destructive',
    )
    .option('--no-summary', 'do not append the report to $GITHUB_STEP_SUMMARY')
    .option('--dry-run', 'print the body that would be posted; no GitHub calls')
    .addHelpText(
      'after',
      '\nEnvironment: GITHUB_REPOSITORY, GITHUB_TOKEN, GITHUB_EVENT_PATH (plan: PR number), GITHUB_API_URL, GITHUB_SERVER_URL,\nGITHUB_RUN_ID, GITHUB_SHA, GITHUB_STEP_SUMMARY. Exit codes: 0 posted, 1 GitHub API failure, 64 usage or environment error.',
    )
    .action(async (opts: GithubReportOptions) => {
      const token = io.env['GITHUB_TOKEN'] ?? io.env['GH_TOKEN'];
      const outcome = await publishReport(
        {
          kind: opts.kind,
          input: opts.input,
          meshFile: opts.meshFile,
          approvalEnvironment: opts.approvalEnvironment,
          summary: opts.summary,
          env: io.env,
          clock: { now: () => io.now() },
          client: { userAgent: `meshgov/${VERSION}`, warn: (m: string) => io.stderr.write(`meshgov: ${m}\n`) },
          ...(opts.clean !== undefined ? { clean: opts.clean } : {}),
          ...(opts.partial === true ? { partial: true } : {}),
          ...(opts.pr !== undefined ? { pullRequest: parsePr(opts.pr) } : {}),
          ...(opts.title !== undefined ? { title: opts.title } : {}),
          ...(opts.label !== undefined ? { label: opts.label } : {}),
          ...(opts.artifactName !== undefined ? { artifactName: opts.artifactName } : {}),
          ...(opts.trustedAuthor !== undefined ? { trustedAuthors: opts.trustedAuthor } : {}),
          ...(opts.reviewedPlan !== undefined ? { reviewedPlan: opts.reviewedPlan } : {}),
          ...(opts.dryRun !== undefined ? { dryRun: opts.dryRun } : {}),
        },
        {
          inputs: workspaceInputs(io.cwd),
          sources: cliSources(io),
          github: { plan: publishPlanComment, audit: publishAuditIssue, apply: publishApplyStatus },
        },
      );
      setExit(exitOf(outcome, io, token));
    });
}
