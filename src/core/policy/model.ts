/**
 * The one IAM policy model: what `parsePolicy` makes of any JSON value. Plan, audit and import read policies
 * (from live accounts: untrusted) only through it. Grammar:
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_grammar.html
 */

/** A JSON path into the policy document as written: member names and 0-based array indexes. */
export type PolicyPath = readonly (string | number)[];

/** Something the parser could not understand. Never thrown: returned beside the model. */
export interface PolicyDiagnostic {
  /** Stable code, e.g. `policy-not-object`, `principal-unknown-type`. */
  code: string;
  /** What was found and why it is not understood. */
  message: string;
  /** Where in the document. */
  path: PolicyPath;
}

/**
 * A part of the document the model could not express, kept as canonical JSON so that equivalence stays
 * conservative: two policies are only equivalent when their unparsed parts are identical too.
 */
export interface Unparsed {
  /**
   * Path of the part joined with `.`, relative to its statement for a statement's parts (`Principal.Foo`), else
   * to the document (`Version`; `Statement[]` for a statement that is not an object, whatever its position).
   */
  at: string;
  /** Canonical JSON of the part (keys sorted; depth-limited, see `opaqueJson`). */
  json: string;
}

export type Effect = 'Allow' | 'Deny';

/**
 * One principal of a `Principal` or `NotPrincipal` element.
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_principal.html
 */
export type Principal =
  /**
   * Everyone: `"Principal": "*"` (`star`) or `{"AWS": "*"}` (`aws-star`). Kept apart because some services treat
   * the two differently (the IAM guide calls them equivalent; equivalence here stays conservative).
   */
  | { kind: 'public'; form: 'star' | 'aws-star' }
  /** A whole account: a bare 12-digit id (in the policy's partition) or `arn:<partition>:iam::<id>:root`. */
  | { kind: 'account'; partition: string; account: string }
  /** An IAM role, `arn:<partition>:iam::<id>:role<path><name>`. */
  | { kind: 'role'; arn: string; partition: string; account: string; path: string; name: string }
  /** Any other `AWS` principal: users, assumed-role sessions, unique ids of deleted roles, wildcards in ARNs. */
  | { kind: 'aws'; value: string; account?: string }
  | { kind: 'service'; value: string }
  | { kind: 'federated'; value: string }
  | { kind: 'canonical-user'; value: string };

export type PrincipalElement =
  /** No principal element (identity policies). */
  | { kind: 'none' }
  | { kind: 'principal'; principals: Principal[] }
  /** `NotPrincipal`: everyone except these (with Allow, close to public). */
  | { kind: 'not-principal'; principals: Principal[] };

export type ActionElement =
  | { kind: 'none' }
  /** Action patterns as written (`*` and `?` globs, case-insensitive), duplicates removed. */
  | { kind: 'action'; patterns: string[] }
  | { kind: 'not-action'; patterns: string[] };

export type ResourceElement =
  | { kind: 'none' }
  /** Resource patterns as written (case-sensitive globs), duplicates removed. */
  | { kind: 'resource'; patterns: string[] }
  | { kind: 'not-resource'; patterns: string[] };

/** `ForAllValues:` / `ForAnyValue:` qualifiers of multivalued condition keys. */
export type SetOperator = 'single' | 'for-all-values' | 'for-any-value';

/**
 * One condition test: operator, key and the values it compares with (ORed). Tests of a statement are ANDed.
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html
 */
export interface Condition {
  /** The operator as written, e.g. `ForAnyValue:StringLikeIfExists`. */
  operator: string;
  /** The operator without qualifiers, e.g. `StringLike`. */
  base: string;
  set: SetOperator;
  /** `...IfExists`: true when the key is absent from the request. */
  ifExists: boolean;
  /** Condition key as written; IAM compares keys case-insensitively. */
  key: string;
  /** Values as IAM stores them: strings (booleans and numbers as their JSON text), duplicates removed. */
  values: string[];
}

export interface Statement {
  /** 1-based position of the statement in the document as written. */
  position: number;
  sid?: string;
  /** `invalid` when the Effect is missing or neither `Allow` nor `Deny` (the statement then grants nothing). */
  effect: Effect | 'invalid';
  principal: PrincipalElement;
  action: ActionElement;
  resource: ResourceElement;
  conditions: Condition[];
  /** Parts of the statement the model could not express. */
  unparsed: Unparsed[];
  /** The statement as written, for evidence in reports only: never read for meaning. */
  source: unknown;
}

export interface Policy {
  /** `Version` as written; undefined when absent (IAM then applies `2008-10-17`). */
  version?: string;
  /** `Id` as written; carries no meaning. */
  id?: string;
  statements: Statement[];
  /** Parts of the document (outside statements) the model could not express. */
  unparsed: Unparsed[];
}

export interface ParsedPolicy {
  policy: Policy;
  diagnostics: PolicyDiagnostic[];
}

export interface ParseOptions {
  /** Partition a bare account id principal belongs to (`aws`, `aws-cn`, `aws-us-gov`); default `aws`. */
  partition?: string;
}
