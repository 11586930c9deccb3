/** `meshgov plan --local` end to end, in-process: exit codes, --out, formats, scope, and rendering from disk. */
import { mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import { captureIO, localTargetEnv } from '../support/capture-io.js';
import type { CapturedIO } from '../support/capture-io.js';
import { parsePlan } from '../../src/core/plan/index.js';
import { readerContext, renderPlanMarkdown, renderPlanText } from '../../src/output/plan/index.js';
import { plainStyle } from '../../src/output/style.js';
import { EXAMPLE_MESH_FILE, EXAMPLE_TODAY, exampleMesh } from '../support/example-mesh.js';
import { withoutProgress } from '../support/progress.js';

function io(dir: string): CapturedIO {
  return captureIO(dir, { env: localTargetEnv(dir), now: new Date(`${EXAMPLE_TODAY}T09:00:00Z`) });
}

describe('meshgov plan --local', { timeout: 180_000 }, () => {
  it('plans the example from empty accounts, writes --out, and renders the saved plan identically', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'meshgov-plan-'));
    const t = io(dir);
    const code = await main(['plan', EXAMPLE_MESH_FILE, '--local', '--out', 'out/plan.json', '--detailed-exitcode'], t);
    // Not a terminal: only timestamped progress lines, no warning or error.
    expect(withoutProgress(t.err()).trim()).toBe('');
    expect(code).toBe(2);
    const parsed = parsePlan(readFileSync(join(dir, 'out/plan.json'), 'utf8'));
    expect(parsed.error).toBeUndefined();
    const plan = parsed.plan!;
    expect(plan.target).toBe('local');
    expect(plan.summary.add).toBeGreaterThan(0);
    // The saved plan renders as the run printed it, given the same mesh (for the organisation and the grants' facts).
    const context = readerContext(exampleMesh().mesh);
    expect(t.out()).toBe(renderPlanText(plan, plainStyle, { context }));
    expect(t.out()).toContain('Access gained by principals outside the organisation or declared external (1):');
    expect(t.out()).toContain('acme-settlement-reader gains consume');
    expect(t.out()).toContain(`Plan: ${plan.summary.add} to add, 0 to change, 0 to destroy.`);
    // IAM artefacts are written for inspection on the local target, and the plan says they were not checked.
    expect(readdirSync(join(dir, 'local', 'iam')).sort()).toEqual(['111111111111', '222222222222', '333333333333']);
    expect(
      plan.notChecked.some((n) =>
        n.startsWith(
          'IAM: no emulator on the local target; rendered IAM artefacts were written to local/iam and not checked',
        ),
      ),
    ).toBe(true);

    // The validation findings that did not stop the plan travel with it: the example's waived rule finding.
    expect(plan.diagnostics?.map((d) => [d.severity, d.code, d.line > 0, d.waivedBy !== undefined])).toEqual([
      ['info', 'provisioned-stream-declares-throughput', true, true],
    ]);

    const md = io(dir);
    expect(await main(['plan', EXAMPLE_MESH_FILE, '--local', '--format', 'markdown'], md)).toBe(0);
    expect(md.out()).toBe(renderPlanMarkdown(plan, { context }));
    const d = plan.diagnostics![0]!;
    expect(md.out()).toContain('#### Validation: 0 errors, 0 warnings, 1 info');
    expect(md.out()).toContain(`:${d.line}:${d.column}`);
    expect(md.out()).toContain('**Waived:** A single shard is the minimum');
  });

  it('limits desired and live to --domain and --account', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'meshgov-plan-'));
    const t = io(dir);
    expect(await main(['plan', EXAMPLE_MESH_FILE, '--local', '--format', 'json', '--domain', 'risk'], t)).toBe(0);
    const plan = JSON.parse(t.out());
    expect(plan.scope).toEqual({ domains: ['risk'], accounts: [] });
    expect(new Set(plan.changes.map((c: { domain: string }) => c.domain))).toEqual(new Set(['risk']));
    const a = io(dir);
    expect(
      await main(['plan', EXAMPLE_MESH_FILE, '--local', '--format', 'json', '--account', 'customer-prod'], a),
    ).toBe(0);
    expect(new Set(JSON.parse(a.out()).changes.map((c: { account: string }) => c.account))).toEqual(
      new Set(['333333333333']),
    );
  });

  it('rejects an unknown scope and a bad endpoint as usage errors, before touching any target', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'meshgov-plan-'));
    const t = io(dir);
    expect(await main(['plan', EXAMPLE_MESH_FILE, '--local', '--domain', 'nope'], t)).toBe(64);
    expect(t.err()).toContain('--domain nope: no such domain');
    const e = io(dir);
    expect(await main(['plan', EXAMPLE_MESH_FILE, '--endpoint', 'not a url'], e)).toBe(64);
    expect(e.err()).toContain('--endpoint not a url: not a URL');
  });

  it('prints diagnostics and exits 1 for an invalid mesh without starting the target', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'meshgov-plan-'));
    writeFileSync(join(dir, 'bad.yaml'), 'apiVersion: meshgov/v1\nmesh: { name: x }\n');
    const t = io(dir);
    expect(await main(['plan', 'bad.yaml', '--local'], t)).toBe(1);
    expect(t.out()).toBe('');
    expect(t.err()).toContain('bad.yaml:');
    expect(readdirSync(dir)).toEqual(['bad.yaml']);
  });

  it('with --format markdown, an invalid mesh prints the located findings for the PR comment, exits 1 and writes no plan', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'meshgov-plan-'));
    writeFileSync(join(dir, 'bad.yaml'), 'apiVersion: meshgov/v1\nmesh: { name: x }\n');
    const t = io(dir);
    expect(await main(['plan', 'bad.yaml', '--local', '--format', 'markdown', '--out', 'plan.json'], t)).toBe(1);
    expect(
      t
        .out()
        .startsWith(
          '### meshgov plan: ` bad.yaml `\n\n**The mesh is not valid: 4 errors, 0 warnings, 0 info.** No plan\\: fix the errors below',
        ),
    ).toBe(true);
    expect(t.out()).toContain('| :x: error | ` bad.yaml:2:7 ` | ` mesh ` is missing the required key ` region `');
    // The log keeps the usual text diagnostics; no plan file and no local target.
    expect(t.err()).toContain('bad.yaml:2:7');
    expect(readdirSync(dir)).toEqual(['bad.yaml']);
  });
});
