/**
 * Wiring of one apply run: plan changes -> lanes (pure core) -> executors (Kinesis, IAM, Lambda) on a client pool whose
 * SDK clients make one attempt per call (each attempt is retried by the SDK's strategy in `withRetry` and logged),
 * reads on a pool derived from it whose SDK retries them, then the summary.
 * Used by `meshgov apply` and by the integration tests (which put a fault proxy in front of the endpoint).
 */
import { buildSteps } from '../../core/apply/steps.js';
import { runLanes } from '../../core/apply/run.js';
import { summariseCalls } from '../../core/apply/summary.js';
import type { CallSummary } from '../../core/apply/summary.js';
import type { ApplyReport, ApplyStep, ChangeExecutor, StepHooks, StepOutcome } from '../../core/apply/types.js';
import type { Plan } from '../../core/plan/types.js';
import type { DesiredState } from '../../core/render/types.js';
import type { ApplyLog } from '../fs/apply-log.js';
import { ClientPool } from './client-pool.js';
import { IamExecutor, writeLocalIamArtefacts } from './iam-executor.js';
import { KinesisExecutor } from './kinesis-executor.js';
import { LambdaExecutor } from './lambda-executor.js';
import { AWS_WAIT, KinesisReads } from './kinesis-waits.js';
import type { WaitOptions } from './kinesis-waits.js';
import type { RetryPolicy } from './retry.js';

/** Waits on the local target: the emulator finishes in ~50 ms, so poll fast. */
export const LOCAL_WAIT: WaitOptions = { ...AWS_WAIT, baseMs: 25, capMs: 500, timeoutMs: 120_000 };

/** Apply's clients for mutating calls (one SDK attempt each: `withRetry` logs every attempt), on the read pool's sessions. */
export function applyPool(readPool: ClientPool): ClientPool {
  return readPool.derive({ command: 'apply', maxAttempts: 1 });
}

export interface ExecuteInput {
  plan: Plan;
  pool: ClientPool;
  partition: string;
  /** IAM path of meshgov's policies (the mesh's governance role path). */
  iamPath: string;
  log: ApplyLog;
  allowDestructive: boolean;
  now: () => Date;
  /** Attempts per mutating call and their backoff (WRITE_RETRY by default). */
  retry?: RetryPolicy;
  wait?: WaitOptions;
  /** Local target: write the rendered IAM artefacts under `<dir>/iam` after the Kinesis changes. */
  localIam?: { dir: string; desired: DesiredState };
  concurrency?: number;
  perAccount?: number;
  /** A change starts calling the service (progress: what apply waits for, since when). */
  onStart?: (step: ApplyStep) => void;
  onStep?: (o: StepOutcome) => void;
  /** Once true, no new step starts (SIGINT/SIGTERM); steps in flight finish, the rest are reported as not started. */
  shouldStop?: () => boolean;
}

export interface ExecuteResult {
  report: ApplyReport;
  calls: CallSummary;
  /** Local IAM artefact files written, when on the local target. */
  localIamFiles?: number;
}

/**
 * Attempts of apply's reads (status polls and re-reads): as many as apply's reads retried before the SDK did it,
 * since a failed read ends the step.
 */
export const APPLY_READ_ATTEMPTS = 10;

export async function executePlan(input: ExecuteInput): Promise<ExecuteResult> {
  const reads = input.pool.derive({
    maxAttempts: APPLY_READ_ATTEMPTS,
    ...(input.retry?.backoff ? { retryBackoff: input.retry.backoff } : {}),
  });
  try {
    return await execute(input, reads);
  } finally {
    reads.destroy();
  }
}

async function execute(input: ExecuteInput, reads: ClientPool): Promise<ExecuteResult> {
  const log = (e: Parameters<ApplyLog['append']>[0]) => input.log.append(e);
  const retry = input.retry ? { retry: input.retry } : {};
  const kinesis = new KinesisExecutor({
    client: (a) => input.pool.kinesis(a),
    readClient: (a) => reads.kinesis(a),
    region: input.plan.region,
    partition: input.partition,
    log,
    history: () => input.log.history(),
    now: input.now,
    wait: input.wait ?? AWS_WAIT,
    ...retry,
  });
  const iam = new IamExecutor({
    client: (a) => input.pool.iam(a),
    readClient: (a) => reads.iam(a),
    partition: input.partition,
    path: input.iamPath,
    log,
    now: input.now,
    ...retry,
  });
  const lambda = new LambdaExecutor({
    client: (a) => input.pool.lambda(a),
    readClient: (a) => reads.lambda(a),
    partition: input.partition,
    region: input.plan.region,
    log,
    now: input.now,
    consumerArn: async (account, streamArn, name) => {
      const wait = input.wait ?? AWS_WAIT;
      const c = await new KinesisReads(reads.kinesis(account), account, wait).waitConsumerActive(streamArn, name);
      return c?.ConsumerARN;
    },
    ...retry,
  });
  const executor: ChangeExecutor = {
    execute: (s: ApplyStep, hooks?: StepHooks) => {
      const kind = s.change.resourceType;
      if (kind === 'iam-policy' || kind === 'iam-boundary') return iam.execute(s);
      if (kind === 'event-source-mapping') return lambda.execute(s);
      return kinesis.execute(s, hooks);
    },
  };
  const steps = buildSteps(input.plan.changes, {
    allowDestructive: input.allowDestructive,
    history: input.log.history(),
    now: input.now(),
  });
  const report = await runLanes(steps.lanes, executor, steps.skipped, {
    ...(input.concurrency ? { concurrency: input.concurrency } : {}),
    ...(input.perAccount ? { perAccount: input.perAccount } : {}),
    ...(input.onStep ? { onStep: input.onStep } : {}),
    ...(input.onStart ? { onStart: input.onStart } : {}),
    ...(input.shouldStop ? { shouldStop: input.shouldStop } : {}),
  });
  let localIamFiles: number | undefined;
  const stopped = input.shouldStop?.() === true;
  if (input.localIam && input.plan.scope.domains.length === 0 && !stopped) {
    localIamFiles = await writeLocalIamArtefacts(input.localIam.dir, input.localIam.desired, log, input.now);
  }
  return {
    report,
    calls: summariseCalls(input.log.entries),
    ...(localIamFiles !== undefined ? { localIamFiles } : {}),
  };
}
