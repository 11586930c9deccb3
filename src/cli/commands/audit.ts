/**
 * `meshgov audit`: read the live mesh once (live state, CloudWatch shard metrics, IAM), run the pure audit and
 * write the report in one or more formats. Output goes to stdout (`--format`) or to every `--out FILE`, each in the
 * format its extension names. When the audit cannot run (mesh errors, AWS or adapter errors) no output file is
 * written, and the exit codes differ: "could not run" is 1 (no JSON file), "findings at or above --fail-on" is 2.
 */
import { basename, resolve } from 'node:path';
import type { Command } from 'commander';
import { Option } from 'commander';
import type { OutputFormat } from '../../output/formats.js';
import { writeAll } from '../../adapters/fs/write-all.js';
import { redactKnown, secretsOf } from '../../core/redact.js';
import { audit } from '../../app/audit.js';
import type { FailOn } from '../../core/audit/findings.js';
import type { CliIO } from '../io.js';
import { EXIT_ERROR, EXIT_USAGE, ExitError } from '../io.js';
import { FAIL_ON, auditExit, formatAudit } from '../audit-run.js';
import { collect } from '../options.js';
import { Progress, readReporter } from '../progress.js';
import { cliTargetOpener, profileOption, regionOption, targetSpec } from '../target-flags.js';
import type { AwsFlags } from '../target-flags.js';
import { cliSources, formatDiagnostics, formatOption, ruleMetaOf, usageError } from '../validation.js';

interface AuditCommandOptions extends AwsFlags {
  local?: boolean;
  endpoint?: string;
  window: string;
  format: OutputFormat;
  out?: string[];
  failOn: FailOn;
  domain: string[];
  account: string[];
  stream: string[];
  color: boolean;
  policies?: string;
}

/** `--window`: `90m`, `24h`, `7d` (CloudWatch keeps 1-minute data for 15 days). */
export function parseWindow(s: string): number {
  const m = /^([1-9][0-9]*)(m|h|d)$/.exec(s.trim());
  if (!m) throw new ExitError(`--window ${s}: expected a duration such as 90m, 24h or 7d.`, EXIT_USAGE);
  const n = Number(m[1]);
  const ms = n * (m[2] === 'm' ? 60_000 : m[2] === 'h' ? 3_600_000 : 86_400_000);
  if (ms > 15 * 86_400_000)
    throw new ExitError(`--window ${s}: CloudWatch keeps one-minute metrics for 15 days; use at most 15d.`, EXIT_USAGE);
  return ms;
}

/**
 * `--stream`: a Kinesis stream name (1-128 of `a-zA-Z0-9_.-`,
 * https://docs.aws.amazon.com/kinesis/latest/APIReference/API_CreateStream.html).
 */
export function checkStreamName(s: string): void {
  if (!/^[A-Za-z0-9_.-]{1,128}$/.test(s))
    throw new ExitError(
      `--stream ${JSON.stringify(s)}: not a Kinesis stream name (1 to 128 letters, digits, '_', '.' or '-').`,
      EXIT_USAGE,
    );
}

/** Extensions `--out` accepts, longest first (`.sarif.json` before `.json`). */
const OUT_EXTENSIONS: readonly [string, OutputFormat][] = [
  ['.sarif.json', 'sarif'],
  ['.sarif', 'sarif'],
  ['.json', 'json'],
  ['.md', 'markdown'],
  ['.txt', 'text'],
];

/** The format of an `--out` file, from its extension; anything else is a usage error. */
export function formatForOut(file: string): OutputFormat {
  const name = basename(file).toLowerCase();
  for (const [ext, format] of OUT_EXTENSIONS) if (name.endsWith(ext) && name.length > ext.length) return format;
  throw new ExitError(
    `--out ${file}: cannot tell the format from the extension; use .json, .sarif (or .sarif.json), .md or .txt.`,
    EXIT_USAGE,
  );
}

export interface AuditOutput {
  /** Absolute path. */
  path: string;
  /** As given on the command line (for messages). */
  given: string;
  format: OutputFormat;
}

/** Checks every `--out` (format from the extension, no path twice) before anything is read. */
export function planOutputs(outs: readonly string[], cwd: string): AuditOutput[] {
  const seen = new Map<string, string>();
  return outs.map((given) => {
    const format = formatForOut(given);
    const path = resolve(cwd, given);
    const earlier = seen.get(path);
    if (earlier !== undefined)
      throw new ExitError(`--out ${given}: the same file as --out ${earlier}; name each file once.`, EXIT_USAGE);
    seen.set(path, given);
    return { path, given, format };
  });
}

