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

export interface Finding {
  /** Stable check id, kebab-case, e.g. `hot-shard`, `retention-drift`, `undeclared-principal`. */
  id: string;
  severity: FindingSeverity;
  /** Address of the resource: `<account>/stream/<name>`, `<account>/stream/<name>/shard/<shardId>`,
   * `<account>/stream/<name>/consumer/<name>`, `<account>/principal/<arn>` or `mesh/grant/<id>`. */
  resource: string;
  /** Account the resource lives in. */
  account: AccountId;
  /**
   * What on the resource the finding is about, when one check can report one resource more than once (a principal
   * and statement of a policy, a grant, a group of tags). With `id` and `resource` it identifies the finding across
   * runs (the SARIF fingerprint), so it holds no numbers that change from run to run.
   */
  subject?: string;
  /** One line: what is wrong. */
  title: string;
  /** The numbers or the policy statement that prove it (plain JSON; stable key order). */
  evidence: Record<string, unknown>;
  /** What to do about it. */
  remediation: string;
  docsUrl?: string;
  /** Where the entity is declared in the mesh, when it is declared. */
  location?: FindingLocation;
}

/** A finding an active waiver in the mesh silences: in the JSON report, not in the summary or for --fail-on. */
export interface WaivedFinding extends Finding {
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

/** Deterministic order: severity, id, resource, title. */
export function compareFindings(a: Finding, b: Finding): number {
  if (a.severity !== b.severity) return RANK[a.severity] - RANK[b.severity];
  if (a.id !== b.id) return a.id < b.id ? -1 : 1;
  if (a.resource !== b.resource) return a.resource < b.resource ? -1 : 1;
  return a.title < b.title ? -1 : a.title > b.title ? 1 : 0;
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

/**
 * The audit finding as the one finding type (src/core/findings/finding.ts) the shared renderers read: `id` is its
 * `code`, `title` its `message`, `docsUrl` its `help`. The audit JSON keeps the audit names (docs/audit.md).
 */
export function toResourceFinding(f: Finding | WaivedFinding): ResourceFinding {
  const out: ResourceFinding = {
    code: f.id,
    severity: f.severity,
    message: f.title,
    resource: f.resource,
    account: f.account,
    evidence: f.evidence,
    remediation: f.remediation,
  };
  if (f.subject !== undefined) out.subject = f.subject;
  if (f.docsUrl !== undefined) out.help = f.docsUrl;
  if (f.location !== undefined) out.location = f.location;
  if ('waivedBy' in f) out.waivedBy = f.waivedBy;
  return out;
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
