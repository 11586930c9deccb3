/** The audit check registry is the one list of check ids (issue #18 §1): complete, documented, and what reports use. */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { RESOURCE_POLICY_CHECKS } from '../../src/core/audit/access.js';
import { AUDIT_CHECKS } from '../../src/core/audit/checks.js';
import { DRIFT_CHECKS } from '../../src/core/audit/drift.js';
import { HOT_SHARD_CHECKS } from '../../src/core/audit/hot-shards.js';
import { IDENTITY_CHECKS } from '../../src/core/audit/identity-reach.js';
import { MAPPING_CHECKS } from '../../src/core/audit/mappings.js';
import { audit } from '../../src/core/audit/audit.js';
import { formatResult } from '../../src/output/formats.js';
import { plainStyle } from '../../src/output/style.js';
import { world } from './builders.js';
import type { AuditReport } from '../../src/core/audit/findings.js';

/** The check ids docs/audit.md documents, written out here (not read from the code under test). */
const DOCUMENTED = [
  'capacity-drift',
  'consumer-lagging',
  'consumer-missing',
  'encryption-drift',
  'enhanced-monitoring-drift',
  'expired-grant-in-force',
  'filter-bypassed',
  'filter-mapping-drift',
  'filter-mapping-missing',
  'governance-tag-drift',
  'hot-shard',
  'identity-policy-overreach',
  'out-of-org-principal',
  'public-principal',
  'read-throttled-shard',
  'resource-policy-drift',
  'retention-drift',
  'retention-out-of-policy',
  'shadow-stream',
  'shard-metrics-disabled',
  'skewed-stream',
  'stream-missing',
  'stream-undeclared',
  'tag-drift',
  'tag-tampering',
  'undeclared-consumer',
  'undeclared-principal',
  'wildcard-principal',
  'write-throttled-shard',
];

describe('the audit check registry', () => {
  it('holds every documented check once, sorted, as kind audit', () => {
    expect(AUDIT_CHECKS.map((c) => c.id)).toEqual(DOCUMENTED);
    expect(new Set(AUDIT_CHECKS.map((c) => c.kind))).toEqual(new Set(['audit']));
  });

  it('registers every id a check module runs', () => {
    const ids = new Set(AUDIT_CHECKS.map((c) => c.id));
    const run = [
      ...HOT_SHARD_CHECKS,
      ...DRIFT_CHECKS,
      ...RESOURCE_POLICY_CHECKS,
      ...IDENTITY_CHECKS,
      ...MAPPING_CHECKS,
    ];
    expect(run.filter((id) => !ids.has(id))).toEqual([]);
  });

  it('links each check to a section of docs/audit.md that names it', () => {
    const doc = readFileSync('docs/audit.md', 'utf8');
    const anchors = new Set(
      [...doc.matchAll(/^#+ (.+)$/gm)].map((m) =>
        (m[1] as string)
          .toLowerCase()
          .replace(/[^a-z0-9 -]/g, '')
          .replace(/ /g, '-'),
      ),
    );
    for (const c of AUDIT_CHECKS) {
      const [page, anchor] = c.helpUrl.split('#');
      expect(page, c.id).toBe('https://github.com/meshgov/meshgov/blob/main/docs/audit.md');
      expect(anchors.has(anchor as string), `${c.id}: #${anchor}`).toBe(true);
      expect(doc, c.id).toContain(`\`${c.id}\``);
      expect(c.title.length, c.id).toBeLessThanOrEqual(100);
    }
  });

  it('gives the report its checksRun, in registry (id) order', () => {
    const w = world();
    const r = audit({ mesh: w.mesh, desired: w.desired, live: w.live, metrics: undefined, today: w.ctx.today });
    // No metrics and no IAM action catalog: the metric checks and identity-policy-overreach did not run.
    expect(r.checksRun).toEqual([
      'capacity-drift',
      'consumer-missing',
      'encryption-drift',
      'enhanced-monitoring-drift',
      'expired-grant-in-force',
      'filter-bypassed',
      'filter-mapping-drift',
      'filter-mapping-missing',
      'governance-tag-drift',
      'out-of-org-principal',
      'public-principal',
      'resource-policy-drift',
      'retention-drift',
      'retention-out-of-policy',
      'shadow-stream',
      'shard-metrics-disabled',
      'stream-missing',
      'stream-undeclared',
      'tag-drift',
      'tag-tampering',
      'undeclared-consumer',
      'undeclared-principal',
      'wildcard-principal',
    ]);
  });

  it('gives SARIF its rule metadata', () => {
    const report: AuditReport = {
      formatVersion: 1,
      mesh: 'm',
      generatedAt: 't',
      window: { start: 's', end: 'e', periodSeconds: 60 },
      findings: [
        {
          code: 'hot-shard',
          severity: 'error',
          resource: '111111111111/stream/s/shard/x',
          account: '111111111111',
          message: 'hot',
          evidence: {},
          remediation: 'split',
          help: 'https://docs.aws.amazon.com/x',
        },
      ],
      checksRun: ['hot-shard'],
      checksNotRun: [],
      notes: [],
      summary: { error: 1, warning: 0, info: 0 },
    };
    const sarif = JSON.parse(
      formatResult('audit', 'sarif', report, {
        style: plainStyle,
        version: '0',
        relativize: (f) => f,
        meshFile: 'mesh.yaml',
      }),
    ) as {
      runs: { tool: { driver: { rules: Record<string, unknown>[] } } }[];
    };
    // The default level is the check's (warning), not the graded severity of the first finding (error).
    expect(sarif.runs[0]?.tool.driver.rules).toEqual([
      {
        id: 'hot-shard',
        name: 'HotShard',
        shortDescription: { text: 'A shard reached the configured share of its write limit (error at 100 %)' },
        defaultConfiguration: { level: 'warning' },
        helpUri: 'https://github.com/meshgov/meshgov/blob/main/docs/audit.md#hot-shards',
      },
    ]);
  });
});
