/** The IAM policy model: parse any JSON into it, compare semantically, ask who and what a statement names. */
export type {
  ActionElement,
  Condition,
  Effect,
  ParseOptions,
  ParsedPolicy,
  Policy,
  PolicyDiagnostic,
  PolicyPath,
  Principal,
  PrincipalElement,
  ResourceElement,
  SetOperator,
  Statement,
  Unparsed,
} from './model.js';
export { parsePolicy } from './parse.js';
export { canonicalPolicy, canonicalStatement, policiesEquivalent, policyDigest } from './canonical.js';
export {
  accountOf,
  awsPrincipal,
  isPublicStatement,
  namedPrincipals,
  normalisePrincipal,
  principalAccount,
  principalId,
  principalKey,
  statementPrincipals,
} from './principal.js';
export {
  actionMatches,
  coversAction,
  coversResource,
  globMatch,
  resourceMatches,
  statementActions,
  statementCoversResource,
} from './match.js';
export { lostGrants } from './effect.js';
