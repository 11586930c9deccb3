/**
 * fast-check arbitraries for IAM policies. A policy is generated as an abstract (semantic) value — sets of
 * principals, actions, resources and conditions in one spelling — and then written out as JSON in any of the forms
 * the grammar allows (shuffled statements and values, duplicates, scalar or list, bare account id or root ARN,
 * action case, Sids, boolean and number condition values, statement object or list). `semanticKey` is the test's
 * own oracle, written without the code under test: two renderings mean the same exactly when their abstract
 * policies have the same key.
 */
import fc from 'fast-check';
import { xorshift32 } from '../support/xorshift.js';

export const ACCOUNTS = ['111111111111', '222222222222'];
const ROLES = ['reader', 'Reader', 'app/etl'];
const SERVICES = ['firehose.amazonaws.com', 'lambda.amazonaws.com'];
const FEDERATED = ['cognito-identity.amazonaws.com'];
const CANONICAL = ['79a59df900b949e55d96a1e698fbacedfd6e09d98eacf8f8d5218e7cd47ef2be'];
export const ACTIONS = [
  'kinesis:GetRecords',
  'kinesis:Get*',
  'kinesis:PutRecord',
  'kinesis:*',
  '*',
  'kinesis:List?hards',
  'kinesis:AddTagsToStream',
];
export const STREAM_ARN = 'arn:aws:kinesis:eu-west-1:111111111111:stream/orders';
const RESOURCES = ['*', STREAM_ARN, STREAM_ARN.replace('orders', 'Orders'), `${STREAM_ARN}/consumer/c:*`];
const OPERATORS = [
  'StringEquals',
  'StringLike',
  'ForAnyValue:StringLike',
  'ForAllValues:StringEquals',
  'StringNotEqualsIfExists',
  'Bool',
  'NumericLessThan',
  'ArnLike',
];
const CONDITION_KEYS = ['aws:PrincipalOrgID', 'aws:SecureTransport', 'aws:ResourceTag/team', 'aws:PrincipalArn'];
const CONDITION_VALUES = ['o-abc123', 'true', 'false', '10', 'x*', 'arn:aws:iam::111111111111:root'];

export type AbstractPrincipal =
  | { type: 'aws-star' }
  | { type: 'account'; account: string }
  | { type: 'role'; account: string; role: string }
  | { type: 'service' | 'federated' | 'canonical'; id: string };

export type AbstractPrincipalElement =
  | { kind: 'none' }
  | { kind: 'star'; negated: boolean }
  | { kind: 'map'; negated: boolean; principals: AbstractPrincipal[] };

export interface AbstractCondition {
  operator: string;
  /** Lower case: IAM compares condition keys case-insensitively. */
  key: string;
  values: string[];
}

export interface AbstractStatement {
  effect: 'Allow' | 'Deny';
  principal: AbstractPrincipalElement;
  /** Lower-case patterns: IAM compares actions case-insensitively. */
  action: { kind: 'none' } | { kind: 'list'; negated: boolean; patterns: string[] };
  resource: { kind: 'none' } | { kind: 'list'; negated: boolean; patterns: string[] };
  /** One test per (operator, key). */
  conditions: AbstractCondition[];
}

export interface AbstractPolicy {
  version: '2012-10-17' | '2008-10-17';
  statements: AbstractStatement[];
}

const principalArb: fc.Arbitrary<AbstractPrincipal> = fc.oneof(
  fc.constant({ type: 'aws-star' as const }),
  fc.constantFrom(...ACCOUNTS).map((account) => ({ type: 'account' as const, account })),
  fc
    .tuple(fc.constantFrom(...ACCOUNTS), fc.constantFrom(...ROLES))
    .map(([account, role]) => ({ type: 'role' as const, account, role })),
  fc.constantFrom(...SERVICES).map((id) => ({ type: 'service' as const, id })),
  fc.constantFrom(...FEDERATED).map((id) => ({ type: 'federated' as const, id })),
  fc.constantFrom(...CANONICAL).map((id) => ({ type: 'canonical' as const, id })),
);

/** Role names are one role in any case (IAM); everything else compares as written. */
const principalKeyOf = (p: AbstractPrincipal): string =>
  JSON.stringify(p.type === 'role' ? { ...p, role: p.role.toLowerCase() } : p);

