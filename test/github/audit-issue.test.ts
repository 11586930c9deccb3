import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { upsertAuditIssue } from '../../src/adapters/github/audit-issue.js';
import type { AuditIssueInput } from '../../src/adapters/github/audit-issue.js';
import { ACTIONS_BOT } from '../../src/adapters/github/sticky-comment.js';
import { markerFor } from '../../src/output/markdown/report-body.js';
import type { Harness } from './support/setup.js';
import { startHarness, TOKEN } from './support/setup.js';

const LIST = 'GET /repos/acme/mesh/issues?labels=meshgov-audit&state=all&per_page=100';
/** When no labelled issue is ours, the bot's issues are searched by marker (the label may have been removed). */
const BY_BOT = 'GET /repos/acme/mesh/issues?state=all&per_page=100&creator=github-actions%5Bbot%5D';
const marker = markerFor('audit', 'mesh.yaml');
const title = 'meshgov audit: mesh.yaml';
const runUrl = 'https://github.com/acme/mesh/actions/runs/9';

let h: Harness;
beforeEach(async () => {
  h = await startHarness();
});
afterEach(async () => {
  await h.fake.stop();
  for (const url of h.seen) expect(url.startsWith(h.fake.baseUrl + '/')).toBe(true);
  for (const r of h.fake.requests) expect(r.authorization).toBe(`token ${TOKEN}`);
});

function audit(body: string, clean: boolean, extra: Partial<AuditIssueInput> = {}) {
  return upsertAuditIssue(h.gh, {
    owner: 'acme',
    repo: 'mesh',
    title,
    marker,
    body,
    clean,
    fullReportUrl: runUrl,
    ...extra,
  });
}

const GET1 = 'GET /repos/acme/mesh/issues/1';

describe('upsertAuditIssue', () => {
  it('opens, updates, closes when clean, stays closed, and reopens when findings return', async () => {
    const opened = await audit('2 findings', false);
    expect(opened).toMatchObject({ action: 'created', id: 1 });
    expect(h.fake.calls()).toEqual([LIST, BY_BOT, 'POST /repos/acme/mesh/issues']);
    expect(h.fake.requests[2]?.body).toEqual({ title, body: `${marker}\n2 findings`, labels: ['meshgov-audit'] });

    h.fake.clearLog();
    expect(await audit('3 findings', false)).toMatchObject({ action: 'updated', id: 1 });
    expect(h.fake.calls()).toEqual([LIST, GET1, 'PATCH /repos/acme/mesh/issues/1']);
    expect(h.fake.requests[2]?.body).toEqual({ title, body: `${marker}\n3 findings` });

    h.fake.clearLog();
    expect(await audit('3 findings', false)).toMatchObject({ action: 'unchanged', id: 1 });
    expect(h.fake.calls()).toEqual([LIST, GET1]);

    h.fake.clearLog();
    expect(await audit('No findings.', true)).toMatchObject({ action: 'closed', id: 1 });
    expect(h.fake.calls()).toEqual([
      LIST,
      GET1,
      'POST /repos/acme/mesh/issues/1/comments',
      'PATCH /repos/acme/mesh/issues/1',
    ]);
    expect(h.fake.requests[2]?.body).toEqual({
      body: `The meshgov audit is clean in [this workflow run](${runUrl}): closing this issue. It reopens if findings return.`,
    });
    expect(h.fake.requests[3]?.body).toEqual({
      title,
      body: `${marker}\nNo findings.`,
      state: 'closed',
      state_reason: 'completed',
    });
    expect(h.fake.issues[0]).toMatchObject({ state: 'closed', state_reason: 'completed' });

    h.fake.clearLog();
    expect(await audit('No findings.', true)).toMatchObject({ action: 'unchanged', id: 1 });
    expect(h.fake.calls()).toEqual([LIST, GET1]);

    h.fake.clearLog();
    expect(await audit('1 finding', false)).toMatchObject({ action: 'reopened', id: 1 });
    expect(h.fake.calls()).toEqual([
      LIST,
      GET1,
      'PATCH /repos/acme/mesh/issues/1',
      'POST /repos/acme/mesh/issues/1/comments',
    ]);
    expect(h.fake.requests[2]?.body).toEqual({ title, body: `${marker}\n1 finding`, state: 'open' });
    expect((h.fake.requests[3]?.body as { body: string }).body).toContain('reopening');

    expect(h.fake.issues).toHaveLength(1);
    expect(h.fake.issues[0]).toMatchObject({ state: 'open', body: `${marker}\n1 finding` });
  });

  it('creates nothing when the first audit is clean', async () => {
    expect(await audit('No findings.', true)).toMatchObject({ action: 'none' });
    expect(h.fake.calls()).toEqual([LIST, BY_BOT]);
    expect(h.fake.issues).toHaveLength(0);
  });

  it('finds its issue on the second page, ignoring pull requests, other authors and other meshes', async () => {
    const ours = h.fake.seedIssue({
      title,
      body: `${marker}\nold`,
      labels: ['meshgov-audit'],
      user: { login: ACTIONS_BOT, type: 'Bot' },
    });
    h.fake.seedIssue({
      title: 'forged',
      body: `${marker}\nforged`,
      labels: ['meshgov-audit'],
      user: { login: 'mallory', type: 'User' },
    });
    h.fake.seedIssue({
      title: 'a PR',
      body: `${marker}\npr`,
      labels: ['meshgov-audit'],
      user: { login: ACTIONS_BOT, type: 'Bot' },
      pull_request: { url: 'x' },
    });
    h.fake.seedIssue({
      title: 'eu',
      body: `${markerFor('audit', 'eu.yaml')}\neu`,
      labels: ['meshgov-audit'],
      user: { login: ACTIONS_BOT, type: 'Bot' },
    });
    for (let i = 0; i < 100; i++) h.fake.seedIssue({ title: `other ${i}`, body: 'x', labels: ['meshgov-audit'] });
    const result = await audit('new findings', false);
    expect(result).toMatchObject({ action: 'updated', id: ours.number });
    expect(h.fake.calls()).toEqual([
      LIST,
      `${LIST}&page=2`,
      `GET /repos/acme/mesh/issues/${ours.number}`,
      `PATCH /repos/acme/mesh/issues/${ours.number}`,
    ]);
    expect(h.fake.issues.find((i) => i.title === 'forged')?.body).toBe(`${marker}\nforged`);
  });

  it('prefers the open issue over older closed ones', async () => {
    h.fake.seedIssue({
      title,
      body: `${marker}\nold`,
      state: 'closed',
      labels: ['meshgov-audit'],
      user: { login: ACTIONS_BOT, type: 'Bot' },
    });
    const open = h.fake.seedIssue({
      title,
      body: `${marker}\ncurrent`,
      labels: ['meshgov-audit'],
      user: { login: ACTIONS_BOT, type: 'Bot' },
    });
    expect(await audit('newer', false)).toMatchObject({ action: 'updated', id: open.number });
  });
});
