/**
 * Running lanes: stream lanes in parallel (at most `concurrency` at once, at most `perAccount` per account), each
 * lane one step at a time; then the IAM lanes the same way. A failed step fails its dependants (by `dependsOn`,
 * transitively) but not the rest of its lane: later settings of an existing stream are independent. Once
 * `shouldStop` says so, steps in flight finish and no other step starts.
 */
import type { ApplyReport, ApplyStep, ChangeExecutor, Lane, StepOutcome } from './types.js';

export interface RunOptions {
  /** Lanes in flight at once (default 8). */
  concurrency?: number;
  /** Lanes in flight per account (default 4). */
  perAccount?: number;
  /** Called when a step starts calling the service (progress: what apply is waiting for, since when). */
  onStart?: (step: ApplyStep) => void;
  /** Called after each step (progress). */
  onStep?: (o: StepOutcome) => void;
  /**
   * Asked before each step: once true, no step starts any more (steps in flight finish) and the rest are reported
   * as skipped with `skipReason: 'interrupted'`. Used for SIGINT/SIGTERM.
   */
  shouldStop?: () => boolean;
}

function outcomeOf(step: ApplyStep, status: StepOutcome['status'], message?: string, skipReason?: StepOutcome['skipReason']): StepOutcome {
  const c = step.change;
  return {
    id: c.id, account: c.account, address: c.address, resourceType: c.resourceType, action: c.action, status,
    ...(message ? { message } : {}), ...(skipReason ? { skipReason } : {}),
  };
}

async function runLane(lane: Lane, executor: ChangeExecutor, failed: Set<string>, o: RunOptions): Promise<StepOutcome[]> {
  const out: StepOutcome[] = [];
  for (const step of lane.steps) {
    const blocked = step.change.dependsOn.find((d) => failed.has(d));
    let res: StepOutcome;
    if (o.shouldStop?.()) {
      failed.add(step.id);
      res = outcomeOf(step, 'skipped', 'not started: apply was interrupted', 'interrupted');
    } else if (blocked) {
      failed.add(step.id);
      res = outcomeOf(step, 'skipped', `depends on ${blocked}, which did not complete`, 'dependency');
    } else {
      let r: { status: 'done' | 'failed'; message?: string };
      o.onStart?.(step);
      try {
        r = await executor.execute(step);
      } catch (e) {
        r = { status: 'failed', message: (e as Error).message ?? String(e) };
      }
      if (r.status === 'failed') failed.add(step.id);
      res = outcomeOf(step, r.status, r.message);
    }
    out.push(res);
    o.onStep?.(res);
  }
  return out;
}

async function runPhase(lanes: Lane[], executor: ChangeExecutor, failed: Set<string>, o: RunOptions): Promise<StepOutcome[]> {
  const limit = Math.max(1, o.concurrency ?? 8);
  const perAccount = Math.max(1, o.perAccount ?? 4);
  const active = new Map<string, number>();
  const pending = [...lanes];
  const results: StepOutcome[][] = [];
  let running = 0;
  return new Promise((resolve) => {
    const pump = () => {
      if (pending.length === 0 && running === 0) {
        resolve(results.flat());
        return;
      }
      while (running < limit) {
        const i = pending.findIndex((l) => (active.get(l.account) ?? 0) < perAccount);
        if (i < 0) break;
        const lane = pending.splice(i, 1)[0] as Lane;
        running++;
        active.set(lane.account, (active.get(lane.account) ?? 0) + 1);
        void runLane(lane, executor, failed, o).then((r) => {
          results.push(r);
          running--;
          active.set(lane.account, (active.get(lane.account) ?? 1) - 1);
          pump();
        });
      }
    };
    pump();
  });
}

export async function runLanes(lanes: Lane[], executor: ChangeExecutor, skipped: StepOutcome[], o: RunOptions = {}): Promise<ApplyReport> {
  const failed = new Set<string>(skipped.map((s) => s.id));
  const streams = await runPhase(lanes.filter((l) => l.phase === 'stream'), executor, failed, o);
  const iam = await runPhase(lanes.filter((l) => l.phase === 'iam'), executor, failed, o);
  const outcomes = [...skipped, ...streams, ...iam];
  return {
    outcomes,
    done: outcomes.filter((x) => x.status === 'done').length,
    failed: outcomes.filter((x) => x.status === 'failed').length,
    skipped: outcomes.filter((x) => x.status === 'skipped').length,
  };
}