const principalElementArb: fc.Arbitrary<AbstractPrincipalElement> = fc.oneof(
  { arbitrary: fc.constant({ kind: 'none' as const }), weight: 1 },
  { arbitrary: fc.boolean().map((negated) => ({ kind: 'star' as const, negated })), weight: 1 },
  {
    arbitrary: fc.record({
      kind: fc.constant('map' as const),
      negated: fc.boolean(),
      principals: fc.uniqueArray(principalArb, { minLength: 1, maxLength: 4, selector: principalKeyOf }),
    }),
    weight: 4,
  },
);

const listArb = (pool: readonly string[]) =>
  fc.oneof(
    { arbitrary: fc.constant({ kind: 'none' as const }), weight: 1 },
    {
      arbitrary: fc.record({
        kind: fc.constant('list' as const),
        negated: fc.boolean(),
        patterns: fc.uniqueArray(fc.constantFrom(...pool), { minLength: 1, maxLength: 3 }),
      }),
      weight: 5,
    },
  );

const conditionsArb: fc.Arbitrary<AbstractCondition[]> = fc.uniqueArray(
  fc.record({
    operator: fc.constantFrom(...OPERATORS),
    key: fc.constantFrom(...CONDITION_KEYS.map((k) => k.toLowerCase())),
    values: fc.uniqueArray(fc.constantFrom(...CONDITION_VALUES), { minLength: 1, maxLength: 3 }),
  }),
  { maxLength: 3, selector: (c) => `${c.operator}|${c.key}` },
);

export const statementArb: fc.Arbitrary<AbstractStatement> = fc.record({
  effect: fc.constantFrom('Allow' as const, 'Deny' as const),
  principal: principalElementArb,
  action: listArb(ACTIONS.map((a) => a.toLowerCase())),
  resource: listArb(RESOURCES),
  conditions: conditionsArb,
});

export const abstractPolicyArb: fc.Arbitrary<AbstractPolicy> = fc.record({
  version: fc.constantFrom('2012-10-17' as const, '2008-10-17' as const),
  statements: fc.array(statementArb, { minLength: 1, maxLength: 4 }),
});

const sorted = (xs: readonly string[]) => [...new Set(xs)].sort();

/** The oracle: equal keys exactly when two abstract policies mean the same (statements as a set). */
export function semanticKey(p: AbstractPolicy): string {
  const statement = (s: AbstractStatement) =>
    JSON.stringify([
      s.effect,
      s.principal.kind === 'map'
        ? ['map', s.principal.negated, sorted(s.principal.principals.map(principalKeyOf))]
        : s.principal,
      s.action.kind === 'list' ? [s.action.negated, sorted(s.action.patterns)] : 'none',
      s.resource.kind === 'list' ? [s.resource.negated, sorted(s.resource.patterns)] : 'none',
      sorted(s.conditions.map((c) => JSON.stringify([c.operator, c.key, sorted(c.values)]))),
    ]);
  return JSON.stringify([p.version, sorted(p.statements.map(statement))]);
}

