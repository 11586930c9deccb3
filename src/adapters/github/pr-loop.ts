/**
 * The pull-request loop on GitHub: after a push to main, find the pull request merged as that commit and the plan
 * reviewed on it (from meshgov's own sticky comment only), and afterwards put the apply status on that comment.
 * REST: https://docs.github.com/en/rest/commits/commits#list-pull-requests-associated-with-a-commit and
 * https://docs.github.com/en/rest/issues/comments.
 */
import { appendFileSync } from 'node:fs';
import type { ReviewedPlan } from '../../core/github/reviewed-marker.js';
import { chooseReviewedPlan } from '../../core/github/reviewed-marker.js';
import { redact } from '../../core/redact.js';
import { withApplyStatus } from '../../output/github/apply-status.js';
import { markerFor } from '../../output/markdown/report-body.js';
import type { GitHubConnection } from './client.js';
import { callGitHub } from './client.js';
import { ACTIONS_BOT } from './sticky-comment.js';

export type ReviewedLookup =
  | { kind: 'found'; pullRequest: number; commentId: number; reviewed: ReviewedPlan }
  | { kind: 'not-reviewed'; pullRequest?: number; reason: string };

export interface LookupInput {
  owner: string;
  repo: string;
  /** The pushed commit on main (GITHUB_SHA of the push event). */
  sha: string;
  meshFile: string;
  /** Authors whose plan comment counts (default `github-actions[bot]`); never "anyone". */
  trustedAuthors?: readonly string[];
}

/** Find the pull request merged as `sha` and the plan reviewed for its final head commit. */
export async function findReviewedPlan(gh: GitHubConnection, input: LookupInput): Promise<ReviewedLookup> {
  const { client, token } = gh;
  const { owner, repo, sha } = input;
  const pulls = await callGitHub(token, 'GET /repos/{owner}/{repo}/commits/{commit_sha}/pulls', () =>
    client.paginate(client.rest.repos.listPullRequestsAssociatedWithCommit, {
      owner,
      repo,
      commit_sha: sha,
      per_page: 100,
    }),
  );
  // The merge (or squash, or last rebased) commit of a merged pull request is the pushed commit itself.
  const merged = pulls.filter((p) => p.merged_at !== null && p.merge_commit_sha === sha);
  const short = sha.slice(0, 12);
  if (merged.length === 0) {
    const reason = `no merged pull request has commit ${short} as its merge commit (was it pushed to main directly?)`;
    return { kind: 'not-reviewed', reason };
  }
  if (merged.length > 1) {
    const reason = `${merged.length} merged pull requests claim commit ${short}, so none is trusted`;
    return { kind: 'not-reviewed', reason };
  }
  const pr = merged[0] as (typeof merged)[number];
  const comments = await callGitHub(token, 'GET /repos/{owner}/{repo}/issues/{issue_number}/comments', () =>
    client.paginate(client.rest.issues.listComments, { owner, repo, issue_number: pr.number, per_page: 100 }),
  );
  const choice = chooseReviewedPlan(
    comments.map((c) => ({ id: c.id, body: c.body, author: c.user?.login })),
    markerFor('plan', input.meshFile),
    input.trustedAuthors ?? [ACTIONS_BOT],
  );
  if (choice.kind !== 'found') {
    return { kind: 'not-reviewed', pullRequest: pr.number, reason: `pull request #${pr.number}: ${choice.reason}` };
  }
  const head = pr.head.sha;
  if (choice.reviewed.headSha !== head) {
    return {
      kind: 'not-reviewed',
      pullRequest: pr.number,
      reason:
        `pull request #${pr.number}: the last reviewed plan is for commit ` +
        `${choice.reviewed.headSha.slice(0, 12)}, but the pull request's final commit is ${head.slice(0, 12)}`,
    };
  }
  return { kind: 'found', pullRequest: pr.number, commentId: choice.commentId, reviewed: choice.reviewed };
}

export interface StatusInput {
  owner: string;
  repo: string;
  pullRequest: number;
  meshFile: string;
  /** The status markdown (`renderApplyStatus`), already escaped. */
  status: string;
  trustedAuthors?: readonly string[];
  limit?: number;
}

/**
 * Put the status at the top of meshgov's sticky plan comment (replacing an earlier status); when the pull request
 * has no such comment, post one that holds only the status.
 */
export interface StatusPosted {
  action: 'created' | 'updated' | 'unchanged';
  id: number;
  url: string;
}

export async function postApplyStatus(gh: GitHubConnection, input: StatusInput): Promise<StatusPosted> {
  const { client, token } = gh;
  const { owner, repo, pullRequest } = input;
  const marker = markerFor('plan', input.meshFile);
  const trusted = input.trustedAuthors ?? [ACTIONS_BOT];
  const comments = await callGitHub(token, 'GET /repos/{owner}/{repo}/issues/{issue_number}/comments', () =>
    client.paginate(client.rest.issues.listComments, { owner, repo, issue_number: pullRequest, per_page: 100 }),
  );
  const sticky = comments
    .filter((c) => c.user?.login !== undefined && trusted.includes(c.user.login))
    .filter((c) => (c.body ?? '').split(/\r?\n/)[0] === marker)
    .sort((a, b) => a.id - b.id)[0];
  if (sticky === undefined) {
    const body = redact(withApplyStatus(marker, input.status, input.limit), [token]);
    const created = await callGitHub(token, 'POST /repos/{owner}/{repo}/issues/{issue_number}/comments', () =>
      client.rest.issues.createComment({ owner, repo, issue_number: pullRequest, body }),
    );
    return { action: 'created', id: created.data.id, url: created.data.html_url };
  }
  const body = redact(withApplyStatus(sticky.body ?? marker, input.status, input.limit), [token]);
  if (body === sticky.body) return { action: 'unchanged', id: sticky.id, url: sticky.html_url };
  const updated = await callGitHub(token, 'PATCH /repos/{owner}/{repo}/issues/comments/{comment_id}', () =>
    client.rest.issues.updateComment({ owner, repo, comment_id: sticky.id, body }),
  );
  return { action: 'updated', id: updated.data.id, url: updated.data.html_url };
}

/**
 * Step outputs for later steps (`$GITHUB_OUTPUT`,
 * https://docs.github.com/en/actions/reference/workflows-and-actions/workflow-commands#setting-an-output-parameter).
 * Values are single-line by construction; a line break would let a value forge another output, so it is refused.
 */
export function appendStepOutputs(path: string, outputs: Readonly<Record<string, string>>): void {
  const lines = Object.entries(outputs).map(([k, v]) => {
    if (!/^[a-z][a-z0-9-]*$/.test(k) || /[\r\n]/.test(v)) {
      throw new Error(`step output ${JSON.stringify(k)} must be a single line`);
    }
    return `${k}=${v}\n`;
  });
  appendFileSync(path, lines.join(''), 'utf8');
}
