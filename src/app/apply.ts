/**
 * Use case `apply`: apply a saved plan exactly (refusing an edited or stale one), or plan and apply after approval.
 * Apply executes only the plan it computes itself; a saved plan is the reviewed expectation (core/plan/change-set.ts).
 * Signals, prompts and output belong to the caller: `approve`, `shouldStop` and the events.
 */
import type { ApplyReport, ApplyStep, StepOutcome } from '../core/apply/types.js';
import type { CallSummary } from '../core/apply/summary.js';
import type { Diagnostic } from '../core/diagnostics/diagnostic.js';
import { computePlan, liveFingerprint, scopeDesired } from '../core/plan/index.js';
import type { Plan } from '../core/plan/index.js';
import type { Clock } from '../core/ports.js';
import type { Rule } from '../core/rules/index.js';
import type { ApplyLog } from '../adapters/fs/apply-log.js';
import { analyzerRefusal } from '../core/analyzer/index.js';
import { analyzePolicies } from './analyze.js';
import { capsInForce, priceAndCap } from './cost.js';
import { prepareTelling, todayOn } from './events.js';
import type { WarningsEvent } from './events.js';
import type { FileSource, MeshSources, UsageProblem } from './ports.js';
import { readLive } from './read-live.js';
import type { ReadEvent } from './read-live.js';
import { checkAgainstReviewed } from '../core/github/review-gate.js';
import type { ApplyPart } from '../core/github/review-gate.js';
import { editedPlan, meshMismatch, missingMeshFile, readSavedPlan } from './saved-plan.js';
import type { TargetFailure, TargetOpener, TargetSpec } from './target.js';

export interface ApplyOptions {
  /** A saved plan (`plan --out plan.json`) or a mesh file; the mesh file `mesh` when undefined. */
  file?: string;
  /** The mesh file a saved plan was made from (`--mesh`, default mesh.yaml). */
  mesh: string;
  /** Domains to limit a fresh plan to; must be empty with a saved plan (it carries its scope). */
  domain: readonly string[];
  /** Account ids or aliases to limit a fresh plan to; must be empty with a saved plan. */
  account: readonly string[];
  policies?: string;
  target: TargetSpec;
  /** The append-only log of every mutating call (JSON lines). */
  log: string;
  /** Also apply destructive changes (deletions, retention decreases, access revocations). */
  allowDestructive: boolean;
  /**
   * Which part of the plan this run applies (the pull-request loop, docs/github.md): `all`; `safe` (destructive
   * changes and what depends on them wait for approval); `destructive` (a saved plan's part that waited, applied
   * only if what is left is exactly that part). Default `all`.
   */
  part?: ApplyPart;
  /** With a saved plan: refuse unless its changeSetDigest is this one (what the pull request recorded). */
  reviewedDigest?: string;
  /** The planning clock (plan timestamps, scaling budgets). */
  clock: Clock;
  /** The executors' clock (waits, the apply log); the wall clock by default. */
  wallClock?: Clock;
  /**
   * Asked with a plan apply computed itself (not a saved plan) before any change is made: true to go on. Not asked
   * for a saved plan, which was reviewed when it was made.
   */
  approve(plan: Plan): Promise<boolean>;
  /** Once true, no new change starts (those in flight finish; the rest are reported as not started). */
  shouldStop?: () => boolean;
  onEvent?: (e: ApplyEvent) => void;
}

export interface ApplyPorts {
  sources: MeshSources;
  inputs: FileSource;
  openTarget: TargetOpener;
  /** The apply log at a path. */
  openLog(path: string): ApplyLog;
}

/** Progress of an apply, in order. */
export type ApplyEvent =
  | WarningsEvent
  | ReadEvent
  /** Changes are about to run: `changes` of them (not no-ops) when the plan `hasChanges`. */
  | { kind: 'executing'; hasChanges: boolean; changes: number; allowDestructive: boolean }
  | { kind: 'change-started'; step: ApplyStep }
  | { kind: 'change-ended'; outcome: StepOutcome }
  /** Every change ended (or was not started). */
  | { kind: 'executed' };

