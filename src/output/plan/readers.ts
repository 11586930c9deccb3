/**
 * The plan as a reader needs it, shared by the text and markdown renderers: one row per grant (the access diff's
 * grant-tag, stream-policy and consumer-policy rows of one principal, stream and access merged, with the grant's
 * justification, expiry and approver), the "needs attention" items (destructive changes, access gained by principals
 * outside the organisation or declared external, access to confidential or restricted streams, capacity), and
 * roll-ups by domain, account and principal. Pure: computed from the plan and an optional {@link PlanReaderContext}.
 */
import type { AccessChange, Change, Plan, StreamCapacityChange } from '../../core/plan/types.js';
import { planOnlyContext } from './context.js';
import type { GrantFacts, PlanReaderContext } from './context.js';

/** Why a principal needs attention when it gains access. */
export type OutsideReason =
  | 'anyone'
  | 'declared external'
  | 'outside the organisation'
  | 'outside the mesh accounts'
  | 'not an account principal';

export interface GrantRow {
  change: 'gain' | 'lose';
  /** The principal as the access diff names it (its first spelling). */
  principal: string;
  /** The principal's account and role (last path segment), when it is an IAM account or role ARN. */
  principalAccount?: string;
  role?: string;
  /** Stream account and name. */
  account: string;
  stream: string;
  access: 'produce' | 'consume';
  /** How the access is given, sorted: `grant tag`, `stream policy`, `consumer policy (<consumer>)`. */
  mechanisms: string[];
  domain?: string;
  classification?: string;
  /** Set when the principal is not inside the organisation (or is anyone, or is declared external). */
  outside?: OutsideReason;
  /** The declared grants behind the row (none for a loss of undeclared access). */
  grants: GrantFacts[];
}

export type CapacityItem =
  | { kind: 'change'; change: StreamCapacityChange }
  | { kind: 'new-streams' | 'removed-streams'; streams: number; provisioned: number; shards: number; onDemand: number };

export interface Attention {
  /** Destructive changes apply will make (blocked ones are listed apart). */
  destructive: Change[];
  /** Gains by principals outside the organisation, declared external, or anyone. */
  outside: GrantRow[];
  /** Gains on streams of a sensitive classification. */
  sensitive: GrantRow[];
  capacity: CapacityItem[];
}

export interface RollUp {
  key: string;
  gained: number;
  lost: number;
}

export interface PlanForReaders {
  context: PlanReaderContext;
  /** True when the context came from the mesh (not only from the plan). */
  fromMesh: boolean;
  rows: GrantRow[];
  attention: Attention;
  byDomain: RollUp[];
  byAccount: RollUp[];
  byPrincipal: RollUp[];
}

const ARN = /^arn:[^:]+:iam::(\d{12}):(?:root|role\/(?:[^/]*\/)*([^/]+))$/;

/** Account and role of an IAM principal ARN (IAM role names are case-insensitive: the key folds case). */
export function parsePrincipal(p: string): { account?: string; role?: string; key: string } {
  const m = ARN.exec(p);
  if (!m) return { key: p.toLowerCase() };
  const account = m[1] as string;
  const role = m[2];
  const key = `${account}|${role === undefined ? ':root' : role.toLowerCase()}`;
  return { account, ...(role !== undefined ? { role } : {}), key };
}

function mechanism(a: AccessChange): string {
  if (a.via === 'grant-tag') return 'grant tag';
  if (a.via === 'stream-policy') return 'stream policy';
  return `consumer policy (${a.consumer ?? '?'})`;
}

