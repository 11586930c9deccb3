/** The plan's Access Analyzer section in text, markdown and JSON. */
import { describe, expect, it } from 'vitest';
import type { AnalyzerFinding, AnalyzerReport } from '../../src/core/analyzer/types.js';
import { computePlan } from '../../src/core/plan/index.js';
import type { Plan } from '../../src/core/plan/types.js';
import { renderPlanJson, renderPlanMarkdown, renderPlanText } from '../../src/output/plan/index.js';
import { plainStyle } from '../../src/output/style.js';
import { exampleMesh } from '../support/example-mesh.js';

const clock = { now: () => new Date('2026-12-01T00:00:00Z') };
function aPlan(analyzer?: AnalyzerReport): Plan {
  const { desired } = exampleMesh();
  const live = {
    region: desired.region,
    accounts: desired.accounts.map((a) => ({ account: a.account, streams: [] })),
    notChecked: [],
  };
  const p = computePlan({ desired, live, meshDigest: 'd'.repeat(64), clock, target: 'aws' });
  return analyzer ? { ...p, analyzer } : p;
}

const policy = {
  kind: 'identity-policy' as const,
  account: '222222222222',
  address: '222222222222/iam/role/r/policy/meshgov-r',
};
const error: AnalyzerFinding = {
  check: 'validate-policy',
  severity: 'error',
  issueCode: 'INVALID_ACTION',
  findingType: 'ERROR',
  policy,
  message: 'The action kinesis:DescribeStreamSumary does not exist.',
  statement: { index: 1, sid: 'ConsumeOrders' },
  path: 'Statement[1].Action[0]',
  learnMoreLink: 'https://docs.aws.amazon.com/IAM/latest/UserGuide/access-analyzer-reference-policy-checks.html',
};
const hostile: AnalyzerFinding = {
  check: 'validate-policy',
  severity: 'warning',
  issueCode: 'X',
  findingType: 'WARNING',
  policy,
  message: '<img src=x onerror=alert(1)> [click](https://evil.example) @team',
  learnMoreLink: 'https://evil.example/docs',
};
const ran = (findings: AnalyzerFinding[]): AnalyzerReport => ({
  status: 'ran',
  account: '111111111111',
  region: 'eu-west-1',
  checked: { validatePolicy: 20, checkNoPublicAccess: 4, checkNoNewAccess: 0 },
  findings,
});

describe('Access Analyzer in the plan output', () => {
  it('not run: the text and markdown say why', () => {
    const p = aPlan({
      status: 'not-run',
      reason: 'the local target has no IAM Access Analyzer (it runs against AWS only)',
    });
    expect(renderPlanText(p, plainStyle)).toContain(
      'Access Analyzer checks not run: the local target has no IAM Access Analyzer (it runs against AWS only).',
    );
    expect(renderPlanMarkdown(p)).toContain(
      '_Access Analyzer checks not run: the local target has no IAM Access Analyzer',
    );
  });

  it('errors: each with policy, statement and path; apply will refuse, in the text tail and the markdown caution', () => {
    const p = aPlan(ran([error]));
    const text = renderPlanText(p, plainStyle);
    expect(text).toContain(
      'Access Analyzer findings: 1 error, 0 warnings, 0 info (20 ValidatePolicy, 4 CheckNoPublicAccess, 0 CheckNoNewAccess from account 111111111111 (eu-west-1)); apply will refuse',
    );
    expect(text).toContain(
      '  E 222222222222/iam/role/r/policy/meshgov-r, statement 1 (Sid ConsumeOrders) at Statement[1].Action[0]: ERROR INVALID_ACTION: The action kinesis:DescribeStreamSumary does not exist.',
    );
    expect(text.trimEnd().split('\n').at(-1)).toContain('1 Access Analyzer error: apply will refuse.');
    const md = renderPlanMarkdown(p);
    expect(md).toContain('> [!CAUTION]');
    expect(md).toContain('> **Access Analyzer: 1 error; apply will refuse** until they are fixed.');
    expect(md).toContain(
      '([learn more](https://docs.aws.amazon.com/IAM/latest/UserGuide/access-analyzer-reference-policy-checks.html))',
    );
  });

  it("an answer's strings are escaped and a link outside AWS's docs is dropped", () => {
    const md = renderPlanMarkdown(aPlan(ran([hostile])));
    expect(md).toContain('<details><summary>Access Analyzer: 1 warning, 0 info');
    expect(md).not.toContain('<img');
    expect(md).not.toContain('](https://evil.example');
    expect(md).not.toContain('evil.example/docs');
    expect(md).not.toContain(' @team');
  });

  it('no findings and a failed run are both stated', () => {
    expect(renderPlanText(aPlan(ran([])), plainStyle)).toContain('Access Analyzer: no findings (20 ValidatePolicy');
    const failed = aPlan({
      status: 'failed',
      account: '111111111111',
      region: 'eu-west-1',
      message: 'access-analyzer:ValidatePolicy failed: AccessDeniedException',
    });
    expect(renderPlanText(failed, plainStyle)).toContain(
      'Access Analyzer checks failed (account 111111111111, eu-west-1):\n  ! access-analyzer:ValidatePolicy failed: AccessDeniedException',
    );
    expect(renderPlanMarkdown(failed)).toContain('**Access Analyzer checks failed**');
  });

  it('the JSON plan carries the report as is; a plan without one renders no section', () => {
    expect(JSON.parse(renderPlanJson(aPlan(ran([error])))).analyzer).toEqual(ran([error]));
    expect(renderPlanText(aPlan(), plainStyle)).not.toContain('Access Analyzer');
    expect(renderPlanMarkdown(aPlan())).not.toContain('Access Analyzer');
  });
});
