/**
 * The one SARIF 2.1.0 writer (GitHub code scanning) for validate's and audit's findings. A source finding points at
 * its node's region; a resource finding points at its declaration in the mesh, or at `defaultLocation` (the root
 * mesh file, line 1) when the mesh does not declare it, and carries the resource as a logical location. Artifact URIs
 * are relative to one root for both (`relativize`). Fingerprints come from the one fingerprint function.
 */
import { fingerprints, isResourceFinding } from '../../core/findings/finding.js';
import type { Finding, Severity, SourceLocation } from '../../core/findings/finding.js';

/** Metadata of a rule or audit check, for SARIF's tool.driver.rules. */
export interface RuleMeta {
  id: string;
  /** Short description; `description` stands in when absent. */
  title?: string;
  /** Full description; absent: no `fullDescription`. */
  description?: string;
  helpUri?: string;
  severity: Severity;
}

export interface SarifOptions {
  /** Tool version for tool.driver.version. */
  version: string;
  /** The rule metadata of a code, given its first finding; default: a generic descriptor of level error. */
  ruleMeta?: (code: string, first: Finding) => RuleMeta;
  /** Turns a file into a URI relative to the SARIF root (forward slashes). */
  relativize?: (file: string) => string;
  /** Where resource findings without a declared location point (the root mesh file, line 1). */
  defaultLocation?: SourceLocation;
  /** `runs[0].automationDetails.id`, e.g. `meshgov-audit/<mesh>/` (one category of alerts per mesh audit). */
  automationId?: string;
}

const LEVEL = { error: 'error', warning: 'warning', info: 'note' } as const;

/** The descriptor of a code without metadata (validate's schema and semantic codes). */
export function genericRuleMeta(code: string): RuleMeta {
  return { id: code, description: `meshgov check ${code}`, severity: 'error' };
}

/** `hot-shard` -> `HotShard`. */
function ruleName(id: string): string {
  return id.replace(/(^|-)([a-z])/g, (_m, _d, c: string) => c.toUpperCase());
}

function ruleDescriptor(meta: RuleMeta): Record<string, unknown> {
  const r: Record<string, unknown> = {
    id: meta.id,
    name: ruleName(meta.id),
    shortDescription: { text: meta.title ?? meta.description ?? meta.id },
  };
  if (meta.description !== undefined) r['fullDescription'] = { text: meta.description };
  r['defaultConfiguration'] = { level: LEVEL[meta.severity] };
  if (meta.helpUri) r['helpUri'] = meta.helpUri;
  return r;
}

function location(f: Finding, rel: (file: string) => string, fallback: SourceLocation): Record<string, unknown> {
  if (isResourceFinding(f)) {
    const loc = f.location ?? fallback;
    return {
      physicalLocation: {
        artifactLocation: { uri: rel(loc.file), uriBaseId: '%SRCROOT%' },
        region: { startLine: loc.line, startColumn: loc.column },
      },
      logicalLocations: [{ fullyQualifiedName: f.resource, kind: 'resource' }],
    };
  }
  const region: Record<string, number> = { startLine: f.line, startColumn: f.column };
  if (f.endLine !== undefined && f.endColumn !== undefined && (f.endLine > f.line || f.endColumn > f.column)) {
    region['endLine'] = f.endLine;
    region['endColumn'] = f.endColumn;
  }
  return { physicalLocation: { artifactLocation: { uri: rel(f.file), uriBaseId: '%SRCROOT%' }, region } };
}

export function formatSarif(findings: readonly Finding[], options: SarifOptions): string {
  const rel = options.relativize ?? ((f: string) => f.replace(/\\/g, '/').replace(/^\.\//, ''));
  const fallback = options.defaultLocation ?? { file: 'mesh.yaml', line: 1, column: 1 };
  const first = new Map<string, Finding>();
  for (const f of findings) if (!first.has(f.code)) first.set(f.code, f);
  const byId = [...first].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  const rules = byId.map(([id, f]) => ruleDescriptor((options.ruleMeta ?? genericRuleMeta)(id, f)));
  const index = new Map(byId.map(([id], i) => [id, i]));
  const prints = fingerprints(findings, rel);
  const results = findings.map((f, i) => {
    const print = prints[i] as { key: string; value: string };
    const result: Record<string, unknown> = {
      ruleId: f.code,
      ruleIndex: index.get(f.code),
      level: LEVEL[f.severity],
      // A live finding's message says what is wrong; code scanning shows one text, so the fix goes with it.
      message: { text: isResourceFinding(f) ? `${f.message}. ${f.remediation}` : f.message },
      locations: [location(f, rel, fallback)],
      partialFingerprints: { [print.key]: print.value },
    };
    if (f.waivedBy) result['suppressions'] = [{ kind: 'inSource', justification: f.waivedBy }];
    if (isResourceFinding(f)) result['properties'] = { account: f.account, evidence: f.evidence };
    return result;
  });
  const run: Record<string, unknown> = {
    tool: {
      driver: {
        name: 'meshgov',
        informationUri: 'https://github.com/meshgov/meshgov',
        version: options.version,
        rules,
      },
    },
  };
  if (options.automationId !== undefined) run['automationDetails'] = { id: options.automationId };
  run['results'] = results;
  const log = { $schema: 'https://json.schemastore.org/sarif-2.1.0.json', version: '2.1.0', runs: [run] };
  return `${JSON.stringify(log, null, 2)}\n`;
}
