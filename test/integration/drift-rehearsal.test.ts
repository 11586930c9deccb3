/**
 * Workflow rehearsal of drift events (issue #19 part 4): this repository's audit.yml run step by step as GitHub runs
 * it (test/support/workflow-runner.ts), for the scheduled run and for `repository_dispatch` `meshgov-drift` events
 * as the hub of `meshgov render --github-repo --events-account` sends them, with the built CLI (`npx tsc -p
 * tsconfig.build.json`) auditing the local target (the accounts) and the stand-in GitHub API holding the issue.
 *
 * One story: the scheduled audit writes the audit issue; someone changes a stream's retention out of band; the drift
 * run audits that whole account, comments the new finding on the issue and leaves its report alone; a re-tag is
 * audited account-wide (principal findings included); hostile payloads never reach a shell word or an argument.
 */
import { AddTagsToStreamCommand, IncreaseStreamRetentionPeriodCommand } from '@aws-sdk/client-kinesis';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
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
const A = '111111111111';
const STREAM = 'payments.transactions.v1';
const root = mkdtempSync(join(tmpdir(), 'meshgov-drift-rehearsal-'));
const localDir = join(root, 'accounts');
const shimDir = join(root, 'bin');
const fake = new FakeGitHub();
const artifacts = new ArtifactStore();
const runner = new WorkflowRunner(artifacts, []);
const checkout = join(root, 'commit');
const pwned = join(root, 'pwned');
let apiUrl = '';

