import type { Diagnostic } from '../../core/diagnostics/diagnostic.js';

/** Metadata of a rule or check, for SARIF's tool.driver.rules. */
export interface RuleMeta {
  id: string;
  title?: string;
  description: string;
  helpUri?: string;
  severity: 'error' | 'warning' | 'info';
}

export interface SarifOptions {
  /** Tool version for tool.driver.version. */
  version: string;
  /** Rule metadata by id; codes without metadata get a generic descriptor. */
  rules?: ReadonlyMap<string, RuleMeta>;
  /** Turns a diagnostic's file into a repo-relative URI (forward slashes). */
  relativize?: (file: string) => string;
}

const LEVEL = { error: 'error', warning: 'warning', info: 'note' } as const;

/** SARIF 2.1.0 for GitHub code scanning: repo-relative artifact URIs and real line/column regions. */
export function formatSarif(diagnostics: readonly Diagnostic[], options: SarifOptions): string {
  const rel = options.relativize ?? ((f: string) => f.replace(/\\/g, '/').replace(/^\.\//, ''));
  const ids = [...new Set(diagnostics.map((d) => d.code))].sort();
  const rules = ids.map((id) => {
    const meta = options.rules?.get(id);
    const r: Record<string, unknown> = {
      id,
      name: id.replace(/(^|-)([a-z])/g, (_m, _d, c: string) => c.toUpperCase()),
      shortDescription: { text: meta?.title ?? meta?.description ?? `meshgov check ${id}` },
      fullDescription: { text: meta?.description ?? `meshgov check ${id}` },
      defaultConfiguration: { level: LEVEL[meta?.severity ?? 'error'] },
    };
    if (meta?.helpUri) r['helpUri'] = meta.helpUri;
    return r;
  });
  const index = new Map(ids.map((id, i) => [id, i]));
  // Two findings of one rule at one path (e.g. two problems in one filter) must stay two alerts in code scanning.
  const seen = new Map<string, number>();
  const fingerprint = (d: Diagnostic) => {
    const base = `${rel(d.file)}#${d.path.join('.')}#${d.code}`;
    const n = (seen.get(base) ?? 0) + 1;
    seen.set(base, n);
    return n === 1 ? base : `${base}#${n}`;
  };
  const results = diagnostics.map((d) => {
    const region: Record<string, number> = { startLine: d.line, startColumn: d.column };
    if (d.endLine !== undefined && d.endColumn !== undefined && (d.endLine > d.line || d.endColumn > d.column)) {
      region['endLine'] = d.endLine;
      region['endColumn'] = d.endColumn;
    }
    const result: Record<string, unknown> = {
      ruleId: d.code,
      ruleIndex: index.get(d.code),
      level: LEVEL[d.severity],
      message: { text: d.message },
      locations: [{ physicalLocation: { artifactLocation: { uri: rel(d.file), uriBaseId: '%SRCROOT%' }, region } }],
      partialFingerprints: { 'meshgovPath/v1': fingerprint(d) },
    };
    if (d.waivedBy) result['suppressions'] = [{ kind: 'inSource', justification: d.waivedBy }];
    return result;
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
        results,
      },
    ],
  };
  return `${JSON.stringify(log, null, 2)}\n`;
}
