/**
 * `meshgov reviewed-plan`: on a push to main, find the pull request merged as this commit and the plan reviewed on it
 * for its final head commit (meshgov's own sticky comment only), and hand the workflow what it needs to download that
 * plan and apply it: step outputs `found`, `pr`, `run-id`, `head-sha`, `digest`. No reviewed plan: exit 1, and
 * `--result` says why for the pull request and the job summary.
 */
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { writeApplyResult } from '../../adapters/github/apply-result-file.js';
import { GitHubApiError } from '../../adapters/github/client.js';
import { GitHubContextError } from '../../adapters/github/context.js';
import { appendStepOutputs } from '../../adapters/github/pr-loop.js';
import { lookupReviewedPlan } from '../../adapters/github/publish.js';
import { APPLY_RESULT_VERSION } from '../../core/github/apply-result.js';
import { redact } from '../../core/redact.js';
import type { CliIO } from '../io.js';
import { EXIT_ERROR, EXIT_OK, EXIT_USAGE, ExitError } from '../io.js';
import { VERSION } from '../version.js';

interface ReviewedPlanOptions {
  meshFile: string;
  trustedAuthor?: string[];
  result?: string;
}

async function run(io: CliIO, opts: ReviewedPlanOptions): Promise<number> {
  const token = io.env['GITHUB_TOKEN'] ?? io.env['GH_TOKEN'];
  let found: Awaited<ReturnType<typeof lookupReviewedPlan>>;
  try {
    found = await lookupReviewedPlan({
      env: io.env,
      meshFile: opts.meshFile,
      trustedAuthors: opts.trustedAuthor,
      client: { userAgent: `meshgov/${VERSION}`, warn: (m: string) => io.stderr.write(`meshgov: ${m}\n`) },
    });
  } catch (e) {
    if (e instanceof GitHubContextError) throw new ExitError(redact(e.message, [token]), EXIT_USAGE);
    if (e instanceof GitHubApiError) throw new ExitError(redact(e.message, [token]), EXIT_ERROR);
    throw e;
  }
  const outputsFile = io.env['GITHUB_OUTPUT'];
  const pr: Record<string, string> = found.pullRequest !== undefined ? { pr: String(found.pullRequest) } : {};
  if (found.kind === 'found') {
    const { reviewed } = found;
    if (outputsFile) {
      const ids = { 'run-id': reviewed.runId, 'head-sha': reviewed.headSha, digest: reviewed.changeSetDigest };
      appendStepOutputs(outputsFile, { found: 'true', ...pr, ...ids });
    }
    io.stdout.write(
      `meshgov: pull request #${found.pullRequest} was reviewed at its final commit ` +
        `${reviewed.headSha.slice(0, 12)}: plan of run ${reviewed.runId}, ` +
        `change set ${reviewed.changeSetDigest.slice(0, 12)}\n`,
    );
    return EXIT_OK;
  }
  if (outputsFile) appendStepOutputs(outputsFile, { found: 'false', ...pr });
  const message = `no reviewed plan for commit ${found.sha.slice(0, 12)}: ${found.reason}`;
  if (opts.result !== undefined) {
    const result = { formatVersion: APPLY_RESULT_VERSION, kind: 'not-reviewed', message } as const;
    writeApplyResult(resolve(io.cwd, opts.result), result);
  }
  io.stderr.write(`meshgov: ${message}. Nothing will be applied.\n`);
  return EXIT_ERROR;
}

export function registerReviewedPlan(program: Command, io: CliIO, setExit: (code: number) => void): void {
  program
    .command('reviewed-plan')
    .description('After a push to main: find the merged pull request and the plan reviewed on it for its final commit.')
    .option('--mesh-file <file>', 'mesh file the plan comment is about (one comment per mesh file)', 'mesh.yaml')
    .option('--trusted-author <login...>', 'authors whose plan comment counts (default github-actions[bot])')
    .option(
      '--result <file>',
      'when there is no reviewed plan, write why as an apply result (for report github ' + '--kind apply)',
    )
    .addHelpText(
      'after',
      [
        '',
        'Environment: GITHUB_REPOSITORY, GITHUB_TOKEN, GITHUB_SHA (the pushed commit), GITHUB_API_URL, GITHUB_OUTPUT.',
        'Step outputs: found (true/false), pr, run-id, head-sha, digest. Exit codes: 0 found; 1 no reviewed plan or a',
        'GitHub API failure; 64 usage or environment error.',
      ].join('\n'),
    )
    .action(async (opts: ReviewedPlanOptions) => {
      setExit(await run(io, opts));
    });
}
