/**
 * The review gate (which part of a reviewed plan a run may apply), the apply result file read back from disk, and
 * the apply status the pull request gets. Pure: plans and results built by hand.
 */
import { describe, expect, it } from 'vitest';
import { appliedResult, parseApplyResult } from '../../src/core/github/apply-result.js';
import { checkAgainstReviewed, pendingApprovalIds } from '../../src/core/github/review-gate.js';
import type { StepOutcome } from '../../src/core/apply/types.js';
import { changeSetDigest } from '../../src/core/plan/change-set.js';
import type { AccessChange, Change, Plan } from '../../src/core/plan/types.js';
import { renderApplyStatus, STATUS_END, STATUS_START, withApplyStatus } from '../../src/output/github/apply-status.js';
import { markerFor } from '../../src/output/markdown/report-body.js';
import { aChange } from '../apply/builders.js';
import { HOSTILE_CORPUS } from './support/hostile.js';

const lose: AccessChange = {
  principal: 'arn:aws:iam::333333333333:role/analytics',
  stream: 'orders.v1',
  account: '111111111111',
  access: 'consume',
  via: 'grant-tag',
  change: 'lose',
};
const gain: AccessChange = { ...lose, principal: 'arn:aws:iam::333333333333:role/new', change: 'gain' };

function planOf(changes: Change[], accessDiff: AccessChange[] = [], fingerprint = 'f'.repeat(64)): Plan {
  return {
    formatVersion: 1,
    mesh: 'm',
    region: 'eu-west-1',
    meshDigest: 'd'.repeat(64),
    liveFingerprint: fingerprint,
    changeSetDigest: changeSetDigest(changes, accessDiff),
    createdAt: '2026-12-01T00:00:00.000Z',
    target: 'local',
    scope: { domains: [], accounts: [] },
    changes,
    accessDiff,
    unmanaged: [],
    notChecked: [],
    warnings: [],
    summary: {
      add: 0,
      change: 0,
      destroy: 0,
      replace: 0,
      noop: 0,
      destructive: 0,
      disruptive: 0,
      accessGained: 0,
      accessLost: 0,
      unmanaged: 0,
      blocked: 0,
      hasChanges: true,
    },
  } as unknown as Plan;
}

const retention = aChange({ resourceType: 'stream-retention', stream: 'a.v1' });
const revoke = aChange({
  resourceType: 'stream-tag-revocation',
  stream: 'b.v1',
  risk: 'destructive',
  before: { tags: { x: 'allow' } },
  after: { tags: {} },
});
const afterRevoke = aChange({ resourceType: 'stream-tags', stream: 'b.v1', dependsOn: [revoke.id] });
const blocked = aChange({
  resourceType: 'stream-capacity',
  stream: 'c.v1',
  blocked: { reason: 'budget', message: 'scaling budget: spent' },
});
const reviewed = planOf([retention, revoke, afterRevoke, blocked], [lose, gain]);

describe('pendingApprovalIds', () => {
  it('holds back destructive changes and what depends on them, not blocked or safe ones', () => {
    expect([...pendingApprovalIds(reviewed.changes)].sort()).toEqual([afterRevoke.id, revoke.id].sort());
    const foreign = aChange({
      resourceType: 'iam-boundary',
      stream: undefined,
      address: '111111111111/iam/role/r/boundary',
      before: { foreignBoundary: 'arn:x' },
    });
    expect(pendingApprovalIds([foreign]).has(foreign.id)).toBe(true);
  });
});

