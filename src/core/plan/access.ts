/**
 * Who can do what on which stream, as far as meshgov's own mechanisms say: ABAC grant tags on the stream and the
 * Allow statements of stream and consumer resource policies. Used for the plan's access diff.
 */
import { TAG_PREFIX, WHOLE_ACCOUNT_ROLE, caseFold } from '../model/governance-tags.js';
import { coversAction, parsePolicy, principalId, statementPrincipals } from '../policy/index.js';
import type { Statement } from '../policy/index.js';
import type { AccessChange, AccessVia } from './types.js';

export interface AccessEntry {
  principal: string;
  access: 'produce' | 'consume';
  via: AccessVia;
  consumer?: string;
}

const GRANT_TAG = new RegExp(`^${TAG_PREFIX}(produce|consume):(\\d{12}):(.+)$`);

/** Principal ARN for an account and role name (`root`, in any case, means the whole account). */
export function principalArn(partition: string, account: string, role: string): string {
  return caseFold(role) === WHOLE_ACCOUNT_ROLE
    ? `arn:${partition}:iam::${account}:root`
    : `arn:${partition}:iam::${account}:role/${role}`;
}

/**
 * The parts of an ABAC grant tag key, read the way IAM reads `aws:ResourceTag/<key>`: without regard to letter case,
 * so a tampered `MESHGOV:CONSUME:…` key counts as the access it gives. The role keeps the key's spelling.
 */
function parseGrantTag(key: string): { access: 'produce' | 'consume'; account: string; role: string } | undefined {
  const m = GRANT_TAG.exec(caseFold(key));
  if (!m) return undefined;
  const role = key.slice(key.length - (m[3] as string).length);
  return { access: m[1] as 'produce' | 'consume', account: m[2] as string, role };
}

/** True when a tag key is an ABAC grant tag (`meshgov:produce:<account>:<role>` / `meshgov:consume:...`), in any case. */
export function isGrantTag(key: string): boolean {
  return parseGrantTag(key) !== undefined;
}

export function accessFromTags(tags: Record<string, string>, partition: string): AccessEntry[] {
  const out: AccessEntry[] = [];
  for (const [key, value] of Object.entries(tags)) {
    const g = parseGrantTag(key);
    // IAM compares condition values case-sensitively: only `allow` satisfies the ABAC condition.
    if (!g || value !== 'allow') continue;
    out.push({ principal: principalArn(partition, g.account, g.role), access: g.access, via: 'grant-tag' });
  }
  return out;
}

const PRODUCE_ACTIONS = ['kinesis:PutRecord', 'kinesis:PutRecords'];
const CONSUME_ACTIONS = ['kinesis:GetRecords', 'kinesis:GetShardIterator', 'kinesis:SubscribeToShard'];

/**
 * Who an Allow statement lets in: its principal ids (`*` for the public, `service:<name>` for services), or for
 * Allow + NotPrincipal everyone but the listed ones.
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_notprincipal.html
 */
function allowedPrincipals(st: Statement): string[] {
  if (st.principal.kind !== 'not-principal') return statementPrincipals(st);
  const except = st.principal.principals.map(principalId);
  return [except.length ? `* except ${[...new Set(except)].sort().join(', ')}` : '*'];
}

/**
 * Access granted by the Allow statements of a resource policy (any JSON: live policies are untrusted). Deny
 * statements, resources and conditions are not evaluated: every Allow counts, the conservative reading for an
 * access diff. NotAction allows what it does not list.
 */
export function accessFromPolicy(doc: unknown, partition: string, via: AccessVia, consumer?: string): AccessEntry[] {
  if (doc === undefined) return [];
  const out: AccessEntry[] = [];
  for (const st of parsePolicy(doc, { partition }).policy.statements) {
    if (st.effect !== 'Allow') continue;
    const grants = (list: string[]) => list.some((a) => coversAction(st.action, a));
    for (const principal of allowedPrincipals(st)) {
      const base = consumer === undefined ? { principal, via } : { principal, via, consumer };
      if (grants(PRODUCE_ACTIONS)) out.push({ ...base, access: 'produce' });
      if (grants(CONSUME_ACTIONS)) out.push({ ...base, access: 'consume' });
    }
  }
  return out;
}

/** IAM role names are case-insensitive, so one role spelled two ways is one principal. */
function key(e: AccessEntry): string {
  return `${caseFold(e.principal)}\u0000${e.access}\u0000${e.via}\u0000${e.consumer ?? ''}`;
}

/** Entries in `after` but not `before` are gains; in `before` but not `after`, losses. */
export function diffAccess(
  before: AccessEntry[],
  after: AccessEntry[],
  stream: string,
  account: string,
): AccessChange[] {
  const b = new Map(before.map((e) => [key(e), e]));
  const a = new Map(after.map((e) => [key(e), e]));
  const out: AccessChange[] = [];
  const push = (e: AccessEntry, change: 'gain' | 'lose') =>
    out.push({
      principal: e.principal,
      stream,
      account,
      access: e.access,
      via: e.via,
      ...(e.consumer !== undefined ? { consumer: e.consumer } : {}),
      change,
    });
  for (const [k, e] of a) if (!b.has(k)) push(e, 'gain');
  for (const [k, e] of b) if (!a.has(k)) push(e, 'lose');
  return out;
}
