/**
 * `parsePolicy`: any JSON value -> the policy model plus diagnostics. Never throws. Live documents are untrusted:
 * whatever does not fit the grammar is reported and kept as `Unparsed` (canonical JSON), so it still takes part
 * in equivalence. https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_grammar.html
 */
import type {
  ActionElement,
  Condition,
  Effect,
  ParseOptions,
  ParsedPolicy,
  Policy,
  PolicyDiagnostic,
  PolicyPath,
  Principal,
  PrincipalElement,
  ResourceElement,
  SetOperator,
  Statement,
  Unparsed,
} from './model.js';
import { has, isObject, member, members, opaqueJson, show } from './opaque.js';
import type { JsonObject } from './opaque.js';
import { awsPrincipal, principalKey } from './principal.js';

const VERSIONS = ['2012-10-17', '2008-10-17'];
const POLICY_KEYS = new Set(['Version', 'Id', 'Statement']);
const STATEMENT_KEYS = new Set([
  'Sid',
  'Effect',
  'Principal',
  'NotPrincipal',
  'Action',
  'NotAction',
  'Resource',
  'NotResource',
  'Condition',
]);
const PRINCIPAL_TYPES = ['AWS', 'Service', 'Federated', 'CanonicalUser'] as const;

/** https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html */
const OPERATORS = new Set([
  'StringEquals',
  'StringNotEquals',
  'StringEqualsIgnoreCase',
  'StringNotEqualsIgnoreCase',
  'StringLike',
  'StringNotLike',
  'NumericEquals',
  'NumericNotEquals',
  'NumericLessThan',
  'NumericLessThanEquals',
  'NumericGreaterThan',
  'NumericGreaterThanEquals',
  'DateEquals',
  'DateNotEquals',
  'DateLessThan',
  'DateLessThanEquals',
  'DateGreaterThan',
  'DateGreaterThanEquals',
  'Bool',
  'BinaryEquals',
  'IpAddress',
  'NotIpAddress',
  'ArnEquals',
  'ArnLike',
  'ArnNotEquals',
  'ArnNotLike',
  'Null',
]);

/** Collects diagnostics and unparsed parts while one document is read. */
class Reader {
  readonly diagnostics: PolicyDiagnostic[] = [];
  /** Length of the path of the statement being read: unparsed parts are located relative to it. */
  origin = 0;

  constructor(readonly partition: string) {}

  report(code: string, message: string, path: PolicyPath): void {
    this.diagnostics.push({ code, message, path: [...path] });
  }

  /** Report a part and keep it, as written, in `into`. */
  keep(into: Unparsed[], code: string, message: string, path: PolicyPath, value: unknown): void {
    this.report(code, message, path);
    into.push(this.unparsed(path, value));
  }

  unparsed(path: PolicyPath, value: unknown): Unparsed {
    return { at: path.slice(this.origin).join('.'), json: opaqueJson(value) };
  }
}

/** Parse any JSON value as an IAM policy document; see the module comment. */
export function parsePolicy(json: unknown, options: ParseOptions = {}): ParsedPolicy {
  const r = new Reader(options.partition ?? 'aws');
  const policy: Policy = { statements: [], unparsed: [] };
  if (!isObject(json)) {
    r.keep(policy.unparsed, 'policy-not-object', `a policy document is a JSON object, not ${show(json)}`, [], json);
    return { policy, diagnostics: r.diagnostics };
  }
  for (const [key, value] of members(json)) {
    if (POLICY_KEYS.has(key)) continue;
    r.keep(policy.unparsed, 'policy-unknown-element', `unknown policy element ${JSON.stringify(key)}`, [key], value);
  }
  const version = member(json, 'Version');
  if (typeof version === 'string') {
    policy.version = version;
    if (!VERSIONS.includes(version)) {
      r.report('policy-unknown-version', `unknown policy Version ${JSON.stringify(version)}`, ['Version']);
    }
  } else if (version !== undefined) {
    const message = `Version is ${show(version)}, not a string`;
    r.keep(policy.unparsed, 'policy-unknown-version', message, ['Version'], version);
  }
  const id = member(json, 'Id');
  if (typeof id === 'string') policy.id = id;
  else if (id !== undefined) r.report('policy-bad-id', `Id is ${show(id)}, not a string (ignored: no meaning)`, ['Id']);

  const raw = member(json, 'Statement');
  if (raw === undefined) {
    r.report('policy-no-statement', 'the policy has no Statement', []);
  } else if (isObject(raw)) {
    policy.statements.push(parseStatement(r, raw, 1, ['Statement']));
  } else if (Array.isArray(raw)) {
    raw.forEach((s: unknown, i) => {
      if (isObject(s)) policy.statements.push(parseStatement(r, s, i + 1, ['Statement', i]));
      else {
        r.report('statement-not-object', `statement ${i + 1} is ${show(s)}, not an object`, ['Statement', i]);
        // Located without its position: reordering statements must not change the canonical form.
        policy.unparsed.push({ at: 'Statement[]', json: opaqueJson(s) });
      }
    });
  } else {
    const message = `Statement is ${show(raw)}, neither an object nor a list`;
    r.keep(policy.unparsed, 'policy-bad-statement', message, ['Statement'], raw);
  }
  return { policy, diagnostics: r.diagnostics };
}

