/**
 * Use case `validate`: load and check a mesh (YAML, JSON Schema, semantic checks) and run the guardrail rules of the
 * rule pack. Every command that computes the desired state starts here.
 */
import type { Diagnostic } from '../core/diagnostics/diagnostic.js';
import { appendAll, capDiagnostics, compareDiagnostics, hasErrors } from '../core/diagnostics/diagnostic.js';
import type { SourceFile } from '../core/source/source.js';
import type { Locator } from '../core/source/locator.js';
import type { Mesh } from '../core/model/types.js';
import { runRules } from '../core/rules/index.js';
import type { Rule } from '../core/rules/index.js';
import { validateMesh } from '../core/validate.js';
import type { MeshSources, UsageProblem } from './ports.js';

export interface ValidateRunOptions {
  /** Today as YYYY-MM-DD (UTC): expiry of waivers and grants. */
  today: string;
  /** Extra guardrail rule directory (`--policies`). */
  policies?: string;
}

/** What a validation found besides the verdict. */
interface Checked {
  /** Every finding (capped per file), sorted. */
  diagnostics: Diagnostic[];
  /** The rules that ran (for SARIF rule metadata). */
  rules: Rule[];
  /** Every parsed file by name. */
  sources: Map<string, SourceFile>;
  locator: Locator;
}

/** The mesh is valid (warnings allowed), invalid (errors; the mesh may still have loaded), or the ask was wrong. */
export type Validation =
  UsageProblem | ({ kind: 'valid'; mesh: Mesh } & Checked) | ({ kind: 'invalid'; mesh: Mesh | undefined } & Checked);

export function validate(file: string, options: ValidateRunOptions, sources: MeshSources): Validation {
  const pack = sources.rules(options.policies);
  if (pack.kind === 'not-a-directory') return { kind: 'usage', message: `--policies ${pack.dir}: not a directory.` };
  // Capped before the rules run, so 100,000 located diagnostics do not stay alive while the rules add theirs.
  const result = validateMesh(file, sources.reader, { today: options.today });
  const diagnostics = [...capDiagnostics(result.diagnostics), ...pack.diagnostics];
  if (result.mesh) {
    appendAll(
      diagnostics,
      runRules({ mesh: result.mesh, locator: result.locator, today: options.today, rules: pack.rules }),
    );
  }
  diagnostics.sort(compareDiagnostics);
  const all = capDiagnostics(diagnostics);
  const checked: Checked = { diagnostics: all, rules: pack.rules, sources: result.sources, locator: result.locator };
  if (result.mesh !== undefined && !hasErrors(all)) return { kind: 'valid', mesh: result.mesh, ...checked };
  return { kind: 'invalid', mesh: result.mesh, ...checked };
}
