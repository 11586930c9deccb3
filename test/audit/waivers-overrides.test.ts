/**
 * Audit findings obey the mesh's `waivers:` and `rules:` severity settings, like guardrail rules (issue #18 §1).
 * The mesh is real YAML through validateMesh, so the validate side (waiver ids, targets, settings) is proven too.
 */
import { describe, expect, it } from 'vitest';
import { runAudit } from '../../src/app/audit.js';
import { auditFails } from '../../src/core/audit/findings.js';
import { parseAuditReport } from '../../src/core/audit/parse-report.js';
import { formatAuditJson } from '../../src/output/audit/json.js';
import type { Finding } from '../../src/core/audit/findings.js';
import { settleFindings } from '../../src/core/audit/settle.js';
import type { Mesh } from '../../src/core/model/types.js';
import { validateMesh } from '../../src/core/validate.js';
import { runRules } from '../../src/core/rules/index.js';
import { desiredFrom, liveFrom, liveStream } from './builders.js';

const A = '111111111111';
const ORDERS_ARN = `arn:aws:kinesis:eu-west-1:${A}:stream/orders`;

function meshYaml(
  extra: { waivers?: string; paymentsRules?: string; customerRules?: string; rules?: string } = {},
): string {
  return `apiVersion: meshgov/v1
mesh:
  name: tiny
  region: eu-west-1
  organizationId: o-acme1234ab
  governanceRole: { name: meshgov-governance, path: /meshgov/ }
accounts:
  - { id: "${A}", alias: a, environment: prod }
classifications:
  - name: internal
    level: 1
    retention: { minHours: 24, maxHours: 720 }
    encryption: none
${extra.rules ?? ''}
domains:
  - name: payments
    owner: { team: t, contact: t@example.com }
    accounts: ["${A}"]
${extra.paymentsRules ?? ''}
    streams:
      - { name: orders, classification: internal, retentionHours: 48, capacity: { mode: on-demand } }
  - name: customer
    owner: { team: c, contact: c@example.com }
    accounts: ["${A}"]
${extra.customerRules ?? ''}
    streams:
      - { name: clicks, classification: internal, retentionHours: 48, capacity: { mode: on-demand } }
${extra.waivers ?? ''}
`;
}

const WAIVER = `waivers:
  - rule: undeclared-consumer
    target: stream/orders
    justification: The shadow reader is being migrated to a grant (TICKET-42).
    expires: 2026-12-31
`;

function load(yaml: string, today = '2026-11-26') {
  const v = validateMesh('mesh.yaml', { read: () => yaml }, { today });
  // The rule machinery reports waivers and settings naming unknown ids; run it with no guardrail rules loaded.
  const ruleDiagnostics = v.mesh ? runRules({ mesh: v.mesh, locator: v.locator, today, rules: [] }) : [];
  return { mesh: v.mesh as Mesh, diagnostics: [...v.diagnostics, ...ruleDiagnostics] };
}

/** The audit of the mesh with a shadow consumer on `orders` and the live retention of both streams changed. */
function auditOn(mesh: Mesh, today: string) {
  const desired = desiredFrom(mesh);
  const live = liveFrom(desired);
  liveStream(live, 'orders').consumers.push({
    name: 'shadow-reader',
    arn: `${ORDERS_ARN}/consumer/shadow-reader:1764000000`,
    status: 'ACTIVE',
    tags: {},
  });
  liveStream(live, 'orders').retentionHours = 72;
  liveStream(live, 'clicks').retentionHours = 72;
  return runAudit({ mesh, desired, live, metrics: undefined, today });
}

const codes = (ds: { code: string; severity: string }[]) => ds.filter((d) => d.severity === 'error').map((d) => d.code);

