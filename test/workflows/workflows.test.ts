/**
 * Every workflow in .github/workflows parsed with GitHub's own parser (@actions/workflow-parser, the one behind
 * the Actions language server): schema errors fail the test; then triggers, permissions (least privilege),
 * concurrency, environments, pinned actions and every meshgov command line are checked, including those the
 * Action (action.yml, `uses: ./`) builds from its inputs: action/run.sh runs with a recording fake `meshgov`.
 * action.yml is parsed with the same package's action parser, and every input a workflow (this repository's, or
 * one `meshgov init` writes) passes to the Action must be one it declares.
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Command } from 'commander';
import { tsImport } from 'tsx/esm/api';
import { beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import type { CliIO } from '../../src/cli/io.js';
import { buildProgram } from '../../src/cli/main.js';
import { fillTemplate, TEMPLATE_FILES } from '../../src/core/scaffold/scaffold.js';
import { parseWorkflow, workflowSteps } from '../support/workflow-parser.js';
import type { ParsedWorkflow, Plain } from '../support/workflow-parser.js';

const REPO = join(import.meta.dirname, '..', '..');
const DIR = join(REPO, '.github', 'workflows');
const MESH_PATHS = ['mesh.yaml', 'domains/**', 'policies/**'];
const VERSION = (JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')) as { version: string }).version;

const workflows = new Map<string, ParsedWorkflow>();
/** The workflows `meshgov init` writes, filled in for this version. */
const scaffolded = new Map<string, ParsedWorkflow>();
/** action.yml as plain data. */
let action: Record<string, Plain>;
let actionErrors: string[];

beforeAll(async () => {
  for (const name of readdirSync(DIR)
    .filter((f) => /\.ya?ml$/.test(f))
    .sort()) {
    const w = await parseWorkflow(name, readFileSync(join(DIR, name), 'utf8'));
    expect(w.errors, `${name} has schema errors`).toEqual([]);
    workflows.set(name, w);
  }
  for (const t of TEMPLATE_FILES.filter((f) => f.template.startsWith('github/workflows/'))) {
    const name = t.template.slice('github/workflows/'.length);
    const w = await parseWorkflow(
      name,
      fillTemplate(readFileSync(join(REPO, 'templates', t.template), 'utf8'), { version: VERSION }),
    );
    expect(w.errors, `template ${name} has schema errors`).toEqual([]);
    scaffolded.set(name, w);
  }
  // GitHub's action parser checks the schema; the data itself is read with the yaml package (the parser's tokens
  // come from another module instance, which its type guards do not recognise).
  const ap = (await tsImport(
    '@actions/workflow-parser/actions/action-parser',
    import.meta.url,
  )) as typeof import('@actions/workflow-parser/actions/action-parser');
  const wp = (await tsImport('@actions/workflow-parser', import.meta.url)) as typeof import('@actions/workflow-parser');
  const content = readFileSync(join(REPO, 'action.yml'), 'utf8');
  const parsed = ap.parseAction({ name: 'action.yml', content }, new wp.NoOperationTraceWriter());
  actionErrors = parsed.context.errors.getErrors().map((e) => e.message);
  if (parsed.value === undefined) actionErrors.push('action.yml did not parse');
  action = parse(content) as Record<string, Plain>;
});

function wf(name: string): ParsedWorkflow {
  const w = workflows.get(name);
  if (w === undefined) throw new Error(`missing workflow ${name}`);
  return w;
}

function jobs(name: string): Record<string, Record<string, Plain>> {
  return wf(name).raw['jobs'] as Record<string, Record<string, Plain>>;
}

function steps(name: string): Record<string, Plain>[] {
  return workflowSteps(wf(name).raw);
}

function runs(name: string): string[] {
  return steps(name).flatMap((s) => (typeof s['run'] === 'string' ? [s['run']] : []));
}

function uses(name: string, act: string): Record<string, Plain> {
  const step = steps(name).find((s) => typeof s['uses'] === 'string' && s['uses'].startsWith(`${act}@`));
  if (step === undefined) throw new Error(`${name} does not use ${act}`);
  return step;
}

/** Steps that use meshgov's Action (`./` here, `meshgov/meshgov@v…` in scaffolded repositories). */
function actionSteps(all: Record<string, Plain>[]): Record<string, Plain>[] {
  return all.filter((s) => s['uses'] === './' || String(s['uses']).startsWith('meshgov/meshgov@'));
}

