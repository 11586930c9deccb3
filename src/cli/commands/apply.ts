import { resolve } from 'node:path';
import { createInterface } from 'node:readline';
import type { Command } from 'commander';
import { applyPool, executePlan, LOCAL_WAIT } from '../../adapters/aws/apply-engine.js';
import { openTarget } from '../../adapters/aws/target.js';
import type { OpenTarget } from '../../adapters/aws/target.js';
import { ApplyLog } from '../../adapters/fs/apply-log.js';
import { describeRefusal, readRegularFile } from '../../adapters/fs/bounded-read.js';
import { renderApplyReport } from '../../core/apply/summary.js';
import type { StepOutcome } from '../../core/apply/types.js';
import { changeSetDigest, computePlan, liveFingerprint, parsePlan, scopeDesired } from '../../core/plan/index.js';
import { MAX_PLAN_BYTES } from '../../core/plan/types.js';
import type { Plan } from '../../core/plan/index.js';
import { renderPlanText } from '../../output/plan/index.js';
import type { CliIO } from '../io.js';
import { EXIT_FINDINGS, EXIT_OK, EXIT_USAGE, ExitError } from '../io.js';
import { EXIT_SIGNAL, processSignals, watchInterrupts } from '../interrupts.js';
import type { Interrupts, SignalHost, StopSignal } from '../interrupts.js';
import { meshMismatch, missingMeshFile } from '../saved-plan-mesh.js';
import { addReviewFlags, applyPart, ResultRecorder } from '../review-flags.js';
import type { ReviewFlags } from '../review-flags.js';
import { styleFor } from '../style.js';
import { addTargetFlags, targetFlags, targetOpenError } from '../target-flags.js';
import type { TargetFlags } from '../target-flags.js';
import { checkEndpoint, displayDir, localDir, prepare, readLive } from './plan.js';
import type { PreparedPlan } from './plan.js';

