/**
 * `meshgov audit` end to end, in-process: findings, formats, repeatable --out, --fail-on, usage errors, and no report
 * file at all when the audit cannot run.
 */
import { existsSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import AjvDraft04Module from 'ajv-draft-04';
import addFormatsModule from 'ajv-formats';
import { describe, expect, it } from 'vitest';
import { formatAudit } from '../../src/cli/audit-run.js';
import { main } from '../../src/cli/main.js';
import type { AuditReport } from '../../src/core/audit/findings.js';
import { captureIO, localTargetEnv } from '../support/capture-io.js';
import type { CapturedIO } from '../support/capture-io.js';
import { EXAMPLE_MESH_FILE, EXAMPLE_TODAY } from '../support/example-mesh.js';

// ajv-draft-04 is CommonJS with a default export; under NodeNext the class sits on .default.
const AjvDraft04 = ((AjvDraft04Module as unknown as { default?: typeof AjvDraft04Module }).default ??
  AjvDraft04Module) as unknown as typeof AjvDraft04Module.default;
type AjvDraft04 = InstanceType<typeof AjvDraft04>;
const addFormats = (addFormatsModule as unknown as { default?: typeof addFormatsModule }).default ?? addFormatsModule;
const REPO = resolve(new URL('../..', import.meta.url).pathname);

function io(dir: string): CapturedIO {
  return captureIO(dir, { env: localTargetEnv(dir), now: new Date(`${EXAMPLE_TODAY}T09:00:00Z`) });
}

describe('meshgov audit --local', { timeout: 180_000 }, () => {
  it('reports every declared stream missing from empty accounts and states the checks it could not run', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'meshgov-audit-'));
    const t = io(dir);
    const code = await main(
      ['audit', EXAMPLE_MESH_FILE, '--local', '--format', 'json', '--out', 'reports/audit.json'],
      t,
    );
    expect(code).toBe(2);
    expect(t.out()).toBe('');
    const report = JSON.parse(readFileSync(join(dir, 'reports/audit.json'), 'utf8'));
    const missing = report.findings
      .filter((f: { id: string }) => f.id === 'stream-missing')
      .map((f: { resource: string }) => f.resource)
      .sort();
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
    // The default 24 h window reads CloudWatch at 480 s, so one response holds 500 series; the report says so.
    expect(report.window).toEqual({
      start: new Date(end.getTime() - 24 * 3600_000).toISOString(),
      end: end.toISOString(),
      periodSeconds: 480,
    });
  });

  it('writes SARIF that validates against the official SARIF 2.1.0 schema', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'meshgov-audit-'));
    const t = io(dir);
    expect(await main(['audit', EXAMPLE_MESH_FILE, '--local', '--format', 'sarif'], t)).toBe(2);
    const log = JSON.parse(t.out());
    const ajv = new AjvDraft04({ allErrors: true, strict: false, unicodeRegExp: false });
    (addFormats as unknown as (a: AjvDraft04) => void)(ajv);
    const schema = JSON.parse(
      readFileSync(resolve(REPO, 'node_modules/@microsoft/jest-sarif/lib/schemas/sarif-2.1.0-rtm.5.json'), 'utf8'),
    );
    const validate = ajv.compile(schema);
    expect(validate(log) ? [] : validate.errors).toEqual([]);
    expect(log.runs[0].results.filter((r: { ruleId: string }) => r.ruleId === 'stream-missing')).toHaveLength(5);
    // A broken log must fail the same check, so the assertion above is not vacuous.
    expect(validate({ ...log, version: '2.0.0' })).toBe(false);
  });

  it('exits 0 with --fail-on never and prints markdown', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'meshgov-audit-'));
    const t = io(dir);
    expect(await main(['audit', EXAMPLE_MESH_FILE, '--local', '--format', 'markdown', '--fail-on', 'never'], t)).toBe(
      0,
    );
    expect(t.out()).toContain('stream-missing');
  });

  it('writes JSON, SARIF and markdown from one read with repeated --out, each format from its extension', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'meshgov-audit-'));
    const t = io(dir);
    const code = await main(
      [
        'audit',
        EXAMPLE_MESH_FILE,
        '--local',
        '--window',
        '1h',
        '--out',
        'reports/audit.json',
        '--out',
        'reports/audit.sarif',
        '--out',
        'reports/audit.md',
      ],
      t,
    );
    expect(code).toBe(2);
    expect(t.out()).toBe('');
    expect(readdirSync(join(dir, 'reports')).sort()).toEqual(['audit.json', 'audit.md', 'audit.sarif']);
    const report = JSON.parse(readFileSync(join(dir, 'reports/audit.json'), 'utf8'));
    expect(report.formatVersion).toBe(1);
    expect(report.window.periodSeconds).toBe(60);
    const sarif = JSON.parse(readFileSync(join(dir, 'reports/audit.sarif'), 'utf8'));
    expect(sarif.version).toBe('2.1.0');
    // One report behind every file: the same findings in each.
    expect(sarif.runs[0].results.map((r: { ruleId: string }) => r.ruleId).sort()).toEqual(
      report.findings.map((f: { id: string }) => f.id).sort(),
    );
    const md = readFileSync(join(dir, 'reports/audit.md'), 'utf8');
    expect(md).toContain(`**${report.summary.error} error`);
    expect(md).toContain('period 60 s');
    expect(md.match(/stream-missing/g)?.length).toBeGreaterThanOrEqual(5);
  });

  it('takes .sarif.json as SARIF and .txt as text, and prints --format to stdout only without --out', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'meshgov-audit-'));
    const t = io(dir);
    // A terminal on stdout: the text file must still carry no colour codes.
    t.stdout.isTTY = true;
    expect(
      await main(
        [
          'audit',
          EXAMPLE_MESH_FILE,
          '--local',
          '--fail-on',
          'never',
          '-o',
          'a.sarif.json',
          '-o',
          'a.txt',
          '-o',
          'a.json',
        ],
        t,
      ),
    ).toBe(0);
    expect(t.out()).toBe('');
    expect(JSON.parse(readFileSync(join(dir, 'a.sarif.json'), 'utf8')).version).toBe('2.1.0');
    const text = readFileSync(join(dir, 'a.txt'), 'utf8');
    expect(text).toMatch(/^meshgov audit of /);
    expect(text).toContain('period 480 s');
    expect(text.includes('\u001b[')).toBe(false);
    // The same report printed to that terminal is coloured, so the check above is not vacuous.
    const report = JSON.parse(readFileSync(join(dir, 'a.json'), 'utf8')) as AuditReport;
    expect(formatAudit(report, 'text', t, { meshFile: EXAMPLE_MESH_FILE }).includes('\u001b[')).toBe(true);
  });

  it('rejects an --out whose extension names no format, and the same file twice, before starting any target (exit 64)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'meshgov-audit-'));
    const t = io(dir);
    expect(await main(['audit', EXAMPLE_MESH_FILE, '--local', '--out', 'audit.json', '--out', 'audit.pdf'], t)).toBe(
      64,
    );
    expect(t.err()).toContain('--out audit.pdf');
    expect(t.err()).toContain('.json, .sarif (or .sarif.json), .md or .txt');
    const t2 = io(dir);
    expect(
      await main(['audit', EXAMPLE_MESH_FILE, '--local', '--out', 'audit.json', '--out', './audit.json'], t2),
    ).toBe(64);
    expect(t2.err()).toContain('the same file');
    expect(await main(['audit', EXAMPLE_MESH_FILE, '--local', '--out', 'audit'], io(dir))).toBe(64);
    // kinesis-local was never started (it creates the local directory) and nothing was written.
    expect(existsSync(join(dir, 'local'))).toBe(false);
    expect(readdirSync(dir)).toEqual([]);
  });

  it('writes no report file when the mesh has errors (exit 1)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'meshgov-audit-'));
    writeFileSync(join(dir, 'mesh.yaml'), 'apiVersion: meshgov/v1\nmesh: {}\n');
    const t = io(dir);
    expect(await main(['audit', 'mesh.yaml', '--local', '--out', 'audit.json', '--out', 'audit.md'], t)).toBe(1);
    expect(readdirSync(dir)).toEqual(['mesh.yaml']);
  });

  it('writes none of the files when one --out cannot be written (exit 1)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'meshgov-audit-'));
    writeFileSync(join(dir, 'blocker'), 'a file, not a directory');
    const t = io(dir);
    expect(
      await main(['audit', EXAMPLE_MESH_FILE, '--local', '--out', 'audit.json', '--out', 'blocker/audit.md'], t),
    ).toBe(1);
    expect(t.err()).toContain('cannot write --out blocker/audit.md');
    expect(readdirSync(dir).filter((f) => f !== 'local')).toEqual(['blocker']);
  });

  it('rejects a bad window and a bad format as usage errors without touching any target', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'meshgov-audit-'));
    const t = io(dir);
    expect(await main(['audit', EXAMPLE_MESH_FILE, '--local', '--window', 'soon'], t)).toBe(64);
    expect(t.err()).toContain('--window soon');
    expect(await main(['audit', EXAMPLE_MESH_FILE, '--format', 'pdf'], io(dir))).toBe(64);
    expect(await main(['audit', EXAMPLE_MESH_FILE, '--local', '--window', '30d'], io(dir))).toBe(64);
  });
});