describe('checkAgainstReviewed', () => {
  const fp = reviewed.liveFingerprint;

  it('all and safe: proceeds on the reviewed digest, refuses any other change set and names what differs', () => {
    expect(
      checkAgainstReviewed({
        reviewed,
        own: planOf(reviewed.changes, reviewed.accessDiff),
        fingerprintNow: fp,
        part: 'safe',
      }),
    ).toEqual({ ok: true });
    const drifted = planOf(
      [{ ...retention, before: { retentionHours: 72 } } as Change, revoke, afterRevoke, blocked],
      [lose, gain],
      'e'.repeat(64),
    );
    const v = checkAgainstReviewed({ reviewed, own: drifted, fingerprintNow: 'e'.repeat(64), part: 'all' });
    expect(v).toMatchObject({
      ok: false,
      reason: 'changed-since-review',
      differences: [`planned differently now: ${retention.id}`],
    });
    expect(v.ok ? '' : v.message).toMatch(
      /^the live state of the accounts in its scope changed since the plan was made/,
    );
    // The same changes without one access row: still not the reviewed change set.
    expect(
      checkAgainstReviewed({ reviewed, own: planOf(reviewed.changes, [lose]), fingerprintNow: fp, part: 'all' }).ok,
    ).toBe(false);
  });

  it('refuses a saved plan that is not the one the pull request recorded, before comparing anything', () => {
    const v = checkAgainstReviewed({
      reviewed,
      own: reviewed,
      fingerprintNow: fp,
      part: 'all',
      reviewedDigest: 'a'.repeat(64),
    });
    expect(v).toMatchObject({ ok: false, reason: 'not-the-reviewed-plan' });
    expect(
      checkAgainstReviewed({
        reviewed,
        own: reviewed,
        fingerprintNow: fp,
        part: 'all',
        reviewedDigest: reviewed.changeSetDigest,
      }).ok,
    ).toBe(true);
  });

  it('destructive: proceeds when exactly the held-back (and blocked) changes are left, with reviewed access rows only', () => {
    const left = planOf([revoke, afterRevoke, blocked], [lose], 'e'.repeat(64));
    expect(checkAgainstReviewed({ reviewed, own: left, fingerprintNow: 'e'.repeat(64), part: 'destructive' })).toEqual({
      ok: true,
    });
  });

  it.each([
    ['the safe part was not applied', planOf([retention, revoke, afterRevoke, blocked], [lose])],
    ['a revocation is gone (someone did it by hand)', planOf([afterRevoke, blocked], [])],
    [
      'the revocation now removes more',
      planOf([{ ...revoke, before: { tags: { x: 'allow', y: 'allow' } } } as Change, afterRevoke, blocked], [lose]),
    ],
    [
      'a change nobody reviewed appeared',
      planOf([revoke, afterRevoke, blocked, aChange({ resourceType: 'stream-retention', stream: 'z.v1' })], [lose]),
    ],
    [
      'an access change nobody reviewed appeared',
      planOf([revoke, afterRevoke, blocked], [lose, { ...lose, principal: 'arn:aws:iam::444444444444:role/x' }]),
    ],
  ])('destructive: refuses when %s', (_what, own) => {
    const v = checkAgainstReviewed({ reviewed, own, fingerprintNow: 'e'.repeat(64), part: 'destructive' });
    expect(v).toMatchObject({ ok: false, reason: 'changed-since-review' });
    expect(v.ok ? [] : v.differences).not.toEqual([]);
  });
});

const outcome = (
  c: Change,
  status: StepOutcome['status'],
  skipReason?: StepOutcome['skipReason'],
  message?: string,
): StepOutcome => ({
  id: c.id,
  account: c.account,
  address: c.address,
  resourceType: c.resourceType,
  action: c.action,
  status,
  ...(skipReason ? { skipReason } : {}),
  ...(message ? { message } : {}),
});

describe('apply results', () => {
  const outcomes = [
    outcome(retention, 'done'),
    outcome(revoke, 'skipped', 'destructive', 'destructive (revokes)'),
    outcome(afterRevoke, 'skipped', 'dependency', `depends on ${revoke.id}`),
    outcome(blocked, 'skipped', 'budget', 'scaling budget: spent'),
  ];

  it('sorts outcomes: held back for approval only when the run deferred them', () => {
    const r = appliedResult(outcomes, 'safe', reviewed.changeSetDigest, pendingApprovalIds(reviewed.changes));
    expect({
      done: r.done.length,
      pending: r.pendingApproval.map((c) => c.id),
      blocked: r.blocked.length,
      skipped: r.skipped.length,
    }).toEqual({ done: 1, pending: [revoke.id, afterRevoke.id], blocked: 1, skipped: 0 });
    const notDeferred = appliedResult(outcomes, 'all', reviewed.changeSetDigest, new Set());
    expect([notDeferred.pendingApproval.length, notDeferred.skipped.length]).toEqual([0, 2]);
  });

  it('reads back what apply wrote, and refuses a file that is not an apply result with the field at fault', () => {
    const r = appliedResult(outcomes, 'safe', reviewed.changeSetDigest, pendingApprovalIds(reviewed.changes));
    expect(parseApplyResult(JSON.parse(JSON.stringify(r)))).toEqual({ result: r });
    expect(parseApplyResult([])).toEqual({ problem: 'the apply result must be a JSON object' });
    expect(parseApplyResult({ ...r, formatVersion: 2 })).toEqual({ problem: 'formatVersion must be 1' });
    expect(parseApplyResult({ ...r, kind: 'done' })).toEqual({
      problem: 'kind must be applied, refused or not-reviewed',
    });
    expect(parseApplyResult({ ...r, reviewedDigest: 'x' })).toEqual({
      problem: 'reviewedDigest must be a sha256 (64 lower-case hex)',
    });
    expect(parseApplyResult({ ...r, done: [{ id: 1 }] })).toEqual({ problem: 'done[0].id must be a string' });
    expect(parseApplyResult({ ...r, failed: [{ id: 'a', extra: true }] })).toEqual({
      problem: 'failed[0] has an unknown field "extra"',
    });
    expect(parseApplyResult({ ...r, skipped: [{ id: 'a', message: 'x'.repeat(2001) }] })).toEqual({
      problem: 'skipped[0].message is longer than 2000 characters',
    });
    expect(
      parseApplyResult({
        formatVersion: 1,
        kind: 'refused',
        part: 'all',
        reviewedDigest: 'a'.repeat(64),
        message: 'm',
        differences: [1],
      }),
    ).toEqual({ problem: 'differences[0] must be a string' });
  });
});

