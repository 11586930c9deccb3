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
import { computePlan, liveFingerprint, parsePlan, scopeDesired } from '../../core/plan/index.js';
import { MAX_PLAN_BYTES } from '../../core/plan/types.js';
import type { Plan } from '../../core/plan/index.js';
import { renderPlanText } from '../../output/plan/index.js';
import type { CliIO } from '../io.js';
import { EXIT_FINDINGS, EXIT_OK, EXIT_USAGE, ExitError } from '../io.js';
import { styleFor } from '../style.js';
import { checkEndpoint, localDir, prepare, readLive } from './plan.js';
import type { PreparedPlan } from './plan.js';

export interface ApplyCommandOptions {
  local?: boolean;
  endpoint?: string;
  autoApprove?: boolean;
  allowDestructive?: boolean;
  log: string;
  mesh: string;
  domain: string[];
  account: string[];
  color: boolean;
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

export async function runApply(file: string | undefined, opts: ApplyCommandOptions, io: CliIO): Promise<number> {
  checkEndpoint(opts.endpoint);
  if (opts.local && opts.endpoint) throw new ExitError('--local and --endpoint cannot be combined: --local starts its own endpoint.', EXIT_USAGE);
  const arg = resolve(io.cwd, file ?? opts.mesh);
  const saved = readSavedPlan(arg);
  const meshFile = saved ? opts.mesh : (file ?? opts.mesh);
  if (saved) {
    const flagsScope = opts.domain.length > 0 || opts.account.length > 0;
    if (flagsScope) throw new ExitError('--domain and --account cannot be combined with a saved plan: the plan carries its own scope.', EXIT_USAGE);
    const wantTarget = opts.local ? 'local' : 'aws';
    if (saved.target !== wantTarget) throw new ExitError(`the plan was made against the ${saved.target} target but this apply runs against ${wantTarget}${saved.target === 'local' ? ' (add --local)' : ''}.`, EXIT_USAGE);
  }
  const prepared: PreparedPlan | undefined = prepare(meshFile, io, saved ? { domain: saved.scope.domains, account: saved.scope.accounts, color: opts.color } : opts);
  if (!prepared) return EXIT_FINDINGS;
  if (saved && saved.meshDigest !== prepared.meshDigest) {
    throw new ExitError(`the plan is stale: the mesh files (${meshFile} and its includes) changed since the plan was made. Run plan again.`, EXIT_FINDINGS);
  }
  if (saved && !sameSet(saved.scope.accounts, prepared.scope.accounts)) throw new ExitError('the plan scope names accounts the mesh does not have any more. Run plan again.', EXIT_FINDINGS);
  io.env['AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED'] ??= 'true';
  let target: OpenTarget;
  try {
    target = await openTarget(prepared.mesh, { local: opts.local === true, localDir: localDir(io), command: 'apply', ...(opts.endpoint ? { endpoint: opts.endpoint } : {}) });
  } catch (e) {
    throw new ExitError(`cannot start the local target: ${(e as Error).message}`, EXIT_FINDINGS);
  }
  const pool = applyPool(target.pool.config);
  try {
    const live = await readLive(target, prepared, io);
    let plan: Plan;
    if (saved) {
      const fp = liveFingerprint(live, prepared.desired, saved.scope);
      if (fp !== saved.liveFingerprint) {
        throw new ExitError(`the plan is stale: the live state of the accounts in its scope changed since the plan was made at ${saved.createdAt} (fingerprint ${saved.liveFingerprint.slice(0, 12)} -> ${fp.slice(0, 12)}). Nothing was applied; run plan again.`, EXIT_FINDINGS);
      }
      plan = saved;
    } else {
      plan = computePlan({ desired: prepared.desired, live, meshDigest: prepared.meshDigest, clock: { now: () => io.now() }, scope: prepared.scope, target: target.kind });
      io.stdout.write(renderPlanText(plan, styleFor(io, 'stdout', !opts.color)));
      if (plan.summary.hasChanges && !opts.autoApprove && !(await confirm(io))) {
        io.stderr.write('Apply cancelled; nothing was changed.\n');
        return EXIT_FINDINGS;
      }
    }
    const log = new ApplyLog(resolve(io.cwd, opts.log));
    if (!plan.summary.hasChanges) io.stdout.write('\nNo changes to apply.\n');
    else io.stdout.write(`\nApplying ${plan.changes.filter((c) => c.action !== 'no-op').length} change(s)${opts.allowDestructive ? ' (destructive changes allowed)' : ''}:\n`);
    const result = await executePlan({
      plan, pool, partition: prepared.mesh.partition, iamPath: prepared.mesh.governanceRole.path, log, allowDestructive: opts.allowDestructive === true,
      now: () => new Date(), ...(target.kind === 'local' ? { wait: LOCAL_WAIT, localIam: { dir: localDir(io), desired: scopeDesired(prepared.desired, plan.scope) } } : {}),
      onStep: (o) => io.stdout.write(progressLine(o)),
    });
    io.stdout.write(`\n${renderApplyReport(result.report, result.calls, opts.log)}`);
    if (result.localIamFiles !== undefined) io.stdout.write(`IAM (local target): ${result.localIamFiles} artefact file(s) written to ${localDir(io)}/iam; not applied to a live service.\n`);
    return result.report.failed > 0 || result.report.skipped > 0 ? EXIT_FINDINGS : EXIT_OK;
  } finally {
    pool.destroy();
    await target.close();
  }
}

export function registerApply(program: Command, io: CliIO, setExit: (code: number) => void): void {
  program
    .command('apply')
    .description('Apply a saved plan exactly (refusing a stale one), or plan and apply after confirmation.')
    .argument('[file]', 'a saved plan (plan --out plan.json) or a mesh file (default: mesh.yaml)')
    .option('--mesh <file>', 'mesh file a saved plan was made from', 'mesh.yaml')
    .option('--local', 'apply to the embedded local target (kinesis-local; data in .meshgov/local or MESHGOV_LOCAL_DIR)')
    .option('--endpoint <url>', 'endpoint for every AWS service (LocalStack or another compatible endpoint)')
    .option('--auto-approve', 'apply without asking (required when stdin is not a terminal)')
    .option('--allow-destructive', 'also apply destructive changes (deletions, retention decreases, access revocations, mode switches)')
    .option('--log <file>', 'append-only audit log of every mutating call (JSON lines)', '.meshgov/apply-log.jsonl')
    .option('--domain <domain>', 'limit the run to a domain (repeatable)', collect, [])
    .option('--account <id>', 'limit the run to an account id or alias (repeatable)', collect, [])
    .option('--no-color', 'disable colour')
    .addHelpText('after', [
      '',
      'Exit codes: 0 everything applied; 1 a step failed or was skipped (destructive without --allow-destructive,',
      'deletion-protected, over a scaling budget), a stale plan, or an invalid mesh; 2 usage error.',
      'A rerun converges: every step re-reads the live state before it calls AWS. See docs/apply.md.',
    ].join('\n'))
    .action(async (file: string | undefined, opts: ApplyCommandOptions) => {
      setExit(await runApply(file, opts, io));
    });
}
