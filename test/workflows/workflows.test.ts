/**
 * Every workflow in .github/workflows parsed with GitHub's own parser (@actions/workflow-parser, the one behind
 * the Actions language server): schema errors fail the test; then triggers, permissions (least privilege),
 * concurrency, environments, pinned actions and every `npx meshgov` command line are checked.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { WorkflowTemplate } from '@actions/workflow-parser';
import type { TemplateToken } from '@actions/workflow-parser/templates/tokens/template-token';
import type { Command } from 'commander';
import { tsImport } from 'tsx/esm/api';
import { beforeAll, describe, expect, it } from 'vitest';
import type { CliIO } from '../../src/cli/io.js';
import { buildProgram } from '../../src/cli/main.js';

const DIR = join(import.meta.dirname, '..', '..', '.github', 'workflows');
const MESH_PATHS = ['mesh.yaml', 'domains/**', 'policies/**'];

/**
 * The parser's dist imports its schema JSON without an import attribute, which Node's native ESM loader (used by
 * vitest for node_modules) rejects; tsx's loader accepts it. (Alternative: `server.deps.inline` in vitest.config.)
 */
type WorkflowParser = typeof import('@actions/workflow-parser');
let wp: WorkflowParser;

type Plain = string | number | boolean | null | Plain[] | { [key: string]: Plain };

/** The parsed token tree as plain data; expressions keep their `${{ }}` source. */
function plain(token: TemplateToken): Plain {
  if (wp.isMapping(token)) {
    const out: Record<string, Plain> = {};
    for (const { key, value } of token) out[key.toString()] = plain(value);
    return out;
  }
  if (wp.isSequence(token)) return Array.from(token, (t) => plain(t));
  if (wp.isBasicExpression(token)) return `\${{ ${token.expression} }}`;
  if (wp.isString(token)) return token.value;
  if (wp.isBoolean(token)) return token.value;
  if (wp.isNumber(token)) return token.value;
  return null;
}

interface Parsed {
  template: WorkflowTemplate;
  raw: Record<string, Plain>;
}

const workflows = new Map<string, Parsed>();

beforeAll(async () => {
  wp = (await tsImport('@actions/workflow-parser', import.meta.url)) as WorkflowParser;
  for (const name of readdirSync(DIR).filter((f) => /\.ya?ml$/.test(f)).sort()) {
    const result = wp.parseWorkflow({ name, content: readFileSync(join(DIR, name), 'utf8') }, new wp.NoOperationTraceWriter());
    const errors = result.context.errors.getErrors().map((e) => e.message);
    expect(errors, `${name} has schema errors`).toEqual([]);
    expect(result.value, `${name} did not parse`).toBeDefined();
    const template = await wp.convertWorkflowTemplate(result.context, result.value as TemplateToken);
    expect(template.errors ?? [], `${name} did not convert`).toEqual([]);
    workflows.set(name, { template, raw: plain(result.value as TemplateToken) as Record<string, Plain> });
  }
});

function wf(name: string): Parsed {
  const w = workflows.get(name);
  if (w === undefined) throw new Error(`missing workflow ${name}`);
  return w;
}

function jobs(name: string): Record<string, Record<string, Plain>> {
  return wf(name).raw['jobs'] as Record<string, Record<string, Plain>>;
}

function steps(name: string): Record<string, Plain>[] {
  return Object.values(jobs(name)).flatMap((job) => (job['steps'] as Record<string, Plain>[] | undefined) ?? []);
}

function runs(name: string): string[] {
  return steps(name).flatMap((s) => (typeof s['run'] === 'string' ? [s['run']] : []));
}

function uses(name: string, action: string): Record<string, Plain> {
  const step = steps(name).find((s) => typeof s['uses'] === 'string' && s['uses'].startsWith(`${action}@`));
  if (step === undefined) throw new Error(`${name} does not use ${action}`);
  return step;
}