describe('apply status on the pull request', () => {
  const ctx = {
    commit: 'abcdef0123456789abcdef0123456789abcdef01',
    runUrl: 'https://github.com/acme/mesh/actions/runs/7',
    approvalEnvironment: 'meshgov-destructive',
  };

  it('says what was applied at which commit, what waits for approval and how to approve', () => {
    const r = appliedResult(
      [outcome(retention, 'done'), outcome(revoke, 'skipped', 'destructive', 'destructive (revokes `x`)')],
      'safe',
      reviewed.changeSetDigest,
      pendingApprovalIds(reviewed.changes),
    );
    const md = renderApplyStatus(r, ctx);
    expect(md.split('\n')[0]).toBe(
      '### ⏳ meshgov apply: applied at ` abcdef012345 `: 1 done, 1 pending approval, 0 failed',
    );
    expect(md).toContain(`- \` ${revoke.id} \`: destructive \\(revokes \` x \`\\)`);
    expect(md).toContain(
      'approves the waiting ` apply-destructive ` job of [this workflow run](https://github.com/acme/mesh/actions/runs/7)',
    );
    const clean = renderApplyStatus(
      appliedResult([outcome(retention, 'done')], 'all', reviewed.changeSetDigest, new Set()),
      ctx,
    );
    expect(clean.split('\n')[0]).toBe(
      '### ✅ meshgov apply: applied at ` abcdef012345 `: 1 done, 0 pending approval, 0 failed',
    );
    expect(clean).not.toContain('approves');
  });

  it('renders hostile ids and messages inertly', () => {
    const r = {
      ...appliedResult([], 'all', reviewed.changeSetDigest, new Set()),
      failed: HOSTILE_CORPUS.map((s) => ({ id: s, message: s })),
    };
    const md = renderApplyStatus(r, { ...ctx, commit: 'not a sha <!--', runUrl: 'javascript:alert(1)' });
    expect(md).not.toMatch(/<(?!\/?code>)/);
    expect(md).not.toMatch(/@(?!&#8203;)/);
    expect(md).not.toContain('javascript:');
    expect(md).toContain('applied at the merged commit');
  });

  it('replaces an earlier status, keeps the marker lines first and the plan below, within the size limit', () => {
    const plan = markerFor('plan', 'mesh.yaml');
    const reviewedLine = `<!-- meshgov:reviewed head=${'a'.repeat(40)} run=1 digest=${'b'.repeat(64)} -->`;
    const body = `${plan}\n${reviewedLine}\n### meshgov plan\n\nrows\n`;
    const once = withApplyStatus(body, 'first');
    const twice = withApplyStatus(once, 'second');
    expect(twice).toBe(
      `${plan}\n${reviewedLine}\n${STATUS_START}\nsecond\n${STATUS_END}\n\n### meshgov plan\n\nrows\n`,
    );
    const long = withApplyStatus(`${plan}\n${'row\n'.repeat(30_000)}`, 'status', 65_536);
    expect(long.length).toBeLessThanOrEqual(65_536);
    expect(long.startsWith(`${plan}\n${STATUS_START}\nstatus\n`)).toBe(true);
  });
});
