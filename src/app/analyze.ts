/**
 * The Access Analyzer checks of plan and apply (docs/analyzer.md): on the AWS target, from the mesh's first account;
 * elsewhere a report that says why they did not run. Shared so apply checks exactly what plan showed.
 */
import { analyzerReport, analyzerRequests } from '../core/analyzer/index.js';
import type { AnalyzerReport } from '../core/analyzer/index.js';
import type { Mesh } from '../core/model/types.js';
import type { Change } from '../core/plan/types.js';
import { homeAccount } from '../core/render/governance-policy.js';
import type { DesiredState } from '../core/render/types.js';
import type { Target, TargetSpec } from './target.js';

/** Why the checks cannot run on a target, or undefined when they can. */
function notRunReason(spec: TargetSpec, target: Target, home: string | undefined): string | undefined {
  if (spec.kind === 'local') return 'the local target has no IAM Access Analyzer (it runs against AWS only)';
  if (spec.kind === 'accounts-as-keys') return '--endpoint-accounts-as-keys: the endpoint emulates Kinesis only';
  if (target.analyzer === undefined) return 'the target offers no IAM Access Analyzer';
  if (home === undefined) return 'the mesh declares no account to call it from';
  return undefined;
}

/** Check the (scoped) desired state's policies and the plan's changed identity policies. */
export async function analyzePolicies(
  spec: TargetSpec,
  target: Target,
  mesh: Pick<Mesh, 'accounts'>,
  desired: DesiredState,
  changes: readonly Change[],
): Promise<AnalyzerReport> {
  const home = homeAccount(mesh);
  const why = notRunReason(spec, target, home);
  if (why !== undefined || target.analyzer === undefined || home === undefined) {
    return { status: 'not-run', reason: why ?? '' };
  }
  const requests = analyzerRequests(desired, changes);
  return analyzerReport(requests, await target.analyzer(home).check(requests));
}
