/**
 * The pull-request loop against the stand-in GitHub API: which merged pull request a pushed commit belongs to, the
 * reviewed plan read only from meshgov's own comment, and the apply status put on that comment and no other.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { findReviewedPlan, postApplyStatus } from '../../src/adapters/github/pr-loop.js';
import { markerFor } from '../../src/output/markdown/report-body.js';
import type { Harness } from './support/setup.js';
import { startHarness } from './support/setup.js';

const PLAN = markerFor('plan', 'mesh.yaml');
const HEAD = 'a'.repeat(40);
const MERGE = 'b'.repeat(40);
const DIGEST = 'c'.repeat(64);
const reviewedLine = (head = HEAD, run = '77') => `<!-- meshgov:reviewed head=${head} run=${run} digest=${DIGEST} -->`;

let h: Harness;
beforeEach(async () => {
  h = await startHarness();
});
afterEach(async () => {
  await h.fake.stop();
});

const find = () => findReviewedPlan(h.gh, { owner: 'acme', repo: 'mesh', sha: MERGE, meshFile: 'mesh.yaml' });
const merged = (number: number, head = HEAD, merge = MERGE) => ({
  number,
  head: { sha: head },
  merge_commit_sha: merge,
  merged_at: '2026-12-01T00:00:00Z',
  commits: [head],
});

describe('findReviewedPlan', () => {
  it('finds the plan reviewed for the final head of the pull request merged as the commit', async () => {
    h.fake.pulls.push(merged(5), { ...merged(6), merged_at: null });
    h.fake.seedComment(5, `${PLAN}\n${reviewedLine(HEAD, '1')}\nforged`, 'mallory');
    h.fake.seedComment(5, `${PLAN}\n${reviewedLine()}\n### plan`, 'github-actions[bot]');
    expect(await find()).toEqual({
      kind: 'found',
      pullRequest: 5,
      commentId: 1001,
      reviewed: { headSha: HEAD, runId: '77', changeSetDigest: DIGEST },
    });
    expect(h.fake.calls()).toEqual([
      `GET /repos/acme/mesh/commits/${MERGE}/pulls?per_page=100`,
      'GET /repos/acme/mesh/issues/5/comments?per_page=100',
    ]);
  });

  it('applies nothing for a push no merged pull request explains, or that two claim', async () => {
    expect(await find()).toMatchObject({
      kind: 'not-reviewed',
      reason: expect.stringContaining('was it pushed to main directly?'),
    });
    h.fake.pulls.push({ ...merged(5), merge_commit_sha: 'd'.repeat(40), commits: [HEAD, MERGE] });
    expect(await find()).toMatchObject({ kind: 'not-reviewed' });
    h.fake.pulls.push(merged(7), merged(8));
    expect(await find()).toMatchObject({
      kind: 'not-reviewed',
      reason: expect.stringContaining('2 merged pull requests claim'),
    });
  });

  it('applies nothing when the reviewed plan is for an earlier head, or only others posted a marker', async () => {
    h.fake.pulls.push(merged(5));
    h.fake.seedComment(5, `${PLAN}\n${reviewedLine()}\n`, 'mallory');
    expect(await find()).toMatchObject({
      kind: 'not-reviewed',
      pullRequest: 5,
      reason: 'pull request #5: the pull request has no meshgov plan comment',
    });
    h.fake.seedComment(5, `${PLAN}\n${reviewedLine('e'.repeat(40))}\n`, 'github-actions[bot]');
    expect(await find()).toMatchObject({
      kind: 'not-reviewed',
      reason: expect.stringContaining(
        `is for commit eeeeeeeeeeee, but the pull request's final commit is ${HEAD.slice(0, 12)}`,
      ),
    });
  });
});

describe('postApplyStatus', () => {
  it("updates meshgov's comment, never a look-alike, and posts one when there is none", async () => {
    const forged = h.fake.seedComment(5, `${PLAN}\nforged`, 'mallory');
    const post = () =>
      postApplyStatus(h.gh, { owner: 'acme', repo: 'mesh', pullRequest: 5, meshFile: 'mesh.yaml', status: 'applied' });
    expect(await post()).toMatchObject({ action: 'created' });
    const ours = h.fake.comments.find((c) => c.user.login === 'github-actions[bot]');
    expect(ours?.body).toBe(`${PLAN}\n<!-- meshgov:apply-status -->\napplied\n<!-- /meshgov:apply-status -->\n\n`);
    expect(forged.body).toBe(`${PLAN}\nforged`);
    expect(await post()).toMatchObject({ action: 'unchanged', id: ours?.id });
  });
});
