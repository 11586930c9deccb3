/**
 * One audit issue per mesh file: found by label and hidden marker among open and closed issues, opened when
 * findings exist, updated on each run, closed (with a comment) when the audit is clean, reopened (with a comment)
 * when findings return. REST: https://docs.github.com/en/rest/issues/issues.
 */
import { redact } from '../../core/redact.js';
import { hasMarker } from '../../output/markdown/report-body.js';
import type { GitHubConnection } from './client.js';
import { callGitHub } from './client.js';
import type { ReportResult } from './sticky-comment.js';
import { isTrusted, postableBody } from './sticky-comment.js';

/** The label that scopes the search for audit issues; only people with triage access can set labels. */
export const AUDIT_LABEL = 'meshgov-audit';

export interface AuditIssueInput {
  owner: string;
  repo: string;
  /** Issue title, e.g. `meshgov audit: mesh.yaml`; escaped-free plain text (GitHub titles are not markdown). */
  title: string;
  /** Hidden marker from `markerFor('audit', meshFile)`. */
  marker: string;
  /** Audit report markdown, already escaped by its renderer. */
  body: string;
  /** True when the audit found nothing: close the issue if it is open, create nothing otherwise. */
  clean: boolean;
  /** Label to search and set (default {@link AUDIT_LABEL}). */
  label?: string;
  /** Trailing line, e.g. `runFooter(...)`. */
  footer?: string;
  /** Authors whose issues count as ours (default `github-actions[bot]`; empty list trusts everyone). */
  trustedAuthors?: readonly string[];
  /** Link to the workflow run, for the truncation note and the close/reopen comments. */
  fullReportUrl?: string;
  artifactName?: string;
  limit?: number;
}

function runReference(url: string | undefined): string {
  return url !== undefined && /^https?:\/\/[^\s<>()]+$/.test(url) ? ` in [this workflow run](${url})` : '';
}

/** Create, update, close or reopen the audit issue so that it reflects this run. */
export async function upsertAuditIssue(gh: GitHubConnection, input: AuditIssueInput): Promise<ReportResult> {
  const { client, token } = gh;
  const { owner, repo } = input;
  const label = input.label ?? AUDIT_LABEL;
  const { body, truncated } = postableBody(input, token);
  const title = redact(input.title, [token]).replace(/[\r\n]+/g, ' ').slice(0, 256);

  const issues = await callGitHub(token, 'GET /repos/{owner}/{repo}/issues', () =>
    client.paginate(client.rest.issues.listForRepo, { owner, repo, labels: label, state: 'all', per_page: 100 }),
  );
  // The issues endpoint also returns pull requests; an audit report is never one.
  const ours = issues.filter((i) => i.pull_request === undefined && hasMarker(i.body, input.marker) && isTrusted(i.user?.login, input.trustedAuthors));
  const open = ours.filter((i) => i.state === 'open').sort((a, b) => a.number - b.number)[0];
  const existing = open ?? ours.filter((i) => i.state === 'closed').sort((a, b) => b.number - a.number)[0];

  if (existing === undefined) {
    if (input.clean) return { action: 'none', truncated };
    const created = await callGitHub(token, 'POST /repos/{owner}/{repo}/issues', () => client.rest.issues.create({ owner, repo, title, body, labels: [label] }));
    return { action: 'created', id: created.data.number, url: created.data.html_url, truncated };
  }
  const number = existing.number;
  const url = existing.html_url;
  const comment = (text: string): Promise<unknown> =>
    callGitHub(token, 'POST /repos/{owner}/{repo}/issues/{issue_number}/comments', () => client.rest.issues.createComment({ owner, repo, issue_number: number, body: redact(text, [token]) }));

  if (existing.state === 'open') {
    if (input.clean) {
      await comment(`The meshgov audit is clean${runReference(input.fullReportUrl)}: closing this issue. It reopens if findings return.`);
      await callGitHub(token, 'PATCH /repos/{owner}/{repo}/issues/{issue_number}', () =>
        client.rest.issues.update({ owner, repo, issue_number: number, title, body, state: 'closed', state_reason: 'completed' }),
      );
      return { action: 'closed', id: number, url, truncated };
    }
    if (existing.body === body && existing.title === title) return { action: 'unchanged', id: number, url, truncated };
    await callGitHub(token, 'PATCH /repos/{owner}/{repo}/issues/{issue_number}', () => client.rest.issues.update({ owner, repo, issue_number: number, title, body }));
    return { action: 'updated', id: number, url, truncated };
  }
  // Closed: stays closed while clean; reopens with the new findings.
  if (input.clean) return { action: 'unchanged', id: number, url, truncated };
  await callGitHub(token, 'PATCH /repos/{owner}/{repo}/issues/{issue_number}', () =>
    client.rest.issues.update({ owner, repo, issue_number: number, title, body, state: 'open' }),
  );
  await comment(`meshgov audit findings returned${runReference(input.fullReportUrl)}: reopening. The issue description shows the current report.`);
  return { action: 'reopened', id: number, url, truncated };
}
