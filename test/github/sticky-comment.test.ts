import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ACTIONS_BOT, upsertStickyComment } from '../../src/adapters/github/sticky-comment.js';
import { GITHUB_BODY_LIMIT, markerFor, runFooter } from '../../src/output/markdown/report-body.js';
import type { Harness } from './support/setup.js';
import { startHarness, TOKEN } from './support/setup.js';

const LIST = 'GET /repos/acme/mesh/issues/7/comments?per_page=100';
const CREATE = 'POST /repos/acme/mesh/issues/7/comments';
const marker = markerFor('plan', 'mesh.yaml');

let h: Harness;
beforeEach(async () => {
  h = await startHarness();
});
afterEach(async () => {
  await h.fake.stop();
  // Octokit never reached anything but the local server.
  expect(h.seen.length).toBeGreaterThan(0);
  for (const url of h.seen) expect(url.startsWith(h.fake.baseUrl + '/')).toBe(true);
  // The token went only into the Authorization header, never into a body.
  for (const r of h.fake.requests) {
    expect(r.authorization).toBe(`token ${TOKEN}`);
    expect(JSON.stringify(r.body ?? '')).not.toContain(TOKEN);
  }
});

function post(body: string, run: string) {
  return upsertStickyComment(h.gh, {
    owner: 'acme',
    repo: 'mesh',
    issueNumber: 7,
    marker,
    body,
    footer: runFooter({ runId: run, url: `https://github.com/acme/mesh/actions/runs/${run}` }),
  });
}