describe('waivers of audit checks', () => {
  it('validate accepts a waiver naming an audit check, and still rejects an unknown id with a did-you-mean', () => {
    expect(codes(load(meshYaml({ waivers: WAIVER })).diagnostics)).toEqual([]);
    const typo = load(meshYaml({ waivers: WAIVER.replace('rule: undeclared-consumer', 'rule: undeclared-consumers') }));
    const d = typo.diagnostics.find((x) => x.code === 'waiver-unknown-rule');
    expect(d?.message).toContain('Did you mean `undeclared-consumer`');
  });

  it('silences the finding up to and including its expiry day, then the finding is back', () => {
    const { mesh } = load(meshYaml({ waivers: WAIVER }));
    for (const today of ['2026-11-26', '2026-12-31']) {
      const r = auditOn(mesh, today);
      expect(r.findings.map((f) => f.code)).not.toContain('undeclared-consumer');
      expect(r.waived).toMatchObject([
        {
          code: 'undeclared-consumer',
          severity: 'error',
          resource: `${A}/stream/orders/consumer/shadow-reader`,
          waivedBy: 'The shadow reader is being migrated to a grant (TICKET-42).',
          waiver: { target: 'stream/orders', expires: '2026-12-31' },
        },
      ]);
      // Waived: not in the summary, not for --fail-on (the retention drifts are warnings).
      // Left: two retention drifts and two shard-metrics-disabled (on-demand streams without shard metrics).
      expect(r.summary).toEqual({ error: 0, warning: 4, info: 0 });
      expect(auditFails(r.findings, 'error')).toBe(false);
    }
    const after = auditOn(mesh, '2027-01-01');
    expect(after.findings.filter((f) => f.code === 'undeclared-consumer').map((f) => f.severity)).toEqual(['error']);
    expect(after.waived).toBeUndefined();
    expect(after.summary.error).toBe(1);
    expect(auditFails(after.findings, 'error')).toBe(true);
  });

  it('the JSON report keeps the waived findings, and a saved report reads them back', () => {
    const r = auditOn(load(meshYaml({ waivers: WAIVER })).mesh, '2026-11-26');
    const json = JSON.parse(formatAuditJson(r)) as { waived?: { id: string; waivedBy: string }[] };
    expect(json.waived?.map((f) => [f.id, f.waivedBy])).toEqual([
      ['undeclared-consumer', 'The shadow reader is being migrated to a grant (TICKET-42).'],
    ]);
    expect(parseAuditReport(json)).toEqual({ report: r });
    const broken = { ...json, waived: [{ ...json.waived?.[0], waiver: { target: 'stream/orders' } }] };
    expect(parseAuditReport(broken)).toEqual({ problem: expect.stringContaining('waived.0.waiver.expires') });
  });

  it('an expired waiver is reported as validate reports it today (waiver-expired, an error)', () => {
    expect(codes(load(meshYaml({ waivers: WAIVER }), '2027-01-01').diagnostics)).toEqual(['waiver-expired']);
  });

  it('waives only its own check and entity', () => {
    const other = WAIVER.replace('target: stream/orders', 'target: stream/clicks');
    const r = auditOn(load(meshYaml({ waivers: other })).mesh, '2026-11-26');
    expect(r.findings.map((f) => f.code)).toContain('undeclared-consumer');
    const otherCheck = WAIVER.replace('rule: undeclared-consumer', 'rule: retention-drift');
    const r2 = auditOn(load(meshYaml({ waivers: otherCheck })).mesh, '2026-11-26');
    expect(r2.findings.map((f) => f.code)).toContain('undeclared-consumer');
    expect(r2.waived?.map((f) => [f.code, f.resource])).toEqual([['retention-drift', `${A}/stream/orders`]]);
  });

  it('a waiver of stream/orders does not cover a same-named stream in another account', () => {
    const { mesh } = load(meshYaml({ waivers: WAIVER }));
    const finding = (resource: string): Finding => ({
      code: 'undeclared-consumer',
      severity: 'error',
      resource,
      account: resource.slice(0, 12),
      message: 't',
      evidence: {},
      remediation: 'r',
    });
    const settled = settleFindings(
      [finding(`222222222222/stream/orders/consumer/x`), finding(`${A}/stream/orders/consumer/x`)],
      mesh,
      '2026-11-26',
    );
    expect(settled.findings.map((f) => f.resource)).toEqual(['222222222222/stream/orders/consumer/x']);
    expect(settled.waived.map((f) => f.resource)).toEqual([`${A}/stream/orders/consumer/x`]);
  });
});

describe('severity settings of audit checks', () => {
  const tighten = '    rules:\n      retention-drift: { severity: error }';

  it('a domain setting changes the severity in that domain only', () => {
    const { mesh, diagnostics } = load(meshYaml({ customerRules: tighten }));
    expect(codes(diagnostics)).toEqual([]);
    const r = auditOn(mesh, '2026-11-26');
    const drift = r.findings.filter((f) => f.code === 'retention-drift').map((f) => [f.resource, f.severity]);
    expect(drift).toEqual([
      [`${A}/stream/clicks`, 'error'],
      [`${A}/stream/orders`, 'warning'],
    ]);
  });

  it('the governance file may turn a check off; a domain may not relax one', () => {
    const off = load(meshYaml({ rules: 'rules:\n  undeclared-consumer: { severity: off }' }));
    expect(codes(off.diagnostics)).toEqual([]);
    expect(auditOn(off.mesh, '2026-11-26').findings.map((f) => f.code)).not.toContain('undeclared-consumer');
    const relax = load(meshYaml({ paymentsRules: '    rules:\n      undeclared-consumer: { severity: warning }' }));
    expect(codes(relax.diagnostics)).toEqual(['rule-override-relaxes']);
  });

  it('an audit check takes no parameters', () => {
    const bad = load(meshYaml({ rules: 'rules:\n  hot-shard: { params: { loadShare: 90 } }' }));
    expect(codes(bad.diagnostics)).toEqual(['rule-param-unknown']);
  });
});
