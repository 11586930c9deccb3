/**
 * Workflow rehearsal (issue #17, "Done when"): the `plan.yml` and `apply.yml` of this repository run step by step,
 * as GitHub would run them, for pull_request events and then the push to main that merges them: the GITHUB_*
 * variables and event payloads GitHub provides, `uses: ./` through action/run.sh, checkout and the artefact actions
 * stood in by local copies (test/support/workflow-runner.ts), the built CLI (`npx tsc -p tsconfig.build.json`)
 * against the local target (the accounts) and the stand-in GitHub API (test/github/support/fake-github.ts).
 *
 * One story, in order: the reviewed plan is applied exactly; a change made to the accounts between review and
 * merge makes apply refuse, with a PR comment; a revocation waits for approval without a red run and is applied once
 * approved; a merge whose final commit was never planned applies nothing, whatever a look-alike comment says.
 */
import { IncreaseStreamRetentionPeriodCommand, DescribeStreamSummaryCommand } from '@aws-sdk/client-kinesis';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ClientPool } from '../../src/adapters/aws/client-pool.js';
import { withLocalAccounts } from '../support/local-accounts.js';
import { markerFor } from '../../src/output/markdown/report-body.js';
import { FakeGitHub } from '../github/support/fake-github.js';
import { TOKEN } from '../github/support/setup.js';
import { BIN, runCli } from '../support/cli-child.js';
import { EXAMPLE_MESH_FILE } from '../support/example-mesh.js';
import { ArtifactStore, WorkflowRunner } from '../support/workflow-runner.js';
import type { JobRecord, RunContext } from '../support/workflow-runner.js';

process.env['AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED'] ??= 'true';

const REPOSITORY = 'acme/mesh';
const root = mkdtempSync(join(tmpdir(), 'meshgov-rehearsal-'));
const localDir = join(root, 'accounts');
const shimDir = join(root, 'bin');
const fake = new FakeGitHub();
const artifacts = new ArtifactStore();
const runner = new WorkflowRunner(artifacts, ['meshgov-destructive']);
const base = readFileSync(EXAMPLE_MESH_FILE, 'utf8');
let apiUrl = '';

// meshgov on the PATH, as the Action's install step leaves it; plan and apply go to the local target (the stand-in
// for the accounts the OIDC role would reach).
mkdirSync(shimDir, { recursive: true });
writeFileSync(
  join(shimDir, 'meshgov'),
  [
    '#!/usr/bin/env bash',
    `case "$1" in plan|apply) exec "${process.execPath}" "${BIN}" "$@" --local ;; *) exec "${process.execPath}" "${BIN}" "$@" ;; esac`,
    '',
  ].join('\n'),
);
chmodSync(join(shimDir, 'meshgov'), 0o755);
const processEnv: Record<string, string> = {
  PATH: `${shimDir}:${process.env['PATH'] ?? ''}`,
  HOME: root,
  NO_COLOR: '1',
  MESHGOV_LOCAL_DIR: localDir,
  AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
};

let commitNo = 0;
/** A commit: its files in a directory that actions/checkout copies, and a SHA of GitHub's shape. */
function commit(mesh: string): { sha: string; dir: string } {
  commitNo++;
  const sha = (commitNo.toString(16).padStart(4, '0') + 'c0ffee'.repeat(7)).slice(0, 40);
  const dir = join(root, 'commits', sha);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'mesh.yaml'), mesh);
  return { sha, dir };
}

function edit(mesh: string, from: string, to: string): string {
  expect(mesh).toContain(from);
  return mesh.replace(from, to);
}

let runNo = 100;
function context(
  eventName: 'pull_request' | 'push',
  event: Record<string, unknown>,
  c: { sha: string; dir: string },
  sha = c.sha,
): RunContext {
  return {
    repository: REPOSITORY,
    eventName,
    event,
    sha,
    checkoutDir: c.dir,
    runId: String(++runNo),
    token: TOKEN,
    apiUrl,
    env: processEnv,
    vars: { MESHGOV_REGION: 'eu-west-1', MESHGOV_PLAN_ROLE_ARN: '', MESHGOV_APPLY_ROLE_ARN: '' },
  };
}