function parseStatement(r: Reader, o: JsonObject, position: number, path: PolicyPath): Statement {
  const unparsed: Unparsed[] = [];
  r.origin = path.length;
  for (const [key, value] of members(o)) {
    if (STATEMENT_KEYS.has(key)) continue;
    const message = `unknown statement element ${JSON.stringify(key)}`;
    r.keep(unparsed, 'statement-unknown-element', message, [...path, key], value);
  }
  const s: Statement = {
    position,
    effect: parseEffect(r, member(o, 'Effect'), [...path, 'Effect'], unparsed),
    principal: parsePrincipalElement(r, o, path, unparsed),
    action: actionElement(r, o, path, unparsed),
    resource: resourceElement(r, o, path, unparsed),
    conditions: parseConditions(r, member(o, 'Condition'), [...path, 'Condition'], unparsed),
    unparsed,
    source: o,
  };
  const sid = member(o, 'Sid');
  if (typeof sid === 'string') s.sid = sid;
  else if (sid !== undefined) {
    r.report('statement-bad-sid', `Sid is ${show(sid)}, not a string (ignored: no meaning)`, [...path, 'Sid']);
  }
  r.origin = 0;
  return s;
}

function parseEffect(r: Reader, v: unknown, path: PolicyPath, unparsed: Unparsed[]): Effect | 'invalid' {
  if (v === 'Allow' || v === 'Deny') return v;
  if (v === undefined) r.report('statement-no-effect', 'the statement has no Effect', path);
  else r.keep(unparsed, 'statement-bad-effect', `Effect is ${show(v)}, neither "Allow" nor "Deny"`, path, v);
  return 'invalid';
}

function actionElement(r: Reader, o: JsonObject, path: PolicyPath, unparsed: Unparsed[]): ActionElement {
  const e = exclusive(r, o, path, unparsed, 'Action', 'NotAction', (a) => a.toLowerCase());
  if (e === undefined) return { kind: 'none' };
  return e.negated ? { kind: 'not-action', patterns: e.values } : { kind: 'action', patterns: e.values };
}

function resourceElement(r: Reader, o: JsonObject, path: PolicyPath, unparsed: Unparsed[]): ResourceElement {
  const e = exclusive(r, o, path, unparsed, 'Resource', 'NotResource', (x) => x);
  if (e === undefined) return { kind: 'none' };
  return e.negated ? { kind: 'not-resource', patterns: e.values } : { kind: 'resource', patterns: e.values };
}

/**
 * A pair of mutually exclusive elements (Action/NotAction, Resource/NotResource): the first wins, the other is
 * reported and kept unparsed. Values are deduplicated under `fold` (actions are case-insensitive).
 */
function exclusive(
  r: Reader,
  o: JsonObject,
  path: PolicyPath,
  unparsed: Unparsed[],
  plain: string,
  negated: string,
  fold: (s: string) => string,
): { values: string[]; negated: boolean } | undefined {
  const hasPlain = has(o, plain);
  if (hasPlain && has(o, negated)) {
    const message = `the statement has both ${plain} and ${negated}; ${negated} is not read`;
    r.keep(unparsed, 'statement-both-elements', message, [...path, negated], member(o, negated));
  }
  const key = hasPlain ? plain : has(o, negated) ? negated : undefined;
  if (key === undefined) return undefined;
  const values = stringList(r, member(o, key), [...path, key], unparsed);
  return { values: dedupe(values, fold), negated: key === negated };
}

/** A string or a list of strings; anything else is reported and kept unparsed (the strings found are used). */
function stringList(r: Reader, v: unknown, path: PolicyPath, unparsed: Unparsed[]): string[] {
  if (typeof v === 'string') return [v];
  if (!Array.isArray(v)) {
    const message = `${String(path[path.length - 1])} is ${show(v)}, neither a string nor a list of strings`;
    r.keep(unparsed, 'element-not-strings', message, path, v);
    return [];
  }
  const out: string[] = [];
  let bad = false;
  v.forEach((x: unknown, i) => {
    if (typeof x === 'string') out.push(x);
    else {
      bad = true;
      r.report('element-not-string', `item ${i + 1} is ${show(x)}, not a string`, [...path, i]);
    }
  });
  if (bad) unparsed.push(r.unparsed(path, v));
  return out;
}

