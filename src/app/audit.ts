/**
 * Use case `audit`: read the live mesh once (live state, CloudWatch shard metrics on AWS, the IAM action catalog)
 * and run the pure audit (hot shards, drift, unauthorized access). Never changes anything; formatting the report
 * and the `--fail-on` verdict belong to the caller.
 */
import { AdapterError } from '../adapters/aws/errors.js';
import { audit as auditCore } from '../core/audit/audit.js';
import type { AuditOptions } from '../core/audit/audit.js';
import type { AuditReport, AuditWindow } from '../core/audit/findings.js';
import { streamsToMeasure } from '../core/audit/hot-shards.js';
import { scopeReportToStreams } from '../core/audit/stream-scope.js';
import type { ActionCatalog } from '../core/audit/identity-reach.js';
import type { MetricsSnapshot } from '../core/audit/metrics.js';
import { chargeback, preferUsage, usageFromMesh, usageFromMetrics, usageKey } from '../core/cost/index.js';
import type { Diagnostic } from '../core/diagnostics/diagnostic.js';
import type { Mesh } from '../core/model/types.js';
import { scopeDesired } from '../core/plan/index.js';
import type { LiveState } from '../core/plan/live.js';
import type { Clock } from '../core/ports.js';
import type { DesiredState } from '../core/render/types.js';
import type { Rule } from '../core/rules/index.js';
import type { Locator } from '../core/source/locator.js';
import { pricesFor } from './cost.js';
import { prepareTelling, todayOn } from './events.js';
import type { WarningsEvent } from './events.js';
import type { MeshSources, UsageProblem } from './ports.js';
import { readLive } from './read-live.js';
import type { ReadEvent } from './read-live.js';
import type { MetricsWindow, TargetOpener, TargetSpec } from './target.js';

export interface RunAuditOptions extends Omit<AuditOptions, 'locate'> {
  /** From validateMesh: gives findings about declared entities a mesh.yaml line/column (SARIF). */
  locator?: Locator;
}

export interface RunAuditInput {
  mesh: Mesh;
  desired: DesiredState;
  live: LiveState;
  /** Shard metrics from readShardMetrics (merged per account with mergeSnapshots); undefined on the local target. */
  metrics: MetricsSnapshot | undefined;
  /** YYYY-MM-DD. */
  today: string;
  options?: RunAuditOptions;
}

/** The audit of what was read: pure, all reading happened before. */
export function runAudit({ mesh, desired, live, metrics, today, options = {} }: RunAuditInput): AuditReport {
  const { locator, ...rest } = options;
  const auditOptions: AuditOptions = { ...rest };
  if (locator) {
    auditOptions.locate = (ref, sub = []) => {
      const d = locator.at(ref, sub, 'audit', 'info', '');
      return { file: d.file, line: d.line, column: d.column };
    };
  }
  return auditCore({ mesh, desired, live, metrics, today, options: auditOptions });
}

export interface AuditRunOptions {
  domain: readonly string[];
  account: readonly string[];
  /**
   * Stream names to narrow the report to (empty: every stream). Names need not be declared: a drift event may be
   * about a stream outside the mesh. Accounts are still read whole (`account` limits them).
   */
  stream?: readonly string[];
  policies?: string;
  target: TargetSpec;
  /** The metrics window's length, ms (at most 15 days: CloudWatch keeps one-minute data that long). */
  windowMs: number;
  clock: Clock;
  onEvent?: (e: AuditEvent) => void;
}

export interface AuditPorts {
  sources: MeshSources;
  openTarget: TargetOpener;
  /** The Kinesis IAM action catalog (identity-policy analysis). */
  actions(): Promise<ActionCatalog>;
  /** The metrics window of `windowMs` ending at `now`, aligned to the period CloudWatch is read at. */
  windowFor(now: Date, windowMs: number): MetricsWindow;
}

export type AuditEvent = WarningsEvent | ReadEvent;

