/**
 * The apply status a pull request gets after merge ("applied at commit X: N done, M pending approval, failures"),
 * shown at the top of meshgov's sticky plan comment and in the job summary. Pure: (result, run) -> markdown.
 * Every string from a result file (change ids, messages) is escaped; the commit and run come validated.
 */
import type { ApplyResult, ResultChange } from '../../core/github/apply-result.js';
import { codeSpan, escapeMessage, escapeText } from '../markdown/escape.js';
import { GITHUB_BODY_LIMIT, truncateMarkdown } from '../markdown/report-body.js';

/** Delimiters of the status block inside the sticky comment, so the next run replaces it rather than stacking. */
export const STATUS_START = '<!-- meshgov:apply-status -->';
export const STATUS_END = '<!-- /meshgov:apply-status -->';

export interface StatusContext {
  /** The commit apply ran for (GITHUB_SHA of the push). */
  commit?: string;
  /** Link to the workflow run (its log, apply log and gated job). */
  runUrl?: string;
  /** The GitHub environment whose reviewers approve destructive changes. */
  approvalEnvironment: string;
}

/** At most this many changes are listed per group; the rest are counted. */
const LIST_LIMIT = 30;

function commitText(c: string | undefined): string {
  return c !== undefined && /^[0-9a-f]{7,64}$/i.test(c) ? codeSpan(c.slice(0, 12)) : 'the merged commit';
}

function runLink(url: string | undefined, text: string): string {
  return url !== undefined && /^https?:\/\/[^\s<>()]+$/.test(url) ? `[${text}](${url})` : text;
}

function list(title: string, items: readonly ResultChange[]): string[] {
  if (items.length === 0) return [];
  const line = (c: ResultChange) => {
    const why = c.message !== undefined ? `: ${escapeMessage(c.message)}` : '';
    return `- ${codeSpan(c.id)}${why}`;
  };
  const shown = items.slice(0, LIST_LIMIT).map(line);
  const more = items.length > LIST_LIMIT ? [`- … and ${items.length - LIST_LIMIT} more (see the run's log)`] : [];
  return ['', `**${title}** (${items.length}):`, '', ...shown, ...more];
}

/** How to approve the held-back part: the gated job of the same run waits for the environment's reviewers. */
function approvalHint(ctx: StatusContext): string {
  return (
    `To apply them, a required reviewer of the ${codeSpan(ctx.approvalEnvironment)} environment approves the ` +
    `waiting ${codeSpan('apply-destructive')} job of ${runLink(ctx.runUrl, 'this workflow run')} ` +
    '(Review deployments → Approve and deploy). It applies them only if they are still exactly the reviewed ones.'
  );
}

/** The status block (without its delimiters). */
export function renderApplyStatus(result: ApplyResult, ctx: StatusContext): string {
  const at = commitText(ctx.commit);
  if (result.kind === 'not-reviewed') {
    return [
      `### ❌ meshgov apply: nothing applied at ${at}`,
      '',
      `${escapeMessage(result.message)}.`,
      '',
      'meshgov applies only a plan reviewed on the pull request for its final commit. Run the plan workflow for the ' +
        'current main (or open a pull request) and apply what it shows.',
    ].join('\n');
  }
  const what =
    result.part === 'destructive' ? 'the approved destructive part of the reviewed plan' : 'the reviewed plan';
  if (result.kind === 'refused') {
    return [
      `### ❌ meshgov apply: nothing applied at ${at}`,
      '',
      `Apply checks that what it would do now is ${what}, and refused: ${escapeMessage(result.message)}. ` +
        'Nothing was applied.',
      ...(result.differences.length > 0 ? ['', `**What differs** (${result.differences.length}):`, ''] : []),
      ...result.differences.slice(0, LIST_LIMIT).map((d) => `- ${escapeText(d)}`),
      '',
      'Open a pull request (or re-run the plan) to review the current changes; see ' +
        `${runLink(ctx.runUrl, 'the workflow run')}.`,
    ].join('\n');
  }
  const failed = result.failed.length > 0;
  const pending = result.pendingApproval.length;
  const icon = failed ? '❌' : pending > 0 ? '⏳' : '✅';
  const counts =
    `${result.done.length} done, ${pending} pending approval, ${result.failed.length} failed` +
    (result.blocked.length > 0 ? `, ${result.blocked.length} blocked` : '') +
    (result.skipped.length > 0 ? `, ${result.skipped.length} skipped` : '');
  const title = result.part === 'destructive' ? 'approved destructive changes applied' : 'applied';
  const out = [`### ${icon} meshgov apply: ${title} at ${at}: ${counts}`];
  out.push(...list('Failed', result.failed), ...list('Pending approval', result.pendingApproval));
  out.push(...list('Blocked', result.blocked), ...list('Skipped', result.skipped));
  if (pending > 0) out.push('', approvalHint(ctx));
  if (failed) {
    out.push(
      '',
      `See ${runLink(ctx.runUrl, 'the workflow run')}: rerunning the job converges ` +
        '(every step re-reads the live state).',
    );
  }
  return out.join('\n');
}

/**
 * Put the status block into the sticky comment's body, after its hidden marker lines (the plan marker and the
 * reviewed-plan marker, which later runs read at lines 1 and 2), replacing an earlier block. The plan below is
 * shortened when the whole would exceed GitHub's limit.
 */
export function withApplyStatus(body: string, status: string, limit = GITHUB_BODY_LIMIT): string {
  const start = body.indexOf(STATUS_START);
  const end = body.indexOf(STATUS_END);
  const without =
    start >= 0 && end > start ? body.slice(0, start) + body.slice(end + STATUS_END.length).replace(/^\n+/, '') : body;
  const lines = without.split('\n');
  const head = lines.filter((l, i) => i < 2 && /^<!-- meshgov:[^>]* -->$/.test(l));
  const rest = lines.slice(head.length).join('\n');
  const block = `${STATUS_START}\n${status}\n${STATUS_END}\n`;
  const prefix = `${head.join('\n')}\n${block}\n`;
  const room = limit - prefix.length;
  if (rest.length <= room) return prefix + rest;
  const note = '*(plan shortened to make room for the apply status)*';
  return `${prefix}${truncateMarkdown(rest, Math.max(0, room - 80))}\n\n${note}`;
}
