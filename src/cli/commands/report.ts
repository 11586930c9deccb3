import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { Option } from 'commander';
import { describeRefusal, readRegularFile } from '../../adapters/fs/bounded-read.js';
import { GitHubApiError } from '../../adapters/github/client.js';
import { looksLikeAuditReport, parseAuditReport } from '../../core/audit/parse-report.js';
import { meshDigest } from '../../core/plan/index.js';
import type { Plan } from '../../core/plan/index.js';
import { parsePlan } from '../../core/plan/parse.js';
import { MAX_PLAN_BYTES } from '../../core/plan/types.js';
import { GitHubContextError } from '../../adapters/github/context.js';
import type { AuditNotify, PublishResult } from '../../adapters/github/publish.js';
import type { Finding } from '../../core/audit/findings.js';
import { findingKeys, newFindingsComment, ownerContact } from '../../output/github/audit-notify.js';
import { publishApplyStatus, publishAuditIssue, publishPlanComment } from '../../adapters/github/publish.js';
import { parseApplyResult } from '../../core/github/apply-result.js';
import { redact } from '../../core/redact.js';
import { formatAuditMarkdown } from '../../output/audit/markdown.js';
import { assembleReportBody, markerFor } from '../../output/markdown/report-body.js';
import { checkReportJson, renderReportJson } from '../../output/markdown/report-json.js';
import { readerContext } from '../../output/plan/context.js';
import type { PlanReaderContext } from '../../output/plan/context.js';
import { renderPlanMarkdown } from '../../output/plan/markdown.js';
import type { CliIO } from '../io.js';
import { EXIT_ERROR, EXIT_OK, EXIT_USAGE, ExitError } from '../io.js';
import { runValidation } from '../validation.js';
import { VERSION } from '../version.js';

interface GithubReportOptions {
  kind: 'plan' | 'audit' | 'apply';
  reviewedPlan?: string;
  approvalEnvironment: string;
  input: string;
  meshFile: string;
  clean?: boolean;
  pr?: string;
  title?: string;
  label?: string;
  artifactName?: string;
  trustedAuthor?: string[];
  summary: boolean;
  dryRun?: boolean;
}

/**
 * What the mesh says about a saved plan's principals and streams (organisation, classifications, justifications), when
 * `--mesh-file` holds exactly the files the plan was made from (same digest); otherwise none, and the plan renders
 * from what it carries. A saved plan then renders like `plan --format markdown` did.
 */
function contextOf(io: CliIO, meshFile: string, plan: Plan): PlanReaderContext | undefined {
  if (!existsSync(resolve(io.cwd, meshFile))) return undefined;
  const v = runValidation(meshFile, io);
  if (v.mesh === undefined) return undefined;
  const digest = meshDigest([...v.sources.values()].map((s) => ({ file: s.file, text: s.text })));
  return digest === plan.meshDigest ? readerContext(v.mesh) : undefined;
}

/**
 * Read the prepared report: markdown as-is, a saved plan JSON, meshgov's audit JSON, or the minimal JSON shape
 * rendered (and escaped) here.
 */
function readReport(
  io: CliIO, file: string, kind: 'plan' | 'audit', meshFile: string,
): { markdown: string; clean?: boolean; notify?: AuditNotify } {
  const read = readRegularFile(resolve(io.cwd, file), { maxBytes: MAX_PLAN_BYTES });
  if (!read.ok) throw new ExitError(`cannot read --input ${file}: ${describeRefusal(read.refusal)}`, EXIT_USAGE);
  const text = read.text;
  if (!file.toLowerCase().endsWith('.json')) return { markdown: text };
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (e) {
    throw new ExitError(`--input ${file} is not valid JSON: ${(e as Error).message}`, EXIT_USAGE);
  }
  // A saved plan (`meshgov plan --out plan.json`) renders exactly like `plan --format markdown`.
  if (kind === 'plan' && typeof parsed === 'object' && parsed !== null && 'formatVersion' in parsed) {
    const { plan, error } = parsePlan(text);
    if (plan === undefined) throw new ExitError(`--input ${file} is not a plan this meshgov can read: ${error ?? 'unknown error'}`, EXIT_USAGE);
    const context = contextOf(io, meshFile, plan);
    return { markdown: renderPlanMarkdown(plan, context !== undefined ? { context } : {}) };
  }
  // meshgov's own audit report (`audit --out audit.json`) renders exactly like `audit --format markdown`.
  if (kind === 'audit' && looksLikeAuditReport(parsed)) {
    const audit = parseAuditReport(parsed);
    if (audit.report === undefined) throw new ExitError(`--input ${file} is not an audit report this meshgov can read: ${audit.problem}`, EXIT_USAGE);
    const { findings } = audit.report;
    const notify = auditNotify(io, meshFile, findings);
    return { markdown: formatAuditMarkdown(audit.report), clean: findings.length === 0, notify };
  }
  const { report, problems } = checkReportJson(parsed);
  if (report === undefined) {
    throw new ExitError(`--input ${file} is not a meshgov report (${problems.join('; ')}). Pass markdown (e.g. from \`meshgov plan --format markdown\`) or {"items":[{"level","subject","message"}]}.`, EXIT_USAGE);
  }
  return { markdown: renderReportJson(report, kind), clean: report.clean ?? report.items.length === 0 };
}