export type AuditOutcome =
  | UsageProblem
  | { kind: 'invalid'; diagnostics: Diagnostic[]; rules: Rule[] }
  /** The audit could not run (the target, a read, the catalog); `message` says which and why. No report. */
  | { kind: 'could-not-run'; message: string }
  | { kind: 'audited'; report: AuditReport };

/** A failure as the could-not-run message: an adapter's own message, else what failed and why. */
function failed(what: string, e: unknown): { kind: 'could-not-run'; message: string } {
  const message = e instanceof AdapterError ? e.message : `${what}: ${(e as Error)?.message ?? String(e)}`;
  return { kind: 'could-not-run', message };
}

export async function audit(file: string, options: AuditRunOptions, ports: AuditPorts): Promise<AuditOutcome> {
  const tell = options.onEvent ?? (() => undefined);
  const streams = options.stream ?? [];
  const today = todayOn(options.clock);
  const prepared = prepareTelling(
    file,
    {
      today,
      domain: options.domain,
      account: options.account,
      ...(options.policies !== undefined ? { policies: options.policies } : {}),
    },
    ports.sources,
    tell,
  );
  if (prepared.kind === 'usage') return { kind: 'usage', message: prepared.message };
  if (prepared.kind === 'invalid') return prepared;
  const p = prepared.prepared;
  const opening = await ports
    .openTarget(p.mesh, 'audit', options.target)
    .catch((e: unknown) => failed('cannot open the target', e));
  if (opening.kind === 'could-not-run') return opening;
  if (opening.kind === 'target-failed')
    return { kind: 'could-not-run', message: `cannot open the target: ${opening.message}` };
  const { target } = opening;
  try {
    const live = await readLive(target, p, tell).catch((e: unknown) => failed('reading the live state failed', e));
    if (live.kind !== 'read') return { kind: 'could-not-run', message: live.message };
    const now = options.clock.now();
    const window = ports.windowFor(now, options.windowMs);
    let metrics: MetricsSnapshot | undefined;
    if (target.readMetrics) {
      const measured = streamsToMeasure({ mesh: p.mesh, live: live.live }).filter(
        (m) => streams.length === 0 || streams.includes(m.stream),
      );
      const read = await target.readMetrics(measured, window).then(
        (m) => ({ kind: 'read' as const, m }),
        (e: unknown) => failed('reading CloudWatch metrics failed', e),
      );
      if (read.kind !== 'read') return read;
      metrics = read.m;
    }
    const actions = await ports.actions().then(
      (a) => ({ kind: 'loaded' as const, a }),
      (e: unknown) => failed('loading the IAM action catalog failed', e),
    );
    if (actions.kind !== 'loaded') return actions;
    const asked: AuditWindow = {
      start: window.start.toISOString(),
      end: window.end.toISOString(),
      periodSeconds: window.periodSeconds,
    };
    const report = scopeReportToStreams(
      runAudit({
        mesh: p.mesh,
        desired: scopeDesired(p.desired, p.scope),
        live: live.live,
        metrics,
        today,
        options: {
          actions: actions.a,
          window: asked,
          generatedAt: now.toISOString(),
          ...(p.locator ? { locator: p.locator } : {}),
        },
      }),
      streams,
    );
    const prices = await pricesFor(target, p.mesh.region, { now: () => now });
    const declared = usageFromMesh(p.mesh);
    const cost = chargeback({
      live: live.live,
      prices: prices.table,
      at: now.toISOString(),
      usage: metrics !== undefined ? preferUsage(usageFromMetrics(metrics, declared), declared) : declared,
      domains: new Map(p.mesh.streams.map((s) => [usageKey(s.account, s.name), s.domain])),
    });
    return {
      kind: 'audited',
      report: { ...report, chargeback: { ...cost, assumptions: [...prices.notes, ...cost.assumptions] } },
    };
  } finally {
    await target.close();
  }
}
