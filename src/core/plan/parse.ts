/** Reading a plan back (from `--out plan.json`): check the shape enough that renderers and apply can trust it. */
import type { Plan } from './types.js';
import { PLAN_FORMAT_VERSION } from './types.js';

function isDiagnostic(d: unknown): boolean {
  if (d === null || typeof d !== 'object') return false;
  const x = d as Record<string, unknown>;
  return typeof x['file'] === 'string' && typeof x['code'] === 'string' && typeof x['message'] === 'string'
    && Number.isInteger(x['line']) && Number.isInteger(x['column'])
    && (x['severity'] === 'error' || x['severity'] === 'warning' || x['severity'] === 'info')
    && (x['waivedBy'] === undefined || typeof x['waivedBy'] === 'string')
    && Array.isArray(x['path']);
}

/** Parse plan JSON text. Errors are messages (the CLI turns them into an ExitError); never throws. */
export function parsePlan(text: string): { plan?: Plan; error?: string } {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (e) {
    return { error: `not JSON: ${(e as Error).message}` };
  }
  if (data === null || typeof data !== 'object') return { error: 'a plan must be a JSON object' };
  const p = data as Partial<Plan>;
  if (p.formatVersion !== PLAN_FORMAT_VERSION) return { error: `unsupported plan formatVersion ${String(p.formatVersion)} (this meshgov reads ${PLAN_FORMAT_VERSION})` };
  for (const k of ['mesh', 'meshDigest', 'liveFingerprint', 'createdAt'] as const) {
    if (typeof p[k] !== 'string') return { error: `plan field ${k} is missing or not a string` };
  }
  for (const k of ['changes', 'accessDiff', 'unmanaged', 'notChecked'] as const) {
    if (!Array.isArray(p[k])) return { error: `plan field ${k} is missing or not a list` };
  }
  if (typeof p.summary !== 'object' || p.summary === null) return { error: 'plan field summary is missing' };
  if (p.warnings === undefined) p.warnings = [];
  if (p.diagnostics !== undefined) {
    if (!Array.isArray(p.diagnostics)) return { error: 'plan field diagnostics is not a list' };
    const bad = p.diagnostics.findIndex((d: unknown) => !isDiagnostic(d));
    if (bad >= 0) return { error: `plan field diagnostics[${bad}] is not a diagnostic (file, line, column, severity, code, message, path)` };
  }
  return { plan: p as Plan };
}