/** Writes an abstract policy as JSON, choosing every free form from the seed. */
export function render(p: AbstractPolicy, seed: number): unknown {
  const rnd = xorshift32(seed);
  const chance = (x: number) => rnd() < x;
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)] as T;
  const shuffle = <T>(xs: readonly T[]): T[] => {
    const out = [...xs];
    for (let i = out.length - 1; i > 0; i--) {
      const j = Math.floor(rnd() * (i + 1));
      [out[i], out[j]] = [out[j] as T, out[i] as T];
    }
    return out;
  };
  /** Shuffled, some values repeated, a lone value maybe as a scalar. */
  const values = <T>(xs: readonly T[]): T | T[] => {
    const out = shuffle(xs);
    if (chance(0.2) && out.length > 0) out.push(pick(out));
    return out.length === 1 && chance(0.5) ? (out[0] as T) : out;
  };
  /** An object with its members in a random order. */
  const object = (entries: [string, unknown][]): Record<string, unknown> => Object.fromEntries(shuffle(entries));
  const recase = (s: string) => (chance(0.3) ? s.toUpperCase() : chance(0.5) ? s.toLowerCase() : s);
  const camelAction = (lower: string) => ACTIONS.find((a) => a.toLowerCase() === lower) ?? lower;
  const conditionKey = (lower: string) => CONDITION_KEYS.find((k) => k.toLowerCase() === lower) ?? lower;
  const conditionValue = (v: string): unknown =>
    (v === 'true' || v === 'false') && chance(0.5) ? v === 'true' : /^\d+$/.test(v) && chance(0.5) ? Number(v) : v;

  const awsValue = (q: AbstractPrincipal): string => {
    switch (q.type) {
      case 'aws-star':
        return '*';
      case 'account':
        return chance(0.5) ? q.account : `arn:aws:iam::${q.account}:root`;
      case 'role': {
        const cut = q.role.lastIndexOf('/') + 1;
        return `arn:aws:iam::${q.account}:role/${q.role.slice(0, cut)}${recase(q.role.slice(cut))}`;
      }
      default:
        return q.id;
    }
  };
  const principal = (e: AbstractPrincipalElement): [string, unknown] | undefined => {
    if (e.kind === 'none') return undefined;
    const name = e.negated ? 'NotPrincipal' : 'Principal';
    if (e.kind === 'star') return [name, '*'];
    const byType: [string, AbstractPrincipal['type'][]][] = [
      ['AWS', ['aws-star', 'account', 'role']],
      ['Service', ['service']],
      ['Federated', ['federated']],
      ['CanonicalUser', ['canonical']],
    ];
    const entries: [string, unknown][] = [];
    for (const [type, kinds] of byType) {
      const of = e.principals.filter((q) => kinds.includes(q.type));
      if (of.length) entries.push([type, values(of.map(awsValue))]);
    }
    return [name, object(entries)];
  };
  const statement = (s: AbstractStatement): Record<string, unknown> => {
    const entries: [string, unknown][] = [['Effect', s.effect]];
    if (chance(0.7)) entries.push(['Sid', pick(['', 'A', 'Grant0', `S${Math.floor(rnd() * 1000)}`])]);
    const pr = principal(s.principal);
    if (pr) entries.push(pr);
    if (s.action.kind === 'list') {
      const patterns = s.action.patterns.map((a) => recase(camelAction(a)));
      entries.push([s.action.negated ? 'NotAction' : 'Action', values(patterns)]);
    }
    if (s.resource.kind === 'list') {
      entries.push([s.resource.negated ? 'NotResource' : 'Resource', values(s.resource.patterns)]);
    }
    if (s.conditions.length || chance(0.1)) {
      const ops = sorted(s.conditions.map((c) => c.operator));
      const tests = (op: string): [string, unknown][] =>
        s.conditions
          .filter((c) => c.operator === op)
          .map((c) => [recase(conditionKey(c.key)), values(c.values.map(conditionValue))]);
      entries.push(['Condition', object(ops.map((op) => [op, object(tests(op))]))]);
    }
    return object(entries);
  };
  const written = (s: AbstractStatement) => (chance(0.2) ? [statement(s), statement(s)] : [statement(s)]);
  const statements = shuffle(p.statements.flatMap(written));
  const doc: [string, unknown][] = [['Statement', statements.length === 1 && chance(0.5) ? statements[0] : statements]];
  if (p.version === '2012-10-17' || chance(0.5)) doc.push(['Version', p.version]);
  if (chance(0.2)) doc.push(['Id', `policy-${Math.floor(rnd() * 100)}`]);
  return object(doc);
}

/** A rendered policy with one part (a member or list item at any depth) replaced by any JSON value. */
export const garbledArb: fc.Arbitrary<unknown> = fc
  .tuple(abstractPolicyArb, fc.nat(), fc.nat(), fc.jsonValue({ maxDepth: 3 }))
  .map(([p, seed, at, junk]) => {
    const doc = render(p, seed);
    const slots: { parent: Record<string, unknown> | unknown[]; key: string | number }[] = [];
    const walk = (v: unknown) => {
      if (Array.isArray(v))
        v.forEach((x, i) => {
          slots.push({ parent: v, key: i });
          walk(x);
        });
      else if (v !== null && typeof v === 'object') {
        for (const [k, x] of Object.entries(v)) {
          slots.push({ parent: v as Record<string, unknown>, key: k });
          walk(x);
        }
      }
    };
    walk(doc);
    const slot = slots[at % slots.length];
    if (slot) (slot.parent as Record<string | number, unknown>)[slot.key] = junk;
    return doc;
  });