export interface ApplyCommandOptions extends TargetFlags, ReviewFlags {
  autoApprove?: boolean;
  allowDestructive?: boolean;
  log: string;
  mesh: string;
  domain: string[];
  account: string[];
  color: boolean;
  policies?: string;
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

/** A saved plan (JSON with formatVersion), or undefined when the file is a mesh file. */
function readSavedPlan(path: string): Plan | undefined {
  const read = readRegularFile(path, { maxBytes: MAX_PLAN_BYTES });
  if (!read.ok && read.refusal.kind === 'not-found') return undefined;
  if (!read.ok) throw new ExitError(`cannot read ${path}: ${describeRefusal(read.refusal)}; give a saved plan (plan.json) or a mesh file.`, EXIT_FINDINGS);
  const text = read.text;
  if (!/^\s*\{/.test(text)) return undefined;
  const r = parsePlan(text);
  if (!r.plan) throw new ExitError(`${path}: not a meshgov plan: ${r.error ?? 'unreadable'}`, EXIT_USAGE);
  return r.plan;
}

/** An edited file is named as such (before anything is read from AWS) rather than reported as drift later. */
function checkSavedDigest(saved: Plan): void {
  if (changeSetDigest(saved.changes, saved.accessDiff) !== saved.changeSetDigest) {
    throw new ExitError('the saved plan was edited after `meshgov plan` wrote it: its changes do not match its changeSetDigest. Nothing was applied; run plan again and review its output.', EXIT_FINDINGS);
  }
}

async function confirm(io: CliIO): Promise<boolean> {
  if (!process.stdin.isTTY) {
    throw new ExitError('stdin is not a terminal, so apply cannot ask for confirmation: review the plan and pass --auto-approve, or apply a saved plan (plan --out plan.json; apply plan.json).', EXIT_USAGE);
  }
  io.stderr.write('\nDo you want to apply these changes? Only `yes` will be accepted: ');
  const rl = createInterface({ input: process.stdin });
  const answer = await new Promise<string>((r) => rl.once('line', r));
  rl.close();
  return answer.trim() === 'yes';
}

function sameSet(a: readonly string[], b: readonly string[]): boolean {
  return [...new Set(a)].sort().join('\n') === [...new Set(b)].sort().join('\n');
}

function progressLine(o: StepOutcome): string {
  const mark = o.status === 'done' ? 'done   ' : o.status === 'failed' ? 'FAILED ' : 'skipped';
  return `  ${mark} ${o.action} ${o.resourceType} ${o.address}${o.message ? `: ${o.message}` : ''}\n`;
}

/** Closing the target is bounded when a signal is ending the run (a hung emulator must not keep the process). */
const CLOSE_ON_SIGNAL_MS = 20_000;

/**
 * `apply`. Signals: before any change starts (reading, planning, the confirmation prompt) the first SIGINT/SIGTERM
 * stops the run at once (nothing was applied); while changes run it stops new changes from starting, lets those in
 * flight finish, prints the summary, stops the local target cleanly (its data persisted) and exits 130/143; a
 * second signal exits at once.
 */
export async function runApply(
  file: string | undefined,
  opts: ApplyCommandOptions,
  io: CliIO,
  host: SignalHost = processSignals(),
): Promise<number> {
  const interrupts = watchInterrupts(io, host, 'Calls in flight may have reached the service: the apply log has their '
    + 'intent without an outcome. Run plan to see where things stand.');
  const recorder = new ResultRecorder(opts.result !== undefined ? resolve(io.cwd, opts.result) : undefined);
  try {
    return await applyWith(file, opts, io, host, interrupts, recorder);
  } catch (e) {
    // Whatever stopped the run before a change ran (a refusal, a stale mesh, AWS): the result says nothing was applied.
    recorder.failedBeforeChanges(e);
    throw e;
  } finally {
    interrupts.dispose();
  }
}

async function applyWith(
  file: string | undefined,
  opts: ApplyCommandOptions,
  io: CliIO,
  host: SignalHost,
  interrupts: Interrupts,
  recorder: ResultRecorder,
): Promise<number> {
  checkEndpoint(opts.endpoint);
  const flags = targetFlags(opts, io);
  let target: OpenTarget | undefined;
  let closing: Promise<void> | undefined;
  const close = (): Promise<void> => (closing ??= target ? target.close() : Promise.resolve());
  interrupts.onFirst((sig: StopSignal) => {
    io.stderr.write(`\nmeshgov: ${sig} received before any change was applied: stopping; nothing was applied.\n`);
    const bounded = Promise.race([close(), new Promise((r) => setTimeout(r, CLOSE_ON_SIGNAL_MS))]);
    void bounded.finally(() => host.exit(EXIT_SIGNAL[sig]));
  });
  const arg = resolve(io.cwd, file ?? opts.mesh);
  const saved = readSavedPlan(arg);
  const meshFile = saved ? opts.mesh : (file ?? opts.mesh);
  const localLike = opts.local === true || flags.accountsAsKeys === true;
  recorder.part = applyPart(opts, saved !== undefined);
  if (saved) {
    recorder.reviewedDigest = saved.changeSetDigest;
    checkSavedDigest(saved);
    const flagsScope = opts.domain.length > 0 || opts.account.length > 0;
    if (flagsScope) throw new ExitError('--domain and --account cannot be combined with a saved plan: the plan carries its own scope.', EXIT_USAGE);
    const wantTarget = localLike ? 'local' : 'aws';
    if (saved.target !== wantTarget) throw new ExitError(`the plan was made against the ${saved.target} target but this apply runs against ${wantTarget}${saved.target === 'local' ? ' (add --local)' : ''}.`, EXIT_USAGE);
  }
  const missing = saved ? missingMeshFile(meshFile, io.cwd) : undefined;
  if (missing !== undefined) throw new ExitError(missing, EXIT_FINDINGS);
  const prepared: PreparedPlan | undefined = prepare(meshFile, io, saved
    ? { domain: saved.scope.domains, account: saved.scope.accounts, color: opts.color, ...(opts.policies !== undefined ? { policies: opts.policies } : {}) }
    : opts);
  if (!prepared) return EXIT_FINDINGS;
  if (saved && saved.meshDigest !== prepared.meshDigest) {
    throw new ExitError(meshMismatch(saved, prepared, meshFile), EXIT_FINDINGS);
  }
  if (saved && !sameSet(saved.scope.accounts, prepared.scope.accounts)) throw new ExitError('the plan scope names accounts the mesh does not have any more. Run plan again.', EXIT_FINDINGS);
  io.env['AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED'] ??= 'true';
  try {
    target = await openTarget(prepared.mesh, {
      local: opts.local === true, localDir: localDir(io), displayLocalDir: displayDir(io, localDir(io)),
      command: 'apply', handleSignals: false,
      ...(opts.endpoint ? { endpoint: opts.endpoint } : {}), ...flags,
    });
  } catch (e) {
    throw targetOpenError(e);
  }
  const pool = applyPool(target.pool);
  try {
    const live = await readLive(target, prepared, io);
    // Apply executes only the plan it computes itself; a saved plan is the reviewed expectation (change-set.ts).
    const log = new ApplyLog(resolve(io.cwd, opts.log));
    const own = computePlan({
      desired: prepared.desired, live, meshDigest: prepared.meshDigest, clock: { now: () => io.now() }, scope: prepared.scope, target: target.kind,
      scalingHistory: { entries: log.history(), now: io.now() },
    });
    if (saved) {
      recorder.gate(saved, own, liveFingerprint(live, prepared.desired, saved.scope), opts.reviewedDigest);
    } else {
      io.stdout.write(renderPlanText(own, styleFor(io, 'stdout', !opts.color)));
      if (own.summary.hasChanges && !opts.autoApprove && !(await confirm(io))) {
        io.stderr.write('Apply cancelled; nothing was changed.\n');
        return EXIT_FINDINGS;
      }
    }
    const plan = own;
    // From here a signal lets the changes in flight finish and starts no other.
    interrupts.onFirst((sig) => {
      io.stderr.write(`\nmeshgov: ${sig} received: no new change starts; waiting for the changes in flight to finish `
        + '(their calls are logged). Send it again to exit at once.\n');
    });
    if (!plan.summary.hasChanges) io.stdout.write('\nNo changes to apply.\n');
    else io.stdout.write(`\nApplying ${plan.changes.filter((c) => c.action !== 'no-op').length} change(s)${opts.allowDestructive ? ' (destructive changes allowed)' : ''}:\n`);
    const result = await executePlan({
      plan, pool, partition: prepared.mesh.partition, iamPath: prepared.mesh.governanceRole.path, log, allowDestructive: opts.allowDestructive === true || recorder.part === 'destructive',
      now: () => new Date(), ...(target.kind === 'local' ? { wait: LOCAL_WAIT, localIam: { dir: localDir(io), desired: scopeDesired(prepared.desired, plan.scope) } } : {}),
      // Changes a signal kept from starting are listed once, in the summary.
      onStep: (o) => o.skipReason !== 'interrupted' && io.stdout.write(progressLine(o)),
      shouldStop: () => interrupts.signal !== undefined,
    });
    interrupts.onFirst((sig) => io.stderr.write(`\nmeshgov: ${sig} received: the changes are done; stopping.\n`));
    const { pending } = recorder.applied(plan, result.report.outcomes);
    if (pending > 0) io.stdout.write(`\n${pending} destructive change(s) pending approval (--defer-destructive): not applied, not a failure.\n`);
    const by = interrupts.signal;
    const report = renderApplyReport(result.report, result.calls, opts.log, by ? { interruptedBy: by } : {});
    io.stdout.write(`\n${report}`);
    if (result.localIamFiles !== undefined) io.stdout.write(`IAM (local target): ${result.localIamFiles} artefact file(s) written to ${localDir(io)}/iam; not applied to a live service.\n`);
    if (interrupts.signal) return EXIT_SIGNAL[interrupts.signal];
    // Blocked changes (deletion protection, spent budgets) are shown in the plan and not pending: they do not fail apply.
    const unblockedSkips = result.report.outcomes.filter((o) => o.status === 'skipped' && o.skipReason !== 'deletion-protected' && o.skipReason !== 'budget' && !recorder.isDeferred(plan, o)).length;
    return result.report.failed > 0 || unblockedSkips > 0 ? EXIT_FINDINGS : EXIT_OK;
  } finally {
    pool.destroy();
    await close();
  }
}

export function registerApply(program: Command, io: CliIO, setExit: (code: number) => void): void {
  const cmd = program
    .command('apply')
    .description('Apply a saved plan exactly (refusing a stale one), or plan and apply after confirmation.')
    .argument('[file]', 'a saved plan (plan --out plan.json) or a mesh file (default: mesh.yaml)')
    .option('--mesh <file>', 'mesh file a saved plan was made from', 'mesh.yaml')
    .option('--local', 'apply to the embedded local target (kinesis-local; data in .meshgov/local or MESHGOV_LOCAL_DIR)')
    .option('--endpoint <url>', 'endpoint for every AWS service (LocalStack or another compatible endpoint)');
  addReviewFlags(addTargetFlags(cmd))
    .option('--auto-approve', 'apply without asking (required when stdin is not a terminal)')
    .option('--allow-destructive', 'also apply destructive changes (deletions, retention decreases, access revocations)')
    .option('--log <file>', 'append-only audit log of every mutating call (JSON lines)', '.meshgov/apply-log.jsonl')
    .option('--policies <dir>', 'additional directory of guardrail rule files (as validate; the rules decide whether the mesh may be planned)')
    .option('--domain <domain>', 'limit the run to a domain (repeatable)', collect, [])
    .option('--account <id>', 'limit the run to an account id or alias (repeatable)', collect, [])
    .option('--no-color', 'disable colour')
    .addHelpText('after', [
      '',
      'Exit codes: 0 everything applied; 1 a step failed or was skipped (destructive without --allow-destructive,',
      'deletion-protected, over a scaling budget), a stale plan, a locked local data directory, or an invalid mesh;',
      '64 usage error; 130/143 stopped by SIGINT/SIGTERM. With --defer-destructive, destructive changes held for',
      'approval do not fail the run (0); --result FILE says what was applied, pending approval or refused.',
      'SIGINT/SIGTERM: no new change starts, the changes in flight finish, the summary is printed and the local target',
      'is stopped cleanly; a second signal exits at once. The apply log records each call before it is sent and',
      'when it ends. A rerun converges: every step re-reads the live state before it calls AWS. See docs/apply.md.',
    ].join('\n'))
    .action(async (file: string | undefined, opts: ApplyCommandOptions) => {
      setExit(await runApply(file, opts, io));
    });
}
