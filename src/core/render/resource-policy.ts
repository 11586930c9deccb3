/**
 * Stream and consumer resource policies for cross-account grants. Kinesis replaces the whole document on every
 * PutResourcePolicy, so meshgov owns it: one document per resource, every cross-account grant merged, one
 * statement per grant with a Sid derived from the grant id (stable under reordering).
 * Same-account grants need no resource policy: the identity policy alone allows them.
 */
import type { Grant, Mesh, Principal, Stream } from '../model/types.js';
import { sortInPlace } from '../sort.js';
import { consumerArnOf, principalArn, streamArn } from './arn.js';
import { consumerActions, sidFor, streamActions, uniqueSidList } from './grants.js';
import type { PolicyDocument, PolicyStatement } from './types.js';

/** True when the grant's principal lives in another account than the stream. */
export function isCrossAccount(grant: Grant, stream: Pick<Stream, 'account'>): boolean {
  return grant.principal.account !== stream.account;
}

/** The mesh's account ids as a set, built once per accounts list (orgCondition runs once per grant). */
const accountIdSets = new WeakMap<readonly { id: string }[], { length: number; ids: ReadonlySet<string> }>();
function meshAccountIds(mesh: Pick<Mesh, 'accounts'>): ReadonlySet<string> {
  let hit = accountIdSets.get(mesh.accounts);
  // The length check keeps a list that was appended to (tests build meshes in place) from using a stale set.
  if (!hit || hit.length !== mesh.accounts.length) {
    hit = { length: mesh.accounts.length, ids: new Set(mesh.accounts.map((a) => a.id)) };
    accountIdSets.set(mesh.accounts, hit);
  }
  return hit.ids;
}

/**
 * `aws:PrincipalOrgID` pins a principal to the organisation: only when the mesh declares one and the principal's
 * account is a declared mesh account (external principals are, by definition, outside it).
 */
export function orgCondition(
  mesh: Pick<Mesh, 'organizationId' | 'accounts'>,
  grant: Grant,
): PolicyStatement['Condition'] | undefined {
  if (mesh.organizationId === undefined || grant.principal.external) return undefined;
  if (!meshAccountIds(mesh).has(grant.principal.account)) return undefined;
  return { StringEquals: { 'aws:PrincipalOrgID': mesh.organizationId } };
}

function statement(
  sid: string,
  principal: string,
  actions: string[],
  resource: string,
  condition: PolicyStatement['Condition'] | undefined,
): PolicyStatement {
  const s: PolicyStatement = {
    Sid: sid,
    Effect: 'Allow',
    Principal: { AWS: principal },
    Action: actions,
    Resource: resource,
  };
  if (condition !== undefined) s.Condition = condition;
  return s;
}

function byId(a: Grant, b: Grant): number {
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

/** A grantee's ARN: {@link principalArn}, or render's `principalArnCache` (arn.ts) shared by all its policies. */
type PrincipalArnOf = (p: Principal) => string;

/**
 * The stream's whole resource policy, or undefined when no cross-account grant in force needs one.
 * `streamGrants` are the grants in force on this stream; `arn` is the stream's ARN when the caller has it.
 */
export function streamResourcePolicy(
  mesh: Mesh,
  stream: Stream,
  streamGrants: readonly Grant[],
  arn: string = streamArn(mesh, stream.account, stream.name),
  principalArnOf: PrincipalArnOf = (p) => principalArn(mesh.partition, p),
): PolicyDocument | undefined {
  const grants = sortInPlace(
    streamGrants.filter((g) => g.stream === stream.name && isCrossAccount(g, stream)),
    byId,
  );
  if (grants.length === 0) return undefined;
  const sids = uniqueSidList(grants.map((g) => g.id));
  return {
    Version: '2012-10-17',
    Statement: grants.map((g, i) =>
      statement(sids[i] as string, principalArnOf(g.principal), streamActions(g), arn, orgCondition(mesh, g)),
    ),
  };
}

/**
 * The EFO consumer's resource policy for a cross-account `efo` grant (put once the consumer is ACTIVE). `arn` is the
 * stream's ARN when the caller has it.
 */
export function consumerResourcePolicy(
  mesh: Mesh,
  stream: Stream,
  grant: Grant,
  arn: string = streamArn(mesh, stream.account, stream.name),
  principalArnOf: PrincipalArnOf = (p) => principalArn(mesh.partition, p),
): PolicyDocument | undefined {
  if (!isCrossAccount(grant, stream) || grant.consumerName === undefined) return undefined;
  // One statement: its Sid cannot collide.
  const sid = sidFor(grant.id);
  return {
    Version: '2012-10-17',
    Statement: [
      statement(
        sid,
        principalArnOf(grant.principal),
        consumerActions(grant),
        consumerArnOf(arn, grant.consumerName),
        orgCondition(mesh, grant),
      ),
    ],
  };
}
