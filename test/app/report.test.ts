/** The report use case called directly (no CLI): in-memory inputs and a fake GitHub publisher that records calls. */
import { describe, expect, it } from 'vitest';
import { report } from '../../src/app/report.js';
import type { GitHubPublisher, ReportOptions } from '../../src/app/report.js';
import { GitHubContextError } from '../../src/adapters/github/context.js';
import type { PublishResult } from '../../src/adapters/github/publish.js';
import { computePlan, meshDigest } from '../../src/core/plan/index.js';
import { renderPlanJson } from '../../src/output/plan/index.js';
import { EXAMPLE_MESH_TEXT, memoryInputs, memorySources } from '../support/app-ports.js';
import { exampleMesh } from '../support/example-mesh.js';

const clock = { now: () => new Date('2026-12-01T00:00:00Z') };
const published: PublishResult = {
  action: 'created',
  url: 'https://github.example/pr/1#c',
  summaryWritten: false,
  summaryTruncated: false,
} as PublishResult;

function recorder(fail?: Error) {
  const calls: { kind: string; options: Record<string, unknown> }[] = [];
  const github: GitHubPublisher = {
    plan: async (o) => {
      calls.push({ kind: 'plan', options: o as unknown as Record<string, unknown> });
      if (fail) throw fail;
      return published;
    },
    audit: async (o) => {
      calls.push({ kind: 'audit', options: o as unknown as Record<string, unknown> });
      return published;
    },
    apply: async (o) => {
      calls.push({ kind: 'apply', options: o as unknown as Record<string, unknown> });
      return { summaryWritten: true, markdown: '' };
    },
  };
  return { calls, github };
}

const base: Omit<ReportOptions, 'kind' | 'input'> = {
  meshFile: 'mesh.yaml',
  approvalEnvironment: 'meshgov-destructive',
  summary: true,
  env: {},
  clock,
  client: { userAgent: 'test', warn: () => undefined },
};

/** A saved plan of the example mesh, made from `mesh.yaml` holding `meshText` (its digest names that file). */
function savedPlan(meshText = EXAMPLE_MESH_TEXT): string {
  const { desired } = exampleMesh();
  const live = {
    region: desired.region,
    accounts: desired.accounts.map((a) => ({ account: a.account, streams: [] })),
    notChecked: [],
  };
  const digest = meshDigest([{ file: 'mesh.yaml', text: meshText }]);
  return renderPlanJson(computePlan({ desired, live, meshDigest: digest, clock, target: 'aws' }));
}

describe('report (use case)', () => {
  it("publishes a plan comment with the reviewed plan's change-set digest", async () => {
    const { calls, github } = recorder();
    const plan = savedPlan();
    const digest = (JSON.parse(plan) as { changeSetDigest: string }).changeSetDigest;
    const r = await report(
      { ...base, kind: 'plan', input: 'plan.md', reviewedPlan: 'plan.json' },
      {
        inputs: memoryInputs({ 'plan.md': '## the plan', 'plan.json': plan }),
        sources: memorySources({}),
        github,
      },
    );
    expect(r).toEqual({ kind: 'published', report: 'plan', result: published });
    expect(calls).toHaveLength(1);
    expect(calls[0]?.options).toMatchObject({
      markdown: '## the plan',
      reviewedDigest: digest,
      artifactName: 'meshgov-plan',
    });
  });

  it("renders a saved plan with the mesh's context when the mesh is the one it was made from", async () => {
    const { calls, github } = recorder();
    const r = await report(
      { ...base, kind: 'plan', input: 'plan.json' },
      {
        inputs: memoryInputs({ 'plan.json': savedPlan(), 'mesh.yaml': EXAMPLE_MESH_TEXT }),
        sources: memorySources({ 'mesh.yaml': EXAMPLE_MESH_TEXT }),
        github,
      },
    );
    expect(r.kind).toBe('published');
    // The justification comes from the mesh, not from the plan file: a plan made from other files renders without.
    expect(String(calls[0]?.options['markdown'])).toContain('The payment gateway writes refunds');
    await report(
      { ...base, kind: 'plan', input: 'plan.json' },
      {
        inputs: memoryInputs({
          'plan.json': savedPlan(`${EXAMPLE_MESH_TEXT}\n# edited\n`),
          'mesh.yaml': EXAMPLE_MESH_TEXT,
        }),
        sources: memorySources({ 'mesh.yaml': EXAMPLE_MESH_TEXT }),
        github,
      },
    );
    expect(String(calls[1]?.options['markdown'])).not.toContain('The payment gateway writes refunds');
  });

  it('an unreadable or foreign input is a usage problem, and nothing is published', async () => {
    const { calls, github } = recorder();
    const ports = {
      inputs: memoryInputs({ 'x.json': '{"hello":1}', 'bad.json': '{' }),
      sources: memorySources({}),
      github,
    };
    expect(await report({ ...base, kind: 'plan', input: 'nope.md' }, ports)).toEqual({
      kind: 'usage',
      message: 'cannot read --input nope.md: no such file',
    });
    expect(await report({ ...base, kind: 'audit', input: 'bad.json' }, ports)).toEqual({
      kind: 'usage',
      message: expect.stringMatching(/^--input bad\.json is not valid JSON/),
    });
    expect(await report({ ...base, kind: 'plan', input: 'x.json' }, ports)).toEqual({
      kind: 'usage',
      message: expect.stringMatching(/^--input x\.json is not a meshgov report/),
    });
    expect(await report({ ...base, kind: 'apply', input: 'x.json' }, ports)).toEqual({
      kind: 'usage',
      message: expect.stringMatching(/^--input x\.json is not an apply result/),
    });
    expect(calls).toEqual([]);
  });

  it('a dry run assembles the body with its marker and calls nobody', async () => {
    const { calls, github } = recorder();
    const r = await report(
      { ...base, kind: 'audit', input: 'a.md', dryRun: true },
      {
        inputs: memoryInputs({ 'a.md': 'all clear' }),
        sources: memorySources({}),
        github,
      },
    );
    expect(r.kind).toBe('dry-run');
    if (r.kind === 'dry-run') {
      expect(r.body).toContain('all clear');
      expect(r.body).toMatch(/<!-- meshgov:audit/);
    }
    expect(calls).toEqual([]);
  });

  it('a missing GitHub context and a failing API come back as values', async () => {
    const ports = (e: Error) => ({
      inputs: memoryInputs({ 'p.md': 'x' }),
      sources: memorySources({}),
      github: recorder(e).github,
    });
    expect(
      await report(
        { ...base, kind: 'plan', input: 'p.md' },
        ports(new GitHubContextError('GITHUB_REPOSITORY is not set')),
      ),
    ).toEqual({ kind: 'no-github-context', message: 'GITHUB_REPOSITORY is not set' });
    expect(await report({ ...base, kind: 'plan', input: 'p.md' }, ports(new Error('socket hang up')))).toEqual({
      kind: 'github-failed',
      message: 'GitHub report failed: socket hang up',
    });
  });
});
