/** Access Analyzer answers (recorded, shaped like the API reference) as located plan findings, and the report. */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  analyzerRefusal,
  analyzerReport,
  findingsOf,
  locateStatement,
  pathText,
  severityOf,
  statementSpans,
} from '../../src/core/analyzer/index.js';
import type { AnalyzerAnswer, AnalyzerRequest, ApiValidateFinding } from '../../src/core/analyzer/types.js';

const recorded = <T>(name: string): T =>
  JSON.parse(readFileSync(new URL(`./recorded/${name}.json`, import.meta.url), 'utf8')) as T;

const policy = {
  kind: 'identity-policy' as const,
  account: '222222222222',
  address: '222222222222/iam/role/r/policy/meshgov-r',
};
const document = JSON.stringify({
  Version: '2012-10-17',
  Statement: [
    { Sid: 'ListAll', Effect: 'Allow', Action: 'kinesis:ListStreams', Resource: '*' },
    {
      Sid: 'ConsumeOrders',
      Effect: 'Allow',
      Action: ['kinesis:DescribeStreamSumary'],
      Resource: 'arn:aws:kinesis:eu-west-1:111111111111:stream/orders',
    },
    { Effect: 'Allow', Action: 'kinesis:GetRecords', Resource: 'arn:aws:kinesis:eu-west-1:111111111111:stream/orders' },
  ],
});
const validate: AnalyzerRequest = { check: 'validate-policy', policy, document, policyType: 'IDENTITY_POLICY' };
const pages = [
  ...recorded<{ findings: ApiValidateFinding[] }>('validate-policy-page1').findings,
  ...recorded<{ findings: ApiValidateFinding[] }>('validate-policy-page2').findings,
];

describe('findingsOf: ValidatePolicy', () => {
  it('maps finding types to severities: ERROR and SECURITY_WARNING block, WARNING warns, SUGGESTION informs', () => {
    expect(['ERROR', 'SECURITY_WARNING', 'WARNING', 'SUGGESTION', 'SOMETHING_NEW'].map(severityOf)).toEqual([
      'error',
      'error',
      'warning',
      'info',
      'warning',
    ]);
  });

  it('names the policy, the statement (index and Sid) and the path of each finding', () => {
    const found = findingsOf(validate, { check: 'validate-policy', findings: pages });
    expect(found).toEqual([
      {
        check: 'validate-policy',
        severity: 'error',
        issueCode: 'INVALID_ACTION',
        findingType: 'ERROR',
        policy,
        message: 'The action kinesis:DescribeStreamSumary does not exist. Did you mean kinesis:DescribeStreamSummary?',
        learnMoreLink:
          'https://docs.aws.amazon.com/IAM/latest/UserGuide/access-analyzer-reference-policy-checks.html#access-analyzer-reference-policy-checks-error-invalid-action',
        statement: { index: 1, sid: 'ConsumeOrders' },
        path: 'Statement[1].Action[0]',
      },
      expect.objectContaining({
        severity: 'info',
        issueCode: 'REDUNDANT_RESOURCE',
        statement: { index: 0, sid: 'ListAll' },
        path: 'Statement[0].Resource',
      }),
      // No location: the policy only.
      expect.not.objectContaining({ statement: expect.anything() }),
    ]);
    expect(found[2]).toMatchObject({ severity: 'warning', issueCode: 'FORANYVALUE_WITH_SINGLE_VALUED_KEY' });
  });

  it('an empty findings list gives no finding', () => {
    expect(
      findingsOf(validate, {
        check: 'validate-policy',
        findings: recorded<{ findings: ApiValidateFinding[] }>('validate-policy-empty').findings,
      }),
    ).toEqual([]);
  });

  it("without a Statement index in the path, the span's offset names the statement it falls in", () => {
    const third = document.indexOf('{"Effect":"Allow","Action":"kinesis:GetRecords"');
    expect(third).toBeGreaterThan(0);
    const at = (offset: number) => ({
      path: [],
      span: { start: { line: 1, column: offset, offset }, end: { line: 1, column: offset + 1, offset: offset + 1 } },
    });
    expect(locateStatement(document, at(third + 5))).toEqual({ index: 2 });
    expect(locateStatement(document, at(document.indexOf('"ConsumeOrders"')))).toEqual({
      index: 1,
      sid: 'ConsumeOrders',
    });
    // Before the Statement array (the Version) and past the end: no statement.
    expect(locateStatement(document, at(3))).toBeUndefined();
    expect(locateStatement(document, at(document.length + 10))).toBeUndefined();
    // A path that names Statement without an index falls back to the span too.
    expect(locateStatement(document, { ...at(third), path: [{ value: 'Statement' }] })).toEqual({ index: 2 });
  });

  it("statement spans cover exactly each statement's text", () => {
    const spans = statementSpans(document);
    const list = (JSON.parse(document) as { Statement: unknown[] }).Statement;
    expect(spans.map(([s, e]) => document.slice(s, e))).toEqual(list.map((s) => JSON.stringify(s)));
    expect(statementSpans(JSON.stringify(JSON.parse(document), null, 2))).toEqual([]);
    expect(statementSpans('not json')).toEqual([]);
  });

  it('an index out of range or a hostile path points at no statement, and paths render every element kind', () => {
    expect(locateStatement(document, { path: [{ value: 'Statement' }, { index: 7 }] })).toBeUndefined();
    expect(locateStatement(document, { path: [{ key: 'Statement' }, { index: -1 }] })).toBeUndefined();
    expect(
      pathText([
        { value: 'Statement' },
        { index: 0 },
        { key: 'Condition' },
        { value: 'StringEquals' },
        { substring: { start: 2, length: 3 } },
      ]),
    ).toBe('Statement[0].Condition.StringEquals(characters 2..5)');
  });
});

