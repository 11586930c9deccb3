import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import type { Command } from 'commander';
import { Option } from 'commander';
import { readShardMetrics } from '../../adapters/aws/cloudwatch.js';
import type { ShardTarget } from '../../adapters/aws/cloudwatch.js';
import { AdapterError } from '../../adapters/aws/errors.js';
import { loadKinesisActionCatalog } from '../../adapters/aws/iam-analysis.js';
import { listOpenShards } from '../../adapters/aws/shards.js';
import { openTarget } from '../../adapters/aws/target.js';
import type { OpenTarget } from '../../adapters/aws/target.js';
import type { FailOn } from '../../core/audit/findings.js';
import { streamsToMeasure } from '../../core/audit/hot-shards.js';
import { mergeSnapshots } from '../../core/audit/metrics.js';
import type { MetricsSnapshot } from '../../core/audit/metrics.js';
import { scopeDesired } from '../../core/plan/index.js';
import type { CliIO } from '../io.js';
import { EXIT_FINDINGS, EXIT_USAGE, ExitError, today } from '../io.js';
import { AUDIT_FORMATS, FAIL_ON, auditExit, formatAudit, runAudit } from '../audit-run.js';
import type { AuditFormat } from '../audit-run.js';
import { checkEndpoint, displayDir, localDir, prepare, readLive } from './plan.js';

interface AuditCommandOptions {
  local?: boolean;
  endpoint?: string;
  window: string;
  format: AuditFormat;
  out?: string;
  failOn: FailOn;
  domain: string[];
  account: string[];
  color: boolean;
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
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

async function readMetrics(target: OpenTarget, pairs: { account: string; stream: string }[], start: Date, end: Date): Promise<MetricsSnapshot | undefined> {
  const byAccount = new Map<string, string[]>();
  for (const p of pairs) byAccount.set(p.account, [...(byAccount.get(p.account) ?? []), p.stream]);
  const snapshots = await Promise.all(
    [...byAccount].map(async ([account, streams]) => {
      const targets: ShardTarget[] = [];
      for (const stream of streams) targets.push({ stream, shardIds: await listOpenShards(target.pool.kinesis(account), stream) });
      return readShardMetrics(target.pool.cloudwatch(account), account, targets, { start, end });
    }),
  );
  return mergeSnapshots(snapshots);
}

export function registerAudit(program: Command, io: CliIO, setExit: (code: number) => void): void {
  program
    .command('audit')
    .description('Read-only audit of the live mesh: hot shards, drift and unauthorized access.')
    .argument('[file]', 'mesh file', 'mesh.yaml')
    .option('--local', 'audit the embedded local target (kinesis-local) instead of AWS')
    .option('--endpoint <url>', 'send every AWS call to this endpoint (LocalStack or another compatible service)')
    .option('--window <duration>', 'metrics window for hot-shard analysis, e.g. 90m, 24h, 7d', '24h')
    .addOption(new Option('-f, --format <format>', 'output format').choices(AUDIT_FORMATS).default('text'))
    .option('-o, --out <file>', 'write the report to a file instead of stdout')
    .addOption(new Option('--fail-on <severity>', 'exit 1 when a finding is at or above this severity').choices(FAIL_ON).default('error'))
    .option('--domain <name>', 'limit the audit to a domain (repeatable)', collect, [])
    .option('--account <id>', 'limit the audit to an account id or alias (repeatable)', collect, [])
    .option('--no-color', 'disable colour')
    .addHelpText('after', '\nAn audit never changes anything. Exit codes: 0 no findings at or above --fail-on, 1 findings or errors, 2 usage error.')
    .action(async (file: string, opts: AuditCommandOptions) => {
      checkEndpoint(opts.endpoint);
      if (opts.local && opts.endpoint) throw new ExitError('--local and --endpoint cannot be combined: --local starts its own endpoint.', EXIT_USAGE);
      const windowMs = parseWindow(opts.window);
      const prepared = prepare(file, io, opts);
      if (!prepared) {
        setExit(EXIT_FINDINGS);
        return;
      }
      io.env['AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED'] ??= 'true';
      let target: OpenTarget;
      try {
        target = await openTarget(prepared.mesh, { local: opts.local === true, localDir: localDir(io), displayLocalDir: displayDir(io, localDir(io)), command: 'audit', ...(opts.endpoint ? { endpoint: opts.endpoint } : {}) });
      } catch (e) {
        throw new ExitError(`cannot open the target: ${(e as Error).message}`, EXIT_FINDINGS);
      }
      try {
        const live = await readLive(target, prepared, io);
        const end = io.now();
        const start = new Date(end.getTime() - windowMs);
        let metrics: MetricsSnapshot | undefined;
        if (target.kind === 'aws') {
          try {
            metrics = await readMetrics(target, streamsToMeasure({ mesh: prepared.mesh, live }), start, end);
          } catch (e) {
            if (e instanceof AdapterError) throw new ExitError(e.message, EXIT_FINDINGS);
            throw new ExitError(`reading CloudWatch metrics failed: ${(e as Error).message}`, EXIT_FINDINGS);
          }
        }
        const report = runAudit({
          mesh: prepared.mesh,
          desired: scopeDesired(prepared.desired, prepared.scope),
          live,
          metrics,
          today: today(io),
          options: {
            actions: await loadKinesisActionCatalog(),
            window: { start: start.toISOString(), end: end.toISOString(), periodSeconds: 60 },
            generatedAt: end.toISOString(),
          },
        });
        const text = formatAudit(report, opts.format, io, { meshFile: file, noColor: !opts.color });
        if (opts.out) {
          const path = resolve(io.cwd, opts.out);
          mkdirSync(dirname(path), { recursive: true });
          writeFileSync(path, text);
        } else io.stdout.write(text);
        setExit(auditExit(report, opts.failOn));
      } finally {
        await target.close();
      }
    });
}
