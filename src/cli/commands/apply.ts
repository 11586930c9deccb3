import { resolve } from 'node:path';
import { createInterface } from 'node:readline';
import type { Command } from 'commander';
import { apply } from '../../app/apply.js';
import type { ApplyEvent, ApplyOutcome } from '../../app/apply.js';
import type { Target, TargetOpener } from '../../app/target.js';
import { workspaceInputs } from '../../app/workspace.js';
import { ApplyLog } from '../../adapters/fs/apply-log.js';
import { renderApplyReport } from '../../core/apply/summary.js';
import type { StepOutcome } from '../../core/apply/types.js';
import { renderPlanText } from '../../output/plan/index.js';
import type { CliIO } from '../io.js';
import { EXIT_FINDINGS, EXIT_OK, EXIT_USAGE, ExitError } from '../io.js';
import { EXIT_SIGNAL, processSignals, watchInterrupts } from '../interrupts.js';
import type { Interrupts, SignalHost, StopSignal } from '../interrupts.js';
import { collect } from '../options.js';
import { applyProgress, Progress, readReporter } from '../progress.js';
import type { ApplyProgress } from '../progress.js';
import { addReviewFlags, applyPart, ResultRecorder } from '../review-flags.js';
import type { ReviewFlags } from '../review-flags.js';
import { styleFor } from '../style.js';
import { addTargetFlags, cliTargetOpener, localDir, targetOpenError, targetSpec } from '../target-flags.js';
import type { TargetFlags } from '../target-flags.js';
import { cliSources, formatDiagnostics, ruleMetaOf, usageError } from '../validation.js';

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