describe('upsertStickyComment', () => {
  it('creates the comment once, then updates it in place on every run, and skips identical bodies', async () => {
    const first = await post('## Plan\n\n1 change', '101');
    expect(first.action).toBe('created');
    expect(h.fake.calls()).toEqual([LIST, CREATE]);
    expect(h.fake.requests[1]?.body).toEqual({
      body: `${marker}\n## Plan\n\n1 change\n\n<sub>meshgov · run [101](https://github.com/acme/mesh/actions/runs/101)</sub>`,
    });
    const id = first.id as number;

    h.fake.clearLog();
    const second = await post('## Plan\n\n2 changes', '102');
    expect(second).toMatchObject({ action: 'updated', id });
    expect(h.fake.calls()).toEqual([LIST, `PATCH /repos/acme/mesh/issues/comments/${id}`]);
    expect(h.fake.requests[1]?.body).toEqual({
      body: `${marker}\n## Plan\n\n2 changes\n\n<sub>meshgov · run [102](https://github.com/acme/mesh/actions/runs/102)</sub>`,
    });

    // The PR gets a new commit: a different plan, the same comment.
    h.fake.clearLog();
    const third = await post('## Plan\n\n2 changes, 1 destructive', '103');
    expect(third).toMatchObject({ action: 'updated', id });
    expect(h.fake.calls()).toEqual([LIST, `PATCH /repos/acme/mesh/issues/comments/${id}`]);

    h.fake.clearLog();
    const rerun = await post('## Plan\n\n2 changes, 1 destructive', '103');
    expect(rerun).toMatchObject({ action: 'unchanged', id });
    expect(h.fake.calls()).toEqual([LIST]);

    expect(h.fake.comments).toHaveLength(1);
    expect(h.fake.comments[0]?.body).toContain('1 destructive');
  });

  it('finds its comment on the second page of comments', async () => {
    for (let i = 0; i < 100; i++) h.fake.seedComment(7, `chatter ${i}`, `user${i}`);
    const ours = h.fake.seedComment(7, `${marker}\nold plan`, ACTIONS_BOT);
    for (let i = 0; i < 5; i++) h.fake.seedComment(7, `more ${i}`);
    const result = await post('new plan', '104');
    expect(result).toMatchObject({ action: 'updated', id: ours.id });
    expect(h.fake.calls()).toEqual([LIST, `${LIST}&page=2`, `PATCH /repos/acme/mesh/issues/comments/${ours.id}`]);
    expect(h.fake.comments).toHaveLength(106);
  });

  it('keeps one comment per mesh file', async () => {
    const a = await post('plan a', '1');
    const b = await upsertStickyComment(h.gh, {
      owner: 'acme',
      repo: 'mesh',
      issueNumber: 7,
      marker: markerFor('plan', 'meshes/eu.yaml'),
      body: 'plan b',
    });
    expect([a.action, b.action]).toEqual(['created', 'created']);
    const a2 = await post('plan a2', '2');
    expect(a2).toMatchObject({ action: 'updated', id: a.id });
    expect(h.fake.comments.map((c) => c.body.split('\n')[0])).toEqual([marker, '<!-- meshgov:plan:meshes/eu.yaml -->']);
  });

  it('ignores a forged marker from another author or in the middle of a body', async () => {
    const forged = h.fake.seedComment(7, `${marker}\nI am the plan now`, 'mallory');
    const quoted = h.fake.seedComment(7, `${markerFor('plan', 'other.yaml')}\nstream \`${marker}\``, ACTIONS_BOT);
    const result = await post('real plan', '105');
    expect(result.action).toBe('created');
    expect(h.fake.calls()).toEqual([LIST, CREATE]);
    expect(h.fake.comments.find((c) => c.id === forged.id)?.body).toBe(`${marker}\nI am the plan now`);
    expect(h.fake.comments.find((c) => c.id === quoted.id)?.body).toContain('other.yaml');
  });

  it('heals duplicates left by a race: updates the oldest, deletes the rest', async () => {
    const older = h.fake.seedComment(7, `${marker}\nplan 1`, ACTIONS_BOT);
    const newer = h.fake.seedComment(7, `${marker}\nplan 2`, ACTIONS_BOT);
    const result = await post('plan 3', '106');
    expect(result).toMatchObject({ action: 'updated', id: older.id, removedDuplicates: 1 });
    expect(h.fake.calls()).toEqual([
      LIST,
      `PATCH /repos/acme/mesh/issues/comments/${older.id}`,
      `DELETE /repos/acme/mesh/issues/comments/${newer.id}`,
    ]);
    expect(h.fake.comments.map((c) => c.id)).toEqual([older.id]);
  });

  it('truncates an oversize plan under 65,536 characters with a note pointing at the run', async () => {
    const runUrl = 'https://github.com/acme/mesh/actions/runs/777';
    const lines = ['## Plan', '', '<details><summary>Policies</summary>', '', '```json'];
    for (let i = 0; lines.join('\n').length < 90_000; i++)
      lines.push(`{"Sid": "Grant${i}", "Effect": "Allow", "Action": "kinesis:GetRecords"}`);
    lines.push('```', '</details>');
    const body = lines.join('\n');
    const footer = runFooter({ runId: '777', url: runUrl });
    const result = await upsertStickyComment(h.gh, {
      owner: 'acme',
      repo: 'mesh',
      issueNumber: 7,
      marker,
      body,
      footer,
      fullReportUrl: runUrl,
      artifactName: 'meshgov-plan',
    });
    expect(result).toMatchObject({ action: 'created', truncated: true });
    const posted = (h.fake.requests[1]?.body as { body: string }).body;
    expect(posted.length).toBeLessThanOrEqual(GITHUB_BODY_LIMIT);
    expect(posted.length).toBeGreaterThan(GITHUB_BODY_LIMIT - 2_000);
    expect(posted.startsWith(`${marker}\n## Plan`)).toBe(true);
    expect(posted.endsWith(footer)).toBe(true);
    expect(posted).toContain('**Report truncated**');
    expect(posted).toContain(`[this workflow run](${runUrl})`);
    expect(posted).toContain('` meshgov-plan ` artefact');
    // The cut closed the open code fence and <details>, so the note renders as markdown, not as code.
    const noteAt = posted.indexOf('> [!WARNING]');
    const before = posted.slice(0, noteAt);
    expect(before.split('\n').filter((l) => l.startsWith('```'))).toHaveLength(2);
    expect(before.match(/<\/details>/g)).toHaveLength(1);
    // The plan text that was kept is a prefix of the original, cut at a line boundary.
    const kept = before.slice(`${marker}\n`.length).replace(/```\n<\/details>\n\n$/, '');
    expect(body.startsWith(kept)).toBe(true);
  });
});
