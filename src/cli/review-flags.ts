/**
 * apply's pull-request loop flags: `--defer-destructive` (apply the safe part, hold destructive changes for approval,
 * exit 0), `--only-destructive` (the approved destructive part of a saved plan), `--reviewed-digest` (the saved plan
 * must be the one the pull request recorded) and `--result FILE` (what happened, for the PR comment and job summary).
 * Kept out of apply.ts so the command stays a thin wiring of these functions.
 */
import type { Command } from 'commander';
import { writeApplyResult } from '../adapters/github/apply-result-file.js';
import type { ApplyResult } from '../core/github/apply-result.js';
import { APPLY_RESULT_VERSION, appliedResult } from '../core/github/apply-result.js';
import type { ApplyPart } from '../core/github/review-gate.js';
import { pendingApprovalIds } from '../core/github/review-gate.js';
import type { StepOutcome } from '../core/apply/types.js';
import type { Plan } from '../core/plan/types.js';
import { EXIT_USAGE, ExitError } from './io.js';

export interface ReviewFlags {
  deferDestructive?: boolean;
  onlyDestructive?: boolean;
  reviewedDigest?: string;
  result?: string;
  allowDestructive?: boolean;
}

export function addReviewFlags(cmd: Command): Command {
  return cmd
    .option(
      '--defer-destructive',
      'apply the safe part; destructive changes (and what depends on them) are ' +
        'reported as pending approval and do not fail the run (exit 0)',
    )
    .option(
      '--only-destructive',
      'with a saved plan: apply its destructive part, once approved, only if what is left ' +
        'to apply is exactly that part',
    )
    .option(
      '--reviewed-digest <sha256>',
      'with a saved plan: refuse unless its changeSetDigest is this one (the ' +
        'digest the pull request comment recorded)',
    )
    .option(
      '--result <file>',
      'write what this run did (applied, pending approval, refused) as JSON, for ' + '`report github --kind apply`',
    );
}

/** The part this run applies; usage errors for contradictory flags. */
export function applyPart(f: ReviewFlags, saved: boolean): ApplyPart {
  const usage = (m: string): never => {
    throw new ExitError(m, EXIT_USAGE);
  };
  if (f.deferDestructive && f.onlyDestructive) {
    usage('--defer-destructive and --only-destructive exclude each other: one run applies one part.');
  }
  if (f.allowDestructive && (f.deferDestructive || f.onlyDestructive)) {
    usage(
      '--allow-destructive applies everything: it cannot be combined with --defer-destructive or ' +
        '--only-destructive.',
    );
  }
  if (f.onlyDestructive && !saved) {
    usage(
      '--only-destructive needs a saved plan (apply plan.json --mesh mesh.yaml): the approved part is the ' +
        'reviewed one.',
    );
  }
  if (f.reviewedDigest !== undefined && !saved) {
    usage('--reviewed-digest needs a saved plan (apply plan.json --mesh mesh.yaml).');
  }
  if (f.reviewedDigest !== undefined && !/^[0-9a-f]{64}$/.test(f.reviewedDigest)) {
    usage('--reviewed-digest must be a sha256 (64 lower-case hex), as the plan comment records it.');
  }
  return f.onlyDestructive ? 'destructive' : f.deferDestructive ? 'safe' : 'all';
}

/** Records the run's result file once: a refusal, an error before any change, or what was applied. */
export class ResultRecorder {
  private written = false;
  /** The part this run applies, set by {@link applyPart} once apply knows whether it has a saved plan. */
  part: ApplyPart = 'all';
  constructor(private readonly path: string | undefined) {}

  private write(r: ApplyResult): void {
    if (this.path === undefined || this.written) return;
    this.written = true;
    writeApplyResult(this.path, r);
  }

  /** The saved plan's digest, or zeros when apply ran from a mesh file (nothing was reviewed). */
  reviewedDigest = '0'.repeat(64);

  /** Anything that stopped apply before a change ran: nothing was applied. */
  failedBeforeChanges(e: unknown): void {
    const message = e instanceof Error ? (e.message.split('\n')[0] ?? '') : String(e);
    this.refused(message.slice(0, 1000), []);
  }

  /** The use case refused (nothing applied): `message` says why in one phrase, `differences` what differs. */
  refusedWith(message: string, differences: string[]): void {
    this.refused(message, differences);
  }

  private refused(message: string, differences: string[]): void {
    const { part, reviewedDigest } = this;
    this.write({ formatVersion: APPLY_RESULT_VERSION, kind: 'refused', part, reviewedDigest, message, differences });
  }

  /** What ran; returns whether the run counts as clean for the exit code (held-back changes do when deferred). */
  applied(plan: Plan, outcomes: readonly StepOutcome[]): { pending: number } {
    const deferred = this.part === 'safe' ? pendingApprovalIds(plan.changes) : new Set<string>();
    const r = appliedResult(outcomes, this.part, this.reviewedDigest, deferred);
    this.write(r);
    return { pending: r.pendingApproval.length };
  }

  /** Held back for approval: not a failure of this run. */
  isDeferred(plan: Plan, o: StepOutcome): boolean {
    if (this.part !== 'safe' || o.status !== 'skipped') return false;
    const held = o.skipReason === 'destructive' || o.skipReason === 'dependency';
    return held && pendingApprovalIds(plan.changes).has(o.id);
  }
}