// meshgov on the PATH, as the Action's install step leaves it; audit and apply go to the local target. The shim
// logs each argument list, so the test sees exactly what reached meshgov.
mkdirSync(shimDir, { recursive: true });
const argvLog = join(root, 'argv.log');
writeFileSync(
  join(shimDir, 'meshgov'),
  [
    '#!/usr/bin/env bash',
    `printf '%s\\n' "$*" >> "${argvLog}"`,
    `case "$1" in audit|apply) exec "${process.execPath}" "${BIN}" "$@" --local ;; *) exec "${process.execPath}" "${BIN}" "$@" ;; esac`,
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

let runNo = 500;
function context(eventName: RunContext['eventName'], event: Record<string, unknown>): RunContext {
  return {
    repository: REPOSITORY,
    eventName,
    event,
    sha: 'd'.repeat(40),
    checkoutDir: checkout,
    runId: String(++runNo),
    token: TOKEN,
    apiUrl,
    env: processEnv,
    vars: { MESHGOV_REGION: 'eu-west-1', MESHGOV_PLAN_ROLE_ARN: '' },
  };
}

const repository = { full_name: REPOSITORY, name: 'mesh', owner: { login: 'acme' } };
/** The repository_dispatch event GitHub writes for POST /repos/{owner}/{repo}/dispatches. */
function dispatch(clientPayload: Record<string, unknown>) {
  const event = { action: 'meshgov-drift', branch: 'main', client_payload: clientPayload, repository };
  return runner.run('audit.yml', context('repository_dispatch', event));
}
/** The payload the rendered input transformer produces (src/core/render/drift-events.ts), with overrides. */
function payload(over: Record<string, unknown> = {}): Record<string, unknown> {
  const base = {
    account: A,
    region: 'eu-west-1',
    source: 'aws.kinesis',
    eventName: 'IncreaseStreamRetentionPeriod',
    stream: STREAM,
  };
  return { ...base, streamArn: '', resourceArn: '', role: '', ...over };
}

function step(job: JobRecord | undefined, name: string) {
  const s = job?.steps.find((x) => x.name === name);
  if (s === undefined) throw new Error(`no step ${name}`);
  return s;
}
function show(job: JobRecord | undefined): string {
  return (job?.steps ?? []).map((s) => `--- ${s.name}: ${s.outcome}\n${s.log}`).join('\n');
}
/** The meshgov audit command lines run since `from` (an index into the shim's log). */
function auditLines(from: number): string[] {
  const lines = existsSync(argvLog)
    ? readFileSync(argvLog, 'utf8')
        .split('\n')
        .filter((l) => l !== '')
    : [];
  return lines.slice(from).filter((l) => l.startsWith('audit '));
}
const logLength = () =>
  existsSync(argvLog)
    ? readFileSync(argvLog, 'utf8')
        .split('\n')
        .filter((l) => l !== '').length
    : 0;
const auditIssue = () => fake.issues.filter((i) => i.body.startsWith(`${markerFor('audit', 'mesh.yaml')}\n`));

beforeAll(async () => {
  apiUrl = await fake.start();
  mkdirSync(checkout, { recursive: true });
  writeFileSync(join(checkout, 'mesh.yaml'), readFileSync(EXAMPLE_MESH_FILE, 'utf8'));
  const r = await runCli(['apply', 'mesh.yaml', '--local', '--auto-approve'], { cwd: checkout, env: processEnv });
  expect(r.code, r.stdout + r.stderr).toBe(0);
}, 120_000);
afterAll(async () => {
  await fake.stop();
});

describe('drift rehearsal: audit.yml on repository_dispatch meshgov-drift', () => {
  it('the scheduled run audits the whole mesh and keeps the issue', async () => {
    const from = logLength();
    const run = await runner.run('audit.yml', context('schedule', { schedule: '23 5 * * *', repository }));
    const job = run.jobs.get('audit');
    expect(step(job, 'Scope of the drift event').outcome).toBe('skipped');
    expect(auditLines(from)).toEqual([
      'audit mesh.yaml --out audit.json --out audit.sarif --out audit.md --fail-on never',
    ]);
    expect(step(job, 'Upload SARIF to code scanning').outcome, show(job)).toBe('success');
    expect(step(job, 'Update the audit issue and job summary').outcome, show(job)).toBe('success');
    // The applied example mesh has findings on the local target, so the issue is open with the full report.
    expect(auditIssue().map((i) => i.state)).toEqual(['open']);
  }, 120_000);

  it('a retention change out of band: the drift run audits that account and comments the finding', async () => {
    const issuesBefore = auditIssue().map((i) => ({ number: i.number, body: i.body, state: i.state }));
    const commentsBefore = fake.comments.length;
    await withLocalAccounts(localDir, (pool) =>
      pool.kinesis(A).send(new IncreaseStreamRetentionPeriodCommand({ StreamName: STREAM, RetentionPeriodHours: 200 })),
    );

    const from = logLength();
    const run = await dispatch(payload());
    const job = run.jobs.get('audit');
    expect(step(job, 'Scope of the drift event').outcome, show(job)).toBe('success');
    expect(auditLines(from)).toEqual([
      `audit mesh.yaml --out audit.json --out audit.sarif --out audit.md --fail-on never --account=${A}`,
    ]);
    expect(job?.summary).toContain(
      `Drift event: IncreaseStreamRetentionPeriod in ${A}, stream ${STREAM}; auditing all of it (--account=${A}).`,
    );
    // A partial report is not uploaded to code scanning (it would mark the rest of the mesh's alerts fixed).
    expect(step(job, 'Upload SARIF to code scanning').outcome).toBe('skipped');
    expect(step(job, 'Update the audit issue and job summary').outcome, show(job)).toBe('success');

    const issues = auditIssue();
    expect(issues).toHaveLength(1);
    const issue = issues[0]!;
    expect(issue.state).toBe('open');
    const before = issuesBefore.find((i) => i.number === issue.number);
    // The full report stays; only the remembered findings line grew, and the new finding got a comment.
    expect(before?.state).toBe('open');
    expect(issue.body.split('\n').slice(2)).toEqual(before?.body.split('\n').slice(2));
    expect(issue.body.split('\n')[1]).not.toBe(before?.body.split('\n')[1]);
    const fresh = fake.comments.slice(commentsBefore).filter((c) => c.issue === issue.number);
    expect(fresh.map((c) => c.body).join('\n')).toContain(STREAM);
    expect(fresh.map((c) => c.body).join('\n')).toMatch(/retention/i);
  }, 120_000);

  it('a re-tag is audited account-wide: no finding of the account is scoped away', async () => {
    // A governance tag set by someone else: ABAC reach for a principal the mesh never granted.
    await withLocalAccounts(localDir, (pool) =>
      pool
        .kinesis(A)
        .send(new AddTagsToStreamCommand({ StreamName: STREAM, Tags: { 'meshgov:consume:intruder': 'true' } })),
    );
    const from = logLength();
    const run = await dispatch(payload({ eventName: 'AddTagsToStream' }));
    const job = run.jobs.get('audit');
    expect(step(job, 'Update the audit issue and job summary').outcome, show(job)).toBe('success');
    expect(auditLines(from)).toEqual([
      `audit mesh.yaml --out audit.json --out audit.sarif --out audit.md --fail-on never --account=${A}`,
    ]);
    const report = JSON.parse(
      readFileSync(join(artifacts.dir(String(runNo), 'meshgov-audit'), 'audit.json'), 'utf8'),
    ) as { findings: { id: string; resource: string }[]; notes: string[] };
    // Principal and grant findings (identity reach, tag tampering) need IAM, which the local target lacks; what
    // shows the run is not narrowed is a finding beyond the tagged stream, and no scoping note.
    expect(report.findings.some((f) => !f.resource.startsWith(`${A}/stream/${STREAM}`))).toBe(true);
    expect(report.notes.join('\n')).not.toMatch(/Scoped to stream/);
    expect(report.findings.filter((f) => f.resource.startsWith(`${A}/stream/${STREAM}`)).map((f) => f.id)).toEqual(
      expect.arrayContaining([expect.stringMatching(/tag/)]),
    );
  }, 120_000);

  it('names the stream of a stream or resource ARN in the summary, and still audits the whole account', async () => {
    const from = logLength();
    const arn = `arn:aws:kinesis:eu-west-1:${A}:stream/${STREAM}/consumer/x:1764494043`;
    const run = await dispatch(payload({ stream: '', resourceArn: arn, eventName: 'PutResourcePolicy' }));
    const job = run.jobs.get('audit');
    expect(step(job, 'Scope of the drift event').outcome).toBe('success');
    expect(auditLines(from)).toEqual([
      `audit mesh.yaml --out audit.json --out audit.sarif --out audit.md --fail-on never --account=${A}`,
    ]);
    expect(job?.summary).toContain(`Drift event: PutResourcePolicy in ${A}, stream ${STREAM}; auditing all of it`);
  }, 120_000);

  it('refuses a payload whose account is not 12 digits: nothing is audited, nothing runs', async () => {
    for (const account of [`${A} --stream x`, `${A}; touch ${pwned}`, `$(touch ${pwned}-x)`, '11111111111', '']) {
      const from = logLength();
      const run = await dispatch(payload({ account }));
      const job = run.jobs.get('audit');
      expect(step(job, 'Scope of the drift event').outcome, account).toBe('failure');
      expect(step(job, 'Scope of the drift event').log).toContain('not a 12-digit account id');
      expect(step(job, 'Audit').outcome).toBe('skipped');
      expect(auditLines(from)).toEqual([]);
    }
    expect(existsSync(pwned)).toBe(false);
    expect(existsSync(`${pwned}-x`)).toBe(false);
  }, 120_000);

  it('never passes a hostile stream or call name on: not to an argument, a shell word or the summary', async () => {
    for (const stream of [`x; touch ${pwned}`, `$(touch ${pwned}-y)`, '--local', 'a b', `${STREAM}\n::error::forged`]) {
      const from = logLength();
      const run = await dispatch(payload({ stream, eventName: 'AddTagsToStream\n::warning::forged' }));
      const job = run.jobs.get('audit');
      const scope = step(job, 'Scope of the drift event');
      expect(scope.outcome, scope.log).toBe('success');
      const lines = auditLines(from);
      expect(lines, JSON.stringify(stream)).toEqual([
        `audit mesh.yaml --out audit.json --out audit.sarif --out audit.md --fail-on never --account=${A}`,
      ]);
      expect(job?.summary).not.toContain('forged');
      expect(job?.summary).not.toContain('touch');
    }
    expect(existsSync(pwned)).toBe(false);
    expect(existsSync(`${pwned}-y`)).toBe(false);
  }, 300_000);
});