/** Writes every output or none (src/adapters/fs/write-all.ts); a failure is an error (exit 1). */
export function writeOutputs(files: readonly { output: AuditOutput; text: string }[]): void {
  const failed = writeAll(
    files.map(({ output, text }) => ({ path: output.path, text })),
    process.cwd(),
  );
  if (failed === undefined) return;
  const given = files[failed.index]?.output.given ?? '';
  const more = failed.renaming ? '' : '; no report file was written.';
  throw new ExitError(`cannot write --out ${given}: ${failed.problem}${more}`, EXIT_ERROR);
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
    .addOption(profileOption())
    .addOption(regionOption())
    .option('--window <duration>', 'metrics window for hot-shard analysis, e.g. 90m, 24h, 7d', '24h')
    .addOption(formatOption('audit', 'format printed to stdout when no --out is given'))
    .option(
      '-o, --out <file>',
      'write the report to FILE, in the format of its extension (.json, .sarif, .sarif.json, .md, .txt); repeatable',
      collect,
    )
    .addOption(
      new Option('--fail-on <severity>', 'exit 2 when a finding is at or above this severity')
        .choices(FAIL_ON)
        .default('error'),
    )
    .option(
      '--policies <dir>',
      'additional directory of guardrail rule files (as validate; the rules decide whether the mesh may be planned)',
    )
    .option('--domain <name>', 'limit the audit to a domain (repeatable)', collect, [])
    .option('--account <id>', 'limit the audit to an account id or alias (repeatable)', collect, [])
    .option(
      '--stream <name>',
      'limit the report to a stream, its shards and consumers, declared or not (repeatable; accounts are read whole)',
      collect,
      [],
    )
    .option('--no-color', 'disable colour')
    .addHelpText('after', HELP)
    .action(async (file: string, opts: AuditCommandOptions, command: Command) => {
      const target = targetSpec(opts, io);
      for (const s of opts.stream) checkStreamName(s);
      const windowMs = parseWindow(opts.window);
      const outputs = planOutputs(opts.out ?? [], io.cwd);
      if (
        outputs.length > 0 &&
        command.getOptionValueSource('format') === 'cli' &&
        !outputs.some((o) => o.format === opts.format)
      ) {
        io.stderr.write(
          `meshgov: --format ${opts.format} is ignored with --out: each file's format comes from its extension.\n`,
        );
      }
      const read = readReporter(new Progress(io), true);
      const [{ loadKinesisActionCatalog }, { auditWindow }] = await Promise.all([
        import('../../adapters/aws/iam-analysis.js'),
        import('../../adapters/aws/metrics-source.js'),
      ]);
      const outcome = await audit(
        file,
        {
          domain: opts.domain,
          account: opts.account,
          stream: opts.stream,
          target,
          windowMs,
          clock: { now: () => io.now() },
          ...(opts.policies !== undefined ? { policies: opts.policies } : {}),
          onEvent: (e) => {
            if (e.kind === 'warnings')
              io.stderr.write(formatDiagnostics(e.diagnostics, 'text', io, ruleMetaOf(e.rules), !opts.color));
            else read(e);
          },
        },
        {
          sources: cliSources(io),
          openTarget: cliTargetOpener(io),
          actions: loadKinesisActionCatalog,
          windowFor: auditWindow,
        },
      );
      if (outcome.kind === 'usage') throw usageError(outcome);
      if (outcome.kind === 'invalid') {
        io.stderr.write(formatDiagnostics(outcome.diagnostics, 'text', io, ruleMetaOf(outcome.rules), !opts.color));
        setExit(EXIT_ERROR);
        return;
      }
      if (outcome.kind === 'could-not-run') {
        throw new ExitError(`the audit could not run: ${outcome.message}; no report was written.`, EXIT_ERROR);
      }
      const { report } = outcome;
      if (outputs.length === 0) {
        io.stdout.write(formatAudit(report, opts.format, io, { meshFile: file, noColor: !opts.color }));
      } else {
        // Files never carry terminal colour codes.
        writeOutputs(
          outputs.map((output) => ({
            output,
            // The environment's secrets out of files as out of stdout (an error note quotes an endpoint's text).
            text: redactKnown(
              formatAudit(report, output.format, io, { meshFile: file, noColor: true }),
              secretsOf(io.env),
            ),
          })),
        );
      }
      setExit(auditExit(report, opts.failOn));
    });
}
