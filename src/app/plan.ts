/**
 * Use case `plan`: validate and render the mesh, open the target, read the live state of the accounts in scope and
 * compute the plan (typed changes, risk, access diff), and on AWS have IAM Access Analyzer check the rendered
 * policies (docs/analyzer.md). Writes nothing but the saved plan (`out`) and, on local-like
 * targets, the desired IAM artefacts (IAM is not emulated there).
 */
import type { Diagnostic } from '../core/diagnostics/diagnostic.js';
import type { Mesh } from '../core/model/types.js';
import { computePlan, scopeDesired } from '../core/plan/index.js';
import type { LiveState, Plan } from '../core/plan/index.js';
import type { Clock } from '../core/ports.js';
import type { Rule } from '../core/rules/index.js';
import { renderPlanJson } from '../output/plan/json.js';
import { analyzePolicies } from './analyze.js';
import { priceAndCap, pricesFor } from './cost.js';
import { prepareTelling, todayOn } from './events.js';
import type { WarningsEvent } from './events.js';
import type { FileSink, MeshSources, UsageProblem, WriteFailure } from './ports.js';
import { readLive } from './read-live.js';
import type { ReadEvent } from './read-live.js';
import type { TargetFailure, TargetOpener, TargetSpec } from './target.js';

export interface PlanOptions {
  /** Domains to limit the plan to (empty: all). */
  domain: readonly string[];
  /** Account ids or aliases to limit the plan to (empty: all). */
  account: readonly string[];
  /** Extra guardrail rule directory (`--policies`). */
  policies?: string;
  target: TargetSpec;
  /** Also write the plan as JSON here (what apply and the PR comment read). */
  out?: string;
  clock: Clock;
  onEvent?: (e: PlanEvent) => void;
}

export interface PlanPorts {
  sources: MeshSources;
  openTarget: TargetOpener;
  files: FileSink;
}

/** Progress of a plan, in order. */
export type PlanEvent =
  | { kind: 'validating'; file: string }
  | WarningsEvent
  | { kind: 'validated'; file: string; streams: number; grants: number; accounts: number }
  /** Opening the target (starting kinesis-local may take seconds); `opened` follows whether it worked or not. */
  | { kind: 'opening'; target: TargetSpec['kind'] }
  | { kind: 'opened' }
  | { kind: 'planning'; mesh: string; target: 'aws' | 'local'; localEndpoint?: string }
  | ReadEvent
  | { kind: 'computing' }
  | { kind: 'computed'; changes: number; accessChanges: number };

/** Why the plan stopped, or the plan with what the renderers need to speak about principals and streams. */
export type PlanOutcome =
  | UsageProblem
  | { kind: 'invalid'; diagnostics: Diagnostic[]; rules: Rule[] }
  | TargetFailure
  | { kind: 'read-failed'; message: string }
  | WriteFailure
  | { kind: 'planned'; plan: Plan; mesh: Mesh; live: LiveState };

export async function plan(file: string, options: PlanOptions, ports: PlanPorts): Promise<PlanOutcome> {
  const tell = options.onEvent ?? (() => undefined);
  tell({ kind: 'validating', file });
  const prepared = prepareTelling(
    file,
    {
      today: todayOn(options.clock),
      domain: options.domain,
      account: options.account,
      ...(options.policies !== undefined ? { policies: options.policies } : {}),
    },
    ports.sources,
    tell,
  );
  if (prepared.kind !== 'prepared')
    return prepared.kind === 'usage' ? { kind: 'usage', message: prepared.message } : prepared;
  const { prepared: p, diagnostics } = prepared;
  tell({
    kind: 'validated',
    file,
    streams: p.mesh.streams.length,
    grants: p.mesh.grants.length,
    accounts: p.mesh.accounts.length,
  });
  tell({ kind: 'opening', target: options.target.kind });
  let opening;
  try {
    opening = await ports.openTarget(p.mesh, 'plan', options.target);
  } finally {
    tell({ kind: 'opened' });
  }
  if (opening.kind !== 'open') return opening;
  const { target } = opening;
  let pricing: ReturnType<typeof pricesFor> | undefined;
  // Ends the Price List calls of a plan that ends without pricing (a read that failed): it does not wait for them.
  const pricesWanted = new AbortController();
  try {
    tell({
      kind: 'planning',
      mesh: p.mesh.name,
      target: target.kind,
      ...(target.localEndpoint !== undefined ? { localEndpoint: target.localEndpoint } : {}),
    });
    // Prices (on AWS the Price List API: its own calls, its own quota) are asked for while the live state is read.
    pricing = pricesFor(target, p.mesh.region, options.clock, pricesWanted.signal);
    // Awaited by priceAndCap, or below when the plan ends sooner; until then its failure must not count as unhandled.
    pricing.catch(() => undefined);
    // A local-like target's IAM artefacts are files, written while the live state is read (reads wait on quotas),
    // and put in place only once the read has worked.
    const inScope = scopeDesired(p.desired, p.scope);
    const staged = target.stageLocalIam?.(inScope);
    // Awaited below, after the read; until then its failure must not count as unhandled.
    staged?.catch(() => undefined);
    const discard = async () => (await staged?.catch(() => undefined))?.discard();
    let read;
    try {
      read = await readLive(target, p, tell);
    } catch (e) {
      await discard();
      throw e;
    }
    if (read.kind !== 'read') {
      await discard();
      return read;
    }
    await (await staged)?.commit();
    tell({ kind: 'computing' });
    const computed = computePlan({
      desired: p.desired,
      live: read.live,
      meshDigest: p.meshDigest,
      clock: options.clock,
      scope: p.scope,
      target: target.kind,
    });
    const changes = computed.changes.filter((c) => c.action !== 'no-op').length;
    tell({ kind: 'computed', changes, accessChanges: computed.accessDiff.length });
    const analyzer = await analyzePolicies(options.target, target, p.mesh, inScope, computed.changes);
    const { cost, capDiagnostics } = await priceAndCap(computed, p, prepared.rules, read.live, target, options.clock, {
      pricing,
    });
    const planned: Plan = { ...computed, diagnostics: [...diagnostics, ...capDiagnostics], analyzer, cost };
    if (options.out !== undefined) {
      const failed = ports.files.write(options.out, renderPlanJson(planned));
      if (failed) return failed;
    }
    return { kind: 'planned', plan: planned, mesh: p.mesh, live: read.live };
  } finally {
    // No call outlives the run: a plan that got its prices has them by now; one whose read failed ends their calls.
    pricesWanted.abort();
    await pricing?.catch(() => undefined);
    await target.close();
  }
}
