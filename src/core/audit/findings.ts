/**
 * Audit findings: what a scheduled, read-only audit reports. Every check (hot shards, drift, access) returns
 * findings of one shape, so the text, markdown, JSON and SARIF renderers read the same data (after Terraform's
 * "the human renderer reads the JSON a machine gets").
 */
import type { ChargebackReport } from '../cost/report-types.js';
import type { ResourceFinding, Severity, SourceLocation } from '../findings/finding.js';
import type { AccountId } from '../model/types.js';

export type FindingSeverity = Severity;

/** A 1-based location in the mesh source, when the finding concerns a declared entity. */
export type FindingLocation = SourceLocation;

/**
 * An audit finding: the resource kind of the one finding type (src/core/findings/finding.ts), as validate's findings
 * are its source kind. `code` is the check id (kebab-case, e.g. `hot-shard`, `retention-drift`); `resource` is
 * `<account>/stream/<name>`, `<account>/stream/<name>/shard/<shardId>`, `<account>/stream/<name>/consumer/<name>`,
 * `<account>/principal/<arn>` or `mesh/grant/<id>`; `subject`, with `code` and `resource`, identifies the finding
 * across runs (the SARIF fingerprint), so it holds no numbers that change from run to run.
 */
export type Finding = ResourceFinding;

/** A finding an active waiver in the mesh silences: in the JSON report, not in the summary or for --fail-on. */
export interface WaivedFinding extends ResourceFinding {
  /** The waiver's justification (as validate's `waivedBy`). */
  waivedBy: string;
  waiver: { target: string; expires: string };
}

/** A check that could not run, and why (e.g. CloudWatch is not available on the local target). */
export interface CheckNotRun {
  check: string;
  reason: string;
}

/** One bar per shard: the data for a per-shard chart (markdown renders it as a mermaid xychart). */
export interface ShardChart {
  account: AccountId;
  stream: string;
  /** What the bars show. */
  metric: 'write-bytes-peak' | 'write-records-peak';
  /** Unit of `value`: percent of the per-shard write limit. */
  unit: 'percent-of-limit';
  /** The hot-shard threshold in the same unit (e.g. 80). */
  threshold: number;
  /** `closed`: a reshard closed the shard (it was open during the window); absent for open shards. */
  shards: { shardId: string; value: number; closed?: true }[];
  /** Shards left out of the chart to keep it readable (the chart keeps the most loaded). */
  omitted: number;
}

export interface AuditWindow {
  /** ISO 8601 start (inclusive). */
  start: string;
  /** ISO 8601 end (exclusive). */
  end: string;
  /** CloudWatch period of the metric data points, seconds. */
  periodSeconds: number;
}

export interface AuditReport {
  formatVersion: 1;
  mesh: string;
  /** ISO 8601 time the report was produced. */
  generatedAt: string;
  window: AuditWindow;
  /** Findings, sorted by severity (errors first), then id, then resource. */
  findings: Finding[];
  /** Findings silenced by an active waiver (same order as `findings`); absent when none. Not in `summary`. */
  waived?: WaivedFinding[];
  /** Check ids that ran (sorted). */
  checksRun: string[];
  /** Checks that could not run, with the reason (sorted by check). */
  checksNotRun: CheckNotRun[];
  /** Caveats a reader needs (e.g. per-minute metrics hide sub-minute bursts). */
  notes: string[];
  shardCharts?: ShardChart[];
  /** The current monthly cost of every live stream, per domain (chargeback); set by the audit use case. */
  chargeback?: ChargebackReport;
  /** Counts by severity, for summaries and exit codes. */
  summary: { error: number; warning: number; info: number };
}

const RANK: Record<FindingSeverity, number> = { error: 0, warning: 1, info: 2 };

/** Deterministic order: severity, code (check id), resource, message. */
export function compareFindings(a: Finding, b: Finding): number {
  if (a.severity !== b.severity) return RANK[a.severity] - RANK[b.severity];
  if (a.code !== b.code) return a.code < b.code ? -1 : 1;
  if (a.resource !== b.resource) return a.resource < b.resource ? -1 : 1;
  return a.message < b.message ? -1 : a.message > b.message ? 1 : 0;
}

export function summarise(findings: readonly Finding[]): AuditReport['summary'] {
  const s = { error: 0, warning: 0, info: 0 };
  for (const f of findings) s[f.severity]++;
  return s;
}

/** `--fail-on`: the lowest severity that fails the audit, or `never`. */
export type FailOn = 'error' | 'warning' | 'never';

/** True when a finding is at or above `failOn` (never for `never`): the CLI then exits 2 (README "Exit codes"). */
export function auditFails(findings: readonly Pick<Finding, 'severity'>[], failOn: FailOn): boolean {
  if (failOn === 'never') return false;
  const limit = RANK[failOn];
  return findings.some((f) => RANK[f.severity] <= limit);
}

/** Resource addresses. */
export function streamResource(account: AccountId, stream: string): string {
  return `${account}/stream/${stream}`;
}
export function shardResource(account: AccountId, stream: string, shardId: string): string {
  return `${account}/stream/${stream}/shard/${shardId}`;
}
export function consumerResource(account: AccountId, stream: string, consumer: string): string {
  return `${account}/stream/${stream}/consumer/${consumer}`;
}
export function principalResource(account: AccountId, arn: string): string {
  return `${account}/principal/${arn}`;
}
