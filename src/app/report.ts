/**
 * Use case `report github`: read a prepared report (markdown, a saved plan, meshgov's audit JSON, the minimal report
 * JSON, or apply's result file), render it, and publish it where the team reads it: the pull request's sticky comment,
 * the mesh's audit issue (new findings announced in a comment), the apply status after merge, the job summary.
 * Publishing goes through a port (the octokit adapters in src/adapters/github/publish.ts); no argv, stdout or exit
 * codes here. Every input file is untrusted: read bounded, parsed field by field, refused with the first problem.
 */
import { GitHubApiError } from '../adapters/github/client.js';
import { GitHubContextError } from '../adapters/github/context.js';
import type { AuditIssueOptions, AuditNotify, PublishCommon, PublishResult } from '../adapters/github/publish.js';
import type { Finding } from '../core/audit/findings.js';
import { looksLikeAuditReport, parseAuditReport } from '../core/audit/parse-report.js';
import type { ApplyResult } from '../core/github/apply-result.js';
import { parseApplyResult } from '../core/github/apply-result.js';
import { meshDigest } from '../core/plan/index.js';
import type { Plan } from '../core/plan/index.js';
import { parsePlan } from '../core/plan/parse.js';
import { MAX_PLAN_BYTES } from '../core/plan/types.js';
import type { Clock } from '../core/ports.js';
import { formatAuditMarkdown } from '../output/audit/markdown.js';
import { findingKeys, newFindingsComment, ownerContact } from '../output/github/audit-notify.js';
import { assembleReportBody, markerFor } from '../output/markdown/report-body.js';
import { checkReportJson, renderReportJson } from '../output/markdown/report-json.js';
import { readerContext } from '../output/plan/context.js';
import type { PlanReaderContext } from '../output/plan/context.js';
import { renderPlanMarkdown } from '../output/plan/markdown.js';
import { todayOn } from './events.js';
import type { FileSource, MeshSources, UsageProblem } from './ports.js';
import { validate } from './validate.js';
import { jsonSyntaxProblem } from '../core/json-syntax.js';

export type ReportKind = 'plan' | 'audit' | 'apply';

export interface ReportOptions {
  kind: ReportKind;
  /** The prepared report file (`--input`). */
  input: string;
  /** The mesh file the report is about: the comment's / issue's identity, and the plan's reader context. */
  meshFile: string;
  /** Audit: no findings (close the issue); undefined: from the report itself. */
  clean?: boolean;
  /** Audit: the report covers part of the mesh (`--partial`): see `AuditIssueInput.partial`. */
  partial?: boolean;
  /** Plan / apply: the pull request (default: from the event payload). */
  pullRequest?: number;
  /** Audit: the issue title and label. */
  title?: string;
  label?: string;
  /** The artefact holding the full report, named when the body is cut. */
  artifactName?: string;
  /** Logins whose comments and issues count as meshgov's. */
  trustedAuthors?: string[];
  /** Plan: the saved plan recorded as reviewed for the pull request's head commit. */
  reviewedPlan?: string;
  /** Apply: the environment whose reviewers approve destructive changes. */
  approvalEnvironment: string;
  /** Also append to $GITHUB_STEP_SUMMARY. */
  summary: boolean;
  /** Assemble the body only; no GitHub call. */
  dryRun?: boolean;
  /** The GitHub Actions environment (GITHUB_REPOSITORY, GITHUB_TOKEN, GITHUB_EVENT_PATH, ...). */
  env: Record<string, string | undefined>;
  /** The HTTP user agent, and where the adapters' warnings go. */
  client: NonNullable<PublishCommon['client']>;
  clock: Clock;
}

/** Where reports are published (the octokit adapters; tests pass fakes). */
export interface GitHubPublisher {
  plan(o: PublishCommon & { pullRequest?: number; reviewedDigest?: string }): Promise<PublishResult>;
  audit(o: PublishCommon & AuditIssueOptions): Promise<PublishResult>;
  apply(
    o: Omit<PublishCommon, 'markdown'> & { result: ApplyResult; pullRequest?: number; approvalEnvironment: string },
  ): Promise<{
    comment?: { action: string; url: string };
    summaryWritten: boolean;
    markdown: string;
  }>;
}

