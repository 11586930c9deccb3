/**
 * The ownership fence and the scope of a run. Both the reader (which streams get a full read) and the diff
 * (which streams may change) use these functions, so they cannot disagree.
 */
import { MANAGED_BY_VALUE, TAG_DOMAIN, TAG_MANAGED_BY, TAG_MESH } from '../model/governance-tags.js';
import type { AccountId } from '../model/types.js';
import type { DesiredState } from '../render/types.js';
import { canonicalJson, sha256Hex } from './canonical.js';
import type { LiveState, LiveStream } from './live.js';
import type { PlanScope } from './types.js';

/**
 * Why a live stream is outside the fence, or undefined when meshgov manages it: declared in the mesh, or tagged
 * `meshgov:managed-by=meshgov`, unless a `meshgov:mesh` tag names another mesh (two meshes can share an account).
 */
export function unmanagedReason(
  tags: Record<string, string> | undefined,
  declared: boolean,
  meshName: string,
): string | undefined {
  const otherMesh =
    tags?.[TAG_MANAGED_BY] === MANAGED_BY_VALUE && tags[TAG_MESH] !== undefined && tags[TAG_MESH] !== meshName
      ? tags[TAG_MESH]
      : undefined;
  // A stream another mesh manages stays fenced off even when this mesh declares the same name: two meshes must not fight over it.
  if (otherMesh !== undefined && declared)
    return `declared in this mesh but managed by another mesh (${TAG_MESH}=${otherMesh}); resolve the conflict before planning it`;
  if (declared) return undefined;
  if (tags === undefined) return 'not declared in the mesh (tags not read)';
  if (tags[TAG_MANAGED_BY] !== MANAGED_BY_VALUE)
    return `not declared in the mesh and not tagged ${TAG_MANAGED_BY}=${MANAGED_BY_VALUE}`;
  const mesh = tags[TAG_MESH];
  if (mesh !== undefined && mesh !== meshName) return `managed by another mesh (${TAG_MESH}=${mesh})`;
  return undefined;
}

/** Declared stream names per account. */
export function declaredStreams(desired: DesiredState): Map<AccountId, Set<string>> {
  const out = new Map<AccountId, Set<string>>();
  for (const a of desired.accounts) out.set(a.account, new Set(a.streams.map((s) => s.name)));
  return out;
}

export function emptyScope(): PlanScope {
  return { domains: [], accounts: [] };
}

function accountInScope(scope: PlanScope, account: AccountId): boolean {
  return scope.accounts.length === 0 || scope.accounts.includes(account);
}

/** Limit the desired state to the scope's accounts and domains (IAM artefacts are kept only without a domain scope). */
export function scopeDesired(desired: DesiredState, scope: PlanScope): DesiredState {
  const accounts = desired.accounts
    .filter((a) => accountInScope(scope, a.account))
    .map((a) => {
      if (scope.domains.length === 0) return a;
      const streams = a.streams.filter((s) => scope.domains.includes(s.domain));
      const names = new Set(streams.map((s) => s.name));
      const consumers = a.consumers.filter((c) => names.has(c.stream));
      // Mappings serve grants across domains, like IAM artefacts.
      return { ...a, streams, consumers, iam: [], ...(a.mappings !== undefined ? { mappings: [] } : {}) };
    });
  return { ...desired, accounts };
}

/**
 * Limit the live state to the scope. A managed live stream is in a domain scope when the desired state declares
 * it in one of the domains, or (undeclared) its `meshgov:domain` tag names one.
 */
export function scopeLive(live: LiveState, desired: DesiredState, scope: PlanScope): LiveState {
  const declaredDomain = new Map<string, string>();
  for (const a of desired.accounts) for (const s of a.streams) declaredDomain.set(`${a.account}/${s.name}`, s.domain);
  const inDomain = (account: AccountId, s: LiveStream): boolean => {
    if (scope.domains.length === 0) return true;
    const d = declaredDomain.get(`${account}/${s.name}`) ?? s.tags[TAG_DOMAIN];
    return d !== undefined && scope.domains.includes(d);
  };
  return {
    ...live,
    accounts: live.accounts
      .filter((a) => accountInScope(scope, a.account))
      .map((a) => ({
        ...a,
        streams: a.streams.filter((s) => inDomain(a.account, s)),
        ...(scope.domains.length > 0 && a.iam !== undefined ? { iam: [] } : {}),
        ...(scope.domains.length > 0 && a.lambda !== undefined ? { lambda: undefined } : {}),
      })),
  };
}

/**
 * Fingerprint of the managed live state: sha256 of its canonical JSON. Transient fields (stream and consumer
 * status) are left out so a stream finishing an update does not make a saved plan stale; unmanaged streams are
 * left out because meshgov never acts on them. Apply recomputes it from a fresh read with the same scope.
 */
export function liveFingerprint(live: LiveState, desired: DesiredState, scope: PlanScope): string {
  const declared = declaredStreams(desired);
  const scoped = scopeLive(live, desired, scope);
  const accounts = scoped.accounts
    .map((a) => ({
      account: a.account,
      streams: a.streams
        .filter(
          (s) => unmanagedReason(s.tags, declared.get(a.account)?.has(s.name) ?? false, desired.mesh) === undefined,
        )
        .map((s) => ({ ...s, status: undefined, consumers: s.consumers.map((c) => ({ ...c, status: undefined })) }))
        .sort((x, y) => cmp(x.name, y.name)),
      iam: a.iam,
      // Mapping state moves by itself (Enabling, Updating): left out like stream status.
      ...(a.lambda?.status === 'read'
        ? { lambda: { ...a.lambda, mappings: a.lambda.mappings.map((m) => ({ ...m, state: undefined })) } }
        : {}),
    }))
    .sort((x, y) => cmp(x.account, y.account));
  return sha256Hex(canonicalJson({ region: live.region, accounts }));
}

export function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
