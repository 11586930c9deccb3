/**
 * `meshgov init [DIR]` in-process: a new governance repository that validates and plans against the local target,
 * workflows GitHub's parser accepts wired to the Action at this version, CODEOWNERS per domain file, and the guards:
 * no overwrite without --force, never through a symbolic link, a file where the directory should be.
 */
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import { captureIO, localTargetEnv } from '../support/capture-io.js';
import type { CapturedIO } from '../support/capture-io.js';
import { parseWorkflow, workflowSteps } from '../support/workflow-parser.js';
import type { Plain } from '../support/workflow-parser.js';

const REPO = fileURLToPath(new URL('../..', import.meta.url));
const VERSION = (JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')) as { version: string }).version;
const ACTION = `meshgov/meshgov@v${VERSION}`;
const NOW = new Date('2026-12-01T09:00:00Z');

const EXPECTED_FILES = [
  '.github/CODEOWNERS',
  '.github/workflows/apply.yml',
  '.github/workflows/audit.yml',
  '.github/workflows/ci.yml',
  '.github/workflows/plan.yml',
  '.gitignore',
  'README.md',
  'domains/example.yaml',
  'mesh.yaml',
  'policies/README.md',
  'schema/domain.schema.json',
  'schema/mesh.schema.json',
];

function io(cwd: string): CapturedIO {
  return captureIO(cwd, { env: localTargetEnv(cwd), now: NOW });
}

function tmp(): string {
  return mkdtempSync(join(tmpdir(), 'meshgov-init-'));
}

function filesBelow(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => relative(dir, join(e.parentPath, e.name)).replace(/\\/g, '/'))
    .sort();
}

async function init(cwd: string, ...args: string[]): Promise<{ code: number; t: CapturedIO }> {
  const t = io(cwd);
  return { code: await main(['init', ...args], t), t };
}

