/**
 * Guardrail rules: policy-as-code checks over the normalised mesh, read from policies/*.yaml.
 * A rule selects entities of one kind (its `appliesTo`), optionally filters them with a JSON Schema `selector`
 * and requires them to satisfy a JSON Schema `requirement` and/or a named built-in `function`.
 */
import type { DocPath, Severity } from '../diagnostics/diagnostic.js';
import type { SourceRef } from '../model/types.js';

/** The kinds of entity a rule can apply to. */
export const ENTITY_KINDS = ['mesh', 'domain', 'stream', 'grant', 'consumer'] as const;
export type EntityKind = (typeof ENTITY_KINDS)[number];

/**
 * Which way a parameter gets stricter, so per-domain overrides can be checked:
 * `lower` (a smaller value is stricter, e.g. a maximum), `higher` (a larger value is stricter, e.g. a minimum),
 * `fixed` (only the governance file may change it, e.g. a naming pattern).
 */
export type TightenDirection = 'lower' | 'higher' | 'fixed';

/** A declared rule parameter with its default. */
export interface RuleParam {
  type: 'integer' | 'number' | 'string' | 'boolean';
  default: string | number | boolean;
  description?: string;
  tighten: TightenDirection;
}

/** A rule as written in a policy file (after its own schema check). */
export interface RuleDefinition {
  /** Stable id, kebab-case, equal to the file name without `.yaml`. */
  id: string;
  title: string;
  description: string;
  /** Default severity; the governance file may change it, domains may only raise it. */
  severity: Severity;
  appliesTo: EntityKind;
  /** JSON Schema the entity view must match for the rule to apply; absent = every entity of the kind. */
  selector?: Record<string, unknown>;
  /** JSON Schema the entity view must satisfy. `{"$param": "name"}` anywhere is replaced by the parameter value. */
  requirement?: Record<string, unknown>;
  /** Name of a built-in function (see functions.ts) that checks what JSON Schema cannot say. */
  function?: string;
  /** Message template: `{{name}}`, `{{id}}`, `{{stream}}`, `{{params.X}}`, any view field and function values. */
  message: string;
  remediation?: string;
  helpUrl?: string;
  params: Record<string, RuleParam>;
  /** Where to report when the failing path is the entity itself (a path inside the entity's YAML node). */
  locate?: (string | number)[];
}

/** A loaded rule: its definition plus where it came from. */
export interface Rule extends RuleDefinition {
  /** The policy file the rule was read from (as it appears in diagnostics). */
  file: string;
}

/** Effective parameter values of a rule for one entity. */
export type ParamValues = Record<string, string | number | boolean>;

/** Where a finding points: a declared node (ref) and a path below it. */
export interface Spot {
  ref: SourceRef;
  path: DocPath;
}

/** What a function reports for a non-compliant entity. An empty list means compliant. */
export interface FunctionFinding {
  /** Path in the entity view (YAML key names), mapped to the source like requirement paths. */
  path?: DocPath;
  /** Report at another declared node instead (e.g. the grant that exceeds a stream's limit). */
  spot?: Spot;
  /** Extra placeholder values for the message template. */
  values?: Record<string, string | number>;
}