function withOf(step: Record<string, Plain> | undefined): Record<string, Plain> {
  return (step?.['with'] ?? {}) as Record<string, Plain>;
}

/** The step running a given meshgov command through the Action. */
function actionStep(name: string, command: string): Record<string, Plain> {
  const step = actionSteps(steps(name)).find((s) => withOf(s)['command'] === command);
  if (step === undefined) throw new Error(`${name} has no Action step for ${command}`);
  return step;
}

const fakeDir = mkdtempSync(join(tmpdir(), 'meshgov-wf-'));
writeFileSync(join(fakeDir, 'meshgov'), '#!/usr/bin/env bash\nprintf \'%s\\n\' "$@" > "$FAKE_ARGV"\n');
chmodSync(join(fakeDir, 'meshgov'), 0o755);

/**
 * The meshgov argument list an Action step runs: action/run.sh with the step's inputs (action.yml's defaults for
 * the rest). An expression in `args` stands for the flags it can produce (its quoted `--...` literals).
 */
function actionInvocation(step: Record<string, Plain>): string[] {
  const inputs = (action['inputs'] ?? {}) as Record<string, Record<string, Plain>>;
  const given = withOf(step);
  const flagsIn = (expr: string) => [...expr.matchAll(/'(--[\w-]+(?: [^' ]+)?)'/g)].map((m) => m[1]).join(' ');
  const value = (key: string): string => {
    const v = String(given[key] ?? inputs[key]?.['default'] ?? '');
    // The parser turns text with an embedded expression into `format('text {0}', expr)`.
    const f = /^\$\{\{ format\('((?:[^']|'')*)', (.*)\) \}\}$/s.exec(v);
    if (f) return (f[1] as string).replace(/''/g, "'").replace(/\{\d+\}/g, flagsIn(f[2] as string));
    return v.replace(/\$\{\{(.*?)\}\}/g, (_, expr: string) => flagsIn(expr));
  };
  const argvFile = join(fakeDir, 'argv');
  writeFileSync(argvFile, '');
  const r = spawnSync('bash', [join(REPO, 'action', 'run.sh')], {
    cwd: fakeDir,
    encoding: 'utf8',
    env: {
      PATH: `${fakeDir}:${process.env['PATH'] ?? ''}`,
      FAKE_ARGV: argvFile,
      GITHUB_OUTPUT: join(fakeDir, 'output'),
      MESHGOV_COMMAND: value('command'),
      MESHGOV_MESH_FILE: value('mesh-file'),
      MESHGOV_ARGS: value('args'),
      MESHGOV_PLAN_PATH: value('plan-path'),
      MESHGOV_AUDIT_PATH: value('audit-path'),
      MESHGOV_STDOUT_FILE: '',
      MESHGOV_SAVED_PLAN: value('saved-plan'),
    },
  });
  if (r.status !== 0) throw new Error(`action/run.sh refused ${JSON.stringify(given)}: ${r.stdout}${r.stderr}`);
  return readFileSync(argvFile, 'utf8').split('\n').slice(0, -1);
}

