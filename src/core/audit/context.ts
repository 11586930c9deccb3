/** What every audit check reads. Pure data plus an optional source locator. */
import type { DocPath } from '../diagnostics/diagnostic.js';
import type { LiveState, LiveStream } from '../plan/live.js';
import type { DesiredAccount, DesiredState, DesiredStream } from '../render/types.js';
import type { Grant, Mesh, SourceRef, Stream } from '../model/types.js';
import { grantsByStream } from '../model/governance-tags.js';
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

/**
 * The lookups every per-stream check makes, indexed once: a `find` per stream over every stream (or a `filter` over
 * every grant) made target building quadratic in the size of the mesh. Each lookup answers exactly what the `find`
 * it replaces answered, the first match in declaration order (a repeated account or stream keeps its first entry).
 */
export interface AuditIndex {
  /** The live stream for a declared stream (same account and name): the stream of the first live account with this id. */
  liveStream(account: string, name: string): LiveStream | undefined;
  /** The first desired account with this id. */
  desiredAccount(account: string): DesiredAccount | undefined;
  /** The stream of the first desired account with this id. */
  desiredStream(account: string, name: string): DesiredStream | undefined;
  /** The declared stream for a live stream: the first declared stream of this account and name. */
  meshStream(account: string, name: string): Stream | undefined;
  /** The first declared stream of this name, in any account. */
  meshStreamNamed(name: string): Stream | undefined;
  /** The grants on a stream (by name), in declaration order. */
  grantsOn(stream: string): readonly Grant[];
  /** The first grant with this id. */
  grant(id: string): Grant | undefined;
}

const NONE: readonly Grant[] = [];

/** A key for (account, name): an account id never holds a NUL. */
function pair(account: string, name: string): string {
  return `${account}\u0000${name}`;
}

function firstBy<T>(items: Iterable<T>, key: (t: T) => string): Map<string, T> {
  const out = new Map<string, T>();
  for (const t of items) {
    const k = key(t);
    if (!out.has(k)) out.set(k, t);
  }
  return out;
}

/**
 * Index a context's mesh, desired and live state (linear in their size); build it once per check, not per stream.
 * Without a desired state, the desired lookups find nothing.
 */
export function indexAudit(ctx: Pick<AuditContext, 'mesh' | 'live'> & { desired?: DesiredState }): AuditIndex {
  const liveAccounts = firstBy(ctx.live.accounts, (a) => a.account);
  const live = new Map<string, LiveStream>();
  for (const a of liveAccounts.values())
    for (const [k, s] of firstBy(a.streams, (x) => pair(a.account, x.name))) live.set(k, s);
  const desiredAccounts = firstBy(ctx.desired?.accounts ?? [], (a) => a.account);
  const desired = new Map<string, DesiredStream>();
  for (const a of desiredAccounts.values())
    for (const [k, s] of firstBy(a.streams, (x) => pair(a.account, x.name))) desired.set(k, s);
  const declared = firstBy(ctx.mesh.streams, (s) => pair(s.account, s.name));
  const named = firstBy(ctx.mesh.streams, (s) => s.name);
  const grants = grantsByStream(ctx.mesh.grants);
  const grantIds = firstBy(ctx.mesh.grants, (g) => g.id);
  return {
    liveStream: (account, name) => live.get(pair(account, name)),
    desiredAccount: (account) => desiredAccounts.get(account),
    desiredStream: (account, name) => desired.get(pair(account, name)),
    meshStream: (account, name) => declared.get(pair(account, name)),
    meshStreamNamed: (name) => named.get(name),
    grantsOn: (stream) => grants.get(stream) ?? NONE,
    grant: (id) => grantIds.get(id),
  };
}

/** `location` for a finding about a declared entity, when a locator is available. */
export function locationOf(
  ctx: Pick<AuditContext, 'locate'>,
  ref: SourceRef | undefined,
  sub: DocPath = [],
): { location?: FindingLocation } {
  if (!ref || !ctx.locate) return {};
  const location = ctx.locate(ref, sub);
  return location ? { location } : {};
}
