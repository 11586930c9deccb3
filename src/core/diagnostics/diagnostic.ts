/**
 * One result type for every problem meshgov reports about user input: YAML syntax errors, schema errors,
 * semantic checks and guardrail rule findings all become a Diagnostic (after Spectral's single result type).
 */

import type { Severity, SourceFinding } from '../findings/finding.js';

export type { DocPath, Severity } from '../findings/finding.js';

/** A position in a source file. Both fields are 1-based. */
export interface Position {
  /** 1-based line number. */
  line: number;
  /** 1-based column number, counted in UTF-16 code units like editors do. */
  column: number;
}

/** A located range in a source file; positions are 1-based, `end` is exclusive. */
export interface Range {
  start: Position;
  end: Position;
}

/**
 * A finding of `validate`: the source kind of the one finding type (src/core/findings/finding.ts). The name stays for
 * the many producers of the model, source and rule modules.
 */
export type Diagnostic = SourceFinding;

/** Order diagnostics deterministically: by file, line, column, then code. */
export function compareDiagnostics(a: Diagnostic, b: Diagnostic): number {
  if (a.file !== b.file) return a.file < b.file ? -1 : 1;
  if (a.line !== b.line) return a.line - b.line;
  if (a.column !== b.column) return a.column - b.column;
  if (a.code !== b.code) return a.code < b.code ? -1 : 1;
  return a.message < b.message ? -1 : a.message > b.message ? 1 : 0;
}

/** Diagnostics shown per file; past it, one `diagnostics-truncated` entry says how many more there are. */
export const MAX_DIAGNOSTICS_PER_FILE = 1000;

const SEVERITY_RANK: Record<Severity, number> = { info: 0, warning: 1, error: 2 };

/**
 * The first `max` diagnostics of each file (in the order given, normally sorted), then one `diagnostics-truncated`
 * entry per file for the rest, like compilers do: a hostile file of 50,000 unknown keys gives a readable report. The
 * entry has the worst severity of what it hides, so a hidden error still fails the run. Capping a capped list with
 * more diagnostics added gives the same result as capping all of them at once (the entries carry their counts).
 */
export function capDiagnostics(
  diagnostics: readonly Diagnostic[],
  max: number = MAX_DIAGNOSTICS_PER_FILE,
): Diagnostic[] {
  const shown = new Map<string, number>();
  const hidden = new Map<string, { first: Diagnostic; count: number; severity: Severity }>();
  const out: Diagnostic[] = [];
  const hide = (d: Diagnostic, count: number) => {
    const h = hidden.get(d.file);
    if (h === undefined) hidden.set(d.file, { first: d, count, severity: d.severity });
    else {
      h.count += count;
      if (SEVERITY_RANK[d.severity] > SEVERITY_RANK[h.severity]) h.severity = d.severity;
      if (compareDiagnostics(d, h.first) < 0) h.first = d;
    }
  };
  for (const d of diagnostics) {
    // An earlier cap's entry (the list is capped again after more diagnostics were added): carry its count on.
    if (d.code === 'diagnostics-truncated' && d.hidden !== undefined) {
      hide(d, d.hidden);
      continue;
    }
    const n = shown.get(d.file) ?? 0;
    if (n < max) {
      shown.set(d.file, n + 1);
      out.push(d);
    } else hide(d, 1);
  }
  for (const [file, h] of hidden) {
    out.push({
      code: 'diagnostics-truncated',
      severity: h.severity,
      message: `${h.count} more diagnostic${h.count === 1 ? '' : 's'} in this file not shown: meshgov shows the first ${max} per file. Fix these and run again.`,
      file,
      line: h.first.line,
      column: h.first.column,
      path: [],
      hidden: h.count,
    });
  }
  return out.sort(compareDiagnostics);
}

/**
 * Append every item of `items` to `to`. `to.push(...items)` passes each item as an argument and overflows the stack
 * past ~100,000 items, which hostile input reaches (100,000 grants to missing streams).
 */
export function appendAll<T>(to: T[], items: readonly T[]): T[] {
  for (const item of items) to.push(item);
  return to;
}

export function hasErrors(diagnostics: readonly Diagnostic[]): boolean {
  return diagnostics.some((d) => d.severity === 'error');
}

/** A value plus the diagnostics produced while computing it (Terraform's `(value, diags)`). */
export interface Result<T> {
  value: T;
  diagnostics: Diagnostic[];
}

/** A violated invariant: a bug in meshgov, never a user error. Printed with "please report". */
export class InternalError extends Error {
  override name = 'InternalError';
}
