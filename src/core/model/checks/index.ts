import type { Diagnostic } from '../../diagnostics/diagnostic.js';
import type { Check, CheckContext } from './context.js';
import { checkExpiry } from './expiry.js';
import { checkFilters } from './filters.js';
import { checkGrantFilteredNeedsRole } from './grant-filtered-needs-role.js';
import { checkGrantPrincipals } from './grant-principals.js';
import { checkReferences } from './references.js';
import { checkStreamSettings } from './stream-settings.js';
import { checkUniqueNames } from './unique-names.js';

export type { Check, CheckContext } from './context.js';

/** The semantic checks, in the order they run. */
export const SEMANTIC_CHECKS: readonly Check[] = [
  checkUniqueNames,
  checkReferences,
  checkStreamSettings,
  checkGrantPrincipals,
  checkFilters,
  checkGrantFilteredNeedsRole,
  checkExpiry,
];

export function runSemanticChecks(ctx: CheckContext): Diagnostic[] {
  return SEMANTIC_CHECKS.flatMap((check) => check(ctx));
}
