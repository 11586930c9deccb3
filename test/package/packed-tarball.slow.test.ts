/**
 * SLOW TIER: `npm pack` of the built package, one offline install of the tarball into an empty project, then the
 * installed CLI (`npx meshgov validate`, `npx meshgov plan --local`) and the library (an ESM script, a TypeScript
 * consumer) used from there. Needs dist/ built (`npx tsc -p tsconfig.build.json`, or `npm test` which builds first)
 * and the npm cache filled by `npm ci` in this repository. About 30 s.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fsReader } from '../../src/adapters/fs/reader.js';
import { TEMPLATE_FILES } from '../../src/core/scaffold/scaffold.js';
import { validateMesh } from '../../src/core/validate.js';
import { installOffline, pack, REPO, writeProject } from './offline-install.js';
import type { Packed } from './offline-install.js';

const PKG = JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')) as { version: string };
const TODAY = '2026-12-01';

let tmp: string;
let project: string;
let packed: Packed;

function npx(args: string[]) {
  const env: Record<string, string | undefined> = {
    ...process.env,
    NO_COLOR: '1',
    MESHGOV_DEBUG: '',
    npm_config_offline: 'true',
    MESHGOV_LOCAL_DIR: join(tmp, 'local'),
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
  };
  const r = spawnSync('npx', ['--no-install', 'meshgov', ...args], {
    cwd: project,
    encoding: 'utf8',
    timeout: 120_000,
    env,
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('packed tarball [slow tier: npm pack + one offline install]', { timeout: 300_000 }, () => {
  beforeAll(() => {
    if (!existsSync(join(REPO, 'dist', 'index.js')))
      throw new Error('dist/index.js is missing: run `npx tsc -p tsconfig.build.json` first');
    tmp = mkdtempSync(join(tmpdir(), 'meshgov-pack-'));
    project = join(tmp, 'governance');
    packed = pack(tmp);
    writeProject(project, packed.tarball);
    installOffline(project);
    copyFileSync(join(REPO, 'mesh.yaml'), join(project, 'mesh.yaml'));
  }, 300_000);

  afterAll(() => {
    if (tmp) rmSync(tmp, { recursive: true, force: true });
  });

  it('ships the built JS with .d.ts, the launcher, policies, schemas, templates and LICENSE; no sources or maps', () => {
    const f = packed.files;
    for (const file of [
      'bin/meshgov.js',
      'dist/index.js',
      'dist/index.d.ts',
      'dist/cli/run.js',
      'LICENSE',
      'NOTICE',
      'package.json',
    ]) {
      expect(f, file).toContain(file);
    }
    for (const name of readdirSync(join(REPO, 'policies'))) expect(f).toContain(`policies/${name}`);
    for (const name of readdirSync(join(REPO, 'schema'))) expect(f).toContain(`schema/${name}`);
    // meshgov init's templates (names without leading dots survive packing) and the docs its README links.
    for (const t of TEMPLATE_FILES) expect(f).toContain(`templates/${t.template}`);
    expect(f).toContain('docs/aws-setup.md');
    expect(
      f.filter(
        (x) =>
          /^(src|test|scripts|bench|\.github)\//.test(x) ||
          x.endsWith('.map') ||
          (x.endsWith('.ts') && !x.endsWith('.d.ts')),
      ),
    ).toEqual([]);
    expect(f.filter((x) => x.startsWith('node_modules/'))).toEqual([]);
  });

  it('installed the tarball and its dependencies only, from the cache', () => {
    const installed = JSON.parse(readFileSync(join(project, 'node_modules', 'meshgov', 'package.json'), 'utf8')) as {
      version: string;
    };
    expect(installed.version).toBe(PKG.version);
    expect(existsSync(join(project, 'node_modules', '.bin', 'meshgov'))).toBe(true);
    // No dev dependency came along (the test runner, the compiler).
    for (const dev of ['vitest', 'typescript', 'tsx'])
      expect(existsSync(join(project, 'node_modules', dev)), dev).toBe(false);
  });

  it('npx meshgov --version and validate work in the project', () => {
    const v = npx(['--version']);
    expect(v.code).toBe(0);
    expect(v.stdout.trim()).toBe(PKG.version);
    const r = npx(['validate', 'mesh.yaml']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('0 errors');
    // The built-in rule pack is found inside the installed package: a rule of it reports on the example mesh.
    const json = npx(['validate', 'mesh.yaml', '--format', 'json']);
    expect(json.stdout).toContain('provisioned-stream-declares-throughput');
  });

  it('npx meshgov init scaffolds from the templates inside the installed package, and the result validates', () => {
    const r = npx(['init', 'scaffolded']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const workflow = readFileSync(join(project, 'scaffolded', '.github', 'workflows', 'plan.yml'), 'utf8');
    expect(workflow).toContain(`uses: meshgov/meshgov@v${PKG.version}`);
    const v = npx(['validate', 'scaffolded/mesh.yaml']);
    expect(v.code).toBe(0);
    expect(v.stdout).toContain('0 errors');
  });

  it('npx meshgov plan --local plans the example from empty accounts', () => {
    const r = npx(['plan', 'mesh.yaml', '--local', '--format', 'json']);
    // Off a terminal stderr carries only timestamped progress lines; no warning or error.
    for (const line of r.stderr.split('\n').filter((l) => l !== ''))
      expect(line).toMatch(/^\d{4}-\d{2}-\d{2}T[\d:.]+Z meshgov: /);
    expect(r.code).toBe(0);
    const plan = JSON.parse(r.stdout) as { target: string; changes: { resourceType: string; action: string }[] };
    expect(plan.target).toBe('local');
    const example = validateMesh(join(REPO, 'mesh.yaml'), fsReader, { today: TODAY }).mesh!;
    const creates = plan.changes.filter((c) => c.resourceType === 'stream' && c.action === 'create');
    expect(creates).toHaveLength(example.streams.length);
  });

  it('is importable from an ESM script: validateMesh, renderMesh, the schemas and the built-in rules', () => {
    const script = `
      import { builtinRules, fsReader, meshSchema, PLAN_SCHEMA, renderMesh, validateMesh, validateWithRules, VERSION } from 'meshgov';
      const v = validateMesh('mesh.yaml', fsReader, { today: '${TODAY}' });
      const r = renderMesh(v.mesh, { today: '${TODAY}' });
      const rules = builtinRules();
      const withRules = validateWithRules('mesh.yaml', fsReader, { today: '${TODAY}', rules: rules.value });
      console.log(JSON.stringify({
        ok: v.ok, streams: v.mesh.streams.length, accounts: r.value.accounts.map((a) => a.account),
        renderErrors: r.diagnostics.length, rules: rules.value.length, ruleProblems: rules.diagnostics.length,
        ruleCodes: [...new Set(withRules.diagnostics.map((d) => d.code))], version: VERSION,
        meshSchema: meshSchema.$id, planSchema: PLAN_SCHEMA.$id,
      }));
    `;
    writeFileSync(join(project, 'use.mjs'), script);
    const out = JSON.parse(execFileSync(process.execPath, ['use.mjs'], { cwd: project, encoding: 'utf8' })) as Record<
      string,
      unknown
    >;
    const example = validateMesh(join(REPO, 'mesh.yaml'), fsReader, { today: TODAY }).mesh!;
    const policyFiles = readdirSync(join(REPO, 'policies')).filter((n) => n.endsWith('.yaml'));
    expect(out).toEqual({
      ok: true,
      streams: example.streams.length,
      accounts: ['111111111111', '222222222222', '333333333333'],
      renderErrors: 0,
      rules: policyFiles.length,
      ruleProblems: 0,
      ruleCodes: ['provisioned-stream-declares-throughput'],
      version: PKG.version,
      meshSchema: 'https://meshgov.dev/schema/v1/mesh.schema.json',
      planSchema: 'https://meshgov.dev/schema/v2/plan.schema.json',
    });
  });

  it('exposes only the entry point and the schema files: internals are not importable', () => {
    const probe = (spec: string) =>
      spawnSync(process.execPath, ['--input-type=module', '-e', `await import(${JSON.stringify(spec)})`], {
        cwd: project,
        encoding: 'utf8',
      });
    const internal = probe('meshgov/dist/core/validate.js');
    expect(internal.status).not.toBe(0);
    expect(internal.stderr).toContain('ERR_PACKAGE_PATH_NOT_EXPORTED');
    const schema = spawnSync(
      process.execPath,
      [
        '--input-type=module',
        '-e',
        "const s = await import('meshgov/schema/mesh.schema.json', { with: { type: 'json' } }); console.log(s.default.$id)",
      ],
      { cwd: project, encoding: 'utf8' },
    );
    expect(schema.stdout.trim()).toBe('https://meshgov.dev/schema/v1/mesh.schema.json');
  });

  it('its .d.ts files type-check a TypeScript consumer, and carry the contracts (a wrong call does not compile)', () => {
    const tsc = join(REPO, 'node_modules', 'typescript', 'bin', 'tsc');
    const tsconfig = {
      compilerOptions: {
        module: 'nodenext',
        moduleResolution: 'nodenext',
        target: 'es2022',
        strict: true,
        noEmit: true,
        skipLibCheck: false,
        types: ['node'],
        typeRoots: [join(REPO, 'node_modules', '@types')],
      },
      files: ['consumer.ts'],
    };
    writeFileSync(join(project, 'tsconfig.json'), JSON.stringify(tsconfig));
    // One compiler run: the good calls must compile, and the call without options must not (an expect-error
    // directive on a line without an error is itself an error).
    const consumer = `
      import { computePlan, fsReader, renderMesh, validateMesh } from 'meshgov';
      import type { Change, Diagnostic, Mesh, Plan } from 'meshgov';
      const v = validateMesh('mesh.yaml', fsReader, { today: '${TODAY}' });
      const mesh: Mesh | undefined = v.mesh;
      const diags: Diagnostic[] = v.diagnostics;
      export const out: { plan?: Plan; first?: Change; n: number } = { n: diags.length };
      if (mesh) void renderMesh(mesh, { today: '${TODAY}' });
      void computePlan;
      // @ts-expect-error validateMesh needs { today }
      validateMesh('mesh.yaml', fsReader);
    `;
    writeFileSync(join(project, 'consumer.ts'), consumer);
    const r = spawnSync(process.execPath, [tsc, '-p', 'tsconfig.json'], { cwd: project, encoding: 'utf8' });
    expect(r.stdout + r.stderr).toBe('');
    expect(r.status).toBe(0);
  });
});
