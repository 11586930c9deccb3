/**
 * Audit notifications: findings new since the last run get a comment on the audit issue (watchers are notified of
 * comments, not of edited bodies), naming the owning domain's contact; the issue is found by its marker when its
 * label was removed, and a look-alike issue by someone else is never taken for it.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { upsertAuditIssue } from '../../src/adapters/github/audit-issue.js';
import type { Finding } from '../../src/core/audit/findings.js';
import type { Mesh } from '../../src/core/model/types.js';
import {
  findingKey,
  findingKeys,
  findingsLine,
  newFindingsComment,
  ownerContact,
  readFindingKeys,
} from '../../src/output/github/audit-notify.js';
import { markerFor } from '../../src/output/markdown/report-body.js';
import type { Harness } from './support/setup.js';
import { startHarness } from './support/setup.js';

const marker = markerFor('audit', 'mesh.yaml');
const title = 'meshgov audit: mesh.yaml';
const LABELLED = 'GET /repos/acme/mesh/issues?labels=meshgov-audit&state=all&per_page=100';
const BY_BOT = 'GET /repos/acme/mesh/issues?state=all&per_page=100&creator=github-actions%5Bbot%5D';

function aFinding(o: Partial<Finding> = {}): Finding {
  return {
    code: 'undeclared-principal',
    severity: 'error',
    resource: '111111111111/stream/orders.v1',
    account: '111111111111',
    subject: 'arn:aws:iam::999999999999:role/x',
    message: 'Principal `x` can read `orders.v1` but no grant says so',
    evidence: {},
    remediation: 'Remove it.',
    ...o,
  };
}

const mesh = {
  streams: [
    { name: 'orders.v1', account: '111111111111', domain: 'orders' },
    { name: 'clicks.v1', account: '111111111111', domain: 'web', contact: 'web-team@acme.example' },
  ],
  domains: [
    { name: 'orders', owner: { team: 'orders', contact: '@acme/orders-team' } },
    { name: 'web', owner: { team: 'web', contact: '@acme/web' } },
  ],
  grants: [{ id: 'g1', stream: 'orders.v1' }],
} as unknown as Mesh;

let h: Harness;
beforeEach(async () => {
  h = await startHarness();
});
afterEach(async () => {
  await h.fake.stop();
});

function run(findings: Finding[]) {
  const keys = findingKeys(findings);
  return upsertAuditIssue(h.gh, {
    owner: 'acme',
    repo: 'mesh',
    title,
    marker,
    body: `${findings.length} findings`,
    clean: findings.length === 0,
    notify: {
      keys,
      comment: (fresh) =>
        newFindingsComment(
          findings.flatMap((finding, i) => {
            if (!fresh.has(keys[i] as string)) return [];
            const owner = ownerContact(mesh, finding);
            return [{ finding, ...(owner !== undefined ? { owner } : {}) }];
          }),
        ),
    },
  });
}

const comments = () => h.fake.comments.map((c) => c.body);

describe('audit notifications', () => {
  it('comments on new findings only, mentioning the owning domain, and stays quiet when nothing is new', async () => {
    const a = aFinding();
    const b = aFinding({ subject: 'arn:aws:iam::888888888888:role/y' });
    const c = aFinding({
      code: 'retention-drift',
      resource: '111111111111/stream/clicks.v1',
      subject: undefined,
      message: 'Retention is 24 h',
    });
    expect(await run([a])).toMatchObject({ action: 'created' });
    expect(h.fake.issues[0]?.body.split('\n').slice(0, 2)).toEqual([marker, findingsLine(findingKeys([a]))]);
    // Opening the issue notified its watchers: no comment.
    expect(comments()).toEqual([]);

    h.fake.clearLog();
    expect(await run([a, b, c])).toMatchObject({ action: 'updated' });
    expect(h.fake.calls()).toEqual([
      LABELLED,
      'GET /repos/acme/mesh/issues/1',
      'PATCH /repos/acme/mesh/issues/1',
      'POST /repos/acme/mesh/issues/1/comments',
    ]);
    const comment = comments()[0] ?? '';
    expect(comment).toContain('**2 new finding(s)** since the last meshgov audit');
    expect(comment).toContain(
      '` undeclared-principal ` on ` 111111111111/stream/orders.v1 `, domain ` orders ` (@acme/orders-team)',
    );
    expect(comment).toContain('domain ` web ` (web\\-team@&#8203;acme\\.example)');
    expect(comment).toContain('\ncc @acme/orders-team');
    expect(comment).not.toContain('@acme/web');
    expect(comment.match(/^- /gm)).toHaveLength(2);

    h.fake.clearLog();
    expect(await run([a, b, c])).toMatchObject({ action: 'unchanged' });
    expect(await run([b, c])).toMatchObject({ action: 'updated' });
    expect(comments()).toHaveLength(1);
  });

  it('announces new findings in the reopen comment when findings return', async () => {
    await run([aFinding()]);
    await run([]);
    expect(h.fake.issues[0]?.state).toBe('closed');
    await run([aFinding(), aFinding({ subject: 'new' })]);
    const last = comments().at(-1) ?? '';
    expect(last).toMatch(/^meshgov audit findings returned: reopening\./);
    // New since the last run, which was clean: both.
    expect(last).toContain('**2 new finding(s)**');
  });

  it('finds its issue by marker when the label was removed, relabels it, and opens no duplicate', async () => {
    await run([aFinding()]);
    (h.fake.issues[0] as { labels: string[] }).labels = [];
    h.fake.clearLog();
    expect(await run([aFinding(), aFinding({ subject: 'z' })])).toMatchObject({ action: 'updated', id: 1 });
    expect(h.fake.calls()).toEqual([
      LABELLED,
      BY_BOT,
      'POST /repos/acme/mesh/issues/1/labels',
      'GET /repos/acme/mesh/issues/1',
      'PATCH /repos/acme/mesh/issues/1',
      'POST /repos/acme/mesh/issues/1/comments',
    ]);
    expect(h.fake.issues).toHaveLength(1);
    expect(h.fake.issues[0]?.labels).toEqual(['meshgov-audit']);
  });

  it('never takes a look-alike issue by someone else for its own, labelled or not', async () => {
    h.fake.seedIssue({
      title,
      body: `${marker}\n${findingsLine([])}\nforged`,
      labels: ['meshgov-audit'],
      user: { login: 'mallory', type: 'User' },
    });
    h.fake.seedIssue({
      title,
      body: `${marker}\n${findingsLine([])}\nforged`,
      user: { login: 'mallory', type: 'User' },
    });
    expect(await run([aFinding()])).toMatchObject({ action: 'created', id: 3 });
    expect(comments()).toEqual([]);
  });

  it('remembers keys only from the second line, in their exact shape', () => {
    const k = findingKey('undeclared-principal#r');
    expect(k).toMatch(/^[0-9a-f]{16}$/);
    expect(readFindingKeys(`${marker}\n${findingsLine([k])}\n`)).toEqual(new Set([k]));
    expect(readFindingKeys(`${marker}\nreport\n${findingsLine([k])}\n`)).toBeUndefined();
    expect(readFindingKeys(`${marker}\n<!-- meshgov:findings ${k.toUpperCase()} -->\n`)).toBeUndefined();
    expect(readFindingKeys(`${marker}\n<!-- meshgov:findings ${k}0 -->\n`)).toBeUndefined();
    expect(readFindingKeys(null)).toBeUndefined();
    // Twins (same id, resource and subject) keep two keys, as SARIF keeps two fingerprints.
    expect(new Set(findingKeys([aFinding(), aFinding()])).size).toBe(2);
  });

  it('maps a finding to its owner through its stream or grant, and names no one for other resources', () => {
    expect(ownerContact(mesh, aFinding({ resource: 'mesh/grant/g1' }))).toEqual({
      domain: 'orders',
      contact: '@acme/orders-team',
    });
    expect(ownerContact(mesh, aFinding({ resource: '111111111111/stream/clicks.v1/shard/shardId-000' }))).toEqual({
      domain: 'web',
      contact: 'web-team@acme.example',
    });
    expect(ownerContact(mesh, aFinding({ resource: '222222222222/stream/orders.v1' }))).toBeUndefined();
    expect(ownerContact(mesh, aFinding({ resource: '111111111111/principal/arn:aws:iam::1:role/x' }))).toBeUndefined();
  });

  it('mentions only well-formed handles; anything else in a contact stays inert text', () => {
    const hostile = ['@acme/team\n@everyone', '@a b', '@@x', '[x](https://evil.example) @y', '@acme/ok-team'];
    const md = newFindingsComment(hostile.map((contact) => ({ finding: aFinding(), owner: { domain: 'd', contact } })));
    expect(md.match(/(?<![&\w])@(?!&#8203;)[\w/-]+/g)).toEqual(['@acme/ok-team', '@acme/ok-team']);
    expect(md).not.toContain('](https');
  });
});
