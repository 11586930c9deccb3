/**
 * Running lanes: stream lanes in parallel (at most `concurrency` at once, at most `perAccount` per account), each
 * lane one step at a time; then the IAM lanes the same way. A failed step fails its dependants (by `dependsOn`,
 * transitively) but not the rest of its lane: later settings of an existing stream are independent. Once
 * `shouldStop` says so, steps in flight finish and no other step starts.
 *
 * Creating and deleting are pipelined within Kinesis' transition quotas: a step that creates or deletes a stream
 * takes one of the account's 5 stream-transition slots ("more than five streams in the CREATING state" is refused,
 * https://docs.aws.amazon.com/kinesis/latest/APIReference/API_CreateStream.html, and DELETING counts too), one that
 * registers or deregisters a consumer one of its 5 consumer-transition slots ("only 5 consumers can be created
 * simultaneously", https://docs.aws.amazon.com/kinesis/latest/APIReference/API_RegisterStreamConsumer.html). The
 * executor gives the slot back as soon as the resource has settled (`hooks.settled()`), so the next create starts
 * while this stream's settings are still being applied; at the latest the slot is freed when the step ends.
 */
import type { ApplyReport, ApplyStep, ChangeExecutor, Lane, StepOutcome } from './types.js';

export interface RunOptions {
  /** Lanes in flight at once (default 64). */
  concurrency?: number;
  /** Lanes in flight per account (default 20). */
  perAccount?: number;
  /** Stream (and consumer) creations or deletions in flight per account (default 5, Kinesis' quota). */
  transitionsPerAccount?: number;
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

/** Which transition quota a step counts against, if any. */
export type TransitionKind = 'stream' | 'consumer';

export function transitionOf(step: ApplyStep): TransitionKind | undefined {
  const c = step.change;
  if (c.action !== 'create' && c.action !== 'delete') return undefined;
  if (c.resourceType === 'stream') return 'stream';
  if (c.resourceType === 'consumer') return 'consumer';
  return undefined;
}

/** Counting slots per key; waiters are served in arrival order. */
class Slots {
  private readonly held = new Map<string, number>();
  private readonly waiting = new Map<string, (() => void)[]>();
  constructor(private readonly limit: number) {}

  acquire(key: string): Promise<void> {
    if ((this.held.get(key) ?? 0) < this.limit) {
      this.held.set(key, (this.held.get(key) ?? 0) + 1);
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      const q = this.waiting.get(key) ?? [];
      q.push(resolve);
      this.waiting.set(key, q);
    });
  }

  /** Hand the slot to the next waiter, or free it. */
  release(key: string): void {
    const next = this.waiting.get(key)?.shift();
    if (next) next();
    else this.held.set(key, Math.max(0, (this.held.get(key) ?? 1) - 1));
  }
}

function outcomeOf(
  step: ApplyStep,
  status: StepOutcome['status'],
  message?: string,
  skipReason?: StepOutcome['skipReason'],
): StepOutcome {
  const c = step.change;
  return {
    id: c.id,
    account: c.account,
    address: c.address,
    resourceType: c.resourceType,
    action: c.action,
    status,
    ...(message ? { message } : {}),
    ...(skipReason ? { skipReason } : {}),
  };
}

async function execute(
  step: ApplyStep,
  executor: ChangeExecutor,
  slots: Slots,
): Promise<{ status: 'done' | 'failed'; message?: string }> {
  const kind = transitionOf(step);
  const key = kind ? `${step.change.account}\u0000${kind}` : undefined;
  let held = key !== undefined;
  const settled = () => {
    if (held && key !== undefined) slots.release(key);
    held = false;
  };
  try {
    return await executor.execute(step, { settled });
  } catch (e) {
    return { status: 'failed', message: (e as Error).message ?? String(e) };
  } finally {
    settled();
  }
}

async function runLane(
  lane: Lane,
  executor: ChangeExecutor,
  failed: Set<string>,
  slots: Slots,
  o: RunOptions,
): Promise<StepOutcome[]> {
  const out: StepOutcome[] = [];
  for (const step of lane.steps) {
    const blocked = step.change.dependsOn.find((d) => failed.has(d));
    const kind = blocked ? undefined : transitionOf(step);
    // Waiting for a transition slot happens before the stop check, so a step that waited is not started after a signal.
    if (kind && !o.shouldStop?.()) await slots.acquire(`${step.change.account}\u0000${kind}`);
    let res: StepOutcome;
    if (o.shouldStop?.()) {
      if (kind) slots.release(`${step.change.account}\u0000${kind}`);
      failed.add(step.id);
      res = outcomeOf(step, 'skipped', 'not started: apply was interrupted', 'interrupted');
    } else if (blocked) {
      failed.add(step.id);
      res = outcomeOf(step, 'skipped', `depends on ${blocked}, which did not complete`, 'dependency');
    } else {
      o.onStart?.(step);
      const r = await execute(step, executor, slots);
      if (r.status === 'failed') failed.add(step.id);
      res = outcomeOf(step, r.status, r.message);
    }
    out.push(res);
    o.onStep?.(res);
  }
  return out;
}

async function runPhase(
  lanes: Lane[],
  executor: ChangeExecutor,
  failed: Set<string>,
  o: RunOptions,
): Promise<StepOutcome[]> {
  const limit = Math.max(1, o.concurrency ?? 64);
  const perAccount = Math.max(1, o.perAccount ?? 20);
  const slots = new Slots(Math.max(1, o.transitionsPerAccount ?? 5));
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
        void runLane(lane, executor, failed, slots, o).then((r) => {
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

export async function runLanes(
  lanes: Lane[],
  executor: ChangeExecutor,
  skipped: StepOutcome[],
  o: RunOptions = {},
): Promise<ApplyReport> {
  const failed = new Set<string>(skipped.map((s) => s.id));
  const streams = await runPhase(
    lanes.filter((l) => l.phase === 'stream'),
    executor,
    failed,
    o,
  );
  const iam = await runPhase(
    lanes.filter((l) => l.phase === 'iam'),
    executor,
    failed,
    o,
  );
  const mappings = await runPhase(
    lanes.filter((l) => l.phase === 'mapping'),
    executor,
    failed,
    o,
  );
  const outcomes = [...skipped, ...streams, ...iam, ...mappings];
  return {
    outcomes,
    done: outcomes.filter((x) => x.status === 'done').length,
    failed: outcomes.filter((x) => x.status === 'failed').length,
    skipped: outcomes.filter((x) => x.status === 'skipped').length,
  };
}