/** The change-set digest of the saved plan the comment records as reviewed (checked like apply checks it). */
function reviewedDigestOf(io: CliIO, file: string): string {
  const read = readRegularFile(resolve(io.cwd, file), { maxBytes: MAX_PLAN_BYTES });
  if (!read.ok) {
    throw new ExitError(`cannot read --reviewed-plan ${file}: ${describeRefusal(read.refusal)}`, EXIT_USAGE);
  }
  const { plan, error } = parsePlan(read.text);
  if (plan === undefined) {
    const why = error ?? 'unknown error';
    throw new ExitError(`--reviewed-plan ${file} is not a plan this meshgov can read: ${why}`, EXIT_USAGE);
  }
  return plan.changeSetDigest;
}

/** `--kind apply`: the apply result on the merged pull request's sticky comment and in the job summary. */
async function reportApply(io: CliIO, opts: GithubReportOptions): Promise<number> {
  const read = readRegularFile(resolve(io.cwd, opts.input), { maxBytes: MAX_PLAN_BYTES });
  if (!read.ok) throw new ExitError(`cannot read --input ${opts.input}: ${describeRefusal(read.refusal)}`, EXIT_USAGE);
  let parsed: unknown;
  try {
    parsed = JSON.parse(read.text);
  } catch (e) {
    throw new ExitError(`--input ${opts.input} is not valid JSON: ${(e as Error).message}`, EXIT_USAGE);
  }
  const checked = parseApplyResult(parsed);
  if ('problem' in checked) {
    const why = checked.problem;
    throw new ExitError(`--input ${opts.input} is not an apply result (apply --result): ${why}`, EXIT_USAGE);
  }
  const token = io.env['GITHUB_TOKEN'] ?? io.env['GH_TOKEN'];
  try {
    const r = await publishApplyStatus({
      env: io.env, meshFile: opts.meshFile, result: checked.result, pullRequest: parsePr(opts.pr),
      approvalEnvironment: opts.approvalEnvironment,
      summary: opts.summary, trustedAuthors: opts.trustedAuthor,
      client: { userAgent: `meshgov/${VERSION}`, warn: (m: string) => io.stderr.write(`meshgov: ${m}\n`) },
    });
    const where = r.comment !== undefined
      ? `apply status ${r.comment.action} ${r.comment.url}`
      : 'no pull request: apply status not posted';
    io.stdout.write(redact(`meshgov: ${where}${r.summaryWritten ? ' (job summary written)' : ''}\n`, [token]));
    return EXIT_OK;
  } catch (e) {
    if (e instanceof GitHubContextError) throw new ExitError(redact(e.message, [token]), EXIT_USAGE);
    if (e instanceof GitHubApiError) throw new ExitError(redact(e.message, [token]), EXIT_ERROR);
    throw new ExitError(redact(`GitHub report failed: ${(e as Error).message}`, [token]), EXIT_ERROR);
  }
}

/**
 * New findings since the last run are announced in a comment on the audit issue, naming the owning domain's contact
 * from the mesh (a GitHub handle is mentioned, so notified); without a readable mesh the comment names no contact.
 */
function auditNotify(io: CliIO, meshFile: string, findings: readonly Finding[]): AuditNotify {
  const v = existsSync(resolve(io.cwd, meshFile)) ? runValidation(meshFile, io) : undefined;
  const mesh = v?.mesh;
  const keys = findingKeys(findings);
  return {
    keys,
    comment: (fresh, runUrl) => newFindingsComment(findings.flatMap((finding, i) => {
      if (!fresh.has(keys[i] as string)) return [];
      const owner = mesh !== undefined ? ownerContact(mesh, finding) : undefined;
      return [{ finding, ...(owner !== undefined ? { owner } : {}) }];
    }), runUrl),
  };
}

function describe(result: PublishResult, kind: 'plan' | 'audit'): string {
  const what = kind === 'plan' ? 'plan comment' : 'audit issue';
  const where = result.url !== undefined ? ` ${result.url}` : '';
  const extra = [result.truncated ? 'truncated to fit GitHub\'s limit' : '', result.removedDuplicates ? `removed ${result.removedDuplicates} duplicate(s)` : '', result.summaryWritten ? 'job summary written' : '']
    .filter((s) => s !== '')
    .join(', ');
  const verb = result.action === 'none' ? `no ${what} needed (audit clean)` : `${what} ${result.action}`;
  return `meshgov: ${verb}${where}${extra !== '' ? ` (${extra})` : ''}\n`;
}

