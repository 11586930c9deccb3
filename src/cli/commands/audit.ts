/**
 * `meshgov audit`: read the live mesh once (live state, CloudWatch shard metrics, IAM), run the pure audit and
 * write the report in one or more formats. Output goes to stdout (`--format`) or to every `--out FILE`, each in the
 * format its extension names. When the audit cannot run (mesh errors, AWS or adapter errors) no output file is
 * written, and the exit codes differ: "could not run" is 1 (no JSON file), "findings at or above --fail-on" is 2.
 */
import { mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { basename, dirname, resolve } from 'node:path';
import type { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import type { KinesisClient } from '@aws-sdk/client-kinesis';
import type { Command } from 'commander';
import { Option } from 'commander';
import { alignWindow, periodForWindow, readShardMetrics } from '../../adapters/aws/cloudwatch.js';
import type { ShardTarget } from '../../adapters/aws/cloudwatch.js';
import type { Timer } from '../../core/ports.js';
import { AdapterError } from '../../adapters/aws/errors.js';
import { loadKinesisActionCatalog } from '../../adapters/aws/iam-analysis.js';
import { listOpenShards } from '../../adapters/aws/shards.js';
import { openTarget } from '../../adapters/aws/target.js';
import type { OpenTarget } from '../../adapters/aws/target.js';
import type { AuditReport, AuditWindow, FailOn } from '../../core/audit/findings.js';
import { streamsToMeasure } from '../../core/audit/hot-shards.js';
import { mergeSnapshots } from '../../core/audit/metrics.js';
import type { MetricsSnapshot } from '../../core/audit/metrics.js';
import { scopeDesired } from '../../core/plan/index.js';
import type { CliIO } from '../io.js';
import { awsFlags, profileOption, regionOption } from '../target-flags.js';
import type { AwsFlags } from '../target-flags.js';
import { EXIT_ERROR, EXIT_USAGE, ExitError, today } from '../io.js';
import { AUDIT_FORMATS, FAIL_ON, auditExit, formatAudit, runAudit } from '../audit-run.js';
import type { AuditFormat } from '../audit-run.js';
import { fsProblem } from '../fs-errors.js';
import { checkEndpoint, displayDir, localDir, prepare, readLive } from './plan.js';

interface AuditCommandOptions extends AwsFlags {
  local?: boolean;
  endpoint?: string;
  window: string;
  format: AuditFormat;
  out?: string[];
  failOn: FailOn;
  domain: string[];
  account: string[];
  color: boolean;
  policies?: string;
}

function collect(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value];
}

/** `--window`: `90m`, `24h`, `7d` (CloudWatch keeps 1-minute data for 15 days). */
export function parseWindow(s: string): number {
  const m = /^([1-9][0-9]*)(m|h|d)$/.exec(s.trim());
  if (!m) throw new ExitError(`--window ${s}: expected a duration such as 90m, 24h or 7d.`, EXIT_USAGE);
  const n = Number(m[1]);
  const ms = n * (m[2] === 'm' ? 60_000 : m[2] === 'h' ? 3_600_000 : 86_400_000);
  if (ms > 15 * 86_400_000) throw new ExitError(`--window ${s}: CloudWatch keeps one-minute metrics for 15 days; use at most 15d.`, EXIT_USAGE);
  return ms;
}

/**
 * The audit window ending at `now`: the CloudWatch period chosen for its length (`periodForWindow`) and the
 * bounds aligned as `readShardMetrics` reads them (whole minutes, a whole number of periods), so the report states
 * the same window whether or not metrics were read.
 */
export function auditWindow(now: Date, windowMs: number): { start: Date; end: Date; periodSeconds: number } {
  const periodSeconds = periodForWindow(windowMs);
  return { ...alignWindow(new Date(now.getTime() - windowMs), now, periodSeconds), periodSeconds };
}

/** Extensions `--out` accepts, longest first (`.sarif.json` before `.json`). */
const OUT_EXTENSIONS: readonly [string, AuditFormat][] = [
  ['.sarif.json', 'sarif'],
  ['.sarif', 'sarif'],
  ['.json', 'json'],
  ['.md', 'markdown'],
  ['.txt', 'text'],
];

/** The format of an `--out` file, from its extension; anything else is a usage error. */
export function formatForOut(file: string): AuditFormat {
  const name = basename(file).toLowerCase();
  for (const [ext, format] of OUT_EXTENSIONS) if (name.endsWith(ext) && name.length > ext.length) return format;
  throw new ExitError(`--out ${file}: cannot tell the format from the extension; use .json, .sarif (or .sarif.json), .md or .txt.`, EXIT_USAGE);
}

export interface AuditOutput {
  /** Absolute path. */
  path: string;
  /** As given on the command line (for messages). */
  given: string;
  format: AuditFormat;
}

/** Checks every `--out` (format from the extension, no path twice) before anything is read. */
export function planOutputs(outs: readonly string[], cwd: string): AuditOutput[] {
  const seen = new Map<string, string>();
  return outs.map((given) => {
    const format = formatForOut(given);
    const path = resolve(cwd, given);
    const earlier = seen.get(path);
    if (earlier !== undefined) throw new ExitError(`--out ${given}: the same file as --out ${earlier}; name each file once.`, EXIT_USAGE);
    seen.set(path, given);
    return { path, given, format };
  });
}

/**
 * Writes every output or none: each report goes to a temporary file beside its target first, and only when all
 * are written are they renamed into place. A failure removes the temporary files and is an error (exit 1).
 */
export function writeOutputs(files: readonly { output: AuditOutput; text: string }[]): void {
  const staged: { tmp: string; output: AuditOutput }[] = [];
  for (const { output, text } of files) {
    const tmp = `${output.path}.meshgov-${process.pid}.tmp`;
    try {
      mkdirSync(dirname(output.path), { recursive: true });
      staged.push({ tmp, output });
      writeFileSync(tmp, text);
    } catch (e) {
      for (const s of staged) rmSync(s.tmp, { force: true });
      throw new ExitError(`cannot write --out ${output.given}: ${fsProblem(e, output.path, process.cwd())}; no report file was written.`, EXIT_ERROR);
    }
  }
  for (const s of staged) {
    try {
      renameSync(s.tmp, s.output.path);
    } catch (e) {
      for (const t of staged) rmSync(t.tmp, { force: true });
      throw new ExitError(`cannot write --out ${s.output.given}: ${fsProblem(e, s.output.path, process.cwd())}`, EXIT_ERROR);
    }
  }
}

/** The clients the metrics read needs per account (a ClientPool has them). */
export interface AuditMetricsClients {
  kinesis(account: string): KinesisClient;
  cloudwatch(account: string): CloudWatchClient;
}

/**
 * Shard metrics for the streams `streamsToMeasure` picked: open shard ids from ListShards, then GetMetricData per
 * account at the window's period (ceil(shards x 5 / 500) calls per account). Undefined when there is nothing to read.
 */
export async function readAuditMetrics(
  clients: AuditMetricsClients,
  pairs: readonly { account: string; stream: string }[],
  window: { start: Date; end: Date; periodSeconds: number },
  options: { clock?: Timer } = {},
): Promise<MetricsSnapshot | undefined> {
  const byAccount = new Map<string, string[]>();
  for (const p of pairs) byAccount.set(p.account, [...(byAccount.get(p.account) ?? []), p.stream]);
  const snapshots = await Promise.all(
    [...byAccount].map(async ([account, streams]) => {
      const targets: ShardTarget[] = [];
      for (const stream of streams) targets.push({ stream, shardIds: await listOpenShards(clients.kinesis(account), stream) });
      return readShardMetrics(clients.cloudwatch(account), account, targets, window, options.clock ? { clock: options.clock } : {});
    }),
  );
  return mergeSnapshots(snapshots);
}

function couldNotRun(what: string, e: unknown): ExitError {
  if (e instanceof ExitError && e.exitCode === EXIT_USAGE) return e;
  const message = e instanceof AdapterError || e instanceof ExitError ? e.message : `${what}: ${(e as Error)?.message ?? String(e)}`;
  return new ExitError(`the audit could not run: ${message}; no report was written.`, EXIT_ERROR);
}

const HELP = `
Output: without --out the report goes to stdout in --format. With --out (repeatable) each file gets the format
its extension names: .json -> json, .sarif or .sarif.json -> sarif, .md -> markdown, .txt -> text; one read of
AWS, several reports:
  meshgov audit --out audit.json --out audit.sarif --out audit.md

The CloudWatch period is the smallest multiple of 60 s at which one GetMetricData response holds 500 series
(60 s up to a 3h21m window, 480 s for 24h); the report states it. Coarser periods hide short bursts more.

An audit never changes anything. Exit codes: 0 no findings at or above --fail-on; 1 the audit could not run
(then no --out file is written); 2 findings at or above --fail-on; 64 usage error.`;

export function registerAudit(program: Command, io: CliIO, setExit: (code: number) => void): void {
  program
    .command('audit')
    .description('Read-only audit of the live mesh: hot shards, drift and unauthorized access.')
    .argument('[file]', 'mesh file', 'mesh.yaml')
    .option('--local', 'audit the embedded local target (kinesis-local) instead of AWS')
    .option('--endpoint <url>', 'send every AWS call to this endpoint (LocalStack or another compatible service)')
    .addOption(profileOption()).addOption(regionOption())
    .option('--window <duration>', 'metrics window for hot-shard analysis, e.g. 90m, 24h, 7d', '24h')
    .addOption(new Option('-f, --format <format>', 'format printed to stdout when no --out is given').choices(AUDIT_FORMATS).default('text'))
    .option('-o, --out <file>', 'write the report to FILE, in the format of its extension (.json, .sarif, .sarif.json, .md, .txt); repeatable', collect)
    .addOption(new Option('--fail-on <severity>', 'exit 2 when a finding is at or above this severity').choices(FAIL_ON).default('error'))
    .option('--policies <dir>', 'additional directory of guardrail rule files (as validate; the rules decide whether the mesh may be planned)')
    .option('--domain <name>', 'limit the audit to a domain (repeatable)', collect, [])
    .option('--account <id>', 'limit the audit to an account id or alias (repeatable)', collect, [])
    .option('--no-color', 'disable colour')
    .addHelpText('after', HELP)
    .action(async (file: string, opts: AuditCommandOptions, command: Command) => {
      checkEndpoint(opts.endpoint);
      if (opts.local && opts.endpoint) throw new ExitError('--local and --endpoint cannot be combined: --local starts its own endpoint.', EXIT_USAGE);
      const aws = awsFlags(opts);
      const windowMs = parseWindow(opts.window);
      const outputs = planOutputs(opts.out ?? [], io.cwd);
      if (outputs.length > 0 && command.getOptionValueSource('format') === 'cli' && !outputs.some((o) => o.format === opts.format)) {
        io.stderr.write(`meshgov: --format ${opts.format} is ignored with --out: each file's format comes from its extension.\n`);
      }
      const prepared = prepare(file, io, opts);
      if (!prepared) {
        setExit(EXIT_ERROR);
        return;
      }
      io.env['AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED'] ??= 'true';
      let target: OpenTarget;
      try {
        target = await openTarget(prepared.mesh, { local: opts.local === true, localDir: localDir(io), displayLocalDir: displayDir(io, localDir(io)), command: 'audit', ...(opts.endpoint ? { endpoint: opts.endpoint } : {}), ...aws });
      } catch (e) {
        throw couldNotRun('cannot open the target', e);
      }
      let report: AuditReport;
      try {
        const live = await readLive(target, prepared, io).catch((e: unknown) => {
          throw couldNotRun('reading the live state failed', e);
        });
        const now = io.now();
        const window = auditWindow(now, windowMs);
        let metrics: MetricsSnapshot | undefined;
        if (target.kind === 'aws') {
          metrics = await readAuditMetrics(target.pool, streamsToMeasure({ mesh: prepared.mesh, live }), window).catch((e: unknown) => {
            throw couldNotRun('reading CloudWatch metrics failed', e);
          });
        }
        const actions = await loadKinesisActionCatalog().catch((e: unknown) => {
          throw couldNotRun('loading the IAM action catalog failed', e);
        });
        const asked: AuditWindow = { start: window.start.toISOString(), end: window.end.toISOString(), periodSeconds: window.periodSeconds };
        report = runAudit({
          mesh: prepared.mesh,
          desired: scopeDesired(prepared.desired, prepared.scope),
          live,
          metrics,
          today: today(io),
          options: { actions, window: asked, generatedAt: now.toISOString(), ...(prepared.locator ? { locator: prepared.locator } : {}) },
        });
      } finally {
        await target.close();
      }
      if (outputs.length === 0) {
        io.stdout.write(formatAudit(report, opts.format, io, { meshFile: file, noColor: !opts.color }));
      } else {
        // Files never carry terminal colour codes.
        writeOutputs(outputs.map((output) => ({ output, text: formatAudit(report, output.format, io, { meshFile: file, noColor: true }) })));
      }
      setExit(auditExit(report, opts.failOn));
    });
}