describe('workflows', () => {
  it('are exactly ci, plan, apply and audit, and all parse cleanly', () => {
    expect([...workflows.keys()]).toEqual(['apply.yml', 'audit.yml', 'ci.yml', 'plan.yml']);
  });

  it('grant least privilege: exactly the permissions each needs, set at the top, never write-all', () => {
    const expected: Record<string, Record<string, string>> = {
      'ci.yml': { contents: 'read' },
      'plan.yml': { contents: 'read', 'pull-requests': 'write', 'id-token': 'write' },
      'apply.yml': { contents: 'read', 'id-token': 'write' },
      // upload-sarif reads the workflow run (actions: read) on private repositories.
      'audit.yml': { contents: 'read', actions: 'read', issues: 'write', 'security-events': 'write', 'id-token': 'write' },
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
    expect(raw['concurrency']).toEqual({ group: "${{ format('meshgov-plan-{0}', github.event.pull_request.number) }}", 'cancel-in-progress': true });
    expect(uses('plan.yml', 'aws-actions/configure-aws-credentials')['with']).toMatchObject({ 'role-to-assume': '${{ vars.MESHGOV_PLAN_ROLE_ARN }}' });
    const commands = runs('plan.yml').join('\n');
    expect(commands).toContain('npx meshgov validate mesh.yaml --format github');
    expect(commands).toContain('npx meshgov plan mesh.yaml --out plan.json --format markdown > plan.md');
    expect(commands).toContain('npx meshgov report github --kind plan --input plan.md --mesh-file mesh.yaml');
    // A failed validation posts its located findings as the comment, not a bare "plan failed".
    const findings = steps('plan.yml').find((s) => String(s['run']).includes('validate mesh.yaml --format markdown'));
    expect(findings?.['run']).toBe('npx meshgov validate mesh.yaml --format markdown > plan.md || [ "$?" -eq 1 ]');
    expect(String(findings?.['if'])).toMatch(/failure\(\) && steps\.validate\.outcome == 'failure'/);
    expect(steps('plan.yml').find((s) => s['run'] === 'npx meshgov validate mesh.yaml --format github')?.['id']).toBe('validate');
    // The generic note only fills in when nothing else (the findings, plan's own failure markdown) was written.
    const note = steps('plan.yml').find((s) => String(s['run']).includes('meshgov plan failed'));
    expect(String(note?.['run'])).toMatch(/^if \[ ! -s plan\.md \]; then/);
    const order = steps('plan.yml').map((s) => s['name']);
    expect(order.indexOf('Validation findings for the PR comment')).toBeLessThan(order.indexOf('Note a failed plan'));
    expect(order.indexOf('Note a failed plan')).toBeLessThan(order.indexOf('Sticky PR comment and job summary'));
    expect(uses('plan.yml', 'actions/upload-artifact')['with']).toMatchObject({ name: 'meshgov-plan' });
    // The report step gets the token through its environment, nowhere else.
    const report = steps('plan.yml').find((s) => String(s['run']).includes('report github'));
    expect(report?.['env']).toEqual({ GITHUB_TOKEN: '${{ github.token }}' });
  });

  it('apply runs on main only, in the protected environment, one at a time and never cancelled, and keeps its log', () => {
    const { template, raw } = wf('apply.yml');
    expect(Object.keys(template.events)).toEqual(['push']);
    expect(template.events.push).toEqual({ branches: ['main'], paths: MESH_PATHS });
    expect(raw['concurrency']).toEqual({ group: 'meshgov-apply', 'cancel-in-progress': false });
    expect(jobs('apply.yml')['apply']?.['environment']).toBe('production');
    expect(uses('apply.yml', 'aws-actions/configure-aws-credentials')['with']).toMatchObject({ 'role-to-assume': '${{ vars.MESHGOV_APPLY_ROLE_ARN }}' });
    expect(runs('apply.yml')).toContain('npx meshgov apply mesh.yaml --auto-approve');
    const log = uses('apply.yml', 'actions/upload-artifact');
    expect(log['if']).toBe('always()');
    expect(log['with']).toMatchObject({ path: '.meshgov/apply-log.jsonl' });
    // Never cancelled midway by a timeout either: GitHub's maximum for a job, nothing shorter.
    expect(jobs('apply.yml')['apply']?.['timeout-minutes']).toBe(360);
  });

  it('audit runs on a schedule and on demand, updates the issue and uploads SARIF', () => {
    const { template } = wf('audit.yml');
    expect(Object.keys(template.events).sort()).toEqual(['schedule', 'workflow_dispatch']);
    const crons = template.events.schedule?.map((s) => s.cron) ?? [];
    expect(crons).toHaveLength(1);
    expect(crons[0]?.split(' ')).toHaveLength(5);
    const commands = runs('audit.yml').join('\n');
    // One audit run writes every format; findings never fail it, so a failure means it could not run (no files).
    const audits = runs('audit.yml').flatMap(meshgovInvocations).filter((a) => a[0] === 'audit');
    expect(audits).toEqual([['audit', 'mesh.yaml', '--out', 'audit.json', '--out', 'audit.sarif', '--out', 'audit.md', '--fail-on', 'never']]);
    expect(commands).toContain('npx meshgov report github --kind audit --input audit.md');
    expect(uses('audit.yml', 'github/codeql-action/upload-sarif')['with']).toMatchObject({ sarif_file: 'audit.sarif' });
    // The issue, SARIF and artefact are only touched when the audit ran (audit.json exists).
    const all = steps('audit.yml');
    const names = all.map((s) => s['name']);
    for (const name of ['Count the findings', 'Update the audit issue and job summary', 'Upload SARIF to code scanning', 'Upload the audit report']) {
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

  it('never use pull_request_target, pin every action to a version, and keep expressions out of scripts', () => {
    for (const name of workflows.keys()) {
      expect(Object.keys(wf(name).template.events)).not.toContain('pull_request_target');
      for (const step of steps(name)) {
        if (typeof step['uses'] === 'string') expect(step['uses'], name).toMatch(/@(v\d+(\.\d+)*|[0-9a-f]{40})$/);
      }
      // `${{ }}` inside run: is a script-injection risk; values reach scripts through env instead.
      for (const script of runs(name)) expect(script, name).not.toContain('${{');
      for (const job of Object.values(jobs(name))) expect(job['timeout-minutes'], name).toBeGreaterThan(0);
    }
  });
});

/** Split the meshgov invocations out of a shell script: `npx meshgov ...` up to a redirect, pipe or separator. */
export function meshgovInvocations(script: string): string[][] {
  const joined = script.replace(/\\\n\s*/g, ' ');
  const out: string[][] = [];
  for (const m of joined.matchAll(/npx meshgov\s+([^\n|;&>]*)/g)) {
    out.push((m[1] ?? '').trim().split(/\s+/).filter((w) => w !== '' && !w.startsWith('$')));
  }
  return out;
}

function optionNames(cmd: Command): Set<string> {
  const names = new Set(['-h', '--help']);
  for (const o of cmd.options) for (const n of [o.long, o.short]) if (n) names.add(n);
  return names;
}

describe('npx meshgov command lines in the workflows', () => {
  const io: CliIO = { stdout: { write: () => undefined }, stderr: { write: () => undefined }, env: {}, cwd: '.', now: () => new Date(0) };
  const program = buildProgram(io, () => undefined);

  it('use only registered commands, and only declared flags where a command declares its options', () => {
    let lines = 0;
    let flagsChecked = 0;
    for (const name of workflows.keys()) {
      for (const args of runs(name).flatMap(meshgovInvocations)) {
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
        expect(cmd.commands.map((c) => c.name()), `${name}: "meshgov ${path.join(' ')}" needs a known subcommand`).toEqual([]);
        // Placeholder commands (not yet built) declare no options; their flags are checked once they do.
        if (cmd.options.length === 0) continue;
        const known = optionNames(cmd);
        for (const flag of args.filter((a) => a.startsWith('-')).map((a) => a.split('=')[0] as string)) {
          expect(known.has(flag), `${name}: meshgov ${path.join(' ')} has no option ${flag}`).toBe(true);
          flagsChecked++;
        }
      }
    }
    expect(lines).toBe(8);
    // validate and report github declare their options, so at least their flags were checked.
    expect(flagsChecked).toBeGreaterThanOrEqual(10);
  });

  it('splits invocations the way the shell would see them', () => {
    expect(meshgovInvocations('npx meshgov plan mesh.yaml --out plan.json > plan.md\nnpx meshgov report github \\\n  --kind plan $clean')).toEqual([
      ['plan', 'mesh.yaml', '--out', 'plan.json'],
      ['report', 'github', '--kind', 'plan'],
    ]);
  });
});
