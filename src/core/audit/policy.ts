/**
 * Small, pure IAM policy helpers for the audit: canonical form (to compare documents), wildcard matching of
 * actions and ARNs, and principal normalisation. Not an IAM evaluator: it answers "could this statement apply
 * to this action on this resource", which is what an audit needs to flag overreach.
 */
import type { PolicyDocument, PolicyStatement } from '../render/types.js';

export function asArray<T>(v: T | T[] | undefined): T[] {
  return v === undefined ? [] : Array.isArray(v) ? v : [v];
}

/** Principal as AWS stores it: a bare account id becomes `arn:<partition>:iam::<id>:root`. */
export function normalisePrincipal(p: string, partition = 'aws'): string {
  return /^\d{12}$/.test(p) ? `arn:${partition}:iam::${p}:root` : p;
}

/** The account a principal ARN (or bare id) belongs to, if it names one. */
export function principalAccount(p: string): string | undefined {
  if (/^\d{12}$/.test(p)) return p;
  const m = /^arn:[^:]+:(?:iam|sts)::(\d{12}):/.exec(p);
  return m?.[1];
}

/** Principals an Allow/Deny statement names under `AWS` (normalised), plus `Service` principals as `service:<name>`. */
export function statementPrincipals(s: PolicyStatement, partition = 'aws'): string[] {
  const p = s.Principal as unknown;
  if (p === '*') return ['*'];
  if (!p || typeof p !== 'object') return [];
  const out: string[] = [];
  const rec = p as Record<string, string | string[]>;
  for (const a of asArray(rec['AWS'])) out.push(a === '*' ? '*' : normalisePrincipal(a, partition));
  for (const svc of asArray(rec['Service'])) out.push(`service:${svc}`);
  for (const f of asArray(rec['Federated'])) out.push(`federated:${f}`);
  return out;
}

function canonicalStatement(s: PolicyStatement, partition: string): Record<string, unknown> {
  const out: Record<string, unknown> = { Effect: s.Effect };
  if (s.Principal !== undefined) out['Principal'] = statementPrincipals(s, partition).sort();
  if (s.NotPrincipal !== undefined) out['NotPrincipal'] = asArray(s.NotPrincipal.AWS).map((a) => normalisePrincipal(a, partition)).sort();
  for (const k of ['Action', 'NotAction', 'Resource', 'NotResource'] as const) {
    const v = s[k];
    if (v !== undefined) out[k] = asArray(v).map((x) => (k.endsWith('Action') ? x.toLowerCase() : x)).sort();
  }
  if (s.Condition) out['Condition'] = sortDeep(s.Condition);
  return out;
}

function sortDeep(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(sortDeep).map(String).sort();
  if (v && typeof v === 'object') {
    const o: Record<string, unknown> = {};
    for (const k of Object.keys(v).sort()) o[k] = sortDeep((v as Record<string, unknown>)[k]);
    return o;
  }
  return String(v);
}

/**
 * Canonical JSON of a policy: Sids ignored (AWS keeps them, but they carry no meaning), arrays and keys sorted,
 * single values as one-element arrays, account ids as root ARNs. Two documents that grant the same are equal.
 */
export function canonicalPolicy(doc: PolicyDocument | undefined, partition = 'aws'): string {
  if (!doc) return 'null';
  const statements = asArray(doc.Statement).map((s) => JSON.stringify(canonicalStatement(s, partition))).sort();
  return `[${statements.join(',')}]`;
}

const compiled = new Map<string, RegExp>();

/** IAM wildcard pattern (`*` any run, `?` one character) as a RegExp (memoised: audits test the same patterns often). */
export function wildcardRegExp(pattern: string, caseInsensitive: boolean): RegExp {
  const key = `${caseInsensitive ? 'i' : 's'}${pattern}`;
  const hit = compiled.get(key);
  if (hit) return hit;
  const re = compileWildcard(pattern, caseInsensitive);
  if (compiled.size < 10_000) compiled.set(key, re);
  return re;
}

function compileWildcard(pattern: string, caseInsensitive: boolean): RegExp {
  // Policy variables (${aws:username}) are unknown here: match them like `*`, the conservative reading.
  const body = pattern
    .split(/(\$\{[^}]*\}|\*|\?)/)
    .map((part) => (part === '*' || part.startsWith('${') ? '.*' : part === '?' ? '.' : part.replace(/[.+^$()|[\]\\{}]/g, '\\$&')))
    .join('');
  return new RegExp(`^${body}$`, caseInsensitive ? 'i' : '');
}

/** Does an action pattern (`kinesis:Get*`, `*`) match `service:Action`? Case-insensitive, as IAM is. */
export function actionMatches(pattern: string, action: string): boolean {
  return wildcardRegExp(pattern, true).test(action);
}

/** Does a resource pattern match an ARN? Case-sensitive; `*` spans `:` and `/`, as in IAM. */
export function resourceMatches(pattern: string, arn: string): boolean {
  return pattern === '*' || wildcardRegExp(pattern, false).test(arn);
}

/** Actions of `catalog` (full `kinesis:Name` strings) a statement's Action/NotAction covers. */
export function statementActions(s: PolicyStatement, catalog: readonly string[]): string[] {
  if (s.Action !== undefined) {
    const pats = asArray(s.Action);
    return catalog.filter((a) => pats.some((p) => actionMatches(p, a)));
  }
  if (s.NotAction !== undefined) {
    const pats = asArray(s.NotAction);
    return catalog.filter((a) => !pats.some((p) => actionMatches(p, a)));
  }
  return [];
}

/** Does a statement's Resource/NotResource cover the ARN? */
export function statementCoversResource(s: PolicyStatement, arn: string): boolean {
  if (s.Resource !== undefined) return asArray(s.Resource).some((p) => resourceMatches(p, arn));
  if (s.NotResource !== undefined) return !asArray(s.NotResource).some((p) => resourceMatches(p, arn));
  // Resource policies may omit Resource only in malformed documents; treat as the attached resource.
  return true;
}