/** Split the meshgov invocations out of a shell script: `[npx] meshgov ...` up to a redirect, pipe or separator. */
export function meshgovInvocations(script: string): string[][] {
  const joined = script.replace(/\\\n\s*/g, ' ');
  const out: string[][] = [];
  for (const m of joined.matchAll(/(?:^|[;&|(])[ \t]*(?:npx )?meshgov[ \t]+([^\n|;&>]*)/gm)) {
    out.push(
      (m[1] ?? '')
        .trim()
        .split(/\s+/)
        .filter((w) => w !== '' && !w.startsWith('$')),
    );
  }
  return out;
}

/** Every meshgov command line of a workflow: its scripts and its Action steps. */
function invocations(all: Record<string, Plain>[]): string[][] {
  const scripts = all.flatMap((s) => (typeof s['run'] === 'string' ? meshgovInvocations(s['run']) : []));
  return [...scripts, ...actionSteps(all).map(actionInvocation)];
}

describe('workflows', () => {
  it('are exactly ci, plan, apply and audit, and all parse cleanly', () => {
    expect([...workflows.keys()]).toEqual(['apply.yml', 'audit.yml', 'ci.yml', 'plan.yml']);
  });

  it('plan, apply and audit are the ones `meshgov init` writes, using this checkout of the Action', () => {
    for (const name of ['plan.yml', 'apply.yml', 'audit.yml']) {
      const template = readFileSync(join(REPO, 'templates', 'github', 'workflows', name), 'utf8');
      expect(readFileSync(join(DIR, name), 'utf8'), name).toBe(
        fillTemplate(template, { version: VERSION, action: './' }),
      );
      // They run the released package through the Action: no npm ci, no build from source.
      expect(
        runs(name).filter((r) => /npm (ci|install|run)|tsc/.test(r)),
        name,
      ).toEqual([]);
      expect(actionSteps(steps(name)).length, name).toBeGreaterThan(0);
    }
  });

  it('grant least privilege: exactly the permissions each needs, set at the top, never write-all', () => {
    const expected: Record<string, Record<string, string>> = {
      'ci.yml': { contents: 'read' },
      'plan.yml': { contents: 'read', 'pull-requests': 'write', 'id-token': 'write' },
      'apply.yml': { contents: 'read', actions: 'read', 'pull-requests': 'write', 'id-token': 'write' },
      // upload-sarif reads the workflow run (actions: read) on private repositories.
      'audit.yml': {
        contents: 'read',
        actions: 'read',
        issues: 'write',
        'security-events': 'write',
        'id-token': 'write',
      },
    };
    for (const [name, permissions] of Object.entries(expected)) {
      expect(wf(name).raw['permissions'], name).toEqual(permissions);
      // No job widens them.
      for (const job of Object.values(jobs(name))) expect(job['permissions'], name).toBeUndefined();
      expect(readFileSync(join(DIR, name), 'utf8')).not.toMatch(/write-all|read-all/);
    }
  });

  it('ci runs npm ci and npm test on Node 22 and 24 for pushes and pull requests', () => {
    const { template } = wf('ci.yml');
    expect(Object.keys(template.events).sort()).toEqual(['pull_request', 'push']);
    expect(jobs('ci.yml')['test']?.['strategy']).toMatchObject({ matrix: { node: [22, 24] } });
    expect(runs('ci.yml')).toEqual(['npm ci', 'npm test']);
    expect(uses('ci.yml', 'actions/setup-node')['with']).toMatchObject({ 'node-version': '${{ matrix.node }}' });
  });

  it('plan runs on pull requests touching the mesh, one at a time per PR, with OIDC credentials', () => {
    const { template, raw } = wf('plan.yml');
    expect(Object.keys(template.events)).toEqual(['pull_request']);
    expect(template.events.pull_request?.paths).toEqual(MESH_PATHS);
    expect(raw['concurrency']).toEqual({
      group: "${{ format('meshgov-plan-{0}', github.event.pull_request.number) }}",
      'cancel-in-progress': true,
    });
    const validate = actionStep('plan.yml', 'validate');
    expect(validate['id']).toBe('validate');
    expect(actionInvocation(validate)).toEqual(['validate', 'mesh.yaml', '--format', 'github']);
    const plan = actionStep('plan.yml', 'plan');
    expect(withOf(plan)).toMatchObject({
      'role-to-assume': '${{ vars.MESHGOV_PLAN_ROLE_ARN }}',
      'aws-region': '${{ vars.MESHGOV_REGION }}',
      'stdout-file': 'plan.md',
    });
    expect(actionInvocation(plan)).toEqual([
      'plan',
      'mesh.yaml',
      '--out',
      'plan.json',
      '--detailed-exitcode',
      '--format',
      'markdown',
    ]);
    const report = actionStep('plan.yml', 'report github');
    expect(actionInvocation(report)).toEqual([
      'report',
      'github',
      '--mesh-file',
      'mesh.yaml',
      '--kind',
      'plan',
      '--input',
      'plan.md',
      '--artifact-name',
      'meshgov-plan',
      '--reviewed-plan',
      'plan.json',
    ]);
    // Only a successful plan is recorded as the reviewed one.
    expect(String(withOf(report)['args'])).toContain(
      "steps.plan.outcome == 'success' && '--reviewed-plan plan.json' || ''",
    );
    // The token reaches meshgov only through the Action's github-token input (its default), for report only.
    expect(report['env']).toBeUndefined();
    expect(withOf(report)['github-token']).toBeUndefined();
    // A failed validation posts its located findings as the comment, not a bare "plan failed".
    const findings = steps('plan.yml').find((s) => String(s['run']).includes('validate mesh.yaml --format markdown'));
    expect(findings?.['run']).toBe('meshgov validate mesh.yaml --format markdown > plan.md || [ "$?" -eq 1 ]');
    expect(String(findings?.['if'])).toMatch(/failure\(\) && steps\.validate\.outcome == 'failure'/);
    // The generic note only fills in when nothing else (the findings, plan's own failure markdown) was written.
    const note = steps('plan.yml').find((s) => String(s['run']).includes('meshgov plan failed'));
    expect(String(note?.['run'])).toMatch(/^if \[ ! -s plan\.md \]; then/);
    const order = steps('plan.yml').map((s) => s['name']);
    expect(order.indexOf('Validation findings for the PR comment')).toBeLessThan(order.indexOf('Note a failed plan'));
    expect(order.indexOf('Note a failed plan')).toBeLessThan(order.indexOf('Sticky PR comment and job summary'));
    expect(String(report['if'])).toContain('!cancelled()');
    expect(uses('plan.yml', 'actions/upload-artifact')['with']).toMatchObject({ name: 'meshgov-plan' });
  });

  it('apply runs on main only, in the protected environment, one at a time and never cancelled, and keeps its log', () => {
    const { template, raw } = wf('apply.yml');
    expect(Object.keys(template.events)).toEqual(['push']);
    expect(template.events.push).toEqual({ branches: ['main'], paths: MESH_PATHS });
    expect(raw['concurrency']).toEqual({ group: 'meshgov-apply', 'cancel-in-progress': false });
    expect(jobs('apply.yml')['apply']?.['environment']).toBe('production');
    const apply = actionStep('apply.yml', 'apply');
    expect(withOf(apply)).toMatchObject({
      'role-to-assume': '${{ vars.MESHGOV_APPLY_ROLE_ARN }}',
      'saved-plan': 'reviewed/plan.json',
    });
    // The reviewed plan, bound to the digest the PR comment recorded; destructive changes wait for approval.
    expect(actionInvocation(apply)).toEqual([
      'apply',
      'reviewed/plan.json',
      '--mesh',
      'mesh.yaml',
      '--auto-approve',
      '--defer-destructive',
      '--reviewed-digest',
      '--result',
      'apply-result.json',
    ]);
    expect(String(withOf(apply)['args'])).toContain('steps.reviewed.outputs.digest');
    for (const job of ['apply', 'apply-destructive']) {
      const log = (jobs('apply.yml')[job]?.['steps'] as Record<string, Plain>[]).find((s) =>
        String(s['uses']).startsWith('actions/upload-artifact@'),
      );
      expect(log?.['if'], job).toBe('always()');
      expect(log?.['with'], job).toMatchObject({ path: '.meshgov/apply-log.jsonl' });
      // Never cancelled midway by a timeout either: GitHub's maximum for a job, nothing shorter.
      expect(jobs('apply.yml')[job]?.['timeout-minutes'], job).toBe(360);
    }
  });

  it("apply downloads the reviewed plan of the PR's plan run, and gates destructive changes behind an environment", () => {
    const applySteps = jobs('apply.yml')['apply']?.['steps'] as Record<string, Plain>[];
    const names = applySteps.map((s) => s['name'] ?? s['uses']);
    const find = applySteps.find((s) => s['id'] === 'reviewed');
    expect(actionInvocation(find ?? {})).toEqual([
      'reviewed-plan',
      '--mesh-file',
      'mesh.yaml',
      '--result',
      'apply-result.json',
    ]);
    const download = applySteps.find((s) => String(s['uses']).startsWith('actions/download-artifact@'));
    expect(download?.['with']).toEqual({
      name: 'meshgov-plan',
      'run-id': '${{ steps.reviewed.outputs.run-id }}',
      'github-token': '${{ github.token }}',
      path: 'reviewed',
    });
    expect(names.indexOf('Find the reviewed plan')).toBeLessThan(names.indexOf('Download the reviewed plan'));
    expect(names.indexOf('Download the reviewed plan')).toBeLessThan(names.indexOf('Apply'));
    const status = applySteps.find((s) => s['name'] === 'Apply status on the pull request and job summary');
    expect(String(status?.['if'])).toContain("hashFiles('apply-result.json') != ''");
    expect(actionInvocation(status ?? {}).slice(0, 7)).toEqual([
      'report',
      'github',
      '--mesh-file',
      'mesh.yaml',
      '--kind',
      'apply',
      '--input',
    ]);
    const gated = jobs('apply.yml')['apply-destructive'];
    expect(gated?.['environment']).toBe('meshgov-destructive');
    expect(gated?.['needs']).toBe('apply');
    expect(String(gated?.['if'])).toContain("needs.apply.outputs.pending != '0'");
    const gatedApply = (gated?.['steps'] as Record<string, Plain>[]).find((s) => withOf(s)['command'] === 'apply');
    expect(actionInvocation(gatedApply ?? {})).toEqual([
      'apply',
      'reviewed/plan.json',
      '--mesh',
      'mesh.yaml',
      '--auto-approve',
      '--only-destructive',
      '--reviewed-digest',
      '--result',
      'apply-result.json',
    ]);
    expect(jobs('apply.yml')['apply']?.['outputs']).toEqual({
      pending: '${{ steps.result.outputs.pending }}',
      pr: '${{ steps.reviewed.outputs.pr }}',
      'run-id': '${{ steps.reviewed.outputs.run-id }}',
      digest: '${{ steps.reviewed.outputs.digest }}',
    });
  });

  it('audit runs on a schedule, on demand and on drift events, updates the issue and uploads SARIF', () => {
    const { template } = wf('audit.yml');
    expect(Object.keys(template.events).sort()).toEqual(['repository_dispatch', 'schedule', 'workflow_dispatch']);
    expect(wf('audit.yml').raw['on']).toMatchObject({ repository_dispatch: { types: ['meshgov-drift'] } });
    const crons = template.events.schedule?.map((s) => s.cron) ?? [];
    expect(crons).toHaveLength(1);
    expect(crons[0]?.split(' ')).toHaveLength(5);
    // One audit run writes every format; findings never fail it, so a failure means it could not run (no files).
    const audit = actionStep('audit.yml', 'audit');
    expect(withOf(audit)).toMatchObject({ 'role-to-assume': '${{ vars.MESHGOV_PLAN_ROLE_ARN }}' });
    expect(actionInvocation(audit)).toEqual([
      'audit',
      'mesh.yaml',
      '--out',
      'audit.json',
      '--out',
      'audit.sarif',
      '--out',
      'audit.md',
      '--fail-on',
      'never',
    ]);
    const report = actionStep('audit.yml', 'report github');
    expect(actionInvocation(report)).toEqual([
      'report',
      'github',
      '--mesh-file',
      'mesh.yaml',
      '--kind',
      'audit',
      '--input',
      'audit.json',
      '--artifact-name',
      'meshgov-audit',
      '--partial',
      '--clean',
    ]);
    // --partial on drift runs; else --clean only when the JSON counted no findings.
    expect(String(withOf(report)['args'])).toContain(
      "github.event_name == 'repository_dispatch' && '--partial' || (steps.result.outputs.findings == '0' && '--clean' || '')",
    );
    expect(uses('audit.yml', 'github/codeql-action/upload-sarif')['with']).toMatchObject({ sarif_file: 'audit.sarif' });
    // The issue, SARIF and artefact are only touched when the audit ran (audit.json exists).
    const all = steps('audit.yml');
    const names = all.map((s) => s['name']);
    for (const name of [
      'Count the findings',
      'Update the audit issue and job summary',
      'Upload SARIF to code scanning',
      'Upload the audit report',
    ]) {
      const step = all.find((s) => s['name'] === name);
      expect(String(step?.['if']), name).toContain("hashFiles('audit.json') != ''");
    }
    // After reporting, error-level findings (counted from the JSON) fail the job.
    const count = all.find((s) => s['name'] === 'Count the findings');
    expect(count?.['id']).toBe('result');
    expect(String(count?.['run'])).toContain("jq '.summary.error' audit.json");
    const fail = all.find((s) => s['name'] === 'Fail on error-level findings');
    expect(String(fail?.['if'])).toContain('steps.result.outputs.errors');
    expect(fail?.['env']).toEqual({ ERRORS: '${{ steps.result.outputs.errors }}' });
    expect(String(fail?.['run'])).toMatch(/exit 1\s*$/);
    expect(names.indexOf('Fail on error-level findings')).toBe(names.length - 1);
    expect(jobs('audit.yml')['audit']?.['continue-on-error']).toBeUndefined();
  });

  it('audit: a drift event reaches the scope script through env only, and a drift run never uploads SARIF', () => {
    const all = steps('audit.yml');
    const scope = all.find((s) => s['name'] === 'Scope of the drift event');
    expect(scope?.['id']).toBe('scope');
    expect(String(scope?.['if'])).toContain("github.event_name == 'repository_dispatch'");
    expect(String(scope?.['run'])).not.toContain('${{');
    for (const v of Object.values((scope?.['env'] ?? {}) as Record<string, string>))
      expect(v).toMatch(/^\$\{\{ github\.event\.client_payload\.[A-Za-z]+ \}\}$/);
    expect(String(withOf(actionStep('audit.yml', 'audit'))['args'])).toContain('steps.scope.outputs.audit_args');
    const sarif = all.find((s) => s['name'] === 'Upload SARIF to code scanning');
    expect(String(sarif?.['if'])).toContain("github.event_name != 'repository_dispatch'");
  });

  it('never use pull_request_target, pin every action to a version, and keep expressions out of scripts', () => {
    for (const [name, w] of [...workflows, ...[...scaffolded].map(([n, x]) => [`init:${n}`, x] as const)]) {
      expect(Object.keys(w.template.events)).not.toContain('pull_request_target');
      const all = workflowSteps(w.raw);
      for (const step of all) {
        if (typeof step['uses'] === 'string' && step['uses'] !== './')
          expect(step['uses'], name).toMatch(/@(v\d+(\.\d+)*|[0-9a-f]{40})$/);
      }
      // `${{ }}` inside run: is a script-injection risk; values reach scripts through env instead.
      for (const script of all.flatMap((s) => (typeof s['run'] === 'string' ? [s['run']] : [])))
        expect(script, name).not.toContain('${{');
      for (const job of Object.values(w.raw['jobs'] as Record<string, Record<string, Plain>>))
        expect(job['timeout-minutes'], name).toBeGreaterThan(0);
    }
  });
});

describe('the Action (action.yml)', () => {
  const inputs = () => (action['inputs'] ?? {}) as Record<string, Record<string, Plain>>;

  it("parses with GitHub's action parser as a composite action", () => {
    expect(actionErrors).toEqual([]);
    expect((action['runs'] as Record<string, Plain>)['using']).toBe('composite');
  });

  it("declares the inputs and outputs the workflows rely on; installs this package's version by default", () => {
    expect(Object.keys(inputs()).sort()).toEqual([
      'args',
      'audit-path',
      'aws-region',
      'command',
      'github-token',
      'mesh-file',
      'node-version',
      'plan-path',
      'role-session-name',
      'role-to-assume',
      'saved-plan',
      'stdout-file',
      'version',
      'working-directory',
    ]);
    expect(inputs()['command']?.['required']).toBe(true);
    expect(inputs()['version']?.['default']).toBe(VERSION);
    expect(Object.keys(action['outputs'] as Record<string, Plain>).sort()).toEqual([
      'audit-path',
      'exit-code',
      'has-changes',
      'plan-path',
    ]);
    for (const [name, out] of Object.entries(action['outputs'] as Record<string, Record<string, Plain>>)) {
      expect(out['value'], name).toBe(`\${{ steps.run.outputs.${name} }}`);
    }
  });

  it('pins the actions it uses, keeps expressions out of its scripts and hands every input over in env', () => {
    const actionStepsList = (action['runs'] as Record<string, Plain>)['steps'] as Record<string, Plain>[];
    for (const step of actionStepsList) {
      if (typeof step['uses'] === 'string') expect(step['uses']).toMatch(/@(v\d+(\.\d+)*|[0-9a-f]{40})$/);
      if (typeof step['run'] === 'string') {
        expect(step['run']).not.toContain('${{');
        expect(step['run']).toMatch(/^bash "\$GITHUB_ACTION_PATH\/action\/[a-z-]+\.sh"$/);
      }
    }
    const run = actionStepsList.find((s) => s['id'] === 'run');
    const env = (run?.['env'] ?? {}) as Record<string, Plain>;
    for (const input of [
      'command',
      'mesh-file',
      'args',
      'plan-path',
      'audit-path',
      'stdout-file',
      'github-token',
      'saved-plan',
    ]) {
      expect(Object.values(env), input).toContain(`\${{ inputs.${input} }}`);
    }
  });

  it('gets only inputs it declares, and always a command, from every workflow here and every one init writes', () => {
    let checked = 0;
    for (const [name, w] of [...workflows, ...scaffolded]) {
      for (const step of actionSteps(workflowSteps(w.raw))) {
        const given = Object.keys(withOf(step));
        for (const key of given) expect(Object.keys(inputs()), `${name}: input ${key}`).toContain(key);
        expect(given, name).toContain('command');
        checked++;
      }
    }
    // plan 3, apply 6 (two jobs), audit 2 here; the same plus ci's 1 in a scaffolded repository.
    expect(checked).toBe(23);
  });

  it('the workflows init writes use the Action at this release, and each of them reaches a meshgov command', () => {
    for (const [name, w] of scaffolded) {
      const refs = new Set(actionSteps(workflowSteps(w.raw)).map((s) => s['uses']));
      expect([...refs], name).toEqual([`meshgov/meshgov@v${VERSION}`]);
    }
  });
});

function optionNames(cmd: Command): Set<string> {
  const names = new Set(['-h', '--help']);
  for (const o of cmd.options) for (const n of [o.long, o.short]) if (n) names.add(n);
  return names;
}

describe('meshgov command lines in the workflows', () => {
  const io: CliIO = {
    stdout: { write: () => undefined },
    stderr: { write: () => undefined },
    env: {},
    cwd: '.',
    now: () => new Date(0),
  };
  const program = buildProgram(io, () => undefined);

  it('use only registered commands, and only declared flags where a command declares its options', () => {
    let lines = 0;
    let flagsChecked = 0;
    for (const [name, w] of [
      ...[...workflows].map(([n, x]) => [n, x] as const),
      ...[...scaffolded].map(([n, x]) => [`init:${n}`, x] as const),
    ]) {
      for (const args of invocations(workflowSteps(w.raw))) {
        lines++;
        let cmd: Command = program;
        const path: string[] = [];
        for (const arg of args) {
          if (arg.startsWith('-')) break;
          const sub = cmd.commands.find((c) => c.name() === arg || c.aliases().includes(arg));
          if (sub === undefined) break;
          cmd = sub;
          path.push(arg);
        }
        expect(path.length, `${name}: unknown meshgov command in "${args.join(' ')}"`).toBeGreaterThan(0);
        // A command group (`report`) must be followed by one of its subcommands.
        expect(
          cmd.commands.map((c) => c.name()),
          `${name}: "meshgov ${path.join(' ')}" needs a known subcommand`,
        ).toEqual([]);
        const known = optionNames(cmd);
        for (const flag of args.filter((a) => a.startsWith('-')).map((a) => a.split('=')[0] as string)) {
          expect(known.has(flag), `${name}: meshgov ${path.join(' ')} has no option ${flag}`).toBe(true);
          flagsChecked++;
        }
      }
    }
    // Here: plan 4, apply 6, audit 2; scaffolded: the same plus ci 2.
    expect(lines).toBe(26);
    expect(flagsChecked).toBeGreaterThanOrEqual(60);
  });

  it('splits invocations the way the shell would see them', () => {
    expect(
      meshgovInvocations(
        'npx meshgov plan mesh.yaml --out plan.json > plan.md\nmeshgov report github \\\n  --kind plan $clean',
      ),
    ).toEqual([
      ['plan', 'mesh.yaml', '--out', 'plan.json'],
      ['report', 'github', '--kind', 'plan'],
    ]);
    // Only a command position counts: not a word ending in meshgov, not meshgov inside an argument.
    expect(meshgovInvocations('echo notmeshgov plan\nprintf "### meshgov plan failed"')).toEqual([]);
    expect(meshgovInvocations('true && meshgov validate; meshgov schema')).toEqual([['validate'], ['schema']]);
  });
});