function parsePr(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  if (!/^[1-9]\d*$/.test(value)) throw new ExitError(`--pr must be a pull request number, got ${JSON.stringify(value)}`, EXIT_USAGE);
  return Number(value);
}

export function registerReport(program: Command, io: CliIO, setExit: (code: number) => void): void {
  const report = program.command('report').description('Publish reports: the sticky plan comment on a pull request, the audit issue, the job summary.');
  report
    .command('github')
    .description('Post a prepared plan as the sticky PR comment, or bring the audit issue up to date (GitHub Actions environment).')
    .addOption(new Option('--kind <kind>', 'what the report is').choices(['plan', 'audit', 'apply']).makeOptionMandatory())
    .requiredOption('--input <file>', 'report markdown (.md), a saved plan (plan --out plan.json), an audit report (audit --out audit.json), or JSON {title?, summary?, clean?, items: [{level, subject, message}]}')
    .option('--mesh-file <file>', 'mesh file the report is about (one comment / issue per mesh file)', 'mesh.yaml')
    .option('--clean', 'audit: no findings, close the issue if it is open')
    .option('--pr <number>', 'plan: pull request number (default: from the event payload)')
    .option('--title <title>', 'audit: issue title (default "meshgov audit: <mesh file>")')
    .option('--label <label>', 'audit: label that marks the issue', 'meshgov-audit')
    .option('--artifact-name <name>', 'artefact holding the full report, named when the body is truncated')
    .option('--trusted-author <login...>', 'authors whose comments/issues meshgov may update (default github-actions[bot])')
    .option('--reviewed-plan <plan.json>', 'plan: record this saved plan as the one reviewed for the PR head commit '
      + '(hidden marker: head, run id, change-set digest), for apply after merge')
    .option('--approval-environment <name>', 'apply: the environment whose reviewers approve destructive changes',
      'meshgov-destructive')
    .option('--no-summary', 'do not append the report to $GITHUB_STEP_SUMMARY')
    .option('--dry-run', 'print the body that would be posted; no GitHub calls')
    .addHelpText(
      'after',
      '\nEnvironment: GITHUB_REPOSITORY, GITHUB_TOKEN, GITHUB_EVENT_PATH (plan: PR number), GITHUB_API_URL, GITHUB_SERVER_URL,\nGITHUB_RUN_ID, GITHUB_SHA, GITHUB_STEP_SUMMARY. Exit codes: 0 posted, 1 GitHub API failure, 64 usage or environment error.',
    )
    .action(async (opts: GithubReportOptions) => {
      if (opts.kind === 'apply') {
        setExit(await reportApply(io, opts));
        return;
      }
      const { markdown, clean: jsonClean, notify } = readReport(io, opts.input, opts.kind, opts.meshFile);
      const reviewedDigest = opts.reviewedPlan !== undefined ? reviewedDigestOf(io, opts.reviewedPlan) : undefined;
      const clean = opts.clean === true || (opts.clean === undefined && jsonClean === true);
      const token = io.env['GITHUB_TOKEN'] ?? io.env['GH_TOKEN'];
      if (opts.dryRun === true) {
        const { body } = assembleReportBody({ marker: markerFor(opts.kind, opts.meshFile), body: markdown, artifactName: opts.artifactName });
        io.stdout.write(`${redact(body, [token])}\n`);
        setExit(EXIT_OK);
        return;
      }
      const common = {
        env: io.env,
        meshFile: opts.meshFile,
        markdown,
        summary: opts.summary,
        trustedAuthors: opts.trustedAuthor,
        artifactName: opts.artifactName ?? (opts.kind === 'plan' ? 'meshgov-plan' : 'meshgov-audit'),
        client: { userAgent: `meshgov/${VERSION}`, warn: (m: string) => io.stderr.write(`meshgov: ${m}\n`) },
      };
      try {
        const result =
          opts.kind === 'plan'
            ? await publishPlanComment({
              ...common, pullRequest: parsePr(opts.pr), ...(reviewedDigest ? { reviewedDigest } : {}),
            })
            : await publishAuditIssue({
              ...common, clean, title: opts.title, label: opts.label, ...(notify ? { notify } : {}),
            });
        io.stdout.write(redact(describe(result, opts.kind), [token]));
        setExit(EXIT_OK);
      } catch (e) {
        if (e instanceof GitHubContextError) throw new ExitError(redact(e.message, [token]), EXIT_USAGE);
        if (e instanceof GitHubApiError) throw new ExitError(redact(e.message, [token]), EXIT_ERROR);
        throw new ExitError(redact(`GitHub report failed: ${(e as Error).message}`, [token]), EXIT_ERROR);
      }
    });
}
