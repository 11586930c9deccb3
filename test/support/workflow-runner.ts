/**
 * A small stand-in for the GitHub Actions runner, for rehearsing meshgov's own workflows: the workflow is parsed with
 * GitHub's parser, jobs run in order (needs, job `if`, environments that wait for approval, job outputs), steps run in
 * order with their `if` (success(), failure(), always(), cancelled(), hashFiles()), expressions are evaluated with
 * GitHub's expression library (@actions/expressions), and `run:` scripts run with `bash -eo pipefail` and the GITHUB_*
 * variables GitHub sets. Stand-ins, each a local file operation: actions/checkout copies the commit's files into a
 * fresh workspace, actions/upload-artifact and actions/download-artifact copy files to and from a per-run artefact
 * store (download honours `run-id`), and `uses: ./` runs the Action's own action/run.sh with the MESHGOV_* inputs
 * (setting up Node, installing meshgov and OIDC credentials are what the shim on PATH and the local target stand for).
 */
import { spawn } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { Evaluator, Lexer, Parser, data } from '@actions/expressions';
import type { FunctionDefinition } from '@actions/expressions/funcs/info';
import { truthy } from '@actions/expressions/result';
import { parse } from 'yaml';
import { parseWorkflow } from './workflow-parser.js';
import type { Plain } from './workflow-parser.js';

const REPO = join(import.meta.dirname, '..', '..');

export type StepOutcome = 'success' | 'failure' | 'skipped';
export type JobResult = 'success' | 'failure' | 'skipped' | 'waiting';

export interface StepRecord {
  name: string;
  id?: string;
  outcome: StepOutcome;
  outputs: Record<string, string>;
  /** stdout + stderr of the step. */
  log: string;
}

export interface JobRecord {
  result: JobResult;
  steps: StepRecord[];
  outputs: Record<string, string>;
  /** The job summary ($GITHUB_STEP_SUMMARY of every step, concatenated). */
  summary: string;
  environment?: string;
}

export interface RunContext {
  /** owner/repo */
  repository: string;
  eventName: 'pull_request' | 'push' | 'schedule' | 'repository_dispatch';
  /** The event payload, as GitHub writes it to $GITHUB_EVENT_PATH. */
  event: Record<string, unknown>;
  /** GITHUB_SHA: the merge ref's commit on pull_request, the pushed commit on push. */
  sha: string;
  /** Files of the commit actions/checkout checks out. */
  checkoutDir: string;
  runId: string;
  token: string;
  apiUrl: string;
  /** Repository variables (`vars`). */
  vars?: Record<string, string>;
  /** Environment for every process: PATH with the meshgov shim, MESHGOV_LOCAL_DIR... */
  env: Record<string, string>;
  /** Environments whose required reviewers approved; others with reviewers make their job wait. */
  approved?: readonly string[];
}

export interface WorkflowRun {
  jobs: Map<string, JobRecord>;
  /** The run's conclusion as GitHub shows it: failure when a job failed (a waiting job is not a failure). */
  conclusion(): 'success' | 'failure' | 'waiting';
}

type Data = data.ExpressionData;

function toData(v: unknown): Data {
  return JSON.parse(JSON.stringify(v ?? null), data.reviver) as Data;
}

/** The artefact store shared by every run of a rehearsal: `<root>/<run id>/<name>/<file>`. */
export class ArtifactStore {
  readonly root = mkdtempSync(join(tmpdir(), 'meshgov-artifacts-'));
  dir(runId: string, name: string): string {
    return join(this.root, runId, name);
  }
}

export class WorkflowRunner {
  constructor(
    private readonly artifacts: ArtifactStore,
    private readonly environmentsWithReviewers: readonly string[],
  ) {}

