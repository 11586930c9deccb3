/**
 * The GitHub Actions context meshgov needs, read from the standard environment of a workflow run
 * (https://docs.github.com/en/actions/reference/workflows-and-actions/variables#default-environment-variables).
 * The environment and the file reader are passed in, so the CLI decides what the process looks like and tests
 * can hand over a plain record.
 */
import { describeRefusal, readRegularFile } from '../fs/bounded-read.js';

/** A missing or malformed part of the Actions environment; the message says which variable and how to fix it. */
export class GitHubContextError extends Error {
  override name = 'GitHubContextError';
}

export interface GitHubContext {
  owner: string;
  repo: string;
  /** Token for the REST API (GITHUB_TOKEN, else GH_TOKEN). Never print it; see `redact`. */
  token: string;
  /** REST API base URL (GITHUB_API_URL), `https://api.github.com` by default; GHES and tests override it. */
  apiUrl: string;
  /** Web base URL (GITHUB_SERVER_URL), `https://github.com` by default. */
  serverUrl: string;
  /** Workflow run id (GITHUB_RUN_ID), when running in Actions. */
  runId?: string;
  /** Link to the workflow run, where artefacts are listed; undefined outside Actions. */
  runUrl?: string;
  /** Commit the report is about: the PR head from the event payload, else GITHUB_SHA (a merge commit on PRs). */
  sha?: string;
  /** The pull request's head commit from the event payload only (never the merge commit GITHUB_SHA names on PRs). */
  prHeadSha?: string;
  /** Event that triggered the run (GITHUB_EVENT_NAME). */
  eventName?: string;
  /** Pull request number from the event payload (pull_request, pull_request_target, issue_comment on a PR). */
  pullRequest?: number;
  /** Path of the job summary file (GITHUB_STEP_SUMMARY). */
  stepSummary?: string;
}

export interface ContextRequirements {
  /** Fail unless a pull request number can be found (plan comments). */
  needPullRequest?: boolean;
  /** A pull request number given explicitly (e.g. `--pr`), overriding the event payload. */
  pullRequest?: number;
}

type Env = Record<string, string | undefined>;

function nonEmpty(env: Env, name: string): string | undefined {
  const v = env[name];
  return v === undefined || v.trim() === '' ? undefined : v.trim();
}

/** The PR head commit from an event payload, when there is one. */
export function headShaFromEvent(payload: unknown): string | undefined {
  const sha = (payload as { pull_request?: { head?: { sha?: unknown } } } | null)?.pull_request?.head?.sha;
  return typeof sha === 'string' && /^[0-9a-f]{7,64}$/i.test(sha) ? sha : undefined;
}

/** Read the PR number from the event payload file; undefined when the event is not about a pull request. */
export function pullRequestFromEvent(payload: unknown): number | undefined {
  if (typeof payload !== 'object' || payload === null) return undefined;
  const p = payload as {
    pull_request?: { number?: unknown };
    issue?: { number?: unknown; pull_request?: unknown };
    number?: unknown;
  };
  const candidates = [
    p.pull_request?.number,
    p.issue?.pull_request !== undefined ? p.issue?.number : undefined,
    p.pull_request !== undefined ? p.number : undefined,
  ];
  for (const c of candidates) if (typeof c === 'number' && Number.isInteger(c) && c > 0) return c;
  return undefined;
}

/** GitHub's webhook payloads are capped at 25 MB; the runner writes the event there. */
const MAX_EVENT_BYTES = 25 * 1024 * 1024;

/** The event file: a regular file, bounded (a FIFO or device there would block or never end the read). */
function readEventFile(path: string): string {
  const read = readRegularFile(path, { maxBytes: MAX_EVENT_BYTES });
  if (!read.ok) throw new Error(describeRefusal(read.refusal));
  return read.text;
}

function readEvent(path: string, readFile: (path: string) => string): unknown {
  let text: string;
  try {
    text = readFile(path);
  } catch (e) {
    throw new GitHubContextError(`cannot read the event payload GITHUB_EVENT_PATH=${path}: ${(e as Error).message}`);
  }
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new GitHubContextError(`the event payload GITHUB_EVENT_PATH=${path} is not valid JSON`);
  }
}

