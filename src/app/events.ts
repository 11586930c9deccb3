/** Progress events the use cases share (each use case's own events are in its module). */
import type { Diagnostic } from '../core/diagnostics/diagnostic.js';
import type { Clock } from '../core/ports.js';
import type { Rule } from '../core/rules/index.js';
import type { MeshSources } from './ports.js';
import { prepare } from './prepare.js';
import type { Preparation, PrepareOptions } from './prepare.js';

/** Findings (warnings) that do not stop the run, told as soon as validation and render are done. */
export interface WarningsEvent {
  kind: 'warnings';
  diagnostics: Diagnostic[];
  /** The rules that ran (for rule metadata). */
  rules: Rule[];
}

/** Today as YYYY-MM-DD (UTC) on the given clock. */
export function todayOn(clock: Clock): string {
  return clock.now().toISOString().slice(0, 10);
}

/** {@link prepare}, telling the warnings (when there are any and the mesh is not invalid) before returning. */
export function prepareTelling(
  file: string,
  options: PrepareOptions,
  sources: MeshSources,
  onEvent: (e: WarningsEvent) => void,
): Preparation {
  const p = prepare(file, options, sources);
  if (p.kind === 'invalid') return p;
  const warnings = p.diagnostics.filter((d) => d.severity === 'warning');
  if (warnings.length > 0) onEvent({ kind: 'warnings', diagnostics: warnings, rules: p.rules });
  return p;
}