  /** Run every job of a workflow; jobs behind an unapproved environment are left waiting (see {@link resume}). */
  async run(file: string, ctx: RunContext): Promise<WorkflowRun & { resume(job: string): Promise<JobRecord> }> {
    const content = readFileSync(join(REPO, '.github', 'workflows', file), 'utf8');
    const wf = await parseWorkflow(file, content);
    if (wf.errors.length > 0) throw new Error(`${file}: ${wf.errors.join('; ')}`);
    const jobs = new Map<string, JobRecord>();
    const defs = wf.raw['jobs'] as Record<string, Record<string, Plain>>;
    const runJob = async (name: string, approvedNow: readonly string[]): Promise<JobRecord> => {
      const def = defs[name] as Record<string, Plain>;
      const needs = typeof def['needs'] === 'string' ? [def['needs']] : ((def['needs'] as string[] | undefined) ?? []);
      const needsCtx = Object.fromEntries(
        needs.map((n) => [n, { result: jobs.get(n)?.result ?? 'skipped', outputs: jobs.get(n)?.outputs ?? {} }]),
      );
      const ok = needs.every((n) => jobs.get(n)?.result === 'success');
      const record = await this.runJob(def, ctx, needsCtx, ok, approvedNow);
      jobs.set(name, record);
      return record;
    };
    for (const name of Object.keys(defs)) await runJob(name, ctx.approved ?? []);
    return {
      jobs,
      conclusion: () =>
        [...jobs.values()].some((j) => j.result === 'failure')
          ? 'failure'
          : [...jobs.values()].some((j) => j.result === 'waiting')
            ? 'waiting'
            : 'success',
      // A reviewer approves the waiting job's environment: it runs now, with the outputs its needs had.
      resume: async (job: string) => {
        const env = String(defs[job]?.['environment'] ?? '');
        if (jobs.get(job)?.result !== 'waiting') throw new Error(`job ${job} is not waiting`);
        return runJob(job, [...(ctx.approved ?? []), env]);
      },
    };
  }

  private async runJob(
    def: Record<string, Plain>,
    ctx: RunContext,
    needs: Record<string, unknown>,
    needsOk: boolean,
    approved: readonly string[],
  ): Promise<JobRecord> {
    const environment = typeof def['environment'] === 'string' ? def['environment'] : undefined;
    const record: JobRecord = {
      result: 'skipped',
      steps: [],
      outputs: {},
      summary: '',
      ...(environment ? { environment } : {}),
    };
    const base = { github: this.githubContext(ctx), vars: ctx.vars ?? {}, needs, env: {} };
    const jobIf = def['if'];
    const run =
      jobIf === undefined
        ? needsOk
        : needsOk && truthy(this.evaluate(unwrap(String(jobIf)), { ...base, steps: {} }, 'job'));
    if (!run) return record;
    if (
      environment !== undefined &&
      this.environmentsWithReviewers.includes(environment) &&
      !approved.includes(environment)
    ) {
      record.result = 'waiting';
      return record;
    }
    const workspace = mkdtempSync(join(tmpdir(), 'meshgov-workspace-'));
    const eventPath = join(workspace, '..', `${basename(workspace)}-event.json`);
    writeFileSync(eventPath, JSON.stringify(ctx.event));
    const steps: Record<string, { outcome: StepOutcome; outputs: Record<string, string> }> = {};
    let failed = false;
    for (const [i, step] of ((def['steps'] as Record<string, Plain>[]) ?? []).entries()) {
      const name = String(step['name'] ?? step['uses'] ?? step['run'] ?? `step ${i}`);
      const id = typeof step['id'] === 'string' ? step['id'] : undefined;
      const scope = { ...base, steps, job: { status: failed ? 'failure' : 'success' } };
      const cond = step['if'] === undefined ? 'success()' : unwrap(String(step['if']));
      const status = { failed, workspace };
      const go = truthy(
        this.evaluate(
          /\b(success|failure|always|cancelled)\(\)/.test(cond) ? cond : `success() && (${cond})`,
          scope,
          'step',
          status,
        ),
      );
      const rec: StepRecord = { name, ...(id ? { id } : {}), outcome: 'skipped', outputs: {}, log: '' };
      if (go) {
        const outFile = join(workspace, '..', `${basename(workspace)}-out-${i}`);
        const summaryFile = join(workspace, '..', `${basename(workspace)}-summary-${i}`);
        writeFileSync(outFile, '');
        writeFileSync(summaryFile, '');
        const githubEnv: Record<string, string> = {
          ...ctx.env,
          CI: 'true',
          GITHUB_ACTIONS: 'true',
          GITHUB_REPOSITORY: ctx.repository,
          GITHUB_EVENT_NAME: ctx.eventName,
          GITHUB_EVENT_PATH: eventPath,
          GITHUB_SHA: ctx.sha,
          GITHUB_RUN_ID: ctx.runId,
          GITHUB_API_URL: ctx.apiUrl,
          GITHUB_SERVER_URL: 'https://github.com',
          GITHUB_WORKSPACE: workspace,
          GITHUB_OUTPUT: outFile,
          GITHUB_STEP_SUMMARY: summaryFile,
          GITHUB_REF:
            ctx.eventName !== 'pull_request'
              ? 'refs/heads/main'
              : `refs/pull/${String((ctx.event['number'] as number | undefined) ?? 0)}/merge`,
        };
        const withIn = Object.fromEntries(
          Object.entries((step['with'] ?? {}) as Record<string, Plain>).map(([k, v]) => [
            k,
            this.interpolate(String(v), scope),
          ]),
        );
        const stepEnv = Object.fromEntries(
          Object.entries((step['env'] ?? {}) as Record<string, Plain>).map(([k, v]) => [
            k,
            this.interpolate(String(v), scope),
          ]),
        );
        const r = await this.runStep(step, withIn, { ...githubEnv, ...stepEnv }, workspace, ctx);
        rec.outcome = r.ok ? 'success' : 'failure';
        rec.log = r.log;
        rec.outputs = parseOutputs(readFileSync(outFile, 'utf8'));
        record.summary += readFileSync(summaryFile, 'utf8');
        if (!r.ok) failed = true;
      }
      record.steps.push(rec);
      if (id) steps[id] = { outcome: rec.outcome, outputs: rec.outputs };
    }
    record.result = failed ? 'failure' : 'success';
    const scope = { ...base, steps };
    record.outputs = Object.fromEntries(
      Object.entries((def['outputs'] ?? {}) as Record<string, Plain>).map(([k, v]) => [
        k,
        this.interpolate(String(v), scope),
      ]),
    );
    return record;
  }

