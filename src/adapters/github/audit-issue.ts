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
import { ACTIONS_BOT, isTrusted, postableBody } from './sticky-comment.js';
import {
  findingsLine,
  isFindingsLine,
  readFindingEntries,
  readFindingKeys,
  unixSeconds,
} from '../../output/github/audit-notify.js';

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
  /**
   * Notify watchers of findings that are new since the last run: the body remembers `keys` (hidden second line), and
   * a comment from `comment(newKeys)` is posted when keys appear that the issue did not show before.
   */
  notify?: { keys: readonly string[]; comment: (newKeys: ReadonlySet<string>) => string };
  /**
   * The report covers part of the mesh (`audit --account/--stream`, the drift-event run of docs/events.md): it says
   * nothing about the rest, so it never closes the issue nor replaces the body of an open one. New findings are
   * announced in a comment and remembered in the body's findings line (so the next full run does not announce them
   * again); a closed issue (the last full audit was clean) reopens with this report, a missing one is created.
   */
  partial?: boolean;
  /**
   * When the report was generated (the audit JSON's `generatedAt`, ISO 8601). A partial run stamps the keys it
   * records with it; a full run keeps (and does not close over) keys a drift run recorded after it, because its
   * report predates the change those keys stand for.
   */
  generatedAt?: string;
}

interface Issue {
  number: number;
  state: string;
  body?: string | null;
  title: string;
  html_url: string;
  pull_request?: unknown;
  user?: { login: string } | null;
}

/**
 * Keys of findings the issue did not show before. A full run announces nothing when the body remembers no keys
 * (written before notifications); a partial run treats a missing or edited line as empty, so every key is new:
 * otherwise a drift run on such an issue would drop its findings silently.
 */
function newKeys(current: Issue | undefined, input: AuditIssueInput): Set<string> {
  if (input.notify === undefined || current === undefined) return new Set();
  const before = readFindingKeys(current.body) ?? (input.partial === true ? new Set<string>() : undefined);
  if (before === undefined) return new Set();
  return new Set(input.notify.keys.filter((k) => !before.has(k)));
}

/**
 * Keys a drift run recorded after this (full) report was generated and that the report does not have: the report
 * predates their change, so they stay remembered and keep the issue open. Only with both stamps to compare.
 */
function pendingDriftKeys(current: Issue, input: AuditIssueInput): Map<string, number> {
  const reportAt = unixSeconds(input.generatedAt);
  const out = new Map<string, number>();
  if (input.notify === undefined || reportAt === undefined) return out;
  const have = new Set(input.notify.keys);
  for (const [k, at] of readFindingEntries(current.body) ?? [])
    if (at !== undefined && at > reportAt && !have.has(k)) out.set(k, at);
  return out;
}

function runReference(url: string | undefined): string {
  return url !== undefined && /^https?:\/\/[^\s<>()]+$/.test(url) ? ` in [this workflow run](${url})` : '';
}

