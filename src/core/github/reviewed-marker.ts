/**
 * The reviewed-plan marker: a hidden second line of meshgov's sticky plan comment that binds what the reviewers saw
 * to one commit and one saved plan:
 * `<!-- meshgov:reviewed head=<PR head sha> run=<run id> digest=<changeSetDigest> -->`.
 * On merge, apply reads it (only from meshgov's own comment), checks the head is the PR's final head, downloads the
 * plan artefact of that run and applies only when the change set it computes equals `digest` (change-set.ts).
 *
 * Everything read here comes from the GitHub API and is hostile: anybody can comment on a pull request, and a
 * comment can quote a marker. So the marker counts only in a comment by a trusted author whose first line is the plan
 * marker, only as its second line, only when it is the only `meshgov:reviewed` text in the body, and only when every
 * field has its exact shape. Anything else is "no reviewed plan", never a guess.
 */

/** What the plan job recorded when it posted the plan comment. */
export interface ReviewedPlan {
  /** The pull request's head commit the plan was made for (40 lower-case hex: a full SHA-1). */
  headSha: string;
  /** The workflow run that made the plan and uploaded its artefact (decimal digits). */
  runId: string;
  /** The saved plan's `changeSetDigest` (64 lower-case hex: sha256). */
  changeSetDigest: string;
}

/** The result of reading a comment body: found, absent, or present but not trustworthy (with why). */
export type MarkerReading =
  { kind: 'found'; reviewed: ReviewedPlan } | { kind: 'none' } | { kind: 'invalid'; problem: string };

const TAG = 'meshgov:reviewed';
const HEAD = /^[0-9a-f]{40}$/;
const RUN = /^[1-9][0-9]{0,19}$/;
const DIGEST = /^[0-9a-f]{64}$/;
const LINE = /^<!-- meshgov:reviewed head=([^ ]*) run=([^ ]*) digest=([^ ]*) -->$/;

/** Why a value cannot go into a marker, or undefined when it can. */
export function reviewedPlanProblem(r: ReviewedPlan): string | undefined {
  const shown = (s: string) => JSON.stringify(s.slice(0, 80));
  if (!HEAD.test(r.headSha)) return `head ${shown(r.headSha)} is not a full commit SHA (40 lower-case hex)`;
  if (!RUN.test(r.runId)) return `run ${shown(r.runId)} is not a workflow run id`;
  if (!DIGEST.test(r.changeSetDigest)) return `digest ${shown(r.changeSetDigest)} is not a sha256 (64 lower-case hex)`;
  return undefined;
}

/** The marker line; throws on a value of the wrong shape (a caller bug: the values come from the run and the plan). */
export function formatReviewedMarker(r: ReviewedPlan): string {
  const problem = reviewedPlanProblem(r);
  if (problem !== undefined) throw new Error(`cannot write a reviewed-plan marker: ${problem}`);
  return `<!-- ${TAG} head=${r.headSha} run=${r.runId} digest=${r.changeSetDigest} -->`;
}

function lines(body: string): string[] {
  return body.split(/\r?\n/);
}

/**
 * Read the marker from the body of a comment already known to be meshgov's plan comment for this mesh file
 * (`planMarker` on its first line). The marker must be the second line and the only occurrence of its tag.
 */
export function readReviewedMarker(body: string, planMarker: string): MarkerReading {
  const all = lines(body);
  if (all[0] !== planMarker) return { kind: 'invalid', problem: 'the comment does not start with the plan marker' };
  const count = body.split(TAG).length - 1;
  if (count === 0) return { kind: 'none' };
  if (count > 1) {
    return { kind: 'invalid', problem: `the comment holds ${count} reviewed-plan markers, so none is trusted` };
  }
  const m = LINE.exec(all[1] ?? '');
  if (m === null) {
    return { kind: 'invalid', problem: 'the reviewed-plan marker is not the second line, or is malformed' };
  }
  const reviewed: ReviewedPlan = { headSha: m[1] as string, runId: m[2] as string, changeSetDigest: m[3] as string };
  const problem = reviewedPlanProblem(reviewed);
  if (problem !== undefined) return { kind: 'invalid', problem: `the reviewed-plan marker is malformed: ${problem}` };
  return { kind: 'found', reviewed };
}

/** A pull-request comment as the API gives it, reduced to what the choice needs. */
export interface CommentView {
  id: number;
  body: string | null | undefined;
  /** Login of the author (`github-actions[bot]` for comments made with a workflow's GITHUB_TOKEN). */
  author: string | undefined;
}

export type ReviewedChoice =
  | { kind: 'found'; commentId: number; reviewed: ReviewedPlan }
  | { kind: 'none'; reason: string }
  | { kind: 'invalid'; commentId: number; reason: string };

/**
 * Choose the reviewed plan among a pull request's comments: meshgov's sticky plan comment is the oldest comment by a
 * trusted author whose first line is `planMarker` (as `upsertStickyComment` keeps it); comments by anyone else are
 * ignored whatever they contain.
 */
export function chooseReviewedPlan(
  comments: readonly CommentView[],
  planMarker: string,
  trustedAuthors: readonly string[],
): ReviewedChoice {
  const ours = comments
    .filter((c) => c.author !== undefined && trustedAuthors.includes(c.author))
    .filter((c) => typeof c.body === 'string' && lines(c.body)[0] === planMarker)
    .sort((a, b) => a.id - b.id);
  const sticky = ours[0];
  if (sticky === undefined) return { kind: 'none', reason: 'the pull request has no meshgov plan comment' };
  const reading = readReviewedMarker(sticky.body as string, planMarker);
  if (reading.kind === 'found') return { kind: 'found', commentId: sticky.id, reviewed: reading.reviewed };
  if (reading.kind === 'none') {
    const reason = 'the last plan of the pull request did not succeed, so it records no reviewed plan';
    return { kind: 'none', reason };
  }
  return { kind: 'invalid', commentId: sticky.id, reason: reading.problem };
}
