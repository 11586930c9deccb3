/**
 * IAM wildcard matching: `*` any run of characters, `?` exactly one; actions compare case-insensitively,
 * resources case-sensitively, and `*` spans `:` and `/`.
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_action.html
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_resource.html
 *
 * Patterns come from live (untrusted) policies, so matching is a linear scan with one backtrack point, never a
 * RegExp: `a*a*a*...b` cannot make it backtrack exponentially.
 */
import type { ActionElement, ResourceElement, Statement } from './model.js';

type Token = { kind: 'char'; ch: string } | { kind: 'one' } | { kind: 'any' };

const compiled = new Map<string, Token[]>();

/**
 * Pattern tokens. Policy variables (`${aws:username}`) are unknown here and match like `*`, the conservative
 * reading for "could this apply"; the escapes `${*}`, `${?}` and `${$}` are the literal characters.
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_variables.html#policy-vars-specialchars
 */
function tokens(pattern: string, fold: boolean): Token[] {
  const key = `${fold ? 'i' : 's'}${pattern}`;
  const hit = compiled.get(key);
  if (hit) return hit;
  const out: Token[] = [];
  const text = fold ? pattern.toLowerCase() : pattern;
  for (let i = 0; i < text.length; i++) {
    const c = text[i] as string;
    if (c === '$' && text[i + 1] === '{') {
      const end = text.indexOf('}', i + 2);
      if (end > 0) {
        const inner = text.slice(i + 2, end);
        out.push(inner === '*' || inner === '?' || inner === '$' ? { kind: 'char', ch: inner } : { kind: 'any' });
        i = end;
        continue;
      }
    }
    out.push(c === '*' ? { kind: 'any' } : c === '?' ? { kind: 'one' } : { kind: 'char', ch: c });
  }
  if (compiled.size < 10_000) compiled.set(key, out);
  return out;
}

/** Does an IAM wildcard pattern match the whole text? */
export function globMatch(pattern: string, text: string, caseInsensitive: boolean): boolean {
  const tok = tokens(pattern, caseInsensitive);
  const s = caseInsensitive ? text.toLowerCase() : text;
  let p = 0;
  let t = 0;
  let star = -1;
  let mark = 0;
  while (t < s.length) {
    const k = tok[p];
    if (k !== undefined && (k.kind === 'one' || (k.kind === 'char' && k.ch === s[t]))) {
      p++;
      t++;
    } else if (k !== undefined && k.kind === 'any') {
      star = p++;
      mark = t;
    } else if (star >= 0) {
      p = star + 1;
      t = ++mark;
    } else {
      return false;
    }
  }
  while (tok[p]?.kind === 'any') p++;
  return p === tok.length;
}

/** Does an action pattern (`kinesis:Get*`, `*`) match `service:Action`? Case-insensitive, as IAM is. */
export function actionMatches(pattern: string, action: string): boolean {
  return globMatch(pattern, action, true);
}

/** Does a resource pattern match an ARN? Case-sensitive. */
export function resourceMatches(pattern: string, arn: string): boolean {
  return pattern === '*' || globMatch(pattern, arn, false);
}

/** Does an Action/NotAction element cover the action? (No element covers nothing.) */
export function coversAction(element: ActionElement, action: string): boolean {
  switch (element.kind) {
    case 'none':
      return false;
    case 'action':
      return element.patterns.some((p) => actionMatches(p, action));
    case 'not-action':
      return !element.patterns.some((p) => actionMatches(p, action));
  }
}

/** Does a Resource/NotResource element cover the ARN? No element is read as the attached resource. */
export function coversResource(element: ResourceElement, arn: string): boolean {
  switch (element.kind) {
    case 'none':
      return true;
    case 'resource':
      return element.patterns.some((p) => resourceMatches(p, arn));
    case 'not-resource':
      return !element.patterns.some((p) => resourceMatches(p, arn));
  }
}

/** The actions of `catalog` (full `service:Name` strings) a statement's Action/NotAction covers. */
export function statementActions(s: Statement, catalog: readonly string[]): string[] {
  return catalog.filter((a) => coversAction(s.action, a));
}

/** Does a statement's Resource/NotResource cover the ARN? */
export function statementCoversResource(s: Statement, arn: string): boolean {
  return coversResource(s.resource, arn);
}
