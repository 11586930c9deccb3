/**
 * The Access Analyzer checks in the plan and apply use cases: run from the mesh's first account on AWS, reported in
 * the plan (JSON round trip included), not run on local-like targets (saying why), and apply refuses on errors.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { apply } from '../../src/app/apply.js';
import { plan } from '../../src/app/plan.js';
import type { Target } from '../../src/app/target.js';
import type { AnalyzerAnswer, AnalyzerRequest, ApiValidateFinding } from '../../src/core/analyzer/types.js';
import { parsePlan } from '../../src/core/plan/index.js';
import { ApplyLog } from '../../src/adapters/fs/apply-log.js';
import { EXAMPLE_MESH_TEXT, memoryFiles, memoryInputs, memorySources } from '../support/app-ports.js';
import { emptyAccountsReader, fakeTarget, openerOf } from '../support/fake-target.js';

const clock = { now: () => new Date('2026-12-01T00:00:00Z') };
const files = { 'mesh.yaml': EXAMPLE_MESH_TEXT };
const HOME = '111111111111';
const page1 = JSON.parse(readFileSync(new URL('./recorded/validate-policy-page1.json', import.meta.url), 'utf8')) as {
  findings: ApiValidateFinding[];
};
const warning: ApiValidateFinding = {
  ...(page1.findings[0] as ApiValidateFinding),
  findingType: 'WARNING',
  issueCode: 'SOME_WARNING',
};

/** Answers: `finding` for the first identity policy checked, nothing for every other policy, PASS for public access. */
function answering(finding: ApiValidateFinding | undefined) {
  return (r: AnalyzerRequest, first: boolean): AnalyzerAnswer => {
    if (r.check === 'validate-policy') return { check: r.check, findings: first && finding ? [finding] : [] };
    return { check: r.check, result: 'PASS', message: 'ok', reasons: [] };
  };
}

function analyzingTarget(
  answer: ReturnType<typeof answering>,
): Target & { closed: number; from: string[]; executed: number } {
  const t = Object.assign(fakeTarget(emptyAccountsReader), { from: [] as string[], executed: 0 });
  t.analyzer = (account) => {
    t.from.push(account);
    return {
      check: async (requests) => {
        const firstIdentity = requests.findIndex((r) => r.policy.kind === 'identity-policy');
        return {
          kind: 'answered',
          account,
          region: 'eu-west-1',
          answers: requests.map((r, i) => answer(r, i === firstIdentity)),
        };
      },
    };
  };
  t.execute = async () => {
    t.executed++;
    throw new Error('must not execute');
  };
  return t;
}

const planPorts = (target: Target, sink = memoryFiles()) => ({
  sources: memorySources(files),
  openTarget: openerOf(target),
  files: sink,
});
const applyPorts = (target: Target, inputs: Record<string, string> = files) => ({
  sources: memorySources(files),
  inputs: memoryInputs(inputs),
  openTarget: openerOf(target),
  openLog: () => new ApplyLog('/nonexistent/meshgov-test-apply-log.jsonl'),
});
const applyBase = {
  mesh: 'mesh.yaml',
  domain: [],
  account: [],
  log: 'log.jsonl',
  allowDestructive: false,
  clock,
  target: { kind: 'aws' },
} as const;

describe('plan runs the checks on AWS', () => {
  it('from the first account, over every rendered policy, and the report survives the saved plan', async () => {
    const target = analyzingTarget(answering(page1.findings[0]));
    const sink = memoryFiles();
    const r = await plan(
      'mesh.yaml',
      { domain: [], account: [], target: { kind: 'aws' }, clock, out: 'plan.json' },
      planPorts(target, sink),
    );
    if (r.kind !== 'planned') throw new Error(r.kind);
    expect(target.from).toEqual([HOME]);
    const report = r.plan.analyzer;
    if (report?.status !== 'ran') throw new Error(`expected a run, got ${JSON.stringify(report)}`);
    expect(report.account).toBe(HOME);
    expect(report.checked.validatePolicy).toBeGreaterThan(10);
    expect(report.checked.checkNoPublicAccess).toBeGreaterThan(0);
    expect(report.findings).toEqual([
      expect.objectContaining({
        severity: 'error',
        issueCode: 'INVALID_ACTION',
        policy: expect.objectContaining({ kind: 'identity-policy' }),
      }),
    ]);
    const saved = parsePlan(sink.written.get('plan.json') ?? '');
    expect(saved.plan?.analyzer).toEqual(report);
  });

  it.each([
    [
      { kind: 'local', localDir: '/nonexistent' } as const,
      'the local target has no IAM Access Analyzer (it runs against AWS only)',
    ],
    [
      { kind: 'accounts-as-keys', endpoint: 'http://127.0.0.1:1', localDir: '/nonexistent' } as const,
      '--endpoint-accounts-as-keys: the endpoint emulates Kinesis only',
    ],
  ])('%o: not run, and says why', async (spec, reason) => {
    const target = analyzingTarget(answering(undefined));
    const r = await plan('mesh.yaml', { domain: [], account: [], target: spec, clock }, planPorts(target));
    if (r.kind !== 'planned') throw new Error(r.kind);
    expect(r.plan.analyzer).toEqual({ status: 'not-run', reason });
    expect(target.from).toEqual([]);
  });
});

describe('apply refuses on Access Analyzer errors', () => {
  it('an error: refused with the finding, before approval and before any change', async () => {
    const target = analyzingTarget(answering(page1.findings[0]));
    let asked = 0;
    const r = await apply({ ...applyBase, approve: async () => ++asked > 0 }, applyPorts(target));
    expect(r).toEqual({ kind: 'refused', message: expect.stringContaining('IAM Access Analyzer reports 1 error') });
    if (r.kind === 'refused')
      expect(r.message).toMatch(
        /\/iam\/role\/.*statement \d+ \(Sid \w+\) at Statement\[\d+\]\.Action\[0\]: ERROR INVALID_ACTION/,
      );
    expect(asked).toBe(0);
    expect(target.executed).toBe(0);
    expect(target.closed).toBe(1);
  });

  it('a warning does not block: apply goes on to ask for approval', async () => {
    const target = analyzingTarget(answering(warning));
    let checked: unknown;
    const r = await apply(
      {
        ...applyBase,
        approve: async (p) => {
          checked = p.analyzer;
          return false;
        },
      },
      applyPorts(target),
    );
    expect(r.kind).toBe('cancelled');
    expect(checked).toMatchObject({ status: 'ran', findings: [expect.objectContaining({ severity: 'warning' })] });
  });

  it('a saved plan that showed errors is refused even when the checks now pass', async () => {
    const sink = memoryFiles();
    const planned = await plan(
      'mesh.yaml',
      { domain: [], account: [], target: { kind: 'aws' }, clock, out: 'plan.json' },
      planPorts(analyzingTarget(answering(page1.findings[0])), sink),
    );
    expect(planned.kind).toBe('planned');
    const target = analyzingTarget(answering(undefined));
    const r = await apply(
      { ...applyBase, file: 'plan.json', approve: async () => true },
      applyPorts(target, { ...files, 'plan.json': sink.written.get('plan.json') ?? '' }),
    );
    // The refusal names the saved plan it refused (for the pull request's apply result).
    expect(r).toEqual({
      kind: 'refused',
      message: expect.stringContaining('IAM Access Analyzer reports 1 error'),
      reviewedDigest: expect.stringMatching(/^[0-9a-f]{64}$/),
    });
    expect(target.executed).toBe(0);
  });
});
