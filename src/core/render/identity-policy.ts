/**
 * Identity policy statements for the producer and consumer roles in mesh accounts, using ABAC: each role's
 * statements name its own grant tag key once (`aws:ResourceTag/meshgov:<access>:<account>:<role>` = `allow`, plus
 * `meshgov:mesh` = the mesh), so a new grant on a stream in an account the role already reaches only adds a stream
 * tag and needs no IAM change. Resources are limited to the stream accounts the role's grants reach.
 *
 * Roles outside the mesh (external principals) and whole-account principals get no identity policy: their
 * owners write it; the resource policy names them exactly.
 */
import { readsThroughConsumer } from '../model/grant-consumer.js';
import { TAG_MESH, grantTagKey, hashedObject } from '../model/governance-tags.js';
import type { AccountId, Grant, Mesh, Stream } from '../model/types.js';
import { compareStrings, sortInPlace, sortStrings } from '../sort.js';
import {
  EFO_CONSUMER_ACTIONS,
  KCL_DYNAMODB_ACTIONS,
  KCL_METRICS_ACTIONS,
  LAMBDA_EXTRA_ACTIONS,
  POLLING_READ_ACTIONS,
  PRODUCER_ACTIONS,
  actionUnion,
} from './actions.js';
import { accountStreamsArn, consumerArnPattern, dynamoTableArn, streamArn } from './arn.js';
import { KMS_CONSUMER_ACTIONS, KMS_PRODUCER_ACTIONS, grantKeys, keyStatements } from './kms.js';
import type { PolicyStatement } from './types.js';

/** One role meshgov writes an identity policy for. */
export interface PrincipalRole {
  account: AccountId;
  /** IAM role name (no path). */
  role: string;
  path: string;
  /** Grants in force for this role, sorted by id. */
  grants: Grant[];
}

/** Roles in mesh accounts that hold grants in force, sorted by account then role name. */
export function principalRoles(mesh: Pick<Mesh, 'accounts'>, active: readonly Grant[]): PrincipalRole[] {
  // Roles per account (mesh accounts only), then per role name: no joined key string per grant.
  const byAccount = new Map(mesh.accounts.map((a) => [a.id, new Map<string, PrincipalRole>()]));
  for (const g of active) {
    const p = g.principal;
    if (p.role === undefined || p.external) continue;
    const roles = byAccount.get(p.account);
    if (roles === undefined) continue;
    let r = roles.get(p.role);
    if (r === undefined) {
      r = { account: p.account, role: p.role, path: p.path, grants: [] };
      roles.set(p.role, r);
    }
    r.grants.push(g);
  }
  const out: PrincipalRole[] = [];
  for (const account of [...byAccount.keys()].sort()) {
    const roles = byAccount.get(account) as Map<string, PrincipalRole>;
    for (const role of [...roles.keys()].sort()) {
      const r = roles.get(role) as PrincipalRole;
      sortInPlace(r.grants, (a, b) => compareStrings(a.id, b.id));
      out.push(r);
    }
  }
  return out;
}

/** The ABAC condition on the role's own grant tag key. */
export function abacCondition(meshName: string, tagKey: string): NonNullable<PolicyStatement['Condition']> {
  // The first key is the role's own: a literal with it as a computed key would make V8 keep a hidden class per role
  // and per fan-out grant (thousands on a large mesh); see hashedObject.
  const equals = hashedObject<string>();
  equals[`aws:ResourceTag/${tagKey}`] = 'allow';
  equals[`aws:ResourceTag/${TAG_MESH}`] = meshName;
  return { StringEquals: equals };
}

function sorted(values: Iterable<string>): string[] {
  return sortStrings([...new Set(values)]);
}

/** The account-wide stream ARNs of the accounts the grants' streams live in, sorted (one ARN per account, not per grant). */
function accountScopes(mesh: Mesh, grants: readonly Grant[], accountOf: (g: Grant) => AccountId): string[] {
  const accounts = new Set<AccountId>();
  for (const g of grants) accounts.add(accountOf(g));
  return sortStrings([...accounts].map((a) => accountStreamsArn(mesh, a)));
}

