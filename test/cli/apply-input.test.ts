/** `meshgov apply` rejects unusable inputs with a clear message and no stack trace, before touching any target. */
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { CliIO } from '../../src/cli/io.js';
import { main } from '../../src/cli/main.js';
import { computePlan, meshDigest } from '../../src/core/plan/index.js';
import { renderPlanJson } from '../../src/output/plan/index.js';
import { bigMeshYaml } from '../support/big-mesh.js';
import { EXAMPLE_MESH_FILE, exampleMesh } from '../support/example-mesh.js';

/** A saved plan of the example mesh (local target, empty accounts), as `plan --out` writes it. */
function savedExamplePlan(): string {
  const { desired, sources } = exampleMesh();
  const live = {
    region: desired.region,
    accounts: desired.accounts.map((a) => ({ account: a.account, streams: [] })),
    notChecked: [],
  };
  const plan = computePlan({
    desired,
    live,
    meshDigest: meshDigest(sources),
    clock: { now: () => new Date('2026-12-01T00:00:00Z') },
    target: 'local',
  });
  return renderPlanJson(plan);
}

async function run(cwd: string, ...args: string[]) {
  let stdout = '';
  let stderr = '';
  const io: CliIO = {
    stdout: { write: (s) => void (stdout += s), isTTY: false },
    stderr: { write: (s) => void (stderr += s), isTTY: false },
    env: { NO_COLOR: '1', MESHGOV_LOCAL_DIR: join(cwd, 'local') },
    cwd,
    now: () => new Date('2026-12-01T00:00:00Z'),
  };
  const code = await main(args, io);
  return { code, stdout, stderr };
}

describe('meshgov apply input', () => {
  it('says a directory is a directory', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'meshgov-apply-in-'));
    mkdirSync(join(dir, 'plans'));
    const r = await run(dir, 'apply', '--local', '--auto-approve', join(dir, 'plans'));
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('is a directory');
    expect(r.stderr).not.toMatch(/^\s+at /m);
  });

  it('refuses a JSON file that is not a meshgov plan as a usage error', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'meshgov-apply-in-'));
    writeFileSync(join(dir, 'plan.json'), '{"hello":"world"}');
    const r = await run(dir, 'apply', '--local', join(dir, 'plan.json'));
    expect(r.code).toBe(64);
    expect(r.stderr).toContain('not a meshgov plan');
    expect(r.stderr).not.toMatch(/^\s+at /m);
  });

  it('apply plan.json without --mesh, where mesh.yaml is missing: names the file and --mesh, not "stale"', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'meshgov-apply-in-'));
    writeFileSync(join(dir, 'plan.json'), savedExamplePlan());
    const r = await run(dir, 'apply', '--local', 'plan.json');
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('the mesh file mesh.yaml does not exist');
    expect(r.stderr).toContain('--mesh FILE');
    expect(r.stderr).not.toContain('stale');
  });

  it('apply plan.json where mesh.yaml is another mesh: says which mesh each is and names --mesh', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'meshgov-apply-in-'));
    writeFileSync(join(dir, 'plan.json'), savedExamplePlan());
    writeFileSync(join(dir, 'mesh.yaml'), bigMeshYaml({ domains: 1, streams: 1 }));
    const r = await run(dir, 'apply', '--local', 'plan.json');
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('the saved plan is for mesh "acme-streaming", but mesh.yaml is mesh "big"');
    expect(r.stderr).toContain('--mesh FILE');
    expect(r.stderr).not.toContain('stale');
  });

  it('apply plan.json where mesh.yaml is the same mesh, edited: stale, and still names --mesh', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'meshgov-apply-in-'));
    writeFileSync(join(dir, 'plan.json'), savedExamplePlan());
    writeFileSync(join(dir, 'mesh.yaml'), `${readFileSync(EXAMPLE_MESH_FILE, 'utf8')}\n# edited\n`);
    const r = await run(dir, 'apply', '--local', 'plan.json');
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('the plan is stale: the mesh files (mesh.yaml and its includes) differ');
    expect(r.stderr).toContain('pass it with --mesh FILE');
  });
});