function dedupe(values: readonly string[], fold: (s: string) => string): string[] {
  const seen = new Set<string>();
  const out: string[] = [];
  for (const v of values) {
    const k = fold(v);
    if (seen.has(k)) continue;
    seen.add(k);
    out.push(v);
  }
  return out;
}

function parsePrincipalElement(r: Reader, o: JsonObject, path: PolicyPath, unparsed: Unparsed[]): PrincipalElement {
  const hasPlain = has(o, 'Principal');
  if (hasPlain && has(o, 'NotPrincipal')) {
    const message = 'the statement has both Principal and NotPrincipal; NotPrincipal is not read';
    r.keep(unparsed, 'statement-both-elements', message, [...path, 'NotPrincipal'], member(o, 'NotPrincipal'));
  }
  const key = hasPlain ? 'Principal' : has(o, 'NotPrincipal') ? 'NotPrincipal' : undefined;
  if (key === undefined) return { kind: 'none' };
  const principals = parsePrincipals(r, member(o, key), [...path, key], unparsed);
  return key === 'Principal' ? { kind: 'principal', principals } : { kind: 'not-principal', principals };
}

/** `"*"` or an object of principal types to a string or list of strings. */
function parsePrincipals(r: Reader, v: unknown, path: PolicyPath, unparsed: Unparsed[]): Principal[] {
  if (v === '*') return [{ kind: 'public', form: 'star' }];
  if (!isObject(v)) {
    const message = `principal is ${show(v)}; the grammar allows "*" or an object such as {"AWS": ...}`;
    r.keep(unparsed, 'principal-bad-form', message, path, v);
    return [];
  }
  const out: Principal[] = [];
  for (const [type, value] of members(v)) {
    const at = [...path, type];
    if (!(PRINCIPAL_TYPES as readonly string[]).includes(type)) {
      const message = `unknown principal type ${JSON.stringify(type)} (known: ${PRINCIPAL_TYPES.join(', ')})`;
      r.keep(unparsed, 'principal-unknown-type', message, at, value);
      continue;
    }
    const values = stringList(r, value, at, unparsed);
    for (const x of values) {
      if (type === 'AWS') out.push(awsPrincipal(x, r.partition));
      else if (type === 'Service') out.push({ kind: 'service', value: x });
      else if (type === 'Federated') out.push({ kind: 'federated', value: x });
      else out.push({ kind: 'canonical-user', value: x });
    }
  }
  const seen = new Set<string>();
  return out.filter((p) => {
    const k = principalKey(p);
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}

const OPERATOR_FORM = /^(ForAllValues:|ForAnyValue:)?(.*?)(IfExists)?$/;

function parseConditions(r: Reader, v: unknown, path: PolicyPath, unparsed: Unparsed[]): Condition[] {
  if (v === undefined) return [];
  if (!isObject(v)) {
    r.keep(unparsed, 'condition-not-object', `Condition is ${show(v)}, not an object of operators`, path, v);
    return [];
  }
  const out: Condition[] = [];
  for (const [operator, tests] of members(v)) {
    const at = [...path, operator];
    if (!isObject(tests)) {
      const message = `condition operator ${operator} maps to ${show(tests)}, not an object of keys`;
      r.keep(unparsed, 'condition-not-object', message, at, tests);
      continue;
    }
    const m = OPERATOR_FORM.exec(operator) as RegExpExecArray;
    const base = m[2] as string;
    const set: SetOperator =
      m[1] === 'ForAllValues:' ? 'for-all-values' : m[1] === 'ForAnyValue:' ? 'for-any-value' : 'single';
    if (!OPERATORS.has(base)) {
      r.report('condition-unknown-operator', `unknown condition operator ${JSON.stringify(operator)}`, at);
    }
    for (const [key, value] of members(tests)) {
      const values = conditionValues(r, value, [...at, key], unparsed);
      if (values !== undefined) out.push({ operator, base, set, ifExists: m[3] !== undefined, key, values });
    }
  }
  return out;
}

/** IAM stores condition values as strings: `true` and `5` are `"true"` and `"5"`. */
function conditionValues(r: Reader, v: unknown, path: PolicyPath, unparsed: Unparsed[]): string[] | undefined {
  const scalar = (x: unknown): string | undefined => {
    if (typeof x === 'string') return x;
    return typeof x === 'boolean' || (typeof x === 'number' && Number.isFinite(x)) ? JSON.stringify(x) : undefined;
  };
  const list = Array.isArray(v) ? v : [v];
  const out: string[] = [];
  for (const x of list) {
    const s = scalar(x);
    if (s === undefined) {
      r.keep(unparsed, 'condition-bad-value', `condition value ${show(x)} is not a string, number or boolean`, path, v);
      return undefined;
    }
    out.push(s);
  }
  return dedupe(out, (s) => s);
}
