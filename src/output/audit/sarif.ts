/**
 * SARIF 2.1.0 for GitHub code scanning. A finding about a declared entity points at its line in mesh.yaml;
 * others (e.g. an IAM role outside the mesh) point at the mesh file's first line and carry the resource as a
 * logical location. Fingerprints are check id + resource + subject (what on the resource, e.g. the principal and
 * statement), so a finding keeps its alert across runs and two findings never share one (code scanning would merge
 * them into one alert).
 */
import { AUDIT_CHECK_BY_ID } from '../../core/audit/checks.js';
import type { AuditReport, Finding, FindingLocation } from '../../core/audit/findings.js';

const LEVEL = { error: 'error', warning: 'warning', info: 'note' } as const;

export interface AuditSarifOptions {
  version: string;
  /** Where findings without a declared location point (the root mesh file, line 1). */
  defaultLocation: FindingLocation;
  relativize?: (file: string) => string;
}

/**
 * One fingerprint per finding: `id#resource`, then `#subject` when the finding has one. Should two findings still
 * share one (a check that reports a resource twice without a subject), the later ones get `#2`, `#3`, in report
 * order (deterministic: findings are sorted), so no finding is merged away.
 */
export function auditFingerprints(findings: readonly Finding[]): string[] {
  const seen = new Map<string, number>();
  return findings.map((f) => {
    const base = `${f.id}#${f.resource}${f.subject !== undefined ? `#${f.subject}` : ''}`;
    const n = (seen.get(base) ?? 0) + 1;
    seen.set(base, n);
    return n === 1 ? base : `${base}#${n}`;
  });
}

export function formatAuditSarif(report: AuditReport, options: AuditSarifOptions): string {
  const rel = options.relativize ?? ((f: string) => f.replace(/\\/g, '/').replace(/^\.\//, ''));
  const ids = [...new Set(report.findings.map((f) => f.id))].sort();
  // Rule metadata from the check registry (src/core/audit/checks.ts); an unregistered id falls back to its findings.
  const rules = ids.map((id) => {
    const check = AUDIT_CHECK_BY_ID.get(id);
    const first = report.findings.find((f) => f.id === id);
    const r: Record<string, unknown> = {
      id,
      name: id.replace(/(^|-)([a-z])/g, (_m, _d, c: string) => c.toUpperCase()),
      shortDescription: { text: check?.title ?? `meshgov audit check ${id}` },
      defaultConfiguration: { level: LEVEL[check?.severity ?? first?.severity ?? 'warning'] },
    };
    const help = check?.helpUrl ?? first?.docsUrl;
    if (help) r['helpUri'] = help;
    return r;
  });
  const index = new Map(ids.map((id, i) => [id, i]));
  const fingerprints = auditFingerprints(report.findings);
  const results = report.findings.map((f, i) => {
    const loc = f.location ?? options.defaultLocation;
    return {
      ruleId: f.id,
      ruleIndex: index.get(f.id),
      level: LEVEL[f.severity],
      message: { text: `${f.title}. ${f.remediation}` },
      locations: [
        {
          physicalLocation: {
            artifactLocation: { uri: rel(loc.file), uriBaseId: '%SRCROOT%' },
            region: { startLine: loc.line, startColumn: loc.column },
          },
          logicalLocations: [{ fullyQualifiedName: f.resource, kind: 'resource' }],
        },
      ],
      partialFingerprints: { 'meshgovAudit/v1': fingerprints[i] },
      properties: { account: f.account, evidence: f.evidence },
    };
  });
  const log = {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [
      {
        tool: {
          driver: {
            name: 'meshgov',
            informationUri: 'https://github.com/meshgov/meshgov',
            version: options.version,
            rules,
          },
        },
        automationDetails: { id: `meshgov-audit/${report.mesh}/` },
        results,
      },
    ],
  };
  return `${JSON.stringify(log, null, 2)}\n`;
}
