/**
 * The change set: what a plan will do, as one digest. A reviewer approves a plan; apply recomputes its own plan from
 * the mesh and the live state and proceeds only when its change set has the same digest as the reviewed one, then
 * executes its own changes. So a saved plan is an expectation, never a program: an edited, stale or foreign plan can
 * make apply refuse, never make it do something the mesh does not ask for.
 *
 * The digest covers every change that is not a no-op (id, action, resource type, address, account, stream, risk,
 * before, after) and the access diff. It leaves out what is derived or prose: order, dependencies, reasons.
 */
import { canonicalJson, sha256Hex } from './canonical.js';
import type { AccessChange, Change } from './types.js';

/** The part of a change the digest covers. */
export function changeEssence(c: Change): Record<string, unknown> {
  return {
    id: c.id,
    action: c.action,
    resourceType: c.resourceType,
    address: c.address,
    account: c.account,
    stream: c.stream ?? null,
    risk: c.risk,
    before: c.before,
    after: c.after,
  };
}

function accessKey(a: AccessChange): string {
  return `${a.change} ${a.access} ${a.principal} ${a.account}/${a.stream}${a.consumer === undefined ? '' : `/${a.consumer}`} via ${a.via}`;
}

/** sha256 (hex) of the canonical change set; independent of the order changes and access rows are listed in. */
export function changeSetDigest(changes: readonly Change[], accessDiff: readonly AccessChange[]): string {
  const essence = changes
    .filter((c) => c.action !== 'no-op')
    .map(changeEssence)
    .sort((a, b) => (String(a['id']) < String(b['id']) ? -1 : 1));
  return sha256Hex(canonicalJson({ changes: essence, access: accessDiff.map(accessKey).sort() }));
}

/** How two change sets differ, one line each (at most `limit` lines, then a count), for a refusal message. */
export function describeChangeSetDifference(
  expected: { changes: readonly Change[]; accessDiff: readonly AccessChange[] },
  actual: { changes: readonly Change[]; accessDiff: readonly AccessChange[] },
  limit = 20,
): string[] {
  const index = (cs: readonly Change[]) =>
    new Map(cs.filter((c) => c.action !== 'no-op').map((c) => [c.id, canonicalJson(changeEssence(c))] as const));
  const want = index(expected.changes);
  const have = index(actual.changes);
  const out: string[] = [];
  for (const [id, e] of want) {
    const a = have.get(id);
    if (a === undefined) out.push(`reviewed but no longer planned: ${id}`);
    else if (a !== e) out.push(`planned differently now: ${id}`);
  }
  for (const id of have.keys()) if (!want.has(id)) out.push(`planned now but not reviewed: ${id}`);
  const wantAccess = new Set(expected.accessDiff.map(accessKey));
  const haveAccess = new Set(actual.accessDiff.map(accessKey));
  for (const k of wantAccess) if (!haveAccess.has(k)) out.push(`access change reviewed but no longer planned: ${k}`);
  for (const k of haveAccess) if (!wantAccess.has(k)) out.push(`access change planned now but not reviewed: ${k}`);
  return out.length > limit ? [...out.slice(0, limit), `... and ${out.length - limit} more`] : out;
}