const repository = { full_name: REPOSITORY, name: 'mesh', owner: { login: 'acme' } };

/** The pull_request (synchronize) event for a head commit, as GitHub writes it to GITHUB_EVENT_PATH. */
async function planPullRequest(pr: number, head: { sha: string; dir: string }) {
  const event = {
    action: 'synchronize',
    number: pr,
    repository,
    pull_request: {
      number: pr,
      state: 'open',
      head: { sha: head.sha, ref: `change-${pr}`, repo: repository },
      base: { ref: 'main', repo: repository },
    },
  };
  // GITHUB_SHA on pull_request is the merge ref's commit, not the head: meshgov must take the head from the payload.
  const run = await runner.run(
    'plan.yml',
    context('pull_request', event, head, `${'e'.repeat(36)}${String(pr).padStart(4, '0')}`),
  );
  return { run, runId: String(runNo) };
}

/** Merge: the pull request is merged as `merge` (GitHub lists it for the commit), then the push to main runs apply. */
async function mergeAndApply(pr: number, head: string, merge: { sha: string; dir: string }) {
  fake.pulls.push({
    number: pr,
    head: { sha: head },
    merge_commit_sha: merge.sha,
    merged_at: '2026-12-01T10:00:00Z',
    commits: [head],
  });
  const event = {
    ref: 'refs/heads/main',
    before: '0'.repeat(40),
    after: merge.sha,
    head_commit: { id: merge.sha },
    repository,
  };
  return runner.run('apply.yml', context('push', event, merge));
}

function stickyComment(pr: number): string {
  const c = fake.comments.filter(
    (x) =>
      x.issue === pr &&
      x.user.login === 'github-actions[bot]' &&
      x.body.startsWith(`${markerFor('plan', 'mesh.yaml')}\n`),
  );
  expect(c, `one sticky comment on #${pr}`).toHaveLength(1);
  return c[0]?.body ?? '';
}

function step(job: JobRecord | undefined, name: string) {
  const s = job?.steps.find((x) => x.name === name);
  if (s === undefined) throw new Error(`no step ${name}`);
  return s;
}

function show(job: JobRecord | undefined): string {
  return (job?.steps ?? []).map((s) => `--- ${s.name}: ${s.outcome}\n${s.log}`).join('\n');
}

async function retention(account: string, stream: string): Promise<number | undefined> {
  return withAccounts(
    async (pool) =>
      (await pool.kinesis(account).send(new DescribeStreamSummaryCommand({ StreamName: stream })))
        .StreamDescriptionSummary?.RetentionPeriodHours,
  );
}

/** Open the persisted accounts (the local target's data) for a direct look or an out-of-band change. */
function withAccounts<T>(fn: (pool: ClientPool) => Promise<T>): Promise<T> {
  return withLocalAccounts(localDir, fn);
}

async function planHasNoChanges(mesh: string): Promise<boolean> {
  const dir = mkdtempSync(join(root, 'check-'));
  writeFileSync(join(dir, 'mesh.yaml'), mesh);
  const r = await runCli(['plan', 'mesh.yaml', '--local', '--detailed-exitcode'], { cwd: dir, env: processEnv });
  if (r.code !== 0 && r.code !== 2) throw new Error(r.stdout + r.stderr);
  return r.code === 0;
}

let main0 = base;
beforeAll(async () => {
  apiUrl = await fake.start();
  // main as it is live before the story begins: the example mesh, applied.
  const dir = mkdtempSync(join(root, 'bootstrap-'));
  writeFileSync(join(dir, 'mesh.yaml'), base);
  const r = await runCli(['apply', 'mesh.yaml', '--local', '--auto-approve'], { cwd: dir, env: processEnv });
  expect(r.code, r.stdout + r.stderr).toBe(0);
}, 120_000);
afterAll(async () => {
  await fake.stop();
});

