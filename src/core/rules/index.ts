/** Guardrail rules: load policy files, run them over a mesh, waivers and per-domain overrides. */
import { appendAll, capDiagnostics, compareDiagnostics, hasErrors } from '../diagnostics/diagnostic.js';
import type { SourceReader } from '../model/load.js';
import { validateMesh } from '../validate.js';
import type { ValidateResult } from '../validate.js';
import { runRules } from './engine.js';
import type { Rule } from './types.js';

export { runRules } from './engine.js';
export { loadRules, parseRuleFile } from './load-rules.js';
export { RULE_FUNCTIONS } from './functions.js';
export type { Rule, RuleDefinition, RuleParam, EntityKind } from './types.js';

export interface RulesValidateOptions {
  /** Today as YYYY-MM-DD (UTC). */
  today: string;
  rules: readonly Rule[];
}

/**
 * Load and check a mesh (YAML, schema, semantic checks), then run the guardrail rules when the mesh loaded. The
 * diagnostics are capped per file (capDiagnostics).
 */
export function validateWithRules(
  rootFile: string,
  reader: SourceReader,
  options: RulesValidateOptions,
): ValidateResult {
  const validated = validateMesh(rootFile, reader, { today: options.today });
  // Capped before the rules run: a hostile mesh's 100,000 diagnostics do not stay alive while the rules add theirs.
  const result = { ...validated, diagnostics: capDiagnostics(validated.diagnostics) };
  const diagnostics = [...result.diagnostics];
  if (result.mesh)
    appendAll(
      diagnostics,
      runRules({ mesh: result.mesh, locator: result.locator, today: options.today, rules: options.rules }),
    );
  diagnostics.sort(compareDiagnostics);
  const all = capDiagnostics(diagnostics);
  return { ...result, diagnostics: all, ok: !hasErrors(all) };
}
