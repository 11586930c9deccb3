import { fsReader } from '../adapters/fs/reader.js';
import type { Diagnostic } from '../core/diagnostics/diagnostic.js';
import { validateMesh } from '../core/validate.js';
import type { ValidateResult } from '../core/validate.js';
import { formatGithub } from '../output/diagnostics/github.js';
import { formatJson } from '../output/diagnostics/json.js';
import { formatSarif } from '../output/diagnostics/sarif.js';
import type { RuleMeta } from '../output/diagnostics/sarif.js';
import { formatStylish } from '../output/diagnostics/stylish.js';
import type { CliIO } from './io.js';
import { today } from './io.js';
import { styleFor } from './style.js';
import { VERSION } from './version.js';
import { relative, resolve } from 'node:path';

export const DIAGNOSTIC_FORMATS = ['text', 'json', 'sarif', 'github'] as const;
export type DiagnosticFormat = (typeof DIAGNOSTIC_FORMATS)[number];

export interface ValidationOptions {
  /** Extra guardrail policy directory (see rules). */
  policies?: string;
}

/** Load, check and (once the rules engine lands) run guardrail rules: every command starts here. */
export function runValidation(file: string, io: CliIO, _options: ValidationOptions = {}): ValidateResult & { ruleMeta: Map<string, RuleMeta> } {
  const result = validateMesh(file, fsReader, { today: today(io) });
  return { ...result, ruleMeta: new Map() };
}

export function formatDiagnostics(diagnostics: readonly Diagnostic[], format: DiagnosticFormat, io: CliIO, ruleMeta: Map<string, RuleMeta>, noColor?: boolean): string {
  switch (format) {
    case 'json':
      return formatJson(diagnostics);
    case 'sarif':
      return formatSarif(diagnostics, {
        version: VERSION,
        rules: ruleMeta,
        relativize: (f) => relative(io.cwd, resolve(io.cwd, f)).replace(/\\/g, '/'),
      });
    case 'github':
      return formatGithub(diagnostics);
    default:
      return formatStylish(diagnostics, styleFor(io, 'stdout', noColor));
  }
}