function checkUrl(name: string, value: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new GitHubContextError(`${name} is not a URL: ${JSON.stringify(value)}`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:')
    throw new GitHubContextError(`${name} must be an http(s) URL, got ${JSON.stringify(value)}`);
  return value.replace(/\/+$/, '');
}

/**
 * Build the context from an Actions-like environment. Throws {@link GitHubContextError} naming the missing or
 * malformed variable; never includes the token in a message.
 */
export function readGitHubContext(
  env: Env,
  requirements: ContextRequirements = {},
  readFile: (path: string) => string = readEventFile,
): GitHubContext {
  const repository = nonEmpty(env, 'GITHUB_REPOSITORY');
  if (repository === undefined)
    throw new GitHubContextError('GITHUB_REPOSITORY is not set: run inside GitHub Actions or set it to "owner/repo".');
  const m = /^([A-Za-z0-9_.-]+)\/([A-Za-z0-9_.-]+)$/.exec(repository);
  if (m === null)
    throw new GitHubContextError(`GITHUB_REPOSITORY must look like "owner/repo", got ${JSON.stringify(repository)}.`);
  const token = nonEmpty(env, 'GITHUB_TOKEN') ?? nonEmpty(env, 'GH_TOKEN');
  if (token === undefined) {
    throw new GitHubContextError(
      'GITHUB_TOKEN is not set: pass it to the step, e.g. `env: GITHUB_TOKEN: ${{ github.token }}`, with the permissions the report needs (pull-requests: write or issues: write).',
    );
  }
  const apiUrl = checkUrl('GITHUB_API_URL', nonEmpty(env, 'GITHUB_API_URL') ?? 'https://api.github.com');
  const serverUrl = checkUrl('GITHUB_SERVER_URL', nonEmpty(env, 'GITHUB_SERVER_URL') ?? 'https://github.com');
  const runId = nonEmpty(env, 'GITHUB_RUN_ID');
  if (runId !== undefined && !/^\d+$/.test(runId))
    throw new GitHubContextError(`GITHUB_RUN_ID must be a number, got ${JSON.stringify(runId)}.`);

  let pullRequest = requirements.pullRequest;
  let headSha: string | undefined;
  const eventPath = nonEmpty(env, 'GITHUB_EVENT_PATH');
  let event: unknown;
  if (eventPath !== undefined) {
    try {
      event = readEvent(eventPath, readFile);
    } catch (e) {
      // The payload only matters when the pull request has to come from it.
      if (requirements.needPullRequest === true && pullRequest === undefined) throw e;
    }
  }
  if (event !== undefined) headSha = headShaFromEvent(event);
  if (pullRequest === undefined) {
    if (event !== undefined) pullRequest = pullRequestFromEvent(event);
    else if (requirements.needPullRequest === true) {
      throw new GitHubContextError(
        'GITHUB_EVENT_PATH is not set, so the pull request is unknown: run on a pull_request event or pass --pr <number>.',
      );
    }
  }
  if (requirements.needPullRequest === true && pullRequest === undefined) {
    throw new GitHubContextError(
      `no pull request in the ${env['GITHUB_EVENT_NAME'] ?? 'current'} event payload: run on a pull_request event or pass --pr <number>.`,
    );
  }

  const ctx: GitHubContext = { owner: m[1] as string, repo: m[2] as string, token, apiUrl, serverUrl };
  if (runId !== undefined) {
    ctx.runId = runId;
    ctx.runUrl = `${serverUrl}/${ctx.owner}/${ctx.repo}/actions/runs/${runId}`;
  }
  const sha = headSha ?? nonEmpty(env, 'GITHUB_SHA');
  if (sha !== undefined) ctx.sha = sha;
  if (headSha !== undefined) ctx.prHeadSha = headSha;
  const eventName = nonEmpty(env, 'GITHUB_EVENT_NAME');
  if (eventName !== undefined) ctx.eventName = eventName;
  if (pullRequest !== undefined) ctx.pullRequest = pullRequest;
  const stepSummary = nonEmpty(env, 'GITHUB_STEP_SUMMARY');
  if (stepSummary !== undefined) ctx.stepSummary = stepSummary;
  return ctx;
}
