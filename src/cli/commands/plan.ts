import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, isAbsolute, relative, resolve } from 'node:path';
import type { Command } from 'commander';
import { Option } from 'commander';
import { AdapterError } from '../../adapters/aws/errors.js';
import { openTarget } from '../../adapters/aws/target.js';
import type { OpenTarget } from '../../adapters/aws/target.js';
import { writeLocalIam } from '../../adapters/local/iam-artefacts.js';
import { compareDiagnostics, hasErrors } from '../../core/diagnostics/diagnostic.js';
import type { Diagnostic } from '../../core/diagnostics/diagnostic.js';
import type { Mesh } from '../../core/model/types.js';
import type { Locator } from '../../core/source/locator.js';
import { computePlan, declaredStreams, meshDigest, scopeDesired } from '../../core/plan/index.js';
import type { LiveState, Plan, PlanScope } from '../../core/plan/index.js';
import { renderMesh } from '../../core/render/index.js';
import type { DesiredState } from '../../core/render/types.js';
import { PLAN_FORMATS, readerContext, renderPlan, renderPlanJson } from '../../output/plan/index.js';
import type { PlanFormat, PlanReaderContext } from '../../output/plan/index.js';
import { plural } from '../../output/plan/readers.js';
import { renderValidationMarkdown } from '../../output/plan/validation.js';
import type { CliIO } from '../io.js';
import { EXIT_ERROR, EXIT_OK, EXIT_PENDING, EXIT_USAGE, ExitError, today } from '../io.js';
import { fsProblem } from '../fs-errors.js';
import { Progress, seconds } from '../progress.js';
import { styleFor } from '../style.js';
import { addTargetFlags, targetFlags, targetOpenError } from '../target-flags.js';
import type { TargetFlags } from '../target-flags.js';
import { formatDiagnostics, runValidation } from '../validation.js';

