/** What every audit check reads. Pure data plus an optional source locator. */
import type { DocPath } from '../diagnostics/diagnostic.js';
import type { LiveState, LiveStream } from '../plan/live.js';
import type { DesiredState } from '../render/types.js';
import type { Mesh, SourceRef, Stream } from '../model/types.js';
import type { CheckNotRun, Finding, FindingLocation, ShardChart } from './findings.js';

export interface AuditContext {
  mesh: Mesh;
  desired: DesiredState;
  live: LiveState;
  /** ISO date (YYYY-MM-DD) the audit runs on; grants expire after their `expires` date. */
  today: string;
  /** Maps a declared entity to its 1-based source position (for SARIF); absent in pure unit tests. */
  locate?: (ref: SourceRef, sub?: DocPath) => FindingLocation | undefined;
}

/** What one check returns (after cdk-nag: a check reports findings, or says it could not run). */
export interface CheckResult {
  findings: Finding[];
  checksRun: string[];
  checksNotRun: CheckNotRun[];
  notes?: string[];
  charts?: ShardChart[];
}

export function emptyResult(): CheckResult {
  return { findings: [], checksRun: [], checksNotRun: [] };
}

/** The live stream for a declared stream (same account and name), if it exists. */
export function liveStreamFor(live: LiveState, account: string, name: string): LiveStream | undefined {
  return live.accounts.find((a) => a.account === account)?.streams.find((s) => s.name === name);
}

/** The declared stream for a live stream, if declared. */
export function meshStreamFor(mesh: Mesh, account: string, name: string): Stream | undefined {
  return mesh.streams.find((s) => s.account === account && s.name === name);
}

/** `location` for a finding about a declared entity, when a locator is available. */
export function locationOf(ctx: Pick<AuditContext, 'locate'>, ref: SourceRef | undefined, sub: DocPath = []): { location?: FindingLocation } {
  if (!ref || !ctx.locate) return {};
  const location = ctx.locate(ref, sub);
  return location ? { location } : {};
}
