/**
 * The two things a meshgov command does on GitHub, wired end to end from the Actions environment: post the plan
 * as the sticky PR comment, or bring the audit issue up to date; both also append the report to the job summary.
 * `meshgov report github` calls these, and `plan --github-comment` / `audit --github-issue` can call them directly.
 */
import type { ApplyResult } from '../../core/github/apply-result.js';
import { formatReviewedMarker } from '../../core/github/reviewed-marker.js';
import { renderApplyStatus } from '../../output/github/apply-status.js';
import { markerFor, runFooter } from '../../output/markdown/report-body.js';
import { AUDIT_LABEL, upsertAuditIssue } from './audit-issue.js';
import type { GitHubClientOptions } from './client.js';
import { connectGitHub } from './client.js';
import type { GitHubContext } from './context.js';
import { GitHubContextError, readGitHubContext } from './context.js';
import type { ReviewedLookup } from './pr-loop.js';
import { findReviewedPlan, postApplyStatus } from './pr-loop.js';
import type { ReportResult } from './sticky-comment.js';
import { upsertStickyComment } from './sticky-comment.js';
import { appendStepSummary } from './summary.js';

export interface PublishCommon {
  /** The process environment (GitHub Actions variables). */
  env: Record<string, string | undefined>;
  /** Mesh file the report is about, relative to the repository root; part of the hidden marker. */
  meshFile: string;
  /** The report markdown, already escaped by its renderer. */
  markdown: string;
  /** Also append the report to `$GITHUB_STEP_SUMMARY` when it is set (default true). */
  summary?: boolean;
  /** Logins whose comments/issues count as meshgov's (default `github-actions[bot]`; empty = anyone). */
  trustedAuthors?: readonly string[];
  /** Name of the artefact with the full report (named in the truncation note). */
  artifactName?: string;
  /** Client knobs: tests inject fetch and short retry delays. */
  client?: Partial<Omit<GitHubClientOptions, 'token' | 'baseUrl'>>;
  /** Event payload reader (tests). */
  readFile?: (path: string) => string;
}

/** The findings of an audit report, for the comment that notifies watchers of new ones (audit-notify.ts). */
export interface AuditNotify {
  /** Keys of the report's findings (`findingKeys`). */
  keys: readonly string[];
  /** The comment for the findings whose keys are new, with a link to the run. */
  comment: (newKeys: ReadonlySet<string>, runUrl: string | undefined) => string;
}

export interface PublishResult extends ReportResult {
  /** Whether the report was appended to the job summary. */
  summaryWritten: boolean;
  /** Whether the job summary had to be cut. */
  summaryTruncated: boolean;
}

function connect(ctx: GitHubContext, common: PublishCommon) {
  return connectGitHub({ ...common.client, token: ctx.token, baseUrl: ctx.apiUrl });
}

function summarise(ctx: GitHubContext, common: PublishCommon): { summaryWritten: boolean; summaryTruncated: boolean } {
  if (common.summary === false || ctx.stepSummary === undefined)
    return { summaryWritten: false, summaryTruncated: false };
  const { truncated } = appendStepSummary(ctx.stepSummary, common.markdown, { secrets: [ctx.token] });
  return { summaryWritten: true, summaryTruncated: truncated };
}

/**
 * The hidden reviewed-plan line for this run: the PR head commit from the event payload, the run id, the plan's
 * change-set digest. Without a head commit or a run id the plan cannot be bound to what is merged: an error.
 */
function reviewedLine(ctx: GitHubContext, changeSetDigest: string): string {
  if (ctx.prHeadSha === undefined || !/^[0-9a-f]{40}$/.test(ctx.prHeadSha)) {
    throw new GitHubContextError(
      '--reviewed-plan needs the pull request head commit (pull_request.head.sha, 40 hex) ' +
        'in the GITHUB_EVENT_PATH payload.',
    );
  }
  if (ctx.runId === undefined) {
    throw new GitHubContextError('--reviewed-plan needs GITHUB_RUN_ID: the run whose artefact holds the plan.');
  }
  return formatReviewedMarker({ headSha: ctx.prHeadSha, runId: ctx.runId, changeSetDigest });
}

