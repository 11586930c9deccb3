/**
 * One sticky pull-request comment per mesh file: found by its hidden marker (first line of the body), updated in
 * place, never duplicated. PR comments are issue comments in the REST API
 * (https://docs.github.com/en/rest/issues/comments).
 */
import { assembleReportBody, hasMarker } from '../../output/markdown/report-body.js';
import { redact } from '../../core/redact.js';
import type { GitHubConnection } from './client.js';
import { callGitHub } from './client.js';

export interface StickyCommentInput {
  owner: string;
  repo: string;
  /** Pull request (or issue) number. */
  issueNumber: number;
  /** Hidden marker from `markerFor('plan', meshFile)`. */
  marker: string;
  /** Report markdown, already escaped by its renderer; the marker is added here. */
  body: string;
  /** Trailing line kept even when the body is truncated (e.g. `runFooter`). */
  footer?: string;
  /**
   * Only comments by these logins count as ours (default `github-actions[bot]`). Anyone can post a comment that
   * starts with the marker; without this check meshgov would edit (or fail to edit) someone else's comment.
   * An empty list trusts every author.
   */
  trustedAuthors?: readonly string[];
  /** Link to the full report (the workflow run with the plan artefact), used when the body is truncated. */
  fullReportUrl?: string;
  /** Name of the artefact holding the full report. */
  artifactName?: string;
  /** Body limit, default GitHub's 65,536 characters (tests use smaller values). */
  limit?: number;
}

export interface ReportResult {
  action: 'created' | 'updated' | 'unchanged' | 'closed' | 'reopened' | 'none';
  /** Comment id or issue number, when there is one. */
  id?: number;
  /** Web URL of the comment or issue. */
  url?: string;
  /** True when the body was cut to fit GitHub's limit. */
  truncated: boolean;
  /** Duplicate marker comments removed (healing an earlier race). */
  removedDuplicates?: number;
}

/** The default author of comments and issues made with the workflow's GITHUB_TOKEN. */
export const ACTIONS_BOT = 'github-actions[bot]';

export function isTrusted(login: string | undefined, trusted: readonly string[] | undefined): boolean {
  const list = trusted ?? [ACTIONS_BOT];
  return list.length === 0 || (login !== undefined && list.includes(login));
}

/** The marker, body, truncation note and footer as posted (comment or issue), with the token redacted. */
export function postableBody(
  input: Pick<StickyCommentInput, 'marker' | 'body' | 'footer' | 'fullReportUrl' | 'artifactName' | 'limit'>,
  token: string,
): { body: string; truncated: boolean } {
  const assembled = assembleReportBody({
    marker: input.marker,
    body: input.body,
    footer: input.footer,
    fullReportUrl: input.fullReportUrl,
    artifactName: input.artifactName,
    limit: input.limit,
  });
  return { body: redact(assembled.body, [token]), truncated: assembled.truncated };
}

/** Create or update the sticky comment. Idempotent: an unchanged body makes no write. */
export async function upsertStickyComment(gh: GitHubConnection, input: StickyCommentInput): Promise<ReportResult> {
  const { client, token } = gh;
  const { owner, repo, issueNumber } = input;
  const { body, truncated } = postableBody(input, token);

  const comments = await callGitHub(token, 'GET /repos/{owner}/{repo}/issues/{issue_number}/comments', () =>
    client.paginate(client.rest.issues.listComments, { owner, repo, issue_number: issueNumber, per_page: 100 }),
  );
  const ours = comments
    .filter((c) => hasMarker(c.body, input.marker) && isTrusted(c.user?.login, input.trustedAuthors))
    .sort((a, b) => a.id - b.id);
  const [first, ...duplicates] = ours;

  let result: ReportResult;
  if (first === undefined) {
    const created = await callGitHub(token, 'POST /repos/{owner}/{repo}/issues/{issue_number}/comments', () =>
      client.rest.issues.createComment({ owner, repo, issue_number: issueNumber, body }),
    );
    result = { action: 'created', id: created.data.id, url: created.data.html_url, truncated };
  } else if (first.body === body) {
    result = { action: 'unchanged', id: first.id, url: first.html_url, truncated };
  } else {
    const updated = await callGitHub(token, 'PATCH /repos/{owner}/{repo}/issues/comments/{comment_id}', () =>
      client.rest.issues.updateComment({ owner, repo, comment_id: first.id, body }),
    );
    result = { action: 'updated', id: updated.data.id, url: updated.data.html_url, truncated };
  }
  // Two runs racing (or an older meshgov) can leave a second marker comment: keep the oldest, remove the rest.
  for (const dup of duplicates) {
    await callGitHub(token, 'DELETE /repos/{owner}/{repo}/issues/comments/{comment_id}', () =>
      client.rest.issues.deleteComment({ owner, repo, comment_id: dup.id }),
    );
  }
  if (duplicates.length > 0) result.removedDuplicates = duplicates.length;
  return result;
}