describe('findingsOf: CheckNoPublicAccess and CheckNoNewAccess', () => {
  const stream = {
    kind: 'stream-policy' as const,
    account: '111111111111',
    address: '111111111111/stream/orders/policy',
  };
  const pub: AnalyzerRequest = {
    check: 'no-public-access',
    policy: stream,
    document,
    resourceType: 'AWS::Kinesis::Stream',
  };
  const fresh: AnalyzerRequest = {
    check: 'no-new-access',
    policy,
    document,
    existing: '{}',
    policyType: 'IDENTITY_POLICY',
  };
  const answer = (name: string, check: 'no-public-access' | 'no-new-access'): AnalyzerAnswer => ({
    check,
    ...recorded<Omit<Extract<AnalyzerAnswer, { result: string }>, 'check'>>(name),
  });

  it('a public-access FAIL is an error at the statement index the reason gives; PASS is nothing', () => {
    expect(findingsOf(pub, answer('check-no-public-access-fail', 'no-public-access'))).toEqual([
      {
        check: 'no-public-access',
        severity: 'error',
        issueCode: 'PUBLIC_ACCESS',
        policy: stream,
        message: 'Public access granted in the following statement with index: 1.',
        statement: { index: 1, sid: 'ConsumeOrders' },
      },
    ]);
    expect(findingsOf(pub, answer('check-no-public-access-pass', 'no-public-access'))).toEqual([]);
  });

  it('a new-access FAIL is info (widening can be intended), located by the statement id', () => {
    expect(findingsOf(fresh, answer('check-no-new-access-fail', 'no-new-access'))).toEqual([
      {
        check: 'no-new-access',
        severity: 'info',
        issueCode: 'NEW_ACCESS',
        policy,
        message: 'New access in the statement with sid: ConsumeOrders.',
        statement: { index: 1, sid: 'ConsumeOrders' },
      },
    ]);
  });

  it("a FAIL without reasons is one finding with the answer's message", () => {
    expect(findingsOf(pub, { check: 'no-public-access', result: 'FAIL', message: 'public', reasons: [] })).toEqual([
      { check: 'no-public-access', severity: 'error', issueCode: 'PUBLIC_ACCESS', policy: stream, message: 'public' },
    ]);
  });

  it('an answer to another check is refused, not misread', () => {
    expect(() => findingsOf(pub, { check: 'validate-policy', findings: [] })).toThrow(
      /answer to validate-policy given for a no-public-access request/,
    );
  });
});

describe('analyzerReport and the refusal', () => {
  const requests: AnalyzerRequest[] = [validate];
  const answered = {
    kind: 'answered' as const,
    account: '111111111111',
    region: 'eu-west-1',
    answers: [{ check: 'validate-policy' as const, findings: pages }],
  };

  it('sorts errors first and counts the calls', () => {
    const r = analyzerReport(requests, answered);
    if (r.status !== 'ran') throw new Error('expected ran');
    expect(r.findings.map((f) => f.severity)).toEqual(['error', 'warning', 'info']);
    expect(r.checked).toEqual({ validatePolicy: 1, checkNoPublicAccess: 0, checkNoNewAccess: 0 });
  });

  it('refuses apply on an error, naming policy, statement, path and issue', () => {
    const message = analyzerRefusal(analyzerReport(requests, answered));
    expect(message).toContain('IAM Access Analyzer reports 1 error');
    expect(message).toContain(
      '222222222222/iam/role/r/policy/meshgov-r, statement 1 (Sid ConsumeOrders) at Statement[1].Action[0]: ERROR INVALID_ACTION',
    );
  });

  it('does not refuse on warnings and suggestions, a failed run, no run, or no report', () => {
    const soft = {
      ...answered,
      answers: [{ check: 'validate-policy' as const, findings: pages.filter((f) => f.findingType !== 'ERROR') }],
    };
    expect(analyzerRefusal(analyzerReport(requests, soft))).toBeUndefined();
    expect(
      analyzerRefusal(analyzerReport(requests, { kind: 'failed', account: 'a', region: 'r', message: 'denied' })),
    ).toBeUndefined();
    expect(analyzerRefusal({ status: 'not-run', reason: 'local' })).toBeUndefined();
    expect(analyzerRefusal(undefined)).toBeUndefined();
  });

  it('an answer count that does not match the requests is an internal error, not a silent pass', () => {
    expect(() => analyzerReport(requests, { ...answered, answers: [] })).toThrow(/0 answers for 1 requests/);
  });
});