  private async runStep(
    step: Record<string, Plain>,
    withIn: Record<string, string>,
    env: Record<string, string>,
    workspace: string,
    ctx: RunContext,
  ): Promise<{ ok: boolean; log: string }> {
    const uses = typeof step['uses'] === 'string' ? step['uses'] : undefined;
    if (uses === undefined) {
      return bash(['--noprofile', '--norc', '-eo', 'pipefail', '-c', String(step['run'])], workspace, env);
    }
    if (uses.startsWith('actions/checkout@')) {
      cpSync(ctx.checkoutDir, workspace, { recursive: true });
      return { ok: true, log: `checked out ${ctx.sha}` };
    }
    if (uses.startsWith('actions/upload-artifact@')) {
      const dir = this.artifacts.dir(ctx.runId, withIn['name'] ?? 'artifact');
      mkdirSync(dir, { recursive: true });
      const files = (withIn['path'] ?? '')
        .split('\n')
        .map((p) => p.trim())
        .filter((p) => p !== '' && existsSync(join(workspace, p)));
      for (const f of files) cpSync(join(workspace, f), join(dir, basename(f)));
      return { ok: true, log: `uploaded ${files.join(', ')}` };
    }
    if (uses.startsWith('actions/download-artifact@')) {
      const runId = withIn['run-id'] !== undefined && withIn['run-id'] !== '' ? withIn['run-id'] : ctx.runId;
      const dir = this.artifacts.dir(runId, withIn['name'] ?? 'artifact');
      if (!existsSync(dir))
        return {
          ok: false,
          log: `Unable to download artifact(s): Artifact not found for name: ${withIn['name']} (run ${runId})`,
        };
      if (runId !== ctx.runId && withIn['github-token'] !== ctx.token)
        return { ok: false, log: 'a download from another run needs github-token' };
      const target = join(workspace, withIn['path'] ?? '.');
      mkdirSync(target, { recursive: true });
      for (const f of readdirSync(dir)) cpSync(join(dir, f), join(target, f));
      return { ok: true, log: `downloaded ${readdirSync(dir).join(', ')} from run ${runId}` };
    }
    // Code scanning is GitHub's: the stand-in only records that the file was there to upload.
    if (uses.startsWith('github/codeql-action/upload-sarif@')) {
      const file = withIn['sarif_file'] ?? '';
      return { ok: existsSync(join(workspace, file)), log: `uploaded ${file} to code scanning` };
    }
    if (uses === './') return this.runAction(withIn, env, workspace, ctx);
    throw new Error(`the rehearsal has no stand-in for ${uses}`);
  }