export type ApplyOutcome =
  | UsageProblem
  /**
   * Nothing was applied: the input cannot be used, or the saved plan is not the reviewed one any more (`summary`
   * says why in one phrase, `differences` lists what differs, one change per line).
   */
  | { kind: 'refused'; message: string; summary?: string; differences?: string[]; reviewedDigest?: string }
  | { kind: 'invalid'; diagnostics: Diagnostic[]; rules: Rule[] }
  | TargetFailure
  | { kind: 'read-failed'; message: string }
  /** Not approved; nothing was changed. */
  | { kind: 'cancelled'; plan: Plan }
  | {
      kind: 'applied';
      plan: Plan;
      /** The saved plan's changeSetDigest, when a saved plan was applied. */
      reviewedDigest?: string;
      report: ApplyReport;
      calls: CallSummary;
      /** Local IAM artefact files written, on local-like targets. */
      localIamFiles?: number;
    };

/** The same accounts, order and repeats aside. */
function sameSet(a: readonly string[], b: readonly string[]): boolean {
  return [...new Set(a)].sort().join('\n') === [...new Set(b)].sort().join('\n');
}

export async function apply(options: ApplyOptions, ports: ApplyPorts): Promise<ApplyOutcome> {
  const tell = options.onEvent ?? (() => undefined);
  const read = readSavedPlan(options.file ?? options.mesh, ports.inputs);
  if (read.kind === 'refused' || read.kind === 'usage') return read;
  const saved = read.kind === 'plan' ? read.plan : undefined;
  const meshFile = saved ? options.mesh : (options.file ?? options.mesh);
  const part = options.part ?? 'all';
  if (!saved && part === 'destructive') {
    return {
      kind: 'usage',
      message:
        '--only-destructive needs a saved plan (apply plan.json --mesh mesh.yaml): the approved part is the reviewed one.',
    };
  }
  if (!saved && options.reviewedDigest !== undefined) {
    return { kind: 'usage', message: '--reviewed-digest needs a saved plan (apply plan.json --mesh mesh.yaml).' };
  }
  if (saved) {
    const edited = editedPlan(saved);
    if (edited !== undefined) return { kind: 'refused', message: edited };
    if (options.domain.length > 0 || options.account.length > 0) {
      return {
        kind: 'usage',
        message: '--domain and --account cannot be combined with a saved plan: the plan carries its own scope.',
      };
    }
    const want = options.target.kind === 'aws' ? 'aws' : 'local';
    if (saved.target !== want) {
      const hint = saved.target === 'local' ? ' (add --local)' : '';
      return {
        kind: 'usage',
        message: `the plan was made against the ${saved.target} target but this apply runs against ${want}${hint}.`,
      };
    }
    if (!ports.inputs.exists(meshFile)) return { kind: 'refused', message: missingMeshFile(meshFile) };
  }
  const scope = saved ? { domain: saved.scope.domains, account: saved.scope.accounts } : options;
  const prepared = prepareTelling(
    meshFile,
    {
      today: todayOn(options.clock),
      domain: scope.domain,
      account: scope.account,
      ...(options.policies !== undefined ? { policies: options.policies } : {}),
    },
    ports.sources,
    tell,
  );
  if (prepared.kind === 'usage') return { kind: 'usage', message: prepared.message };
  if (prepared.kind === 'invalid') return prepared;
  const p = prepared.prepared;
  if (saved && saved.meshDigest !== p.meshDigest) return { kind: 'refused', message: meshMismatch(saved, p, meshFile) };
  if (saved && !sameSet(saved.scope.accounts, p.scope.accounts)) {
    return {
      kind: 'refused',
      message: 'the plan scope names accounts the mesh does not have any more. Run plan again.',
    };
  }
  const opening = await ports.openTarget(p.mesh, 'apply', options.target);
  if (opening.kind !== 'open') return opening;
  const { target } = opening;
  let opened: ApplyLog | undefined;
  try {
    const live = await readLive(target, p, tell);
    if (live.kind !== 'read') return live;
    const log = (opened = ports.openLog(options.log));
    const now = options.clock.now();
    const own = computePlan({
      desired: p.desired,
      live: live.live,
      meshDigest: p.meshDigest,
      clock: options.clock,
      scope: p.scope,
      target: target.kind,
      scalingHistory: { entries: log.history(), now },
    });
    if (saved) {
      const verdict = checkAgainstReviewed({
        reviewed: saved,
        own,
        fingerprintNow: liveFingerprint(live.live, p.desired, saved.scope),
        part,
        ...(options.reviewedDigest !== undefined ? { reviewedDigest: options.reviewedDigest } : {}),
      });
      if (!verdict.ok) {
        const summary =
          verdict.reason === 'not-the-reviewed-plan' ? verdict.message : `the plan is stale: ${verdict.message}`;
        const listed = verdict.differences.map((l) => `\n  ${l}`).join('');
        return {
          kind: 'refused',
          message: `${summary}. Nothing was applied; run plan again.${listed}`,
          summary,
          differences: verdict.differences,
          reviewedDigest: saved.changeSetDigest,
        };
      }
    }
    // Apply checks the policies it is about to write itself (a saved plan's report is input, not proof), and also
    // honours errors the reviewed plan showed; before approval, so nobody approves what will be refused.
    const inScope = scopeDesired(p.desired, own.scope);
    const analyzer = await analyzePolicies(options.target, target, p.mesh, inScope, own.changes);
    const refusal = analyzerRefusal(analyzer) ?? analyzerRefusal(saved?.analyzer);
    if (refusal !== undefined)
      return { kind: 'refused', message: refusal, ...(saved ? { reviewedDigest: saved.changeSetDigest } : {}) };
    own.analyzer = analyzer;
    // A cost cap in force (policies/cost-within-cap.yaml, off by default) is checked on what apply would apply.
    const caps = capsInForce(p, prepared.rules);
    if (caps !== undefined) {
      const { capDiagnostics } = await priceAndCap(own, p, prepared.rules, live.live, target, options.clock, {
        settings: caps,
      });
      const over = capDiagnostics.filter((d) => d.severity === 'error');
      if (over.length > 0) {
        return {
          kind: 'refused',
          ...(saved ? { reviewedDigest: saved.changeSetDigest } : {}),
          message: `the plan goes over the cost cap (rule cost-within-cap); nothing was applied:\n${over.map((d) => `  - ${d.message}`).join('\n')}`,
        };
      }
    }
    if (!saved && !(await options.approve(own))) return { kind: 'cancelled', plan: own };
    const changes = own.changes.filter((c) => c.action !== 'no-op').length;
    // The approved destructive part is applied as such; `safe` leaves destructive changes skipped (pending approval).
    const allowDestructive = options.allowDestructive || part === 'destructive';
    tell({ kind: 'executing', hasChanges: own.summary.hasChanges, changes, allowDestructive });
    const wall = options.wallClock ?? { now: () => new Date() };
    const result = await target.execute({
      plan: own,
      partition: p.mesh.partition,
      iamPath: p.mesh.governanceRole.path,
      log,
      allowDestructive,
      now: () => wall.now(),
      localIam: scopeDesired(p.desired, own.scope),
      onStart: (step) => tell({ kind: 'change-started', step }),
      onStep: (outcome) => tell({ kind: 'change-ended', outcome }),
      ...(options.shouldStop ? { shouldStop: options.shouldStop } : {}),
    });
    tell({ kind: 'executed' });
    return { kind: 'applied', plan: own, ...result, ...(saved ? { reviewedDigest: saved.changeSetDigest } : {}) };
  } finally {
    opened?.close();
    await target.close();
  }
}
