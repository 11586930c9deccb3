/**
 * The audit issue and a partial report (`report github --kind audit --partial`, the drift-event run of
 * docs/events.md): it never closes the issue nor replaces an open issue's body; new findings get a comment and are
 * remembered; a closed issue reopens with the report.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { upsertAuditIssue } from '../../src/adapters/github/audit-issue.js';
import { ACTIONS_BOT } from '../../src/adapters/github/sticky-comment.js';
import { markerFor } from '../../src/output/markdown/report-body.js';
import type { Harness } from './support/setup.js';
import { startHarness } from './support/setup.js';

const LIST = 'GET /repos/acme/mesh/issues?labels=meshgov-audit&state=all&per_page=100';
const marker = markerFor('audit', 'mesh.yaml');
const title = 'meshgov audit: mesh.yaml';
const BOT = { login: ACTIONS_BOT, type: 'Bot' };

let h: Harness;
beforeEach(async () => {
  h = await startHarness();
});
afterEach(async () => {
  await h.fake.stop();
});

/** A partial report: `keys` are its findings' keys, the comment lists the new ones. */
function partial(body: string, keys: string[]) {
  return upsertAuditIssue(h.gh, {
    owner: 'acme',
    repo: 'mesh',
    title,
    marker,
    body,
    clean: keys.length === 0,
    partial: true,
    notify: { keys, comment: (fresh) => `New: ${[...fresh].sort().join(', ')}` },
  });
}

// Finding keys as the issue remembers them (16 hex).
const [KA, KB, KNEW, KX] = ['a', 'b', 'c', 'd'].map((c) => c.repeat(16)) as [string, string, string, string];

/** The body a full run left: marker, the remembered keys, the report. */
const fullBody = (keys: string[], text: string) => `${marker}\n<!-- meshgov:findings ${keys.join(' ')} -->\n${text}`;

describe('upsertAuditIssue with a partial report', () => {
  it('leaves an open issue open, its report untouched: a clean scope says nothing about the rest', async () => {
    const seeded = fullBody([KA, KB], 'full report: 2 findings');
    h.fake.seedIssue({ title, body: seeded, state: 'open', labels: ['meshgov-audit'], user: BOT });
    expect(await partial('scoped: no findings', [])).toMatchObject({ action: 'unchanged', id: 1 });
    expect(h.fake.calls()).toEqual([LIST]);
    expect(h.fake.issues[0]).toMatchObject({ state: 'open', body: seeded });
  });

  it('announces only new findings in a comment and remembers them, keeping the full report', async () => {
    h.fake.seedIssue({
      title,
      body: fullBody([KA], 'full report: 1 finding'),
      state: 'open',
      labels: ['meshgov-audit'],
      user: BOT,
    });
    expect(await partial('scoped: 2 findings', [KA, KNEW])).toMatchObject({ action: 'updated', id: 1 });
    expect(h.fake.calls()).toEqual([
      LIST,
      'PATCH /repos/acme/mesh/issues/1',
      'POST /repos/acme/mesh/issues/1/comments',
    ]);
    expect(h.fake.issues[0]?.body).toBe(fullBody([KA, KNEW], 'full report: 1 finding'));
    expect((h.fake.requests[2]?.body as { body: string }).body).toBe(`New: ${KNEW}`);
    // The same event again: nothing new, nothing posted.
    h.fake.clearLog();
    expect(await partial('scoped: 2 findings', [KA, KNEW])).toMatchObject({ action: 'unchanged' });
    expect(h.fake.calls()).toEqual([LIST]);
  });

  it('reopens a closed issue with the findings (the last full audit was clean)', async () => {
    h.fake.seedIssue({
      title,
      body: fullBody([], 'No findings.'),
      state: 'closed',
      labels: ['meshgov-audit'],
      user: BOT,
    });
    expect(await partial('scoped: 1 finding', [KX])).toMatchObject({ action: 'reopened', id: 1 });
    expect(h.fake.issues[0]).toMatchObject({ state: 'open' });
    expect(h.fake.issues[0]?.body).toContain('scoped: 1 finding');
  });

  it('never closes, and creates nothing for a clean scope', async () => {
    expect(await partial('scoped: no findings', [])).toMatchObject({ action: 'none' });
    expect(h.fake.issues).toHaveLength(0);
  });
});
