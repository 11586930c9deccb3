/** The plan's `analyzer` report from a run of the checks, and apply's refusal when it holds errors. */
import { blockingFindings, findingLine, findingsOf, sortFindings } from './findings.js';
import type { AnalyzerAnswer, AnalyzerCounts, AnalyzerReport, AnalyzerRequest, AnalyzerRun } from './types.js';

export function countRequests(requests: readonly AnalyzerRequest[]): AnalyzerCounts {
  const n = (check: AnalyzerRequest['check']) => requests.filter((r) => r.check === check).length;
  return {
    validatePolicy: n('validate-policy'),
    checkNoPublicAccess: n('no-public-access'),
    checkNoNewAccess: n('no-new-access'),
  };
}

export function analyzerReport(requests: readonly AnalyzerRequest[], run: AnalyzerRun): AnalyzerReport {
  const { account, region } = run;
  if (run.kind === 'failed') return { status: 'failed', account, region, message: run.message };
  if (run.answers.length !== requests.length) {
    throw new Error(`Access Analyzer: ${run.answers.length} answers for ${requests.length} requests`);
  }
  const findings = sortFindings(requests.flatMap((r, i) => findingsOf(r, run.answers[i] as AnalyzerAnswer)));
  return { status: 'ran', account, region, checked: countRequests(requests), findings };
}

/** Apply's refusal when the checks found errors, naming each; undefined when nothing blocks. */
export function analyzerRefusal(report: AnalyzerReport | undefined): string | undefined {
  if (report?.status !== 'ran') return undefined;
  const blocking = blockingFindings(report.findings);
  if (blocking.length === 0) return undefined;
  const n = blocking.length === 1 ? '1 error' : `${blocking.length} errors`;
  return (
    `IAM Access Analyzer reports ${n} in the rendered policies; fix the mesh (or report a meshgov bug) and plan ` +
    `again. Nothing was applied.\n${blocking.map((f) => `  - ${findingLine(f)}`).join('\n')}`
  );
}
