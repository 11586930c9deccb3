/**
 * `meshgov report github --kind apply` and `--reviewed-plan`, in-process against the stand-in GitHub API: the apply
 * result goes on the PR's sticky comment and in the job summary; a bad result file or a missing PR head is a usage
 * error with the field named, and nothing is posted.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { CliIO } from '../../src/cli/io.js';
import { main } from '../../src/cli/main.js';
import { computePlan } from '../../src/core/plan/index.js';
import { markerFor } from '../../src/output/markdown/report-body.js';
import { renderPlanJson } from '../../src/output/plan/index.js';
import { aDesiredStream, clock, desiredState, liveState } from '../plan/builders.js';
import { FakeGitHub, loopbackOnlyFetch } from './support/fake-github.js';
import { TOKEN } from './support/setup.js';

let dir: string;
let fake: FakeGitHub;
let env: Record<string, string | undefined>;
const PLAN = markerFor('plan', 'mesh.yaml');

beforeEach(async () => {
  vi.stubGlobal('fetch', loopbackOnlyFetch([]));
  dir = mkdtempSync(join(tmpdir(), 'meshgov-report-apply-'));
  fake = new FakeGitHub();
  const apiUrl = await fake.start();
  writeFileSync(join(dir, 'push.json'), JSON.stringify({ ref: 'refs/heads/main', after: 'f'.repeat(40) }));
  env = {
    GITHUB_REPOSITORY: 'acme/mesh',
    GITHUB_TOKEN: TOKEN,
    GITHUB_EVENT_PATH: join(dir, 'push.json'),
    GITHUB_EVENT_NAME: 'push',
    GITHUB_API_URL: apiUrl,
    GITHUB_RUN_ID: '900',
    GITHUB_SHA: 'f'.repeat(40),
    GITHUB_STEP_SUMMARY: join(dir, 'summary.md'),
  };
});
afterEach(async () => {
  vi.unstubAllGlobals();
  await fake.stop();
  rmSync(dir, { recursive: true, force: true });
});

async function run(args: string[]) {
  let out = '';
  let err = '';
  const io: CliIO = {
    stdout: { write: (s) => void (out += s) },
    stderr: { write: (s) => void (err += s) },
    env,
    cwd: dir,
    now: () => new Date('2026-12-01T00:00:00Z'),
  };
  const code = await main(args, io);
  expect(out + err).not.toContain(TOKEN);
  return { code, out, err };
}

const applied = {
  formatVersion: 1,
  kind: 'applied',
  part: 'safe',
  reviewedDigest: 'a'.repeat(64),
  done: [{ id: 'stream-retention:111111111111/stream/a.v1' }],
  failed: [],
  pendingApproval: [{ id: 'stream-tag-revocation:111111111111/stream/b.v1', message: 'destructive' }],
  blocked: [],
  skipped: [],
};

describe('meshgov report github --kind apply', () => {
  it('puts the result on the sticky plan comment of --pr and in the job summary', async () => {
    fake.seedComment(3, `${PLAN}\n### meshgov plan\n`, 'github-actions[bot]');
    writeFileSync(join(dir, 'apply-result.json'), JSON.stringify(applied));
    const r = await run(['report', 'github', '--kind', 'apply', '--input', 'apply-result.json', '--pr', '3']);
    expect(r).toMatchObject({ code: 0, err: '' });
    expect(r.out).toMatch(
      /^meshgov: apply status updated https:\/\/github\.test\/o\/r\/issues\/3#issuecomment-\d+ \(job summary written\)\n$/,
    );
    const body = fake.comments[0]?.body ?? '';
    expect(body.split('\n').slice(0, 3)).toEqual([
      PLAN,
      '<!-- meshgov:apply-status -->',
      '### ⏳ meshgov apply: applied at ` ffffffffffff `: 1 done, 1 pending approval, 0 failed',
    ]);
    expect(body).toContain('### meshgov plan');
    expect(readFileSync(join(dir, 'summary.md'), 'utf8')).toContain('1 done, 1 pending approval, 0 failed');
  });

  it('refuses a result file that is not one, naming the field, and posts nothing', async () => {
    writeFileSync(
      join(dir, 'apply-result.json'),
      JSON.stringify({ ...applied, pendingApproval: [{ id: 'x', extra: '<script>' }] }),
    );
    const r = await run(['report', 'github', '--kind', 'apply', '--input', 'apply-result.json', '--pr', '3']);
    expect(r.code).toBe(64);
    expect(r.err).toContain(
      '--input apply-result.json is not an apply result (apply --result): pendingApproval[0] has an unknown field "extra"',
    );
    writeFileSync(join(dir, 'apply-result.json'), '{"formatVersion":1,');
    expect((await run(['report', 'github', '--kind', 'apply', '--input', 'apply-result.json'])).code).toBe(64);
    expect(fake.requests).toEqual([]);
  });

  it('--reviewed-plan needs the pull request head from the event payload', async () => {
    writeFileSync(join(dir, 'plan.md'), '### meshgov plan\n');
    writeFileSync(join(dir, 'pr.json'), JSON.stringify({ number: 3, pull_request: { number: 3 } }));
    env['GITHUB_EVENT_PATH'] = join(dir, 'pr.json');
    writeFileSync(join(dir, 'plan.json'), '{"formatVersion": 1}');
    const broken = await run([
      'report',
      'github',
      '--kind',
      'plan',
      '--input',
      'plan.md',
      '--reviewed-plan',
      'plan.json',
    ]);
    expect(broken.code).toBe(64);
    expect(broken.err).toContain('--reviewed-plan plan.json is not a plan this meshgov can read');
    const plan = computePlan({
      desired: desiredState([{ streams: [aDesiredStream()] }]),
      live: liveState([{ streams: [] }]),
      meshDigest: 'd'.repeat(64),
      clock,
      target: 'local',
    });
    writeFileSync(join(dir, 'plan.json'), renderPlanJson(plan));
    const noHead = await run([
      'report',
      'github',
      '--kind',
      'plan',
      '--input',
      'plan.md',
      '--reviewed-plan',
      'plan.json',
    ]);
    expect(noHead.code).toBe(64);
    expect(noHead.err).toContain('--reviewed-plan needs the pull request head commit (pull_request.head.sha, 40 hex)');
    expect(fake.requests).toEqual([]);
    // With the head, the comment records it, this run and the plan's digest on its second line.
    writeFileSync(
      join(dir, 'pr.json'),
      JSON.stringify({ number: 3, pull_request: { number: 3, head: { sha: 'a'.repeat(40) } } }),
    );
    expect(
      (await run(['report', 'github', '--kind', 'plan', '--input', 'plan.md', '--reviewed-plan', 'plan.json'])).code,
    ).toBe(0);
    expect(fake.comments[0]?.body.split('\n').slice(0, 3)).toEqual([
      PLAN,
      `<!-- meshgov:reviewed head=${'a'.repeat(40)} run=900 digest=${plan.changeSetDigest} -->`,
      '### meshgov plan',
    ]);
    // The job summary shows the plan, not the hidden line.
    expect(readFileSync(join(dir, 'summary.md'), 'utf8')).not.toContain('meshgov:reviewed');
  });
});