/** A loopback port with nothing listening: bind an ephemeral port, then close it. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  const port = (server.address() as { port: number }).port;
  await new Promise<void>((ok) => server.close(() => ok()));
  return port;
}

describe('meshgov audit when it cannot run', { timeout: 120_000 }, () => {
  it('exits 1 and writes no --out file when AWS cannot be reached (--endpoint to a closed loopback port)', async () => {
    const keys = [
      'AWS_ACCESS_KEY_ID',
      'AWS_SECRET_ACCESS_KEY',
      'AWS_SESSION_TOKEN',
      'AWS_PROFILE',
      'AWS_EC2_METADATA_DISABLED',
      'AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED',
    ] as const;
    const saved = Object.fromEntries(keys.map((k) => [k, process.env[k]]));
    // Static base credentials (never the instance metadata service): the first call is STS AssumeRole at the endpoint.
    Object.assign(process.env, {
      AWS_ACCESS_KEY_ID: 'AKIDMESHGOVTEST',
      AWS_SECRET_ACCESS_KEY: 'test',
      AWS_EC2_METADATA_DISABLED: 'true',
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    });
    delete process.env['AWS_SESSION_TOKEN'];
    delete process.env['AWS_PROFILE'];
    try {
      const dir = mkdtempSync(join(tmpdir(), 'meshgov-audit-'));
      const t = io(dir);
      const endpoint = `http://127.0.0.1:${await closedPort()}`;
      const code = await main(
        [
          'audit',
          EXAMPLE_MESH_FILE,
          '--endpoint',
          endpoint,
          '--out',
          'reports/audit.json',
          '--out',
          'reports/audit.sarif',
          '--out',
          'reports/audit.md',
        ],
        t,
      );
      expect(code).toBe(1);
      expect(t.err()).toContain('the audit could not run');
      expect(t.err()).toContain('ECONNREFUSED');
      expect(t.err()).not.toMatch(/\n\s+at /); // no stack trace
      expect(t.out()).toBe('');
      expect(existsSync(join(dir, 'reports'))).toBe(false);
      expect(readdirSync(dir)).toEqual([]);
    } finally {
      for (const k of keys) {
        if (saved[k] === undefined) delete process.env[k];
        else process.env[k] = saved[k];
      }
    }
  });
});