/** Create, update, close or reopen the audit issue so that it reflects this run. */
export async function upsertAuditIssue(gh: GitHubConnection, input: AuditIssueInput): Promise<ReportResult> {
  const { client, token } = gh;
  const { owner, repo } = input;
  const label = input.label ?? AUDIT_LABEL;
  const reportAt = unixSeconds(input.generatedAt);
  /** The issue body for this report, remembering `extra` keys (with their stamps) after the report's own. */
  const bodyOf = (extra: ReadonlyMap<string, number> = new Map()) => {
    if (input.notify === undefined) return postableBody(input, token);
    const stamps = new Map(extra);
    if (input.partial === true && reportAt !== undefined) for (const k of input.notify.keys) stamps.set(k, reportAt);
    const line = findingsLine([...input.notify.keys, ...extra.keys()], stamps);
    return postableBody({ ...input, body: `${line}\n${input.body}` }, token);
  };
  const { body, truncated } = bodyOf();
  const title = redact(input.title, [token])
    .replace(/[\r\n]+/g, ' ')
    .slice(0, 256);

  // The issues endpoint also returns pull requests; an audit report is never one.
  const mine = (list: Issue[]) =>
    list.filter(
      (i) =>
        i.pull_request === undefined &&
        hasMarker(i.body, input.marker) &&
        isTrusted(i.user?.login, input.trustedAuthors),
    );
  let ours = mine(
    await callGitHub(token, 'GET /repos/{owner}/{repo}/issues', () =>
      client.paginate(client.rest.issues.listForRepo, { owner, repo, labels: label, state: 'all', per_page: 100 }),
    ),
  );
  // Someone removed the label: find the issue by its marker among the author's issues, rather than open a duplicate.
  let relabel = false;
  if (ours.length === 0) {
    const trusted = input.trustedAuthors ?? [ACTIONS_BOT];
    const creator = trusted.length === 1 ? { creator: trusted[0] as string } : {};
    ours = mine(
      await callGitHub(token, 'GET /repos/{owner}/{repo}/issues', () =>
        client.paginate(client.rest.issues.listForRepo, { owner, repo, state: 'all', per_page: 100, ...creator }),
      ),
    );
    relabel = ours.length > 0;
  }
  const open = ours.filter((i) => i.state === 'open').sort((a, b) => a.number - b.number)[0];
  const existing = open ?? ours.filter((i) => i.state === 'closed').sort((a, b) => b.number - a.number)[0];
  if (existing !== undefined && relabel) {
    await callGitHub(token, 'POST /repos/{owner}/{repo}/issues/{issue_number}/labels', () =>
      client.rest.issues.addLabels({ owner, repo, issue_number: existing.number, labels: [label] }),
    );
  }

  if (input.partial === true && input.clean)
    return existing === undefined
      ? { action: 'none', truncated }
      : { action: 'unchanged', id: existing.number, url: existing.html_url, truncated };
  if (existing === undefined) {
    if (input.clean) return { action: 'none', truncated };
    const created = await callGitHub(token, 'POST /repos/{owner}/{repo}/issues', () =>
      client.rest.issues.create({ owner, repo, title, body, labels: [label] }),
    );
    return { action: 'created', id: created.data.number, url: created.data.html_url, truncated };
  }
  const number = existing.number;
  const url = existing.html_url;
  const comment = (text: string): Promise<unknown> =>
    callGitHub(token, 'POST /repos/{owner}/{repo}/issues/{issue_number}/comments', () =>
      client.rest.issues.createComment({ owner, repo, issue_number: number, body: redact(text, [token]) }),
    );
  const update = (fields: { body: string; title?: string; state?: 'open' | 'closed' }): Promise<unknown> =>
    callGitHub(token, 'PATCH /repos/{owner}/{repo}/issues/{issue_number}', () =>
      client.rest.issues.update({
        owner,
        repo,
        issue_number: number,
        ...fields,
        ...(fields.state === 'closed' ? { state_reason: 'completed' as const } : {}),
      }),
    );
  // Another run (a drift run, the scheduled one) may have written since the list: act on the issue as it is now,
  // read right before writing, never on the listed copy (https://docs.github.com/en/rest/issues/issues#get-an-issue).
  const current: Issue = (
    await callGitHub(token, 'GET /repos/{owner}/{repo}/issues/{issue_number}', () =>
      client.rest.issues.get({ owner, repo, issue_number: number }),
    )
  ).data as Issue;
  const fresh = newKeys(current, input);

  if (current.state === 'open' && input.partial === true) {
    if (fresh.size === 0 || input.notify === undefined) return { action: 'unchanged', id: number, url, truncated };
    const lines = (current.body ?? '').split('\n');
    const entries = readFindingEntries(current.body) ?? new Map<string, number | undefined>();
    const stamps = new Map<string, number>();
    for (const [k, at] of entries) if (at !== undefined) stamps.set(k, at);
    if (reportAt !== undefined) for (const k of fresh) stamps.set(k, reportAt);
    const line = findingsLine([...entries.keys(), ...fresh], stamps);
    if (isFindingsLine(lines[1] ?? '')) lines[1] = line;
    else lines.splice(1, 0, line);
    await update({ body: lines.join('\n') });
    await comment(input.notify.comment(fresh));
    return { action: 'updated', id: number, url, truncated };
  }
  if (current.state === 'open') {
    const pending = pendingDriftKeys(current, input);
    const full = pending.size > 0 ? bodyOf(pending).body : body;
    if (input.clean && pending.size === 0) {
      await comment(
        `The meshgov audit is clean${runReference(input.fullReportUrl)}: closing this issue. It reopens if findings return.`,
      );
      await update({ title, body, state: 'closed' });
      return { action: 'closed', id: number, url, truncated };
    }
    if (current.body === full && current.title === title) return { action: 'unchanged', id: number, url, truncated };
    await update({ title, body: full });
    // An edited body notifies nobody: new findings get a comment, which notifies the issue's watchers.
    if (fresh.size > 0 && input.notify !== undefined) await comment(input.notify.comment(fresh));
    return { action: 'updated', id: number, url, truncated };
  }
  // Closed: stays closed while clean; reopens with the new findings.
  if (input.clean) return { action: 'unchanged', id: number, url, truncated };
  await update({ title, body, state: 'open' });
  const listed = fresh.size > 0 && input.notify !== undefined ? `\n\n${input.notify.comment(fresh)}` : '';
  await comment(
    `meshgov audit findings returned${runReference(input.fullReportUrl)}: reopening. ` +
      `The issue description shows the current report.${listed}`,
  );
  return { action: 'reopened', id: number, url, truncated };
}
