/**
 * The desired state every live command starts from: validate (with the rule pack), render, check the scope and
 * digest the mesh files. No live calls. Plan, apply and audit share it, so a saved plan and a fresh one start from
 * the same desired state.
 */
import type { Diagnostic } from '../core/diagnostics/diagnostic.js';
import { compareDiagnostics, hasErrors } from '../core/diagnostics/diagnostic.js';
import type { Mesh } from '../core/model/types.js';
import { meshDigest } from '../core/plan/index.js';
import type { PlanScope } from '../core/plan/index.js';
import { renderMesh } from '../core/render/index.js';
import type { DesiredState } from '../core/render/types.js';
import type { Rule } from '../core/rules/index.js';
import type { Locator } from '../core/source/locator.js';
import type { MeshSources, UsageProblem } from './ports.js';
import { validate } from './validate.js';

/** What every command that computes the desired state takes: the scope, and the rule pack (`--policies`). */
export interface PrepareOptions {
  /** Today as YYYY-MM-DD (UTC). */
  today: string;
  /** Domains to limit the run to (empty: all). Each must be a domain of the mesh. */
  domain: readonly string[];
  /** Account ids or aliases to limit the run to (empty: all). Each must be an account of the mesh. */
  account: readonly string[];
  /** Extra guardrail rule directory (`--policies`), honoured as validate and render do. */
  policies?: string;
}

export interface PreparedPlan {
  mesh: Mesh;
  desired: DesiredState;
  scope: PlanScope;
  meshDigest: string;
  /** Validation and render findings that did not stop the run (warnings, info, waived), sorted. */
  diagnostics?: Diagnostic[];
  /** Locates entities of the mesh in its files (for audit findings about declared entities). */
  locator?: Locator;
}

/**
 * `invalid`: validation or render errors (every finding, sorted); `usage`: `--policies`, `--domain` or `--account`
 * names nothing (with the findings so far); `prepared`: the desired state, with every non-error finding.
 */
export type Preparation =
  | { kind: 'invalid'; diagnostics: Diagnostic[]; rules: Rule[] }
  | (UsageProblem & { diagnostics: Diagnostic[]; rules: Rule[] })
  | { kind: 'prepared'; prepared: PreparedPlan; diagnostics: Diagnostic[]; rules: Rule[] };

/** Check --domain/--account against the mesh: the scope, or the usage problem naming the unknown one. */
export function scopeOf(mesh: Mesh, domains: readonly string[], accounts: readonly string[]): PlanScope | UsageProblem {
  for (const d of domains) {
    if (!mesh.domains.some((x) => x.name === d)) {
      const known = mesh.domains.map((x) => x.name).join(', ');
      return { kind: 'usage', message: `--domain ${d}: no such domain in the mesh (domains: ${known}).` };
    }
  }
  for (const a of accounts) {
    if (!mesh.accounts.some((x) => x.id === a || x.alias === a)) {
      const known = mesh.accounts.map((x) => `${x.id} (${x.alias})`).join(', ');
      return { kind: 'usage', message: `--account ${a}: no such account in the mesh (accounts: ${known}).` };
    }
  }
  const ids = accounts.map((a) => mesh.accounts.find((x) => x.id === a || x.alias === a)?.id as string);
  return { domains: [...new Set(domains)].sort(), accounts: [...new Set(ids)].sort() };
}

export function prepare(file: string, options: PrepareOptions, sources: MeshSources): Preparation {
  const validation = validate(file, options, sources);
  if (validation.kind === 'usage') return { ...validation, diagnostics: [], rules: [] };
  const { rules } = validation;
  if (validation.kind === 'invalid') return { kind: 'invalid', diagnostics: validation.diagnostics, rules };
  const rendered = renderMesh(validation.mesh, { today: options.today, locator: validation.locator });
  const all = [...validation.diagnostics, ...rendered.diagnostics].sort(compareDiagnostics);
  if (hasErrors(rendered.diagnostics)) return { kind: 'invalid', diagnostics: all, rules };
  const scope = scopeOf(validation.mesh, options.domain, options.account);
  if ('kind' in scope) return { ...scope, diagnostics: all, rules };
  const digest = meshDigest([...validation.sources.values()].map((s) => ({ file: s.file, text: s.text })));
  const prepared: PreparedPlan = {
    mesh: validation.mesh,
    desired: rendered.value,
    scope,
    meshDigest: digest,
    diagnostics: all,
    locator: validation.locator,
  };
  return { kind: 'prepared', prepared, diagnostics: all, rules };
}
