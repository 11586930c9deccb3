/**
 * What a policy change takes away: the grants of the live policy that the desired one no longer covers. The plan's
 * risk follows from it (a change that only widens is safe; one that loses a grant is destructive), instead of from
 * "a statement changed" (adding a grant rewrites a statement, and used to be called destructive).
 *
 * Conservative by construction: a live grant counts as kept only when one desired Allow statement provably covers it:
 * - conditions: the desired statement's conditions are a subset of the live one's (conditions are ANDed, so fewer
 *   conditions are broader);
 * - principal (resource policies): the same principal (account id and root ARN alike), or a public desired principal;
 * - action / resource: a pattern equal to the live one, `*`, or `prefix*` where the live pattern starts with `prefix`
 *   (a wildcard-free live pattern is matched against the desired glob directly);
 * - `NotAction`, `NotResource`, `NotPrincipal` and unparsed parts are kept only by an identical desired statement.
 * Any new Deny statement counts as a possible loss. When in doubt the answer is "lost", never "kept".
 */
import { canonicalJson } from '../canonical-json.js';
import { canonicalStatement } from './canonical.js';
import { actionMatches, resourceMatches } from './match.js';
import type { Condition, Policy, Statement } from './model.js';
import { principalKey } from './principal.js';

function conditionKey(c: Condition): string {
  return canonicalJson({ op: c.operator.toLowerCase(), key: c.key.toLowerCase(), values: [...c.values].sort() });
}

function hasWildcard(p: string): boolean {
  return p.includes('*') || p.includes('?') || p.includes('${');
}

/** Does the desired pattern cover every string the live pattern can match? */
function patternCovers(desired: string, live: string, caseInsensitive: boolean): boolean {
  const d = caseInsensitive ? desired.toLowerCase() : desired;
  const l = caseInsensitive ? live.toLowerCase() : live;
  if (d === '*' || d === l) return true;
  if (!hasWildcard(l)) return caseInsensitive ? actionMatches(desired, live) : resourceMatches(desired, live);
  const star = d.indexOf('*');
  return star === d.length - 1 && !hasWildcard(d.slice(0, star)) && l.startsWith(d.slice(0, star));
}

interface Unit {
  principal?: string;
  action: string;
  resource: string;
}

/** The (principal, action, resource) units a plain Allow statement grants, or undefined when it is not plain. */
function units(s: Statement): Unit[] | undefined {
  if (s.unparsed.length > 0 || s.action.kind !== 'action') return undefined;
  if (s.resource.kind === 'not-resource' || s.principal.kind === 'not-principal') return undefined;
  const resources = s.resource.kind === 'resource' ? s.resource.patterns : ['*'];
  const principals = s.principal.kind === 'principal' ? s.principal.principals.map(principalKey) : [undefined];
  const out: Unit[] = [];
  for (const principal of principals) {
    for (const action of s.action.patterns)
      for (const resource of resources)
        out.push({ ...(principal === undefined ? {} : { principal }), action, resource });
  }
  return out;
}

function statementCovers(d: Statement, u: Unit, liveConditions: ReadonlySet<string>): boolean {
  if (d.effect !== 'Allow' || d.unparsed.length > 0 || d.action.kind !== 'action') return false;
  if (!d.conditions.every((c) => liveConditions.has(conditionKey(c)))) return false;
  if (u.principal !== undefined) {
    if (d.principal.kind !== 'principal') return false;
    const keys = d.principal.principals.map(principalKey);
    if (!keys.includes(u.principal) && !d.principal.principals.some((p) => p.kind === 'public')) return false;
  } else if (d.principal.kind !== 'none') return false;
  if (!d.action.patterns.some((p) => patternCovers(p, u.action, true))) return false;
  const resources = d.resource.kind === 'resource' ? d.resource.patterns : d.resource.kind === 'none' ? ['*'] : [];
  return resources.some((p) => patternCovers(p, u.resource, false));
}

function describe(s: Statement, u?: Unit): string {
  const sid = s.sid !== undefined ? `Sid ${s.sid}` : `statement #${s.position}`;
  if (!u) return `${sid} (${s.effect})`;
  const who = u.principal === undefined ? '' : ` to ${u.principal.replace(/^[a-z-]+\|/, '')}`;
  return `${u.action} on ${u.resource}${who} (${sid})`;
}

/**
 * Grants of `live` that `desired` does not provably keep, described one per line (empty: the change only widens or
 * keeps access). New Deny statements in `desired` are listed too.
 */
export function lostGrants(live: Policy, desired: Policy): string[] {
  const desiredCanon = new Set(desired.statements.map(canonicalStatement));
  const liveCanon = new Set(live.statements.map(canonicalStatement));
  const out: string[] = [];
  for (const d of desired.statements) {
    if (d.effect === 'Deny' && !liveCanon.has(canonicalStatement(d))) out.push(`new deny: ${describe(d)}`);
  }
  for (const l of live.statements) {
    if (l.effect !== 'Allow' || desiredCanon.has(canonicalStatement(l))) continue;
    const us = units(l);
    if (us === undefined) {
      out.push(`no longer granted: ${describe(l)}`);
      continue;
    }
    const conds = new Set(l.conditions.map(conditionKey));
    for (const u of us)
      if (!desired.statements.some((d) => statementCovers(d, u, conds)))
        out.push(`no longer granted: ${describe(l, u)}`);
  }
  return [...new Set(out)];
}