/** Post or update the sticky plan comment on the pull request of this run (or `pullRequest`). */
export async function publishPlanComment(
  options: PublishCommon & { pullRequest?: number; reviewedDigest?: string },
): Promise<PublishResult> {
  const ctx = readGitHubContext(
    options.env,
    { needPullRequest: true, pullRequest: options.pullRequest },
    options.readFile,
  );
  const preamble = options.reviewedDigest !== undefined ? `${reviewedLine(ctx, options.reviewedDigest)}\n` : '';
  const gh = connect(ctx, options);
  const result = await upsertStickyComment(gh, {
    owner: ctx.owner,
    repo: ctx.repo,
    issueNumber: ctx.pullRequest as number,
    marker: markerFor('plan', options.meshFile),
    body: preamble + options.markdown,
    footer: runFooter({ url: ctx.runUrl, runId: ctx.runId, sha: ctx.sha }),
    trustedAuthors: options.trustedAuthors,
    fullReportUrl: ctx.runUrl,
    artifactName: options.artifactName,
  });
  return { ...result, ...summarise(ctx, options) };
}

/** Open, update, close or reopen the audit issue for this mesh file. */
/** What publishing the audit issue takes besides the common options. */
export interface AuditIssueOptions {
  clean: boolean;
  title?: string;
  label?: string;
  notify?: AuditNotify;
  partial?: boolean;
  /** The audit report's `generatedAt`: see `AuditIssueInput.generatedAt`. */
  generatedAt?: string;
}

export async function publishAuditIssue(options: PublishCommon & AuditIssueOptions): Promise<PublishResult> {
  const { notify } = options;
  const ctx = readGitHubContext(options.env, {}, options.readFile);
  const gh = connect(ctx, options);
  const result = await upsertAuditIssue(gh, {
    owner: ctx.owner,
    repo: ctx.repo,
    title: options.title ?? `meshgov audit: ${options.meshFile}`,
    marker: markerFor('audit', options.meshFile),
    body: options.markdown,
    clean: options.clean,
    ...(options.partial === true ? { partial: true } : {}),
    ...(options.generatedAt !== undefined ? { generatedAt: options.generatedAt } : {}),
    label: options.label ?? AUDIT_LABEL,
    ...(notify !== undefined
      ? { notify: { keys: notify.keys, comment: (fresh: ReadonlySet<string>) => notify.comment(fresh, ctx.runUrl) } }
      : {}),
    footer: runFooter({ url: ctx.runUrl, runId: ctx.runId, sha: ctx.sha }),
    trustedAuthors: options.trustedAuthors,
    fullReportUrl: ctx.runUrl,
    artifactName: options.artifactName,
  });
  return { ...result, ...summarise(ctx, options) };
}

/** The pushed commit (GITHUB_SHA): on a push to main, the merge commit of the pull request. */
function pushedCommit(env: Record<string, string | undefined>): string {
  const sha = env['GITHUB_SHA']?.trim() ?? '';
  if (!/^[0-9a-f]{40}$/.test(sha)) {
    const got = JSON.stringify(sha.slice(0, 80));
    throw new GitHubContextError(`GITHUB_SHA must be the pushed commit (40 hex), got ${got}.`);
  }
  return sha;
}

/** After a push to main: the merged pull request and the plan reviewed for its final commit, if any. */
export async function lookupReviewedPlan(
  options: Pick<PublishCommon, 'env' | 'meshFile' | 'trustedAuthors' | 'client' | 'readFile'>,
): Promise<ReviewedLookup & { sha: string }> {
  const ctx = readGitHubContext(options.env, {}, options.readFile);
  const sha = pushedCommit(options.env);
  const gh = connect(ctx, { ...options, markdown: '' });
  const { meshFile, trustedAuthors } = options;
  const found = await findReviewedPlan(gh, { owner: ctx.owner, repo: ctx.repo, sha, meshFile, trustedAuthors });
  return { ...found, sha };
}

/** Put an apply result on the merged pull request's sticky comment (when there is one) and in the job summary. */
export async function publishApplyStatus(
  options: Omit<PublishCommon, 'markdown'> & { result: ApplyResult; pullRequest?: number; approvalEnvironment: string },
): Promise<{ comment?: { action: string; url: string }; summaryWritten: boolean; markdown: string }> {
  const ctx = readGitHubContext(options.env, { pullRequest: options.pullRequest }, options.readFile);
  const { approvalEnvironment, meshFile, trustedAuthors } = options;
  const commit = options.env['GITHUB_SHA']?.trim();
  const markdown = renderApplyStatus(options.result, { commit, runUrl: ctx.runUrl, approvalEnvironment });
  let comment: { action: string; url: string } | undefined;
  if (ctx.pullRequest !== undefined) {
    const gh = connect(ctx, { ...options, markdown });
    const where = { owner: ctx.owner, repo: ctx.repo, pullRequest: ctx.pullRequest };
    const r = await postApplyStatus(gh, { ...where, meshFile, status: markdown, trustedAuthors });
    comment = { action: r.action, url: r.url };
  }
  const { summaryWritten } = summarise(ctx, { ...options, markdown });
  return { ...(comment !== undefined ? { comment } : {}), summaryWritten, markdown };
}
