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

/** A report (partial unless `full`): `keys` are its findings' keys, the comment lists the new ones. */
function partial(body: string, keys: string[], opts: { full?: boolean; generatedAt?: string } = {}) {
  return upsertAuditIssue(h.gh, {
    owner: 'acme',
    repo: 'mesh',
    title,
    marker,
    body,
    clean: keys.length === 0,
    ...(opts.full === true ? {} : { partial: true }),
    ...(opts.generatedAt !== undefined ? { generatedAt: opts.generatedAt } : {}),
    notify: { keys, comment: (fresh) => `New: ${[...fresh].sort().join(', ')}` },
  });
}
const GET = 'GET /repos/acme/mesh/issues/1';
const PATCH = 'PATCH /repos/acme/mesh/issues/1';
const COMMENT = 'POST /repos/acme/mesh/issues/1/comments';
const commentsPosted = () =>
  h.fake.requests
    .filter((r) => r.method === 'POST' && r.path.endsWith('/comments'))
    .map((r) => (r.body as { body: string }).body);

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
    expect(h.fake.calls()).toEqual([LIST, GET, PATCH, COMMENT]);
    expect(h.fake.issues[0]?.body).toBe(fullBody([KA, KNEW], 'full report: 1 finding'));
    expect((h.fake.requests[3]?.body as { body: string }).body).toBe(`New: ${KNEW}`);
    // The same event again: nothing new, nothing posted.
    h.fake.clearLog();
    expect(await partial('scoped: 2 findings', [KA, KNEW])).toMatchObject({ action: 'unchanged' });
    expect(h.fake.calls()).toEqual([LIST, GET]);
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

  it('treats an issue without a findings line (old or edited body) as remembering nothing: all keys new', async () => {
    h.fake.seedIssue({
      title,
      body: `${marker}\nreport edited by hand`,
      state: 'open',
      labels: ['meshgov-audit'],
      user: BOT,
    });
    expect(await partial('scoped: 2 findings', [KA, KNEW])).toMatchObject({ action: 'updated', id: 1 });
    expect(commentsPosted()).toEqual([`New: ${KA}, ${KNEW}`]);
    expect(h.fake.issues[0]?.body).toBe(fullBody([KA, KNEW], 'report edited by hand'));
  });

  it('acts on the issue as it is right before writing: keeps what another run wrote after the list', async () => {
    h.fake.seedIssue({
      title,
      body: fullBody([KA], 'full report: 1 finding'),
      state: 'open',
      labels: ['meshgov-audit'],
      user: BOT,
    });
    // Another drift run records KB and the scheduled run rewrites the report between our list and our write.
    h.fake.afterIssueList = () => {
      const issue = h.fake.issues[0];
      if (issue !== undefined) issue.body = fullBody([KA, KB], 'newer full report');
    };
    expect(await partial('scoped', [KB, KNEW])).toMatchObject({ action: 'updated' });
    expect(h.fake.issues[0]?.body).toBe(fullBody([KA, KB, KNEW], 'newer full report'));
    expect(commentsPosted()).toEqual([`New: ${KNEW}`]);
  });

  it('reopens, never only comments, when the issue was closed after the list', async () => {
    h.fake.seedIssue({
      title,
      body: fullBody([KA], 'full report'),
      state: 'open',
      labels: ['meshgov-audit'],
      user: BOT,
    });
    h.fake.afterIssueList = () => {
      const issue = h.fake.issues[0];
      if (issue !== undefined) Object.assign(issue, { state: 'closed', body: fullBody([], 'No findings.') });
    };
    expect(await partial('scoped: 1 finding', [KA])).toMatchObject({ action: 'reopened' });
    expect(h.fake.issues[0]).toMatchObject({ state: 'open' });
    expect(h.fake.issues[0]?.body).toContain('scoped: 1 finding');
    expect(h.fake.calls()).toEqual([LIST, GET, PATCH, COMMENT]);
  });

  it('stamps the keys it records with its report time', async () => {
    h.fake.seedIssue({ title, body: fullBody([KA], 'full'), state: 'open', labels: ['meshgov-audit'], user: BOT });
    await partial('scoped', [KNEW], { generatedAt: '2026-11-30T10:00:00.000Z' });
    expect(h.fake.issues[0]?.body.split('\n')[1]).toBe(`<!-- meshgov:findings ${KA} ${KNEW}@1796032800 -->`);
  });
});

describe('a full run after a drift run', () => {
  // The drift run recorded KX at 10:00; the full run's report was generated before (09:50) or after (10:10).
  const seeded = () =>
    h.fake.seedIssue({
      title,
      body: `${marker}\n<!-- meshgov:findings ${KA} ${KX}@1796032800 -->\nfull report`,
      state: 'open',
      labels: ['meshgov-audit'],
      user: BOT,
    });

  it('does not close the issue over a key recorded after its report was generated', async () => {
    seeded();
    expect(await partial('No findings.', [], { full: true, generatedAt: '2026-11-30T09:50:00Z' })).toMatchObject({
      action: 'updated',
    });
    expect(h.fake.issues[0]?.state).toBe('open');
    expect(h.fake.issues[0]?.body.split('\n')[1]).toBe(`<!-- meshgov:findings ${KX}@1796032800 -->`);
  });

  it('keeps such a key next to its own findings', async () => {
    seeded();
    await partial('1 finding', [KB], { full: true, generatedAt: '2026-11-30T09:50:00Z' });
    expect(h.fake.issues[0]?.body.split('\n')[1]).toBe(`<!-- meshgov:findings ${KB} ${KX}@1796032800 -->`);
  });

  it('closes the issue and drops the key when its report is newer than the drift run', async () => {
    seeded();
    expect(await partial('No findings.', [], { full: true, generatedAt: '2026-11-30T10:10:00Z' })).toMatchObject({
      action: 'closed',
    });
    expect(h.fake.issues[0]?.body.split('\n')[1]).toBe('<!-- meshgov:findings -->');
  });
});

describe('a full memory of findings (MAX_REMEMBERED keys)', () => {
  it('announces a new finding once, then remembers it', async () => {
    const old = Array.from({ length: 2000 }, (_, i) => i.toString(16).padStart(16, '0'));
    h.fake.seedIssue({ title, body: fullBody(old, 'full'), state: 'open', labels: ['meshgov-audit'], user: BOT });
    expect(await partial('scoped', [KNEW])).toMatchObject({ action: 'updated' });
    expect(commentsPosted()).toEqual([`New: ${KNEW}`]);
    h.fake.clearLog();
    expect(await partial('scoped', [KNEW])).toMatchObject({ action: 'unchanged' });
    expect(commentsPosted()).toEqual([]);
  });
});
