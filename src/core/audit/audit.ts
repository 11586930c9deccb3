/**
 * Assembles an AuditReport from the checks (pure). Read-only by construction: it only reads its inputs.
 */
import type { DocPath } from '../diagnostics/diagnostic.js';
import type { Mesh, SourceRef } from '../model/types.js';
import type { LiveState } from '../plan/live.js';
import type { DesiredState } from '../render/types.js';
import { resourcePolicyChecks, resourcePolicyTagTampering } from './access.js';
import { AUDIT_CHECKS } from './checks.js';
import type { AuditContext, CheckResult } from './context.js';
import { driftChecks } from './drift.js';
import type { AuditReport, AuditWindow, CheckNotRun, FindingLocation } from './findings.js';
import { compareFindings, summarise } from './findings.js';
import type { HotShardOptions } from './hot-shards.js';
import { hotShardChecks } from './hot-shards.js';
import type { ActionCatalog } from './identity-reach.js';
import { identityChecks } from './identity-reach.js';
import { mappingChecks } from './mappings.js';
import type { MetricsSnapshot } from './metrics.js';
import { shadowChecks } from './shadow.js';
import { settleFindings } from './settle.js';

export interface AuditOptions {
  hotShards?: Partial<HotShardOptions>;
  /** Kinesis IAM action catalog; without it the identity-policy checks do not run. */
  actions?: ActionCatalog;
  /** ISO 8601 time the report is produced (from the CLI's clock). Defaults to the window end. */
  generatedAt?: string;
  /** The window asked for, used when no metrics were read. */
  window?: AuditWindow;
  /** Source locator for finding locations (SARIF). */
  locate?: (ref: SourceRef, sub?: DocPath) => FindingLocation | undefined;
}

export interface AuditInput {
  mesh: Mesh;
  desired: DesiredState;
  live: LiveState;
  /** Shard metrics; undefined when CloudWatch was not read (e.g. the local target). */
  metrics: MetricsSnapshot | undefined;
  /** YYYY-MM-DD. */
  today: string;
  options?: AuditOptions;
}

function merge(results: readonly CheckResult[]): CheckResult {
  return {
    findings: results.flatMap((r) => r.findings),
    checksRun: results.flatMap((r) => r.checksRun),
    checksNotRun: results.flatMap((r) => r.checksNotRun),
    notes: results.flatMap((r) => r.notes ?? []),
    charts: results.flatMap((r) => r.charts ?? []),
  };
}

/** Runs every check and returns the report. */
export function audit(input: AuditInput): AuditReport {
  const options = input.options ?? {};
  const ctx: AuditContext = { mesh: input.mesh, desired: input.desired, live: input.live, today: input.today };
  if (options.locate) ctx.locate = options.locate;
  const resourceTamper: CheckResult = {
    findings: resourcePolicyTagTampering(ctx),
    checksRun: ['tag-tampering'],
    checksNotRun: [],
  };
  const all = merge([
    hotShardChecks(ctx, input.metrics, options.hotShards),
    driftChecks(ctx),
    resourcePolicyChecks(ctx),
    resourceTamper,
    identityChecks(ctx, options.actions),
    shadowChecks(ctx),
    mappingChecks(ctx),
  ]);
  const window: AuditWindow = input.metrics?.window ??
    options.window ?? { start: `${input.today}T00:00:00.000Z`, end: `${input.today}T00:00:00.000Z`, periodSeconds: 60 };
  const notRun = new Map<string, CheckNotRun>();
  for (const c of all.checksNotRun) notRun.set(c.check, c);
  for (const n of input.live.notChecked) notRun.set(`live state: ${n}`, { check: 'live state', reason: n });
  // The one place findings are filtered: the mesh's severity settings and waivers (settle.ts).
  const settled = settleFindings(all.findings, input.mesh, input.today);
  const findings = settled.findings.sort(compareFindings);
  const ran = new Set(all.checksRun);
  const report: AuditReport = {
    formatVersion: 1,
    mesh: input.mesh.name,
    generatedAt: options.generatedAt ?? window.end,
    window,
    findings,
    checksRun: AUDIT_CHECKS.filter((c) => ran.has(c.id)).map((c) => c.id),
    checksNotRun: [...notRun.values()].sort((a, b) => (a.check + a.reason < b.check + b.reason ? -1 : 1)),
    notes: [...new Set(all.notes ?? [])],
    summary: summarise(findings),
  };
  if (settled.waived.length > 0) report.waived = settled.waived.sort(compareFindings);
  if (all.charts && all.charts.length > 0) report.shardCharts = all.charts;
  return report;
}
