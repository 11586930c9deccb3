import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { CliIO } from '../../src/cli/io.js';
import { main } from '../../src/cli/main.js';
import type { Diagnostic } from '../../src/core/diagnostics/diagnostic.js';
import { computePlan, meshDigest } from '../../src/core/plan/index.js';
import type { AuditReport } from '../../src/core/audit/findings.js';
import { formatAuditJson } from '../../src/output/audit/json.js';
import { markerFor } from '../../src/output/markdown/report-body.js';
import { renderPlanJson, renderPlanMarkdown } from '../../src/output/plan/index.js';
import { aDesiredStream, clock, desiredState, liveState } from '../plan/builders.js';
import { FakeGitHub, loopbackOnlyFetch } from './support/fake-github.js';
import { HOSTILE_CORPUS } from './support/hostile.js';
import { TOKEN } from './support/setup.js';
import { EXAMPLE_MESH_FILE, exampleMesh } from '../support/example-mesh.js';

let dir: string;
let fake: FakeGitHub;
let env: Record<string, string | undefined>;
let seen: string[];

beforeEach(async () => {
  // The CLI builds its own client with the global fetch: guard that, so no request can leave 127.0.0.1.
  seen = [];
  vi.stubGlobal('fetch', loopbackOnlyFetch(seen));
  dir = mkdtempSync(join(tmpdir(), 'meshgov-report-'));
  fake = new FakeGitHub();
  const apiUrl = await fake.start();
  writeFileSync(join(dir, 'event.json'), JSON.stringify({ pull_request: { number: 12 }, number: 12 }));
  env = {
    GITHUB_REPOSITORY: 'acme/mesh',
    GITHUB_TOKEN: TOKEN,
    GITHUB_EVENT_PATH: join(dir, 'event.json'),
    GITHUB_EVENT_NAME: 'pull_request',
    GITHUB_API_URL: apiUrl,
    GITHUB_SERVER_URL: 'https://github.com',
    GITHUB_RUN_ID: '555',
    GITHUB_SHA: 'feedc0ffee',
    GITHUB_STEP_SUMMARY: join(dir, 'summary.md'),
  };
});
afterEach(async () => {
  vi.unstubAllGlobals();
  for (const url of seen) expect(url.startsWith(`${fake.baseUrl}/`)).toBe(true);
  // Every request the fake logged (the log may have been cleared mid-test) went through the guard.
  expect(seen.length).toBeGreaterThanOrEqual(fake.requests.length);
  await fake.stop();
  rmSync(dir, { recursive: true, force: true });
});

async function run(args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const io: CliIO = {
    stdout: { write: (s) => void (out += s) },
    stderr: { write: (s) => void (err += s) },
    env,
    cwd: dir,
    now: () => new Date('2026-01-01T00:00:00Z'),
  };
  const code = await main(args, io);
  // Whatever happened, the token is nowhere in what meshgov wrote.
  expect(out + err).not.toContain(TOKEN);
  return { code, out, err };
}

