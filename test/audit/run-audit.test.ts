import { describe, expect, it } from 'vitest';
import { loadKinesisActionCatalog } from '../../src/adapters/aws/iam-analysis.js';
import { runAudit } from '../../src/app/audit.js';
import { auditExit, formatAudit } from '../../src/cli/audit-run.js';
import type { CliIO } from '../../src/cli/io.js';
import { validateMesh } from '../../src/core/validate.js';
import { desiredFrom, liveFrom, liveStream } from './builders.js';

const YAML = `apiVersion: meshgov/v1
mesh:
  name: tiny
  region: eu-west-1
  organizationId: o-acme1234ab
  governanceRole: { name: meshgov-governance, path: /meshgov/ }
accounts:
  - { id: "111111111111", alias: a, environment: prod }
classifications:
  - name: internal
    level: 1
    retention: { minHours: 24, maxHours: 720 }
    encryption: none
domains:
  - name: payments
    owner: { team: t, contact: t@example.com }
    accounts: ["111111111111"]
    streams:
      - name: orders
        classification: internal
        retentionHours: 48
        capacity: { mode: provisioned, shards: 2 }
    grants:
      - id: writer-produces-orders
        stream: orders
        principal: { account: "111111111111", role: orders-writer }
        access: produce
        justification: writes orders
`;

const io: CliIO = {
  stdout: { write: () => undefined },
  stderr: { write: () => undefined },
  env: {},
  cwd: '/repo',
  now: () => new Date('2026-11-26T03:00:00Z'),
};

describe('runAudit', () => {
  it('audits a loaded mesh, locates findings in mesh.yaml and maps --fail-on to an exit code', async () => {
    const v = validateMesh('mesh.yaml', { read: () => YAML }, { today: '2026-11-26' });
    if (!v.mesh) throw new Error('fixture mesh must load');
    const desired = desiredFrom(v.mesh);
    const live = liveFrom(desired);
    live.notChecked.push('CloudWatch: not available on the local target');
    liveStream(live, 'orders').retentionHours = 72;
    const report = runAudit({
      mesh: v.mesh,
      desired,
      live,
      metrics: undefined,
      today: '2026-11-26',
      options: { locator: v.locator, actions: await loadKinesisActionCatalog(), generatedAt: io.now().toISOString() },
    });
    expect(report.findings.map((f) => [f.code, f.location])).toEqual([
      ['retention-drift', { file: 'mesh.yaml', line: 21, column: 25 }],
      ['shard-metrics-disabled', { file: 'mesh.yaml', line: 19, column: 9 }],
    ]);
    expect(report.checksNotRun.map((c) => c.check)).toContain('live state');
    expect(report.checksNotRun.map((c) => c.check)).toContain('hot-shard');
    expect(auditExit(report, 'error')).toBe(0);
    expect(auditExit(report, 'warning')).toBe(2);
    const sarif = JSON.parse(formatAudit(report, 'sarif', io, { meshFile: 'mesh.yaml' })) as {
      runs: { results: { locations: { physicalLocation: { region: { startLine: number } } }[] }[] }[];
    };
    expect(sarif.runs[0]?.results[0]?.locations[0]?.physicalLocation.region.startLine).toBe(21);
    expect(formatAudit(report, 'text', io, { meshFile: 'mesh.yaml' })).toContain('declared at mesh.yaml:21:25');
  });
});
