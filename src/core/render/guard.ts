/**
 * The tag-tampering guard. With ABAC the right to tag is the right to access, so nobody but the governance role may
 * add, change or remove a tag of a meshgov-managed stream or consumer, nor set a meshgov tag key anywhere.
 *
 * Why two statements, and why the key list is long (docs/render.md, "The guard", has the full argument):
 * - IAM matches condition-key *names* case-insensitively, and with them the tag-key part of
 *   `aws:ResourceTag/<key>`, while Kinesis tag keys are case-sensitive: `MESHGOV:CONSUME:…` is a different Kinesis
 *   tag that satisfies an ABAC condition on `meshgov:consume:…`. Condition *values* (the keys listed in
 *   `aws:TagKeys`) are matched case-sensitively, and IAM has no case-insensitive `StringLike`.
 *   https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition.html
 * - `DenyTagChangesOnManagedResources` denies every tagging action on any resource that carries
 *   `meshgov:managed-by` (a resource-tag condition key, so matched in any letter case): whatever key the request
 *   names, a managed stream's or consumer's tags are the governance role's alone.
 * - `DenyGovernanceTagKeys` denies every tagging path (Kinesis tagging and tag-on-create actions and the Resource
 *   Groups Tagging API) when any requested key starts with `meshgov:` in any letter case, spelled out as every
 *   case variant (see {@link governanceKeyPatterns}). This covers resources that are not (yet) managed: a new
 *   stream, a consumer registered with tags, an unmanaged stream someone wants to pull into a principal's ABAC reach.
 *
 * Rendered twice: as an Organizations SCP (when the mesh declares an organisation) and as a permissions boundary for
 * the producer and consumer roles meshgov writes policies for. A boundary only caps permissions, so it also carries
 * an allow-all statement; it grants nothing by itself.
 */
import { TAG_MANAGED_BY, TAG_PREFIX } from '../model/governance-tags.js';
import type { Mesh } from '../model/types.js';
import { TAGGING_ACTIONS, TAGGING_API_ACTIONS, TAG_ON_CREATE_ACTIONS, actionUnion } from './actions.js';
import { governanceRoleArnPattern } from './arn.js';
import type { PolicyDocument, PolicyStatement } from './types.js';

export const GUARD_SCP_NAME = 'meshgov-tag-guard';
export const GUARD_BOUNDARY_NAME = 'meshgov-tag-guard-boundary';

/**
 * Letters that fold to the same letter as an ASCII one under Unicode case mapping, beyond plain upper/lower case:
 * U+017F LATIN SMALL LETTER LONG S upper-cases to `S`. A case-insensitive comparison that folds through upper case
 * (as Java's `equalsIgnoreCase` does) treats `meſhgov:` as `meshgov:`; Kinesis accepts any Unicode letter in a key.
 * No other letter of `meshgov` has such a twin (the Kelvin sign folds to `k`, dotless/dotted i to `i`).
 */
const FOLD_TWINS: Readonly<Record<string, readonly string[]>> = { s: ['\u017f'] };

/** Every spelling of a prefix that a case-insensitive match would take for it (letters in every case and twin). */
export function caseVariants(prefix: string): string[] {
  let out = [''];
  for (const ch of prefix) {
    const lower = ch.toLowerCase();
    const forms = [...new Set([lower, ch.toUpperCase(), ...(FOLD_TWINS[lower] ?? [])])];
    out = out.flatMap((p) => forms.map((f) => p + f));
  }
  return out.sort();
}

/** `StringLike` patterns matching every request tag key that starts with `meshgov:` in any case (192 patterns). */
export function governanceKeyPatterns(): string[] {
  // A copy of a list built once: render writes the guard into every account's permissions boundary.
  return [...GOVERNANCE_KEY_PATTERNS];
}

const GOVERNANCE_KEY_PATTERNS: readonly string[] = caseVariants(TAG_PREFIX).map((p) => `${p}*`);

export function guardStatements(mesh: Pick<Mesh, 'partition' | 'governanceRole'>): PolicyStatement[] {
  const notGovernance = { ArnNotLike: { 'aws:PrincipalArn': governanceRoleArnPattern(mesh) } };
  return [
    {
      Sid: 'DenyTagChangesOnManagedResources',
      Effect: 'Deny',
      Action: actionUnion(TAGGING_ACTIONS),
      Resource: '*',
      Condition: { Null: { [`aws:ResourceTag/${TAG_MANAGED_BY}`]: 'false' }, ...notGovernance },
    },
    {
      Sid: 'DenyGovernanceTagKeys',
      Effect: 'Deny',
      Action: actionUnion(TAGGING_ACTIONS, TAG_ON_CREATE_ACTIONS, TAGGING_API_ACTIONS),
      Resource: '*',
      Condition: { 'ForAnyValue:StringLike': { 'aws:TagKeys': governanceKeyPatterns() }, ...notGovernance },
    },
  ];
}

export function guardScp(mesh: Pick<Mesh, 'partition' | 'governanceRole'>): PolicyDocument {
  return { Version: '2012-10-17', Statement: guardStatements(mesh) };
}

export function guardBoundary(mesh: Pick<Mesh, 'partition' | 'governanceRole'>): PolicyDocument {
  return {
    Version: '2012-10-17',
    Statement: [
      { Sid: 'BoundaryAllowsIdentityPolicies', Effect: 'Allow', Action: '*', Resource: '*' },
      ...guardStatements(mesh),
    ],
  };
}