function allow(
  sid: string,
  actions: readonly string[],
  resources: string[],
  condition?: PolicyStatement['Condition'],
): PolicyStatement {
  const s: PolicyStatement = {
    Sid: sid,
    Effect: 'Allow',
    Action: actionUnion(actions),
    Resource: resources.length === 1 ? (resources[0] as string) : resources,
  };
  if (condition !== undefined) s.Condition = condition;
  return s;
}

/**
 * The role's identity statements, in a fixed order: Produce, ProduceKms*, Consume, ConsumeKms*, LambdaDescribe,
 * EfoConsumers, KclLeaseTables, KclMetrics. The Kms statements appear only for streams with a customer-managed key
 * (see kms.ts). `streams` maps stream name to stream (grants name streams by name).
 * Fanout grants are served by the intermediary's own fanout policy (see fanout-policy.ts), not here.
 */
export function identityStatements(
  mesh: Mesh,
  role: PrincipalRole,
  streams: ReadonlyMap<string, Stream>,
): PolicyStatement[] {
  const out: PolicyStatement[] = [];
  const account = (g: Grant) => streams.get(g.stream)?.account ?? role.account;
  const produce = role.grants.filter((g) => g.access === 'produce');
  const consume = role.grants.filter((g) => g.access === 'consume' && g.pattern !== 'fanout');
  if (produce.length > 0) {
    // Every grant of the role has the role's principal, so the first one names the role's tag key.
    const key = grantTagKey(produce[0]!);
    out.push(allow('Produce', PRODUCER_ACTIONS, accountScopes(mesh, produce, account), abacCondition(mesh.name, key)));
    out.push(...keyStatements(mesh, 'ProduceKms', KMS_PRODUCER_ACTIONS, grantKeys(mesh, produce, streams), true));
  }
  if (consume.length === 0) return out;
  const key = grantTagKey(consume[0]!);
  const condition = abacCondition(mesh.name, key);
  out.push(allow('Consume', POLLING_READ_ACTIONS, accountScopes(mesh, consume, account), condition));
  out.push(...keyStatements(mesh, 'ConsumeKms', KMS_CONSUMER_ACTIONS, grantKeys(mesh, consume, streams), true));
  const filtered = consume.filter((g) => g.pattern === 'filtered');
  if (filtered.length > 0)
    out.push(
      allow(
        'LambdaDescribe',
        LAMBDA_EXTRA_ACTIONS,
        sorted(filtered.map((g) => streamArn(mesh, account(g), g.stream))),
        condition,
      ),
    );
  const efo = consume.filter(readsThroughConsumer);
  if (efo.length > 0) {
    out.push(
      allow(
        'EfoConsumers',
        EFO_CONSUMER_ACTIONS,
        sorted(efo.map((g) => consumerArnPattern(mesh, account(g), g.stream, g.consumerName as string))),
        condition,
      ),
    );
  }
  const kcl = consume.filter((g) => g.kcl !== undefined);
  if (kcl.length > 0) {
    const tables = sorted(kcl.map((g) => g.kcl?.leaseTable as string));
    const arns = tables.flatMap((t) =>
      [t, `${t}-CoordinatorState`, `${t}-WorkerMetricStats`].map((n) => dynamoTableArn(mesh, role.account, n)),
    );
    out.push(allow('KclLeaseTables', KCL_DYNAMODB_ACTIONS, sorted([...arns, ...arns.map((a) => `${a}/index/*`)])));
    const namespaces = sorted(kcl.filter((g) => g.kcl?.metrics === true).map((g) => g.kcl?.leaseTable as string));
    // PutMetricData supports no resource scoping; the namespace condition is the only scope there is.
    // https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazoncloudwatch.html
    if (namespaces.length > 0) {
      out.push(
        allow('KclMetrics', KCL_METRICS_ACTIONS, ['*'], {
          StringEquals: { 'cloudwatch:namespace': namespaces.length === 1 ? (namespaces[0] as string) : namespaces },
        }),
      );
    }
  }
  return out;
}