describe('workflow rehearsal: plan.yml on pull requests, apply.yml on the push to main', () => {
  it('applies the reviewed plan exactly, and the PR comment says so', async () => {
    const mesh1 = edit(main0, 'retentionHours: 72\n', 'retentionHours: 96\n');
    const head = commit(mesh1);
    const { run: plan, runId } = await planPullRequest(1, head);
    const planJob = plan.jobs.get('plan');
    expect(plan.conclusion(), show(planJob)).toBe('success');
    // The comment records the plan as reviewed for the head commit (not GITHUB_SHA), this run, and its change set.
    const saved = JSON.parse(readFileSync(join(artifacts.dir(runId, 'meshgov-plan'), 'plan.json'), 'utf8')) as {
      changeSetDigest: string;
      changes: { id: string; action: string }[];
    };
    const lines = stickyComment(1).split('\n');
    expect(lines[1]).toBe(`<!-- meshgov:reviewed head=${head.sha} run=${runId} digest=${saved.changeSetDigest} -->`);
    expect(lines.join('\n')).toContain('payments.refunds.v1');

    const merged = commit(mesh1);
    main0 = mesh1;
    const apply = await mergeAndApply(1, head.sha, merged);
    const job = apply.jobs.get('apply');
    expect(apply.conclusion(), show(job)).toBe('success');
    expect(step(job, 'Find the reviewed plan').log).toContain(
      `pull request #1 was reviewed at its final commit ${head.sha.slice(0, 12)}`,
    );
    expect(step(job, 'Download the reviewed plan').log).toContain(`from run ${runId}`);
    // Exactly the reviewed changes were applied: the same ids, all done, nothing else.
    const applyLog = step(job, 'Apply').log;
    const reviewedIds = saved.changes.filter((c) => c.action !== 'no-op').map((c) => c.id);
    expect(reviewedIds).toEqual(['stream-retention:111111111111/stream/payments.refunds.v1']);
    expect(applyLog).toContain('done    update stream-retention 111111111111/stream/payments.refunds.v1');
    expect(applyLog).toContain('Apply: 1 done, 0 failed, 0 skipped.');
    expect(apply.jobs.get('apply-destructive')?.result).toBe('skipped');
    expect(await retention('111111111111', 'payments.refunds.v1')).toBe(96);
    // The PR comment and the job summary say what happened at which commit.
    const body = stickyComment(1);
    expect(body).toContain(
      `meshgov apply: applied at \` ${merged.sha.slice(0, 12)} \`: 1 done, 0 pending approval, 0 failed`,
    );
    expect(body.split('\n')[1]).toMatch(/^<!-- meshgov:reviewed head=/);
    expect(job?.summary).toContain('1 done, 0 pending approval, 0 failed');
  }, 240_000);

  it('refuses a plan the accounts drifted from between review and merge, and says what differs on the PR', async () => {
    const mesh2 = edit(main0, 'retentionHours: 48\n', 'retentionHours: 96\n');
    const head = commit(mesh2);
    const { run: plan } = await planPullRequest(2, head);
    expect(plan.conclusion(), show(plan.jobs.get('plan'))).toBe('success');
    // Someone changes the stream by hand after the review.
    await withAccounts((pool) =>
      pool
        .kinesis('333333333333')
        .send(
          new IncreaseStreamRetentionPeriodCommand({ StreamName: 'customer.clickstream.v1', RetentionPeriodHours: 72 }),
        ),
    );

    main0 = mesh2;
    const apply = await mergeAndApply(2, head.sha, commit(mesh2));
    const job = apply.jobs.get('apply');
    expect(apply.conclusion()).toBe('failure');
    expect(step(job, 'Apply').outcome).toBe('failure');
    expect(step(job, 'Apply').log).toContain('the plan is stale: the live state of the accounts in its scope changed');
    expect(step(job, 'Apply status on the pull request and job summary').outcome, show(job)).toBe('success');
    expect(await retention('333333333333', 'customer.clickstream.v1')).toBe(72);
    const body = stickyComment(2);
    expect(body).toContain('meshgov apply: nothing applied at');
    expect(body).toContain(
      'planned differently now\\: stream\\-retention\\:333333333333/stream/customer\\.clickstream\\.v1',
    );
    expect(job?.summary).toContain('Nothing was applied.');
    expect(apply.jobs.get('apply-destructive')?.result).toBe('skipped');
  }, 240_000);

  it('applies the safe part of a revocation, keeps the run green while the revocation waits, applies it once approved', async () => {
    const start = main0.indexOf('  - id: analytics-replays-transactions');
    const end = main0.indexOf('  - id: risk-replays-clickstream');
    const mesh3 = main0.slice(0, start) + main0.slice(end);
    const head = commit(mesh3);
    const { run: plan } = await planPullRequest(3, head);
    expect(plan.conclusion(), show(plan.jobs.get('plan'))).toBe('success');

    main0 = mesh3;
    const apply = await mergeAndApply(3, head.sha, commit(mesh3));
    const job = apply.jobs.get('apply');
    // Not red: the apply job succeeded, the gated job waits for a reviewer of meshgov-destructive.
    expect(apply.conclusion(), show(job)).toBe('waiting');
    expect(job?.result).toBe('success');
    expect(job?.outputs['pending']).toBe('2');
    expect(apply.jobs.get('apply-destructive')?.result).toBe('waiting');
    expect(await retention('333333333333', 'customer.clickstream.v1')).toBe(96);
    let body = stickyComment(3);
    expect(body).toContain('1 done, 2 pending approval, 0 failed');
    expect(body).toContain('stream\\-tag\\-revocation');
    expect(body).toContain('a required reviewer of the ` meshgov-destructive ` environment approves');
    expect(await planHasNoChanges(mesh3)).toBe(false);

    // A reviewer approves: the gated job applies the revocation, still only the reviewed one.
    const gated = await apply.resume('apply-destructive');
    expect(gated.result, show(gated)).toBe('success');
    expect(step(gated, 'Apply the approved destructive changes').log).toContain('Apply: 2 done, 0 failed, 0 skipped.');
    expect(apply.conclusion()).toBe('success');
    body = stickyComment(3);
    expect(body).toContain('approved destructive changes applied at');
    expect(body).toContain('2 done, 0 pending approval, 0 failed');
    expect(body.match(/<!-- meshgov:apply-status -->/g)).toHaveLength(1);
    expect(await planHasNoChanges(mesh3)).toBe(true);
  }, 300_000);

  it('applies nothing when the final commit was never planned, whatever a look-alike comment claims', async () => {
    const first = commit(edit(main0, 'retentionHours: 24\n', 'retentionHours: 48\n'));
    const { run: plan } = await planPullRequest(4, first);
    expect(plan.conclusion()).toBe('success');
    // A later push is merged before its plan ran; someone posts a forged marker for it.
    const finalMesh = edit(main0, 'retentionHours: 24\n', 'retentionHours: 72\n');
    const final = commit(finalMesh);
    fake.seedComment(
      4,
      `${markerFor('plan', 'mesh.yaml')}\n<!-- meshgov:reviewed head=${final.sha} run=999 digest=${'a'.repeat(64)} -->\nlooks reviewed`,
      'mallory',
    );

    const apply = await mergeAndApply(4, final.sha, commit(finalMesh));
    const job = apply.jobs.get('apply');
    expect(apply.conclusion()).toBe('failure');
    expect(step(job, 'Find the reviewed plan').outcome).toBe('failure');
    expect(step(job, 'Download the reviewed plan').outcome).toBe('skipped');
    expect(step(job, 'Apply').outcome).toBe('skipped');
    const body = stickyComment(4);
    expect(body).toContain('nothing applied at');
    expect(body).toContain(
      `the last reviewed plan is for commit ${first.sha.slice(0, 12)}, but the pull request's final commit is ${final.sha.slice(0, 12)}`,
    );
    expect(await retention('333333333333', 'customer.notifications.v1')).toBe(24);
  }, 240_000);
});