export interface ReportPorts {
  inputs: FileSource;
  sources: MeshSources;
  github: GitHubPublisher;
}

export type ReportOutcome =
  | UsageProblem
  /** The GitHub Actions environment does not say where to post (no repository, no token, no pull request). */
  | { kind: 'no-github-context'; message: string }
  | { kind: 'github-failed'; message: string }
  | { kind: 'dry-run'; body: string }
  | { kind: 'published'; report: 'plan' | 'audit'; result: PublishResult }
  | { kind: 'apply-published'; comment?: { action: string; url: string }; summaryWritten: boolean };

class Usage extends Error {}

function readInput(inputs: FileSource, option: string, file: string): string {
  const read = inputs.read(file, MAX_PLAN_BYTES);
  if (read.kind === 'text') return read.text;
  throw new Usage(`cannot read ${option} ${file}: ${read.kind === 'not-found' ? 'no such file' : read.reason}`);
}

function parseJson(option: string, file: string, text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new Usage(`${option} ${file} is not valid JSON: ${jsonSyntaxProblem(text, e)}`);
  }
}

/** The mesh as validated now, when its file exists (the plan's reader context, the audit's owners). */
function meshNow(o: ReportOptions, ports: ReportPorts) {
  if (!ports.inputs.exists(o.meshFile)) return undefined;
  const v = validate(o.meshFile, { today: todayOn(o.clock) }, ports.sources);
  return v.kind === 'usage' ? undefined : v;
}

/**
 * What the mesh says about a saved plan's principals and streams, when `meshFile` holds exactly the files the plan
 * was made from (same digest); otherwise none, and the plan renders from what it carries.
 */
function contextOf(o: ReportOptions, ports: ReportPorts, plan: Plan): PlanReaderContext | undefined {
  const v = meshNow(o, ports);
  if (v?.mesh === undefined) return undefined;
  const digest = meshDigest([...v.sources.values()].map((s) => ({ file: s.file, text: s.text })));
  return digest === plan.meshDigest ? readerContext(v.mesh) : undefined;
}

/** New findings since the last run, announced naming the owning domain's contact from the mesh. */
function auditNotify(o: ReportOptions, ports: ReportPorts, findings: readonly Finding[]): AuditNotify {
  const mesh = meshNow(o, ports)?.mesh;
  const keys = findingKeys(findings);
  return {
    keys,
    comment: (fresh, runUrl) =>
      newFindingsComment(
        findings.flatMap((finding, i) => {
          if (!fresh.has(keys[i] as string)) return [];
          const owner = mesh !== undefined ? ownerContact(mesh, finding) : undefined;
          return [{ finding, ...(owner !== undefined ? { owner } : {}) }];
        }),
        runUrl,
      ),
  };
}

/** The prepared report as markdown: as-is, a saved plan, meshgov's audit JSON, or the minimal JSON rendered here. */
function readReport(
  o: ReportOptions,
  ports: ReportPorts,
  kind: 'plan' | 'audit',
): {
  markdown: string;
  clean?: boolean;
  notify?: AuditNotify;
  /** The audit report's `generatedAt` (meshgov's audit JSON only). */
  generatedAt?: string;
} {
  const text = readInput(ports.inputs, '--input', o.input);
  if (!o.input.toLowerCase().endsWith('.json')) return { markdown: text };
  const parsed = parseJson('--input', o.input, text);
  // A saved plan (`meshgov plan --out plan.json`) renders exactly like `plan --format markdown`.
  if (kind === 'plan' && typeof parsed === 'object' && parsed !== null && 'formatVersion' in parsed) {
    const { plan, error } = parsePlan(text);
    if (plan === undefined)
      throw new Usage(`--input ${o.input} is not a plan this meshgov can read: ${error ?? 'unknown error'}`);
    const context = contextOf(o, ports, plan);
    return { markdown: renderPlanMarkdown(plan, context !== undefined ? { context } : {}) };
  }
  // meshgov's own audit report (`audit --out audit.json`) renders exactly like `audit --format markdown`.
  if (kind === 'audit' && looksLikeAuditReport(parsed)) {
    const audit = parseAuditReport(parsed);
    if (audit.report === undefined)
      throw new Usage(`--input ${o.input} is not an audit report this meshgov can read: ${audit.problem}`);
    const { findings } = audit.report;
    return {
      markdown: formatAuditMarkdown(audit.report),
      clean: findings.length === 0,
      notify: auditNotify(o, ports, findings),
      generatedAt: audit.report.generatedAt,
    };
  }
  const { report, problems } = checkReportJson(parsed);
  if (report === undefined) {
    throw new Usage(
      `--input ${o.input} is not a meshgov report (${problems.join('; ')}). Pass markdown (e.g. from ` +
        '`meshgov plan --format markdown`) or {"items":[{"level","subject","message"}]}.',
    );
  }
  return { markdown: renderReportJson(report, kind), clean: report.clean ?? report.items.length === 0 };
}

