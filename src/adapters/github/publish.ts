/**
 * The two things a meshgov command does on GitHub, wired end to end from the Actions environment: post the plan
 * as the sticky PR comment, or bring the audit issue up to date; both also append the report to the job summary.
 * `meshgov report github` calls these, and `plan --github-comment` / `audit --github-issue` can call them directly.
 */
import { markerFor, runFooter } from '../../output/markdown/report-body.js';
import { AUDIT_LABEL, upsertAuditIssue } from './audit-issue.js';
import type { GitHubClientOptions } from './client.js';
import { connectGitHub } from './client.js';
import type { GitHubContext } from './context.js';
import { readGitHubContext } from './context.js';
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
  if (common.summary === false || ctx.stepSummary === undefined) return { summaryWritten: false, summaryTruncated: false };
  const { truncated } = appendStepSummary(ctx.stepSummary, common.markdown, { secrets: [ctx.token] });
  return { summaryWritten: true, summaryTruncated: truncated };
}

/** Post or update the sticky plan comment on the pull request of this run (or `pullRequest`). */
export async function publishPlanComment(options: PublishCommon & { pullRequest?: number }): Promise<PublishResult> {
  const ctx = readGitHubContext(options.env, { needPullRequest: true, pullRequest: options.pullRequest }, options.readFile);
  const gh = connect(ctx, options);
  const result = await upsertStickyComment(
    gh,
    {
      owner: ctx.owner,
      repo: ctx.repo,
      issueNumber: ctx.pullRequest as number,
      marker: markerFor('plan', options.meshFile),
      body: options.markdown,
      footer: runFooter({ url: ctx.runUrl, runId: ctx.runId, sha: ctx.sha }),
      trustedAuthors: options.trustedAuthors,
      fullReportUrl: ctx.runUrl,
      artifactName: options.artifactName,
    },
  );
  return { ...result, ...summarise(ctx, options) };
}

/** Open, update, close or reopen the audit issue for this mesh file. */
export async function publishAuditIssue(options: PublishCommon & { clean: boolean; title?: string; label?: string }): Promise<PublishResult> {
  const ctx = readGitHubContext(options.env, {}, options.readFile);
  const gh = connect(ctx, options);
  const result = await upsertAuditIssue(
    gh,
    {
      owner: ctx.owner,
      repo: ctx.repo,
      title: options.title ?? `meshgov audit: ${options.meshFile}`,
      marker: markerFor('audit', options.meshFile),
      body: options.markdown,
      clean: options.clean,
      label: options.label ?? AUDIT_LABEL,
      footer: runFooter({ url: ctx.runUrl, runId: ctx.runId, sha: ctx.sha }),
      trustedAuthors: options.trustedAuthors,
      fullReportUrl: ctx.runUrl,
      artifactName: options.artifactName,
    },
  );
  return { ...result, ...summarise(ctx, options) };
}