describe('meshgov report github', () => {
  it('posts the plan as a sticky comment, then updates it, and writes the job summary', async () => {
    writeFileSync(join(dir, 'plan.md'), '## meshgov plan\n\n1 change\n');
    const first = await run(['report', 'github', '--kind', 'plan', '--input', 'plan.md', '--mesh-file', './mesh.yaml']);
    expect(first).toMatchObject({ code: 0, err: '' });
    expect(first.out).toMatch(
      /^meshgov: plan comment created https:\/\/github.test\/o\/r\/issues\/12#issuecomment-\d+ \(job summary written\)\n$/,
    );
    expect(fake.calls()).toEqual([
      'GET /repos/acme/mesh/issues/12/comments?per_page=100',
      'POST /repos/acme/mesh/issues/12/comments',
    ]);
    const footer = '<sub>meshgov · run [555](https://github.com/acme/mesh/actions/runs/555) · commit feedc0ffee</sub>';
    expect(fake.requests[1]?.body).toEqual({
      body: `${markerFor('plan', 'mesh.yaml')}\n## meshgov plan\n\n1 change\n\n\n${footer}`,
    });
    expect(readFileSync(join(dir, 'summary.md'), 'utf8')).toBe('## meshgov plan\n\n1 change\n\n\n');

    writeFileSync(join(dir, 'plan.md'), '## meshgov plan\n\n2 changes\n');
    fake.clearLog();
    const second = await run(['report', 'github', '--kind', 'plan', '--input', 'plan.md', '--no-summary']);
    expect(second.code).toBe(0);
    expect(second.out).toMatch(/^meshgov: plan comment updated /);
    expect(fake.calls()).toEqual([
      'GET /repos/acme/mesh/issues/12/comments?per_page=100',
      `PATCH /repos/acme/mesh/issues/comments/${fake.comments[0]?.id}`,
    ]);
    expect(fake.comments).toHaveLength(1);
  });

  it('renders a JSON audit report of hostile names inertly into the audit issue, and closes it with --clean', async () => {
    const items = HOSTILE_CORPUS.map((s) => ({
      level: 'warning',
      subject: s,
      message: `principal ${s} is not granted`,
    }));
    writeFileSync(
      join(dir, 'audit.json'),
      JSON.stringify({ title: 'Audit @octocat [x](https://evil.example)', items }),
    );
    const opened = await run(['report', 'github', '--kind', 'audit', '--input', 'audit.json']);
    expect(opened).toMatchObject({ code: 0, err: '' });
    expect(fake.calls()).toEqual([
      'GET /repos/acme/mesh/issues?labels=meshgov-audit&state=all&per_page=100',
      'GET /repos/acme/mesh/issues?state=all&per_page=100&creator=github-actions%5Bbot%5D',
      'POST /repos/acme/mesh/issues',
    ]);
    const issue = fake.issues[0];
    expect(issue?.title).toBe('meshgov audit: mesh.yaml');
    expect(issue?.labels).toEqual(['meshgov-audit']);
    const body = issue?.body ?? '';
    expect(body.split('\n')[0]).toBe(markerFor('audit', 'mesh.yaml'));
    // Exactly one HTML comment (our marker); no live HTML, mentions, references or links from the corpus.
    expect(body.match(/<!--/g)).toHaveLength(1);
    expect(body).not.toMatch(/<(?!\/?code>|\/?sub>|!-- meshgov:audit:mesh\.yaml -->)/);
    expect(body).not.toMatch(/@(?!&#8203;)/);
    expect(body).not.toMatch(/(?<!&)#\d/);
    // Outside code spans (where nothing is interpreted) no link or image syntax survives.
    // (The footer's run link is ours; the report above it is what the corpus went into.)
    const report = body.slice(0, body.lastIndexOf('\n<sub>meshgov'));
    expect(report.length).toBeGreaterThan(1000);
    const outsideCode = report.replace(/(`+) .*? \1(?!`)/g, '');
    expect(outsideCode).not.toMatch(/\]\(|\]:/);
    expect(outsideCode).not.toMatch(/https?:\/\//);
    expect(body).not.toMatch(/[\u200B-\u200D\u202A-\u202E\u2066-\u2069\uFEFF]/);
    expect(body).toContain('### Audit @&#8203;octocat \\[x\\]\\(https\\:&#8203;//evil\\.example\\)');

    writeFileSync(join(dir, 'clean.json'), JSON.stringify({ items: [] }));
    fake.clearLog();
    const closed = await run(['report', 'github', '--kind', 'audit', '--input', 'clean.json']);
    expect(closed.out).toMatch(/^meshgov: audit issue closed /);
    expect(fake.calls()).toEqual([
      'GET /repos/acme/mesh/issues?labels=meshgov-audit&state=all&per_page=100',
      'GET /repos/acme/mesh/issues/1',
      'POST /repos/acme/mesh/issues/1/comments',
      'PATCH /repos/acme/mesh/issues/1',
    ]);
    expect(fake.issues[0]?.state).toBe('closed');
  });

  it("hands the audit's generatedAt on: a clean full run older than a drift run's key keeps the issue open", async () => {
    const report: AuditReport = {
      formatVersion: 1,
      mesh: 'acme',
      generatedAt: '2026-01-01T00:00:00.000Z',
      window: { start: '2025-12-31T00:00:00.000Z', end: '2026-01-01T00:00:00.000Z', periodSeconds: 480 },
      findings: [],
      checksRun: ['access'],
      checksNotRun: [],
      notes: [],
      summary: { error: 0, warning: 0, info: 0 },
    };
    writeFileSync(join(dir, 'audit.json'), formatAuditJson(report));
    // A drift run recorded a finding at 00:10, after this report was generated.
    const line = `<!-- meshgov:findings ${'e'.repeat(16)}@1767226200 -->`;
    fake.seedIssue({
      title: 'meshgov audit: mesh.yaml',
      body: `${markerFor('audit', 'mesh.yaml')}\n${line}\nold report`,
      labels: ['meshgov-audit'],
      user: { login: 'github-actions[bot]', type: 'Bot' },
    });
    const r = await run(['report', 'github', '--kind', 'audit', '--input', 'audit.json', '--clean']);
    expect(r).toMatchObject({ code: 0, err: '' });
    expect(fake.issues[0]?.state).toBe('open');
    expect(fake.issues[0]?.body.split('\n')[1]).toBe(line);
  });

  it("accepts meshgov's own audit.json: opens the issue for findings, refuses a broken report with its path", async () => {
    const report: AuditReport = {
      formatVersion: 1,
      mesh: 'acme',
      generatedAt: '2026-01-01T00:00:00.000Z',
      window: { start: '2025-12-31T00:00:00.000Z', end: '2026-01-01T00:00:00.000Z', periodSeconds: 480 },
      findings: [
        {
          code: 'undeclared-principal',
          severity: 'error',
          resource: '111111111111/stream/orders.v1',
          account: '111111111111',
          message: 'Principal `arn:aws:iam::999999999999:role/x` can read `orders.v1` but no grant says so',
          evidence: { statement: { Effect: 'Allow' } },
          remediation: 'Remove the statement or declare a grant.',
          location: { file: 'mesh.yaml', line: 12, column: 7 },
        },
      ],
      checksRun: ['access'],
      checksNotRun: [{ check: 'hot-shards', reason: 'no CloudWatch on the local target' }],
      notes: [],
      summary: { error: 1, warning: 0, info: 0 },
    };
    writeFileSync(join(dir, 'audit.json'), formatAuditJson(report));
    const opened = await run(['report', 'github', '--kind', 'audit', '--input', 'audit.json']);
    expect(opened).toMatchObject({ code: 0, err: '' });
    expect(fake.calls()).toEqual([
      'GET /repos/acme/mesh/issues?labels=meshgov-audit&state=all&per_page=100',
      'GET /repos/acme/mesh/issues?state=all&per_page=100&creator=github-actions%5Bbot%5D',
      'POST /repos/acme/mesh/issues',
    ]);
    const body = fake.issues[0]?.body ?? '';
    expect(body).toContain('undeclared-principal');
    // The message's backtick spans are code, not literal backticks.
    expect(body).toContain(
      'Principal ` arn:aws:iam::999999999999:role/x ` can read ` orders.v1 ` but no grant says so',
    );
    expect(body).not.toContain('\\`');

    // A clean report closes nothing that is not open, and needs no --clean.
    writeFileSync(
      join(dir, 'clean.json'),
      formatAuditJson({ ...report, findings: [], summary: { error: 0, warning: 0, info: 0 } }),
    );
    expect((await run(['report', 'github', '--kind', 'audit', '--input', 'clean.json'])).out).toMatch(
      /^meshgov: audit issue closed /,
    );

    const broken = JSON.parse(formatAuditJson(report)) as { findings: { severity: string }[] };
    (broken.findings[0] as { severity: string }).severity = 'fatal';
    writeFileSync(join(dir, 'broken.json'), JSON.stringify(broken));
    const refused = await run(['report', 'github', '--kind', 'audit', '--input', 'broken.json']);
    expect(refused.code).toBe(64);
    expect(refused.err).toContain(
      'is not an audit report this meshgov can read: findings.0.severity must be error, warning or info',
    );
  });

  it('redacts a token-shaped string from the mesh before escaping it, so the posted body holds no token', async () => {
    // Escaped first, `ghp_x` would become `ghp\_x` and slip past the redaction of the finished body.
    const leaked = 'ghp_abcdefghijklmnopqrstuvwxyz0123456789';
    const diagnostics: Diagnostic[] = [
      {
        code: 'x',
        severity: 'warning',
        message: `stream orders.v1 describes itself as ${leaked}`,
        file: 'mesh.yaml',
        line: 1,
        column: 1,
        path: [],
        waivedBy: `token (${leaked}).`,
      },
    ];
    const plan = computePlan({
      desired: desiredState([{ streams: [aDesiredStream({ name: 'orders.v1' })] }]),
      live: liveState([{ streams: [] }]),
      meshDigest: 'd'.repeat(64),
      clock,
      target: 'local',
    });
    writeFileSync(join(dir, 'plan.json'), renderPlanJson({ ...plan, diagnostics, warnings: [`tag value ${leaked}`] }));
    const result = await run(['report', 'github', '--kind', 'plan', '--input', 'plan.json']);
    expect(result.code).toBe(0);
    const posted = fake.comments[0]?.body ?? '';
    expect(posted).toContain('describes itself as \\*\\*\\*');
    expect(posted.replace(/\\/g, '')).not.toMatch(/ghp_[A-Za-z0-9]{20}/);
  });

  it('renders a saved plan JSON exactly like plan --format markdown', async () => {
    const plan = computePlan({
      desired: desiredState([{ streams: [aDesiredStream({ name: 'orders.v1' })] }]),
      live: liveState([{ streams: [] }]),
      meshDigest: 'd'.repeat(64),
      clock,
      target: 'local',
    });
    writeFileSync(join(dir, 'plan.json'), renderPlanJson(plan));
    const result = await run(['report', 'github', '--kind', 'plan', '--input', 'plan.json', '--dry-run']);
    expect(result).toEqual({
      code: 0,
      out: `${markerFor('plan', 'mesh.yaml')}\n${renderPlanMarkdown(plan)}\n`,
      err: '',
    });
    expect(result.out).toContain('orders.v1');
    writeFileSync(join(dir, 'old.json'), JSON.stringify({ formatVersion: 0 }));
    const old = await run(['report', 'github', '--kind', 'plan', '--input', 'old.json', '--dry-run']);
    expect(old.code).toBe(64);
    expect(old.err).toContain('is not a plan this meshgov can read: unsupported plan formatVersion 0');
  });

  it("renders a saved plan with the mesh's context when --mesh-file is the mesh it was made from, and says so when not", async () => {
    const text = readFileSync(EXAMPLE_MESH_FILE, 'utf8');
    writeFileSync(join(dir, 'mesh.yaml'), text);
    const { desired } = exampleMesh();
    const live = {
      region: desired.region,
      accounts: desired.accounts.map((a) => ({ account: a.account, streams: [] })),
      notChecked: [],
    };
    const plan = computePlan({
      desired,
      live,
      meshDigest: meshDigest([{ file: 'mesh.yaml', text }]),
      clock,
      target: 'local',
    });
    writeFileSync(join(dir, 'plan.json'), renderPlanJson(plan));
    const withMesh = await run(['report', 'github', '--kind', 'plan', '--input', 'plan.json', '--dry-run']);
    expect(withMesh.code).toBe(0);
    // The mesh says the settlement partner is declared external, with its justification.
    expect(withMesh.out).toMatch(
      /\| ` arn:aws:iam::999999999999:role\/acme-settlement-reader ` \| declared external \|.*Contracted settlement partner/,
    );
    expect(withMesh.out).not.toContain('_Rendered without the mesh');
    // Another mesh file (one byte more): not the files the plan was made from, so the plan renders alone.
    writeFileSync(join(dir, 'mesh.yaml'), `${text}\n`);
    const other = await run(['report', 'github', '--kind', 'plan', '--input', 'plan.json', '--dry-run']);
    expect(other.out).toContain('_Rendered without the mesh');
    expect(other.out).toMatch(
      /\| ` arn:aws:iam::999999999999:role\/acme-settlement-reader ` \| outside the mesh accounts \|/,
    );
  });

  it('posts the validation findings of a saved plan, hostile justifications and file names inert', async () => {
    const base = computePlan({
      desired: desiredState([{ streams: [aDesiredStream({ name: 'orders.v1' })] }]),
      live: liveState([{ streams: [] }]),
      meshDigest: 'd'.repeat(64),
      clock,
      target: 'local',
    });
    const diagnostics: Diagnostic[] = HOSTILE_CORPUS.map((s, i) => ({
      code: 'provisioned-stream-declares-throughput',
      severity: i % 2 ? 'info' : 'warning',
      message: `stream ${s} declares no throughput`,
      file: `domains/${s}.yaml`,
      line: i + 1,
      column: 3,
      path: ['streams', i],
      ...(i % 2 ? { waivedBy: s } : {}),
    }));
    writeFileSync(join(dir, 'plan.json'), renderPlanJson({ ...base, diagnostics }));
    const result = await run(['report', 'github', '--kind', 'plan', '--input', 'plan.json', '--dry-run']);
    expect(result.code).toBe(0);
    const body = result.out;
    expect(body).toContain(
      `#### Validation: 0 errors, ${Math.ceil(HOSTILE_CORPUS.length / 2)} warnings, ${Math.floor(HOSTILE_CORPUS.length / 2)} info`,
    );
    const rows = body.split('\n').filter((l) => /^\| :(warning|information_source):/.test(l));
    expect(rows).toHaveLength(HOSTILE_CORPUS.length);
    expect(rows.filter((r) => r.includes('**Waived:**'))).toHaveLength(Math.floor(HOSTILE_CORPUS.length / 2));
    // Each row keeps its four cells whatever the corpus held (escaped pipes do not count).
    for (const r of rows) expect(r.replace(/\\\|/g, '').split('|').length).toBe(6);
    // Exactly one HTML comment (our marker); no live HTML, mentions, references, links or invisible characters.
    expect(body.match(/<!--/g)).toHaveLength(1);
    expect(body).not.toMatch(/<(?!\/?code>|\/?sub>|\/?details>|\/?summary>|!-- meshgov:plan:mesh\.yaml -->)/);
    expect(body).not.toMatch(/@(?!&#8203;)/);
    expect(body).not.toMatch(/(?<!&)#\d/);
    const outsideCode = body.replace(/(`{3,})diff\n[\s\S]*?\n\1/g, '').replace(/(?<!\\)(`+) .*? \1(?!`)/g, '');
    expect(outsideCode).not.toMatch(/\]\(|\]:/);
    expect(outsideCode).not.toMatch(/https?:\/\//);
    expect(body).not.toMatch(/[\u200B-\u200D\u202A-\u202E\u2066-\u2069\uFEFF]/);
  });

  it('prints the body without calling GitHub on --dry-run', async () => {
    writeFileSync(join(dir, 'plan.md'), `plan with ${TOKEN}`);
    const result = await run(['report', 'github', '--kind', 'plan', '--input', 'plan.md', '--dry-run']);
    expect(result).toEqual({ code: 0, out: `${markerFor('plan', 'mesh.yaml')}\nplan with ***\n`, err: '' });
    expect(fake.requests).toHaveLength(0);
  });

  it('exits 64 with a clear message when the Actions environment is incomplete', async () => {
    writeFileSync(join(dir, 'plan.md'), 'plan');
    env['GITHUB_TOKEN'] = undefined;
    const result = await run(['report', 'github', '--kind', 'plan', '--input', 'plan.md']);
    expect(result.code).toBe(64);
    expect(result.err).toMatch(/^meshgov: GITHUB_TOKEN is not set/);
    expect(fake.requests).toHaveLength(0);
  });

  it('exits 1 on an API failure and keeps the token out of the message', async () => {
    writeFileSync(join(dir, 'plan.md'), 'plan');
    fake.faults.push({
      method: 'GET',
      path: /comments$/,
      times: 1,
      status: 401,
      body: { message: `Bad credentials: ${TOKEN}` },
    });
    const result = await run(['report', 'github', '--kind', 'plan', '--input', 'plan.md']);
    expect(result.code).toBe(1);
    expect(result.err).toContain(
      'meshgov: GitHub API GET /repos/{owner}/{repo}/issues/{issue_number}/comments failed with 401: Bad credentials: ***',
    );
    expect(fake.requests[0]?.authorization).toBe(`token ${TOKEN}`);
  });

  it('rejects bad input with exit 64', async () => {
    writeFileSync(join(dir, 'bad.json'), JSON.stringify({ items: [{ level: 1 }] }));
    const bad = await run(['report', 'github', '--kind', 'audit', '--input', 'bad.json']);
    expect(bad.code).toBe(64);
    expect(bad.err).toContain('items[0].level must be a string');
    const missing = await run(['report', 'github', '--kind', 'plan', '--input', 'nope.md']);
    expect(missing).toMatchObject({ code: 64 });
    expect(missing.err).toContain('cannot read --input nope.md: no such file');
    const kind = await run(['report', 'github', '--kind', 'apply', '--input', 'x.md']);
    expect(kind.code).toBe(64);
    expect(fake.requests).toHaveLength(0);
  });
});
