/** `meshgov audit --local` end to end, in-process: findings, formats, --out, --fail-on and usage errors. */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import AjvDraft04Module from 'ajv-draft-04';
import addFormatsModule from 'ajv-formats';
import { describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import type { CliIO } from '../../src/cli/io.js';
import { EXAMPLE_MESH_FILE, EXAMPLE_TODAY } from '../support/example-mesh.js';

// ajv-draft-04 is CommonJS with a default export; under NodeNext the class sits on .default.
const AjvDraft04 = ((AjvDraft04Module as unknown as { default?: typeof AjvDraft04Module }).default ?? AjvDraft04Module) as unknown as typeof AjvDraft04Module.default;
type AjvDraft04 = InstanceType<typeof AjvDraft04>;
const addFormats = (addFormatsModule as unknown as { default?: typeof addFormatsModule }).default ?? addFormatsModule;
const REPO = resolve(new URL('../..', import.meta.url).pathname);

function io(dir: string): CliIO & { out: () => string; err: () => string } {
  let out = '';
  let err = '';
  return {
    stdout: { write: (s) => void (out += s), isTTY: false },
    stderr: { write: (s) => void (err += s), isTTY: false },
    env: { MESHGOV_LOCAL_DIR: join(dir, 'local'), AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
    cwd: dir,
    now: () => new Date(`${EXAMPLE_TODAY}T09:00:00Z`),
    out: () => out,
    err: () => err,
  };
}

describe('meshgov audit --local', { timeout: 180_000 }, () => {
  it('reports every declared stream missing from empty accounts and states the checks it could not run', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'meshgov-audit-'));
    const t = io(dir);
    const code = await main(['audit', EXAMPLE_MESH_FILE, '--local', '--format', 'json', '--out', 'reports/audit.json'], t);
    expect(code).toBe(1);
    expect(t.out()).toBe('');
    const report = JSON.parse(readFileSync(join(dir, 'reports/audit.json'), 'utf8'));
    const missing = report.findings.filter((f: { id: string }) => f.id === 'stream-missing').map((f: { resource: string }) => f.resource).sort();
    expect(missing).toEqual([
      '111111111111/stream/payments.refunds.v1',
      '111111111111/stream/payments.transactions.v1',
      '222222222222/stream/risk.fraud-scores.v1',
      '333333333333/stream/customer.clickstream.v1',
      '333333333333/stream/customer.notifications.v1',
    ]);
    const notRun = report.checksNotRun.map((c: { check: string }) => c.check);
    expect(notRun).toContain('hot-shard');
    expect(notRun.join('\n')).toMatch(/identity-policy-overreach/);
    const end = new Date(`${EXAMPLE_TODAY}T09:00:00Z`);
    expect(report.window).toEqual({ start: new Date(end.getTime() - 24 * 3600_000).toISOString(), end: end.toISOString(), periodSeconds: 60 });
  });

  it('writes SARIF that validates against the official SARIF 2.1.0 schema', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'meshgov-audit-'));
    const t = io(dir);
    expect(await main(['audit', EXAMPLE_MESH_FILE, '--local', '--format', 'sarif'], t)).toBe(1);
    const log = JSON.parse(t.out());
    const ajv = new AjvDraft04({ allErrors: true, strict: false, unicodeRegExp: false });
    (addFormats as unknown as (a: AjvDraft04) => void)(ajv);
    const schema = JSON.parse(readFileSync(resolve(REPO, 'node_modules/@microsoft/jest-sarif/lib/schemas/sarif-2.1.0-rtm.5.json'), 'utf8'));
    const validate = ajv.compile(schema);
    expect(validate(log) ? [] : validate.errors).toEqual([]);
    expect(log.runs[0].results.filter((r: { ruleId: string }) => r.ruleId === 'stream-missing')).toHaveLength(5);
    // A broken log must fail the same check, so the assertion above is not vacuous.
    expect(validate({ ...log, version: '2.0.0' })).toBe(false);
  });

  it('exits 0 with --fail-on never and prints markdown', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'meshgov-audit-'));
    const t = io(dir);
    expect(await main(['audit', EXAMPLE_MESH_FILE, '--local', '--format', 'markdown', '--fail-on', 'never'], t)).toBe(0);
    expect(t.out()).toContain('stream-missing');
  });

  it('rejects a bad window and a bad format as usage errors without touching any target', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'meshgov-audit-'));
    const t = io(dir);
    expect(await main(['audit', EXAMPLE_MESH_FILE, '--local', '--window', 'soon'], t)).toBe(2);
    expect(t.err()).toContain('--window soon');
    expect(await main(['audit', EXAMPLE_MESH_FILE, '--format', 'pdf'], io(dir))).toBe(2);
    expect(await main(['audit', EXAMPLE_MESH_FILE, '--local', '--window', '30d'], io(dir))).toBe(2);
  });
});