  /** The Action's `meshgov` step: action/run.sh with the inputs (action.yml's defaults for the rest) in MESHGOV_* variables. */
  private runAction(
    withIn: Record<string, string>,
    env: Record<string, string>,
    workspace: string,
    ctx: RunContext,
  ): Promise<{ ok: boolean; log: string }> {
    const action = parse(readFileSync(join(REPO, 'action.yml'), 'utf8')) as {
      inputs: Record<string, { default?: string }>;
    };
    const input = (k: string): string => {
      if (withIn[k] !== undefined) return withIn[k];
      const d = action.inputs[k]?.default ?? '';
      return d === '${{ github.token }}' ? ctx.token : d;
    };
    return bash([join(REPO, 'action', 'run.sh')], join(workspace, input('working-directory')), {
      ...env,
      GITHUB_ACTION_PATH: REPO,
      MESHGOV_COMMAND: input('command'),
      MESHGOV_MESH_FILE: input('mesh-file'),
      MESHGOV_ARGS: input('args'),
      MESHGOV_PLAN_PATH: input('plan-path'),
      MESHGOV_AUDIT_PATH: input('audit-path'),
      MESHGOV_STDOUT_FILE: input('stdout-file'),
      MESHGOV_SAVED_PLAN: input('saved-plan'),
      MESHGOV_GITHUB_TOKEN: input('github-token'),
    });
  }

  private githubContext(ctx: RunContext): Record<string, unknown> {
    return {
      event_name: ctx.eventName,
      event: ctx.event,
      sha: ctx.sha,
      repository: ctx.repository,
      run_id: ctx.runId,
      token: ctx.token,
    };
  }

  /** `text ${{ expr }} text` with every expression evaluated (the parser already turned mixed text into format()). */
  private interpolate(value: string, scope: Record<string, unknown>): string {
    return value.replace(/\$\{\{(.*?)\}\}/gs, (_, expr: string) =>
      this.evaluate(expr.trim(), scope, 'value').coerceString(),
    );
  }

  private evaluate(
    expr: string,
    scope: Record<string, unknown>,
    _where: string,
    status: { failed: boolean; workspace: string } = { failed: false, workspace: '.' },
  ): Data {
    const fn = (name: string, min: number, max: number, call: (...a: Data[]) => Data): FunctionDefinition => ({
      name,
      minArgs: min,
      maxArgs: max,
      call,
    });
    const funcs = [
      fn('success', 0, 0, () => new data.BooleanData(!status.failed)),
      fn('failure', 0, 0, () => new data.BooleanData(status.failed)),
      fn('always', 0, 0, () => new data.BooleanData(true)),
      fn('cancelled', 0, 0, () => new data.BooleanData(false)),
      fn(
        'hashFiles',
        1,
        1,
        (p) => new data.StringData(existsSync(join(status.workspace, p.coerceString())) ? 'hash' : ''),
      ),
    ];
    const lexed = new Lexer(expr).lex();
    const parsed = new Parser(lexed.tokens, Object.keys(scope), funcs).parse();
    const context = new data.Dictionary(
      ...Object.entries(scope).map(([key, value]) => ({ key, value: toData(value) })),
    );
    return new Evaluator(parsed, context, new Map(funcs.map((f) => [f.name.toLowerCase(), f]))).evaluate();
  }
}

/** Run bash asynchronously: the stand-in GitHub API lives in this process and must keep answering meanwhile. */
function bash(args: string[], cwd: string, env: Record<string, string>): Promise<{ ok: boolean; log: string }> {
  return new Promise((resolve) => {
    const p = spawn('bash', args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let log = '';
    p.stdout.on('data', (b: Buffer) => void (log += b.toString('utf8')));
    p.stderr.on('data', (b: Buffer) => void (log += b.toString('utf8')));
    p.on('close', (code) => resolve({ ok: code === 0, log }));
  });
}

function unwrap(cond: string): string {
  const m = /^\$\{\{(.*)\}\}$/s.exec(cond.trim());
  return (m ? (m[1] as string) : cond).trim();
}

function parseOutputs(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of text.split('\n')) {
    const eq = line.indexOf('=');
    if (eq > 0) out[line.slice(0, eq)] = line.slice(eq + 1);
  }
  return out;
}