export interface PlanCommandOptions extends TargetFlags {
  out?: string;
  format: PlanFormat;
  detailedExitcode?: boolean;
  domain: string[];
  account: string[];
  color: boolean;
  policies?: string;
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

/** The local target's directory: MESHGOV_LOCAL_DIR, else `.meshgov/local` under the working directory. */
export function localDir(io: CliIO): string {
  return resolve(io.cwd, io.env['MESHGOV_LOCAL_DIR'] || '.meshgov/local');
}

/** A directory as shown to the user: relative to the working directory when below it. */
export function displayDir(io: CliIO, dir: string): string {
  const rel = relative(io.cwd, dir);
  return rel !== '' && !rel.startsWith('..') && !isAbsolute(rel) ? rel.replace(/\\/g, '/') : dir;
}

export function checkEndpoint(endpoint: string | undefined): void {
  if (endpoint === undefined) return;
  let url: URL;
  try {
    url = new URL(endpoint);
  } catch {
    throw new ExitError(`--endpoint ${endpoint}: not a URL (expected e.g. http://127.0.0.1:4566).`, EXIT_USAGE);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new ExitError(`--endpoint ${endpoint}: must be an http or https URL.`, EXIT_USAGE);
}

/** Check --domain/--account against the mesh; unknown names are usage errors. */
export function scopeFrom(mesh: Mesh, domains: string[], accounts: string[]): PlanScope {
  for (const d of domains) {
    if (!mesh.domains.some((x) => x.name === d)) throw new ExitError(`--domain ${d}: no such domain in the mesh (domains: ${mesh.domains.map((x) => x.name).join(', ')}).`, EXIT_USAGE);
  }
  for (const a of accounts) {
    if (!mesh.accounts.some((x) => x.id === a || x.alias === a)) throw new ExitError(`--account ${a}: no such account in the mesh (accounts: ${mesh.accounts.map((x) => `${x.id} (${x.alias})`).join(', ')}).`, EXIT_USAGE);
  }
  const ids = accounts.map((a) => mesh.accounts.find((x) => x.id === a || x.alias === a)?.id as string);
  return { domains: [...new Set(domains)].sort(), accounts: [...new Set(ids)].sort() };
}

/** Role names per account that the desired IAM artefacts attach policies to (the IAM reader reads them). */
function rolesOf(desired: DesiredState): Map<string, Set<string>> {
  const out = new Map<string, Set<string>>();
  for (const a of desired.accounts) out.set(a.account, new Set(a.iam.flatMap((i) => (i.roleName ? [i.roleName] : []))));
  return out;
}

export interface PreparedPlan {
  mesh: Mesh;
  desired: DesiredState;
  scope: PlanScope;
  meshDigest: string;
  /** Validation and render findings that did not stop the plan (warnings, info, waived), sorted. */
  diagnostics?: Diagnostic[];
  /** Locates entities of the mesh in its files (for audit findings about declared entities). */
  locator?: Locator;
}

/** What {@link prepareOrFindings} found: a prepared plan, or the findings (with errors) that stop it. */
export type Prepared = { prepared: PreparedPlan; diagnostics: Diagnostic[] } | { prepared: undefined; diagnostics: Diagnostic[] };

/**
 * Validate and render (no AWS calls). On errors, prints the diagnostics (stderr) and returns them without a plan;
 * otherwise prints the warnings (stderr) and returns the prepared plan with every non-error finding.
 */
/** What every command that computes the desired state takes: scopes, and the rule pack (`--policies`). */
export interface PrepareOptions {
  domain: string[];
  account: string[];
  color: boolean;
  /** Extra guardrail rule directory (`--policies`), honoured like validate and render do. */
  policies?: string;
}

export function prepareOrFindings(file: string, io: CliIO, opts: PrepareOptions): Prepared {
  const validation = runValidation(file, io, opts.policies === undefined ? {} : { policies: opts.policies });
  if (!validation.ok || validation.mesh === undefined) {
    io.stderr.write(formatDiagnostics(validation.diagnostics, 'text', io, validation.ruleMeta, !opts.color));
    return { prepared: undefined, diagnostics: validation.diagnostics };
  }
  const rendered = renderMesh(validation.mesh, { today: today(io), locator: validation.locator });
  const all = [...validation.diagnostics, ...rendered.diagnostics].sort(compareDiagnostics);
  if (hasErrors(rendered.diagnostics)) {
    io.stderr.write(formatDiagnostics(all, 'text', io, validation.ruleMeta, !opts.color));
    return { prepared: undefined, diagnostics: all };
  }
  const warnings = all.filter((d) => d.severity === 'warning');
  if (warnings.length) io.stderr.write(formatDiagnostics(warnings, 'text', io, validation.ruleMeta, !opts.color));
  const scope = scopeFrom(validation.mesh, opts.domain, opts.account);
  const digest = meshDigest([...validation.sources.values()].map((s) => ({ file: s.file, text: s.text })));
  return { prepared: { mesh: validation.mesh, desired: rendered.value, scope, meshDigest: digest, diagnostics: all, locator: validation.locator }, diagnostics: all };
}

/**
 * Validate and render (no AWS calls). Returns undefined after printing diagnostics when the mesh has errors.
 * Apply reuses this so a saved plan and a fresh one start from the same desired state.
 */
export function prepare(file: string, io: CliIO, opts: PrepareOptions): PreparedPlan | undefined {
  return prepareOrFindings(file, io, opts).prepared;
}

/**
 * Read the live state of the in-scope accounts through an open target, with progress on stderr: the live line on a
 * terminal, timestamped lines elsewhere (each account read, and while reading takes long, which accounts it waits
 * for). Without a `progress`, one is made for the read and stopped after it.
 */
export async function readLive(
  target: OpenTarget, prepared: PreparedPlan, io: CliIO, progress?: Progress,
): Promise<LiveState> {
  const desired = scopeDesired(prepared.desired, prepared.scope);
  const accounts = desired.accounts.map((a) => a.account);
  const p = progress ?? new Progress(io);
  const pending = new Set(accounts);
  const started = p.now();
  let done = 0;
  const waitingFor = () => {
    const left = [...pending];
    if (left.length === 0) return `read ${accounts.length}/${accounts.length} accounts; reading the organisation`;
    const shown = left.slice(0, 5).join(', ') + (left.length > 5 ? ` and ${left.length - 5} more` : '');
    return `reading accounts: ${done}/${accounts.length} done; waiting for ${shown}`;
  };
  const where = target.kind === 'local' ? 'local target' : `AWS, ${desired.region}`;
  p.note(`reading ${accounts.length} account${accounts.length === 1 ? '' : 's'} (${where})`);
  p.begin(waitingFor);
  try {
    return await target.reader.read(
      {
        mesh: desired.mesh, region: desired.region, partition: desired.partition, accounts,
        declared: declaredStreams(desired), roles: rolesOf(desired),
      },
      (e) => {
        if (e.phase !== 'done') return;
        done++;
        pending.delete(e.account);
        p.liveLine(`read account ${e.account} (${done}/${accounts.length}, ${e.streams ?? 0} streams)`);
        p.note(`read account ${e.account} (${done}/${accounts.length}): ${e.streams ?? 0} streams, ${e.managed ?? 0} managed`);
      },
    );
  } catch (e) {
    if (e instanceof AdapterError) throw new ExitError(e.message, EXIT_ERROR);
    throw e;
  } finally {
    p.end();
    p.endLiveLine();
    if (progress === undefined) p.done();
    else p.note(`read ${done}/${accounts.length} accounts in ${seconds(p.elapsed(started))}`);
  }
}

/**
 * A plan with what the mesh says about its principals and streams (for the human formats), or (when the mesh does
 * not validate or render) the findings that stopped it.
 */
export type PlanRun =
  | { plan: Plan; context: PlanReaderContext; diagnostics?: undefined }
  | { plan?: undefined; diagnostics: Diagnostic[] };

/** What runPlan opens a target with (tests pass a stand-in). */
export type OpenTargetFn = typeof openTarget;

export async function runPlan(
  file: string, opts: PlanCommandOptions, io: CliIO, open: OpenTargetFn = openTarget,
): Promise<PlanRun> {
  checkEndpoint(opts.endpoint);
  const flags = targetFlags(opts, io);
  const progress = new Progress(io);
  try {
    return await planWith(file, opts, io, flags, progress, open);
  } finally {
    progress.done();
  }
}

async function planWith(
  file: string, opts: PlanCommandOptions, io: CliIO, flags: ReturnType<typeof targetFlags>,
  progress: Progress, open: OpenTargetFn,
): Promise<PlanRun> {
  const started = progress.now();
  progress.note(`plan: validating ${file}`);
  const { prepared, diagnostics } = prepareOrFindings(file, io, opts);
  if (!prepared) return { diagnostics };
  const m = prepared.mesh;
  const counts = `${m.streams.length} streams, ${m.grants.length} grants, ${m.accounts.length} accounts`;
  progress.note(`validated ${file}: ${counts} (${seconds(progress.elapsed(started))})`);
  // The SDK warns on every run under Node 20; meshgov supports Node 20, so the warning is noise here.
  io.env['AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED'] ??= 'true';
  let target: OpenTarget;
  progress.begin(() => (opts.local === true ? 'starting the local target' : 'opening the target'));
  try {
    target = await open(prepared.mesh, {
      local: opts.local === true, localDir: localDir(io), displayLocalDir: displayDir(io, localDir(io)),
      command: 'plan', ...(opts.endpoint ? { endpoint: opts.endpoint } : {}), ...flags,
    });
  } catch (e) {
    throw targetOpenError(e);
  } finally {
    progress.end();
  }
  try {
    const against = target.kind === 'local' ? `the local target (${target.local?.endpoint ?? ''})` : 'AWS';
    progress.note(`planning ${prepared.mesh.name} against ${against}`, true);
    const live = await readLive(target, prepared, io, progress);
    if (target.localIamDir) writeLocalIam(resolve(target.localIamDir, '..'), scopeDesired(prepared.desired, prepared.scope));
    const computing = progress.now();
    const plan = computePlan({ desired: prepared.desired, live, meshDigest: prepared.meshDigest, clock: { now: () => io.now() }, scope: prepared.scope, target: target.kind });
    const pending = plan.changes.filter((c) => c.action !== 'no-op').length;
    const what = `${plural(pending, 'change')}, ${plural(plan.accessDiff.length, 'access change')}`;
    const took = `${seconds(progress.elapsed(computing))}; total ${seconds(progress.elapsed(started))}`;
    progress.note(`plan computed: ${what} (${took})`);
    return { plan: { ...plan, diagnostics }, context: readerContext(prepared.mesh, live) };
  } finally {
    await target.close();
  }
}

export function registerPlan(program: Command, io: CliIO, setExit: (code: number) => void): void {
  const cmd = program
    .command('plan')
    .description('Read the live accounts and show what apply would change: typed changes, risk, access diff.')
    .argument('[file]', 'mesh file', 'mesh.yaml')
    .option('--local', 'plan against the embedded local target (kinesis-local; data in .meshgov/local or MESHGOV_LOCAL_DIR)')
    .option('--endpoint <url>', 'endpoint for every AWS service (LocalStack or another compatible endpoint)');
  addTargetFlags(cmd)
    .option('-o, --out <file>', 'also write the plan as JSON (for apply and for the PR comment)')
    .addOption(new Option('-f, --format <format>', 'output format').choices(PLAN_FORMATS).default('text'))
    .option('--detailed-exitcode', 'exit 2 when changes are pending (0 none, 1 error)')
    .option('--policies <dir>', 'additional directory of guardrail rule files (as validate; the rules decide whether the mesh may be planned)')
    .option('--domain <domain>', 'limit the run to a domain (repeatable)', collect, [])
    .option('--account <id>', 'limit the run to an account id or alias (repeatable)', collect, [])
    .option('--no-color', 'disable colour')
    .addHelpText('after', [
      '',
      'Credentials come from the AWS SDK default chain; meshgov assumes the governance role in each account.',
      'AWS_ENDPOINT_URL and AWS_ENDPOINT_URL_<SERVICE> are honoured; --endpoint overrides them.',
      'When the mesh does not validate, --format markdown prints the located findings (for the PR comment) and exits 1.',
      'Exit codes: 0 success, 1 error (the mesh does not validate, AWS failed),',
      '2 changes pending (with --detailed-exitcode), 64 usage error.',
    ].join('\n'))
    .action(async (file: string, opts: PlanCommandOptions) => {
      const result = await runPlan(file, opts, io);
      if (result.plan === undefined) {
        // The PR comment shows the located findings instead of a bare "plan failed" (nothing is written to --out).
        if (opts.format === 'markdown') io.stdout.write(renderValidationMarkdown(result.diagnostics, { title: 'meshgov plan', file, onErrors: 'No plan: fix the errors below, then plan again.' }));
        setExit(EXIT_ERROR);
        return;
      }
      const { plan } = result;
      if (opts.out) {
        const out = resolve(io.cwd, opts.out);
        try {
          mkdirSync(dirname(out), { recursive: true });
          writeFileSync(out, renderPlanJson(plan));
        } catch (e) {
          throw new ExitError(`cannot write --out ${opts.out}: ${fsProblem(e, out, io.cwd)}.`, EXIT_ERROR);
        }
      }
      io.stdout.write(renderPlan(plan, opts.format, styleFor(io, 'stdout', !opts.color), result.context));
      setExit(opts.detailedExitcode && plan.summary.hasChanges ? EXIT_PENDING : EXIT_OK);
    });
}