async function confirm(io: CliIO): Promise<boolean> {
  if (!process.stdin.isTTY) {
    throw new ExitError(
      'stdin is not a terminal, so apply cannot ask for confirmation: review the plan and pass --auto-approve, or apply a saved plan (plan --out plan.json; apply plan.json).',
      EXIT_USAGE,
    );
  }
  io.stderr.write('\nDo you want to apply these changes? Only `yes` will be accepted: ');
  const rl = createInterface({ input: process.stdin });
  const answer = await new Promise<string>((r) => rl.once('line', r));
  rl.close();
  return answer.trim() === 'yes';
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
  const interrupts = watchInterrupts(
    io,
    host,
    'Calls in flight may have reached the service: the apply log has their ' +
      'intent without an outcome. Run plan to see where things stand.',
  );
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

/**
 * Shows apply's events: the live read on stderr, the per-change lines on stdout, and on stderr (not a terminal)
 * a timestamped line as each change starts and ends and, while changes run, what apply waits for.
 */
function applyReporter(
  io: CliIO,
  opts: ApplyCommandOptions,
  onExecuting: () => void,
  onExecuted: () => void,
): (e: ApplyEvent) => void {
  const read = readReporter(new Progress(io), true);
  let progress: Progress | undefined;
  let changes: ApplyProgress | undefined;
  return (e) => {
    switch (e.kind) {
      case 'warnings':
        io.stderr.write(formatDiagnostics(e.diagnostics, 'text', io, ruleMetaOf(e.rules), !opts.color));
        return;
      case 'executing':
        onExecuting();
        if (!e.hasChanges) io.stdout.write('\nNo changes to apply.\n');
        else
          io.stdout.write(
            `\nApplying ${e.changes} change(s)${opts.allowDestructive ? ' (destructive changes allowed)' : ''}:\n`,
          );
        if (e.hasChanges) {
          progress = new Progress(io);
          changes = applyProgress(progress, e.changes);
        }
        return;
      case 'change-started':
        changes?.onStart(e.step);
        return;
      case 'change-ended':
        changes?.onStep(e.outcome);
        // Changes a signal kept from starting are listed once, in the summary.
        if (e.outcome.skipReason !== 'interrupted') io.stdout.write(progressLine(e.outcome));
        return;
      case 'executed':
        progress?.done();
        onExecuted();
        return;
      default:
        read(e);
    }
  };
}

async function applyWith(
  file: string | undefined,
  opts: ApplyCommandOptions,
  io: CliIO,
  host: SignalHost,
  interrupts: Interrupts,
  recorder: ResultRecorder,
): Promise<number> {
  // Contradictory review flags are usage errors before anything is read (the use case checks the saved plan's part).
  recorder.part = applyPart(opts, true);
  const target = targetSpec(opts, io);
  // The target, once open: a first signal before any change starts closes it and exits.
  let opened: Target | undefined;
  const open = cliTargetOpener(io, { handleSignals: false });
  const remember: TargetOpener = async (...args) => {
    const o = await open(...args);
    if (o.kind === 'open') opened = o.target;
    return o;
  };
  interrupts.onFirst((sig: StopSignal) => {
    io.stderr.write(`\nmeshgov: ${sig} received before any change was applied: stopping; nothing was applied.\n`);
    const bounded = Promise.race([opened?.close(), new Promise((r) => setTimeout(r, CLOSE_ON_SIGNAL_MS))]);
    void bounded.finally(() => host.exit(EXIT_SIGNAL[sig]));
  });
  const outcome = await apply(
    {
      mesh: opts.mesh,
      domain: opts.domain,
      account: opts.account,
      target,
      log: opts.log,
      allowDestructive: opts.allowDestructive === true,
      clock: { now: () => io.now() },
      part: recorder.part,
      ...(opts.reviewedDigest !== undefined ? { reviewedDigest: opts.reviewedDigest } : {}),
      ...(file !== undefined ? { file } : {}),
      ...(opts.policies !== undefined ? { policies: opts.policies } : {}),
      approve: async (plan) => {
        io.stdout.write(renderPlanText(plan, styleFor(io, 'stdout', !opts.color)));
        return !plan.summary.hasChanges || opts.autoApprove === true || confirm(io);
      },
      shouldStop: () => interrupts.signal !== undefined,
      onEvent: applyReporter(
        io,
        opts,
        () => {
          // From here a signal lets the changes in flight finish and starts no other.
          interrupts.onFirst((sig) => {
            io.stderr.write(
              `\nmeshgov: ${sig} received: no new change starts; waiting for the changes in flight to finish ` +
                '(their calls are logged). Send it again to exit at once.\n',
            );
          });
        },
        () =>
          interrupts.onFirst((sig) => io.stderr.write(`\nmeshgov: ${sig} received: the changes are done; stopping.\n`)),
      ),
    },
    {
      sources: cliSources(io),
      inputs: workspaceInputs(io.cwd),
      openTarget: remember,
      openLog: (path) => new ApplyLog(resolve(io.cwd, path)),
    },
  );
  return exitOf(outcome, io, opts, interrupts, recorder);
}

function exitOf(
  outcome: ApplyOutcome,
  io: CliIO,
  opts: ApplyCommandOptions,
  interrupts: Interrupts,
  recorder: ResultRecorder,
): number {
  switch (outcome.kind) {
    case 'usage':
      throw usageError(outcome);
    case 'refused':
      if (outcome.reviewedDigest !== undefined) recorder.reviewedDigest = outcome.reviewedDigest;
      recorder.refusedWith(outcome.summary ?? outcome.message, outcome.differences ?? []);
      throw new ExitError(outcome.message, EXIT_FINDINGS);
    case 'invalid':
      io.stderr.write(formatDiagnostics(outcome.diagnostics, 'text', io, ruleMetaOf(outcome.rules), !opts.color));
      return EXIT_FINDINGS;
    case 'target-failed':
      throw targetOpenError(outcome);
    case 'read-failed':
      throw new ExitError(outcome.message, EXIT_FINDINGS);
    case 'cancelled':
      io.stderr.write('Apply cancelled; nothing was changed.\n');
      return EXIT_FINDINGS;
    case 'applied': {
      if (outcome.reviewedDigest !== undefined) recorder.reviewedDigest = outcome.reviewedDigest;
      const { pending } = recorder.applied(outcome.plan, outcome.report.outcomes);
      if (pending > 0)
        io.stdout.write(
          `\n${pending} destructive change(s) pending approval (--defer-destructive): not applied, not a failure.\n`,
        );
      const by = interrupts.signal;
      const report = renderApplyReport(outcome.report, outcome.calls, opts.log, by ? { interruptedBy: by } : {});
      io.stdout.write(`\n${report}`);
      if (outcome.localIamFiles !== undefined) {
        io.stdout.write(
          // "in", not "written to": files already in place byte for byte are left as they are.
          `IAM (local target): ${outcome.localIamFiles} artefact file(s) in ${localDir(io)}/iam; ` +
            'not applied to a live service.\n',
        );
      }
      if (interrupts.signal) return EXIT_SIGNAL[interrupts.signal];
      // Blocked changes (deletion protection, spent budgets, mappings the consuming team owns) are shown in the plan
      // and not pending: they do not fail apply.
      const unblockedSkips = outcome.report.outcomes.filter(
        (o) =>
          o.status === 'skipped' &&
          o.skipReason !== 'deletion-protected' &&
          o.skipReason !== 'budget' &&
          o.skipReason !== 'consumer-owned' &&
          !recorder.isDeferred(outcome.plan, o),
      ).length;
      return outcome.report.failed > 0 || unblockedSkips > 0 ? EXIT_FINDINGS : EXIT_OK;
    }
  }
}

export function registerApply(program: Command, io: CliIO, setExit: (code: number) => void): void {
  const cmd = program
    .command('apply')
    .description('Apply a saved plan exactly (refusing a stale one), or plan and apply after confirmation.')
    .argument('[file]', 'a saved plan (plan --out plan.json) or a mesh file (default: mesh.yaml)')
    .option('--mesh <file>', 'mesh file a saved plan was made from', 'mesh.yaml')
    .option(
      '--local',
      'apply to the embedded local target (kinesis-local; data in .meshgov/local or MESHGOV_LOCAL_DIR)',
    )
    .option('--endpoint <url>', 'endpoint for every AWS service (LocalStack or another compatible endpoint)');
  addReviewFlags(addTargetFlags(cmd))
    .option('--auto-approve', 'apply without asking (required when stdin is not a terminal)')
    .option(
      '--allow-destructive',
      'also apply destructive changes (deletions, retention decreases, access revocations)',
    )
    .option('--log <file>', 'append-only audit log of every mutating call (JSON lines)', '.meshgov/apply-log.jsonl')
    .option(
      '--policies <dir>',
      'additional directory of guardrail rule files (as validate; the rules decide whether the mesh may be planned)',
    )
    .option('--domain <domain>', 'limit the run to a domain (repeatable)', collect, [])
    .option('--account <id>', 'limit the run to an account id or alias (repeatable)', collect, [])
    .option('--no-color', 'disable colour')
    .addHelpText(
      'after',
      [
        '',
        'Exit codes: 0 everything applied; 1 a step failed or was skipped (destructive without --allow-destructive,',
        'deletion-protected, over a scaling budget), a stale plan, a locked local data directory, or an invalid mesh;',
        '64 usage error; 130/143 stopped by SIGINT/SIGTERM. With --defer-destructive, destructive changes held for',
        'approval do not fail the run (0); --result FILE says what was applied, pending approval or refused.',
        'SIGINT/SIGTERM: no new change starts, the changes in flight finish, the summary is printed and the local target',
        'is stopped cleanly; a second signal exits at once. The apply log records each call before it is sent and',
        'when it ends. A rerun converges: every step re-reads the live state before it calls AWS. See docs/apply.md.',
      ].join('\n'),
    )
    .action(async (file: string | undefined, opts: ApplyCommandOptions) => {
      setExit(await runApply(file, opts, io));
    });
}
