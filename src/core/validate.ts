import type { Diagnostic } from './diagnostics/diagnostic.js';
import { appendAll, compareDiagnostics, hasErrors } from './diagnostics/diagnostic.js';
import { runSemanticChecks } from './model/checks/index.js';
import { loadMesh } from './model/load.js';
import type { LoadResult, SourceReader } from './model/load.js';

export interface ValidateOptions {
  /** Today as YYYY-MM-DD (UTC); expiry checks compare against it. */
  today: string;
}

export interface ValidateResult extends LoadResult {
  /** True when no diagnostic is an error. */
  ok: boolean;
}

/** Load and check a mesh: YAML, schema, semantic checks. (Guardrail rules run on top, see rules/.) */
export function validateMesh(rootFile: string, reader: SourceReader, options: ValidateOptions): ValidateResult {
  const loaded = loadMesh(rootFile, reader);
  const diagnostics: Diagnostic[] = [...loaded.diagnostics];
  if (loaded.mesh)
    appendAll(diagnostics, runSemanticChecks({ mesh: loaded.mesh, locator: loaded.locator, today: options.today }));
  diagnostics.sort(compareDiagnostics);
  return { ...loaded, diagnostics, ok: !hasErrors(diagnostics) };
}