/** The grant rows of an access diff: one per principal, stream, access and direction, mechanisms merged. */
export function grantRows(plan: Plan, ctx: PlanReaderContext): GrantRow[] {
  const streams = new Map(ctx.streams.map((s) => [`${s.account}/${s.name}`, s]));
  const domains = new Map<string, string>();
  for (const c of plan.changes) {
    if (c.stream !== undefined && c.domain !== undefined) domains.set(`${c.account}/${c.stream}`, c.domain);
  }
  const org = new Set(ctx.organizationAccounts ?? ctx.accounts.map((a) => a.id));
  const rows = new Map<string, GrantRow>();
  for (const a of plan.accessDiff) {
    const p = parsePrincipal(a.principal);
    const key = `${a.change}|${p.key}|${a.account}|${a.stream}|${a.access}`;
    const row = rows.get(key);
    if (row !== undefined) {
      if (!row.mechanisms.includes(mechanism(a))) row.mechanisms.push(mechanism(a));
      continue;
    }
    const grants = ctx.grants.filter(
      (g) =>
        g.account === a.account &&
        g.stream === a.stream &&
        g.access === a.access &&
        g.principalAccount === p.account &&
        (g.role ?? ':root').toLowerCase() === (p.role ?? ':root').toLowerCase(),
    );
    const stream = streams.get(`${a.account}/${a.stream}`);
    const domain = stream?.domain || domains.get(`${a.account}/${a.stream}`);
    const outsideOrg: OutsideReason =
      ctx.organizationAccounts !== undefined ? 'outside the organisation' : 'outside the mesh accounts';
    const outside: OutsideReason | undefined =
      a.principal === '*' || a.principal.startsWith('* except')
        ? 'anyone'
        : grants.some((g) => g.external)
          ? 'declared external'
          : p.account === undefined
            ? 'not an account principal'
            : !org.has(p.account)
              ? outsideOrg
              : undefined;
    rows.set(key, {
      change: a.change,
      principal: a.principal,
      ...(p.account !== undefined ? { principalAccount: p.account } : {}),
      ...(p.role !== undefined ? { role: p.role } : {}),
      account: a.account,
      stream: a.stream,
      access: a.access,
      mechanisms: [mechanism(a)],
      ...(domain ? { domain } : {}),
      ...(stream?.classification ? { classification: stream.classification } : {}),
      ...(outside !== undefined ? { outside } : {}),
      grants,
    });
  }
  const out = [...rows.values()];
  for (const r of out) r.mechanisms.sort();
  // Gains first, then by stream and principal: the order a reviewer reads a stream's access in.
  return out.sort(
    (x, y) =>
      (x.change === y.change ? 0 : x.change === 'gain' ? -1 : 1) ||
      cmp(x.account, y.account) ||
      cmp(x.stream, y.stream) ||
      cmp(x.principal, y.principal) ||
      cmp(x.access, y.access),
  );
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function capacityItems(plan: Plan): CapacityItem[] {
  const items: CapacityItem[] = [];
  const made = { kind: 'new-streams' as const, streams: 0, provisioned: 0, shards: 0, onDemand: 0 };
  const gone = { kind: 'removed-streams' as const, streams: 0, provisioned: 0, shards: 0, onDemand: 0 };
  for (const c of plan.changes) {
    if (c.blocked !== undefined) continue;
    if (c.resourceType === 'stream-capacity') items.push({ kind: 'change', change: c });
    if (c.resourceType !== 'stream' || c.action === 'no-op') continue;
    const attrs = c.action === 'create' ? c.after : c.before;
    const sum = c.action === 'create' ? made : gone;
    sum.streams++;
    if (attrs.mode === 'PROVISIONED') {
      sum.provisioned++;
      sum.shards += attrs.shards ?? 0;
    } else sum.onDemand++;
  }
  if (made.streams > 0) items.push(made);
  if (gone.streams > 0) items.push(gone);
  return items;
}

function rollUp(rows: readonly GrantRow[], keyOf: (r: GrantRow) => string): RollUp[] {
  const m = new Map<string, RollUp>();
  for (const r of rows) {
    const k = keyOf(r);
    const e = m.get(k) ?? { key: k, gained: 0, lost: 0 };
    if (r.change === 'gain') e.gained++;
    else e.lost++;
    m.set(k, e);
  }
  return [...m.values()].sort((a, b) => b.gained + b.lost - (a.gained + a.lost) || cmp(a.key, b.key));
}

/** Everything the reader sections show, from the plan and (when given) the mesh's context. */
export function forReaders(plan: Plan, context?: PlanReaderContext): PlanForReaders {
  const ctx = context ?? planOnlyContext(plan);
  const rows = grantRows(plan, ctx);
  const sensitive = new Set(ctx.sensitiveClassifications);
  const gains = rows.filter((r) => r.change === 'gain');
  return {
    context: ctx,
    fromMesh: context !== undefined,
    rows,
    attention: {
      destructive: plan.changes.filter((c) => c.action !== 'no-op' && c.risk === 'destructive' && !c.blocked),
      outside: gains.filter((r) => r.outside !== undefined),
      sensitive: gains.filter((r) => r.classification !== undefined && sensitive.has(r.classification)),
      capacity: capacityItems(plan),
    },
    byDomain: rollUp(rows, (r) => r.domain ?? '(unknown domain)'),
    byAccount: rollUp(rows, (r) => r.account),
    byPrincipal: rollUp(rows, (r) => r.principal),
  };
}

/** Number of attention items (each destructive change, each outside or sensitive gain, each capacity item). */
export function attentionCount(a: Attention): number {
  return a.destructive.length + a.outside.length + a.sensitive.length + a.capacity.length;
}

/** Short name of a principal: the role, prefixed `alias/` (or `account/`) outside the stream's account. */
export function principalShort(
  r: Pick<GrantRow, 'principal' | 'principalAccount' | 'role' | 'account'>,
  ctx: PlanReaderContext,
): string {
  if (r.principalAccount === undefined) return r.principal;
  const who = r.role ?? 'root';
  if (r.principalAccount === r.account) return who;
  const alias = ctx.accounts.find((a) => a.id === r.principalAccount)?.alias || r.principalAccount;
  return `${alias}/${who}`;
}

/** A capacity item as a line: sign, the address of a change, and what changes. */
export interface CapacityLine {
  sign: '+' | '-' | '~';
  subject?: string;
  text: string;
}

export function capacityText(item: CapacityItem, arrow: string): CapacityLine {
  if (item.kind === 'change') {
    const { before, after, address, risk } = item.change;
    const parts: string[] = [];
    const from = (k: 'mode' | 'shards') => `${k} ${before[k] ?? '?'} ${arrow} ${after[k] ?? '?'}`;
    if (before.mode !== undefined || after.mode !== undefined) parts.push(from('mode'));
    if (before.shards !== undefined || after.shards !== undefined) parts.push(from('shards'));
    return { sign: '~', subject: address, text: `${parts.join(', ')}${risk !== 'safe' ? ` (${risk})` : ''}` };
  }
  const made = item.kind === 'new-streams';
  const what = made ? plural(item.streams, 'new stream') : `${plural(item.streams, 'stream')} removed`;
  return {
    sign: made ? '+' : '-',
    text: `${what}: ${item.provisioned} provisioned (${plural(item.shards, 'shard')}), ${item.onDemand} on-demand`,
  };
}

/** Rows grouped by stream (account and name), in row order. */
export function byStream(rows: readonly GrantRow[]): GrantRow[][] {
  const m = new Map<string, GrantRow[]>();
  for (const r of rows) m.set(`${r.account}/${r.stream}`, [...(m.get(`${r.account}/${r.stream}`) ?? []), r]);
  return [...m.values()];
}

export const plural = (n: number, one: string, many = `${one}s`): string => `${n} ${n === 1 ? one : many}`;

/** `justification "…"; expires 2026-05-01; approved by …` of the grants behind a row, or ''. */
export function grantFactsText(r: GrantRow): string {
  const parts: string[] = [];
  // A justification's closing full stop would read as ".;" before the next fact.
  const j = [...new Set(r.grants.flatMap((g) => (g.justification !== undefined ? [g.justification.trim()] : [])))].map(
    (x) => x.replace(/\.+$/, ''),
  );
  const e = [...new Set(r.grants.flatMap((g) => (g.expires !== undefined ? [g.expires] : [])))].sort();
  const by = [...new Set(r.grants.flatMap((g) => (g.approvedBy !== undefined ? [g.approvedBy] : [])))];
  if (j.length) parts.push(`justification: ${j.join(' / ')}`);
  if (e.length) parts.push(`expires ${e.join(', ')}`);
  if (by.length) parts.push(`approved by ${by.join(', ')}`);
  return parts.join('; ');
}