describe('meshgov init', { timeout: 120_000 }, () => {
  it('scaffolds a repository that validates clean and plans against the local target', async () => {
    const parent = tmp();
    const { code, t } = await init(parent, 'governance');
    expect(t.err()).toBe('');
    expect(code).toBe(0);
    const dir = join(parent, 'governance');
    expect(filesBelow(dir)).toEqual(EXPECTED_FILES);
    for (const f of EXPECTED_FILES) expect(t.out()).toContain(`  ${f}\n`);

    const v = io(dir);
    expect(await main(['validate'], v)).toBe(0);
    expect(v.out()).toContain('0 errors, 0 warnings, 0 info');

    const p = io(dir);
    expect(await main(['plan', '--local', '--format', 'json', '--detailed-exitcode'], p)).toBe(2);
    // Off a terminal stderr carries only timestamped progress lines; no warning or error.
    for (const line of p
      .err()
      .split('\n')
      .filter((l) => l !== ''))
      expect(line).toMatch(/^\d{4}-\d{2}-\d{2}T[\d:.]+Z meshgov: /);
    const plan = JSON.parse(p.out()) as {
      target: string;
      changes: { resourceType: string; action: string; target: { stream?: string } }[];
    };
    expect(plan.target).toBe('local');
    const streams = plan.changes
      .filter((c) => c.resourceType === 'stream' && c.action === 'create')
      .map((c) => c.target.stream);
    expect(streams).toEqual(['example.events.v1']);
  });

  it('writes mesh files whose schema modelines point at the published schemas, and a domain file per include', async () => {
    const dir = tmp();
    expect((await init(dir)).code).toBe(0);
    const mesh = readFileSync(join(dir, 'mesh.yaml'), 'utf8');
    const domain = readFileSync(join(dir, 'domains/example.yaml'), 'utf8');
    expect(mesh.split('\n')[0]).toBe('# yaml-language-server: $schema=./schema/mesh.schema.json');
    expect(domain.split('\n')[0]).toBe('# yaml-language-server: $schema=../schema/domain.schema.json');
    expect(readFileSync(join(dir, 'schema/mesh.schema.json'), 'utf8')).toBe(
      readFileSync(join(REPO, 'schema/mesh.schema.json'), 'utf8'),
    );
    expect(readFileSync(join(dir, 'schema/domain.schema.json'), 'utf8')).toBe(
      readFileSync(join(REPO, 'schema/domain.schema.json'), 'utf8'),
    );
    const includes = (parse(mesh) as { include: string[] }).include;
    expect(includes).toEqual(['domains/example.yaml']);
    // CODEOWNERS names an owner for every domain file, and keeps the root, rules and workflows with governance.
    const owners = readFileSync(join(dir, '.github/CODEOWNERS'), 'utf8')
      .split('\n')
      .filter((l) => l.trim() !== '' && !l.startsWith('#'));
    const patterns = owners.map((l) => l.split(/\s+/)[0]);
    for (const inc of includes) expect(patterns).toContain(`/${inc}`);
    for (const p of ['/mesh.yaml', '/policies/', '/.github/']) expect(patterns).toContain(p);
    expect(owners.every((l) => /\s@\S+/.test(l))).toBe(true);
    expect(readdirSync(join(dir, 'policies'))).toEqual(['README.md']);
  });

  it("writes the four workflows, accepted by GitHub's parser, using the Action at this version", async () => {
    const dir = tmp();
    expect((await init(dir)).code).toBe(0);
    const parsed = new Map<string, Awaited<ReturnType<typeof parseWorkflow>>>();
    for (const name of ['apply.yml', 'audit.yml', 'ci.yml', 'plan.yml']) {
      const w = await parseWorkflow(name, readFileSync(join(dir, '.github/workflows', name), 'utf8'));
      expect(w.errors, name).toEqual([]);
      parsed.set(name, w);
      const uses = workflowSteps(w.raw)
        .map((s) => s['uses'])
        .filter((u): u is string => typeof u === 'string');
      const ours = uses.filter((u) => u.startsWith('meshgov/'));
      expect(ours.length, name).toBeGreaterThan(0);
      expect(new Set(ours), name).toEqual(new Set([ACTION]));
      expect(readFileSync(join(dir, '.github/workflows', name), 'utf8')).not.toContain('__MESHGOV');
    }
    const events = (n: string) => Object.keys(parsed.get(n)!.template.events).sort();
    expect(events('plan.yml')).toEqual(['pull_request']);
    expect(events('apply.yml')).toEqual(['push']);
    expect(parsed.get('apply.yml')!.template.events.push?.branches).toEqual(['main']);
    expect(events('audit.yml')).toEqual(['repository_dispatch', 'schedule', 'workflow_dispatch']);
    expect(events('ci.yml')).toEqual(['pull_request', 'push']);
    const applyJob = (parsed.get('apply.yml')!.raw['jobs'] as Record<string, Record<string, Plain>>)['apply']!;
    expect(applyJob['environment']).toBe('production');
    expect(parsed.get('apply.yml')!.raw['concurrency']).toEqual({
      group: 'meshgov-apply',
      'cancel-in-progress': false,
    });
    // Plan and apply assume their own roles through the Action.
    const withOf = (n: string, cmd: string) =>
      workflowSteps(parsed.get(n)!.raw).find(
        (s) => (s['with'] as Record<string, Plain> | undefined)?.['command'] === cmd,
      )?.['with'];
    expect(withOf('plan.yml', 'plan')).toMatchObject({ 'role-to-assume': '${{ vars.MESHGOV_PLAN_ROLE_ARN }}' });
    expect(withOf('apply.yml', 'apply')).toMatchObject({
      'role-to-assume': '${{ vars.MESHGOV_APPLY_ROLE_ARN }}',
      'saved-plan': 'reviewed/plan.json',
    });
    expect(String((withOf('apply.yml', 'apply') as Record<string, Plain> | undefined)?.['args'])).toContain(
      '--auto-approve --defer-destructive',
    );
    expect(withOf('audit.yml', 'audit')).toMatchObject({ 'role-to-assume': '${{ vars.MESHGOV_PLAN_ROLE_ARN }}' });
  });

  it('writes a README with the AWS set-up, linking docs/aws-setup.md at this version', async () => {
    const dir = tmp();
    expect((await init(dir)).code).toBe(0);
    const readme = readFileSync(join(dir, 'README.md'), 'utf8');
    expect(readme).toContain('## AWS set-up');
    expect(readme).toContain(`https://github.com/meshgov/meshgov/blob/v${VERSION}/docs/aws-setup.md`);
    expect(existsSync(join(REPO, 'docs/aws-setup.md'))).toBe(true);
    for (const v of ['MESHGOV_PLAN_ROLE_ARN', 'MESHGOV_APPLY_ROLE_ARN', 'MESHGOV_REGION']) expect(readme).toContain(v);
    expect(readFileSync(join(dir, '.gitignore'), 'utf8')).toContain('.meshgov/');
  });

  it('refuses to overwrite existing files and writes nothing; --force overwrites', async () => {
    const dir = tmp();
    writeFileSync(join(dir, 'mesh.yaml'), 'mine\n');
    mkdirSync(join(dir, '.github'));
    writeFileSync(join(dir, '.github', 'CODEOWNERS'), '* @me\n');
    const { code, t } = await init(dir);
    expect(code).toBe(1);
    expect(t.err()).toContain(
      'these files exist already; nothing was written (--force overwrites them):\n  mesh.yaml\n  .github/CODEOWNERS\n',
    );
    expect(t.err()).not.toMatch(/^\s+at /m);
    expect(filesBelow(dir)).toEqual(['.github/CODEOWNERS', 'mesh.yaml']);
    expect(readFileSync(join(dir, 'mesh.yaml'), 'utf8')).toBe('mine\n');

    const forced = await init(dir, '--force');
    expect(forced.code).toBe(0);
    expect(filesBelow(dir)).toEqual(EXPECTED_FILES);
    expect(readFileSync(join(dir, 'mesh.yaml'), 'utf8')).toContain('apiVersion: meshgov/v1');
  });

  it('never writes through a symbolic link, even with --force', async () => {
    const outside = tmp();
    writeFileSync(join(outside, 'victim'), 'keep\n');
    const dir = tmp();
    symlinkSync(outside, join(dir, '.github'));
    symlinkSync(join(outside, 'victim'), join(dir, 'mesh.yaml'));
    const { code, t } = await init(dir, '--force');
    expect(code).toBe(1);
    expect(t.err()).toContain('.github is a symbolic link');
    expect(t.err()).toContain('mesh.yaml is a symbolic link');
    expect(readdirSync(outside)).toEqual(['victim']);
    expect(readFileSync(join(outside, 'victim'), 'utf8')).toBe('keep\n');
    expect(readdirSync(dir).sort()).toEqual(['.github', 'mesh.yaml']);
  });

  it('refuses a file where the directory or one of its subdirectories should be', async () => {
    const dir = tmp();
    writeFileSync(join(dir, 'afile'), 'x');
    const onFile = await init(dir, 'afile');
    expect(onFile.code).toBe(1);
    expect(onFile.t.err()).toContain('is not a directory');
    writeFileSync(join(dir, 'domains'), 'x');
    const sub = await init(dir, '--force');
    expect(sub.code).toBe(1);
    expect(sub.t.err()).toContain('  domains is not a directory');
    expect(filesBelow(dir)).toEqual(['afile', 'domains']);
  });

  it('has --help', async () => {
    const { code, t } = await init(tmp(), '--help');
    expect(code).toBe(0);
    expect(t.out()).toContain('Usage: meshgov init [options] [dir]');
    expect(t.out()).toContain('--force');
    expect(t.out()).toContain(ACTION);
  });
});