/** The change-set digest of the saved plan the comment records as reviewed (checked like apply checks it). */
function reviewedDigestOf(inputs: FileSource, file: string): string {
  const { plan, error } = parsePlan(readInput(inputs, '--reviewed-plan', file));
  if (plan === undefined)
    throw new Usage(`--reviewed-plan ${file} is not a plan this meshgov can read: ${error ?? 'unknown error'}`);
  return plan.changeSetDigest;
}

async function publish(o: ReportOptions, ports: ReportPorts): Promise<ReportOutcome> {
  const base = {
    env: o.env,
    meshFile: o.meshFile,
    summary: o.summary,
    client: o.client,
    ...(o.trustedAuthors !== undefined ? { trustedAuthors: o.trustedAuthors } : {}),
  };
  if (o.kind === 'apply') {
    const checked = parseApplyResult(parseJson('--input', o.input, readInput(ports.inputs, '--input', o.input)));
    if ('problem' in checked)
      throw new Usage(`--input ${o.input} is not an apply result (apply --result): ${checked.problem}`);
    const r = await ports.github.apply({
      ...base,
      result: checked.result,
      approvalEnvironment: o.approvalEnvironment,
      ...(o.pullRequest !== undefined ? { pullRequest: o.pullRequest } : {}),
    });
    return {
      kind: 'apply-published',
      ...(r.comment !== undefined ? { comment: r.comment } : {}),
      summaryWritten: r.summaryWritten,
    };
  }
  const { markdown, clean: reportClean, notify, generatedAt } = readReport(o, ports, o.kind);
  const reviewedDigest = o.reviewedPlan !== undefined ? reviewedDigestOf(ports.inputs, o.reviewedPlan) : undefined;
  if (o.dryRun === true) {
    const { body } = assembleReportBody({
      marker: markerFor(o.kind, o.meshFile),
      body: markdown,
      artifactName: o.artifactName,
    });
    return { kind: 'dry-run', body };
  }
  const common = {
    ...base,
    markdown,
    artifactName: o.artifactName ?? (o.kind === 'plan' ? 'meshgov-plan' : 'meshgov-audit'),
  };
  if (o.kind === 'plan') {
    const result = await ports.github.plan({
      ...common,
      ...(o.pullRequest !== undefined ? { pullRequest: o.pullRequest } : {}),
      ...(reviewedDigest ? { reviewedDigest } : {}),
    });
    return { kind: 'published', report: 'plan', result };
  }
  const clean = o.clean === true || (o.clean === undefined && reportClean === true);
  const result = await ports.github.audit({
    ...common,
    clean,
    ...(o.partial === true ? { partial: true } : {}),
    ...(o.title !== undefined ? { title: o.title } : {}),
    ...(o.label !== undefined ? { label: o.label } : {}),
    ...(notify ? { notify } : {}),
    ...(generatedAt !== undefined ? { generatedAt } : {}),
  });
  return { kind: 'published', report: 'audit', result };
}

export async function report(o: ReportOptions, ports: ReportPorts): Promise<ReportOutcome> {
  try {
    return await publish(o, ports);
  } catch (e) {
    if (e instanceof Usage) return { kind: 'usage', message: e.message };
    if (e instanceof GitHubContextError) return { kind: 'no-github-context', message: e.message };
    if (e instanceof GitHubApiError) return { kind: 'github-failed', message: e.message };
    return { kind: 'github-failed', message: `GitHub report failed: ${(e as Error)?.message ?? String(e)}` };
  }
}
