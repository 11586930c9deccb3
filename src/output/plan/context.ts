/**
 * What a plan renderer may know beyond the plan itself, to answer "should I worry?": which accounts are the
 * organisation's, which streams are confidential, and what each grant says (external, justification, expiry,
 * approver). `meshgov plan` builds it from the mesh (and the organisation as read live); a saved plan rendered
 * without the mesh falls back to what the plan carries (the `meshgov:classification` tags of the streams it creates
 * or retags, and the accounts it touches), and says so.
 */
import { TAG_CLASSIFICATION } from '../../core/model/governance-tags.js';
import type { Mesh } from '../../core/model/types.js';
import type { LiveState } from '../../core/plan/live.js';
import type { Plan } from '../../core/plan/types.js';

/** A grant as a reader sees it, keyed like the access diff (principal, stream account, stream, access). */
export interface GrantFacts {
  id: string;
  /** The principal's account. */
  principalAccount: string;
  /** Role name (without path), or undefined for the whole account. */
  role?: string;
  /** Account of the stream. */
  account: string;
  stream: string;
  access: 'produce' | 'consume';
  /** Declared outside the mesh (`external: true`). */
  external: boolean;
  justification?: string;
  /** YYYY-MM-DD. */
  expires?: string;
  approvedBy?: string;
}

export interface PlanReaderContext {
  /** Member accounts of the organisation as read live; when absent, the mesh accounts stand for it. */
  organizationAccounts?: readonly string[];
  /** Mesh accounts, with their aliases. */
  accounts: readonly { id: string; alias: string }[];
  /** Declared streams: domain and classification. */
  streams: readonly { account: string; name: string; domain: string; classification: string }[];
  /** Classifications whose streams need attention when someone gains access (confidential, restricted and above). */
  sensitiveClassifications: readonly string[];
  grants: readonly GrantFacts[];
}

/** Classification names that always count as sensitive, whatever their level. */
const SENSITIVE_NAMES = /^(confidential|restricted|secret|top[-_ ]?secret|sensitive|pii)$/i;

/**
 * Sensitive classifications of a mesh: the ones named confidential or restricted (or alike), and every one at or
 * above the lowest level among those (a mesh may add `secret` above `restricted`).
 */
export function sensitiveClassifications(classifications: readonly { name: string; level: number }[]): string[] {
  const named = classifications.filter((c) => SENSITIVE_NAMES.test(c.name));
  if (named.length === 0) return [];
  const floor = Math.min(...named.map((c) => c.level));
  return classifications
    .filter((c) => c.level >= floor || SENSITIVE_NAMES.test(c.name))
    .map((c) => c.name)
    .sort();
}

/** The context of a plan made from `mesh` (and the organisation, when the live read found it). */
export function readerContext(mesh: Mesh, live?: Pick<LiveState, 'organization'>): PlanReaderContext {
  const org = live?.organization;
  const streams = new Map(mesh.streams.map((s) => [s.name, s]));
  return {
    ...(org !== undefined && org.accountsUnknown !== true && org.accounts.length > 0
      ? { organizationAccounts: [...org.accounts] }
      : {}),
    accounts: mesh.accounts.map((a) => ({ id: a.id, alias: a.alias })),
    streams: mesh.streams.map((s) => ({
      account: s.account,
      name: s.name,
      domain: s.domain,
      classification: s.classification,
    })),
    sensitiveClassifications: sensitiveClassifications(mesh.classifications),
    grants: mesh.grants.flatMap((g): GrantFacts[] => {
      const stream = streams.get(g.stream);
      if (stream === undefined) return [];
      return [
        {
          id: g.id,
          principalAccount: g.principal.account,
          ...(g.principal.role !== undefined ? { role: g.principal.role } : {}),
          account: stream.account,
          stream: g.stream,
          access: g.access,
          external: g.principal.external,
          ...(g.justification !== undefined ? { justification: g.justification } : {}),
          ...(g.expires !== undefined ? { expires: g.expires } : {}),
          ...(g.approvedBy !== undefined ? { approvedBy: g.approvedBy } : {}),
        },
      ];
    }),
  };
}

/**
 * What a saved plan says by itself: classification and domain of the streams it creates or retags, and the accounts
 * it touches standing for the organisation (conservative: a principal elsewhere needs attention).
 */
export function planOnlyContext(plan: Plan): PlanReaderContext {
  const streams = new Map<string, { account: string; name: string; domain: string; classification: string }>();
  const accounts = new Set<string>(plan.scope.accounts);
  for (const c of plan.changes) {
    accounts.add(c.account);
    if (c.stream === undefined) continue;
    const tags =
      c.resourceType === 'stream' && c.action === 'create'
        ? c.after.tags
        : c.resourceType === 'stream-tags'
          ? c.after.tags
          : undefined;
    const classification = tags?.[TAG_CLASSIFICATION];
    const key = `${c.account}/${c.stream}`;
    const known = streams.get(key);
    if (classification !== undefined || (known === undefined && c.domain !== undefined)) {
      const domain = c.domain ?? known?.domain ?? '';
      const cls = classification ?? known?.classification ?? '';
      streams.set(key, { account: c.account, name: c.stream, domain, classification: cls });
    }
  }
  const classes = [...new Set([...streams.values()].map((s) => s.classification).filter((s) => s !== ''))];
  return {
    accounts: [...accounts].sort().map((id) => ({ id, alias: '' })),
    streams: [...streams.values()],
    sensitiveClassifications: classes.filter((c) => SENSITIVE_NAMES.test(c)).sort(),
    grants: [],
  };
}
