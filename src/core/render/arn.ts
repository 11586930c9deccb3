/**
 * ARN builders for everything render names. Pure string functions; the partition and region come from the mesh.
 */
import type { AccountId, Mesh, Principal } from '../model/types.js';

/** The parts of a mesh that ARNs depend on. */
export type ArnContext = Pick<Mesh, 'partition' | 'region'>;

/** `arn:<partition>:kinesis:<region>:<account>:stream/<name>`. */
export function streamArn(ctx: ArnContext, account: AccountId, stream: string): string {
  return `arn:${ctx.partition}:kinesis:${ctx.region}:${account}:stream/${stream}`;
}

/** Every stream of one account: the resource scope of ABAC statements (tags narrow it further). */
export function accountStreamsArn(ctx: ArnContext, account: AccountId): string {
  return streamArn(ctx, account, '*');
}

/**
 * An enhanced fan-out consumer: the real ARN ends with `:<creation timestamp>`, unknown until registration,
 * so policies match `.../consumer/<name>:*`.
 * https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazonkinesis.html#amazonkinesis-resources-for-iam-policies
 */
export function consumerArnPattern(ctx: ArnContext, account: AccountId, stream: string, consumer: string): string {
  return consumerArnOf(streamArn(ctx, account, stream), consumer);
}

/** {@link consumerArnPattern} from the stream's ARN, when the caller already has it. */
export function consumerArnOf(streamArnValue: string, consumer: string): string {
  return `${streamArnValue}/consumer/${consumer}:*`;
}

/** `arn:<partition>:lambda:<region>:<account>:function:<name>` (unqualified: no version or alias). */
export function functionArn(ctx: ArnContext, account: AccountId, name: string): string {
  return `arn:${ctx.partition}:lambda:${ctx.region}:${account}:function:${name}`;
}

/** `arn:<partition>:iam::<account>:role<path><name>`; `path` starts and ends with `/`. */
export function roleArn(partition: string, account: AccountId, path: string, name: string): string {
  return `arn:${partition}:iam::${account}:role${normalisePath(path)}${name}`;
}

/** The ARN a policy names for a grant principal: the role, or the account root for an account principal. */
export function principalArn(partition: string, p: Principal): string {
  return p.role === undefined
    ? `arn:${partition}:iam::${p.account}:root`
    : roleArn(partition, p.account, p.path, p.role);
}

/**
 * {@link principalArn} with one string per principal, for a whole render: a stream policy names each cross-account
 * grantee, and one role reads many streams (40,000 statements on a 10,000-stream mesh, a few thousand roles). The
 * lookup is by every part of the ARN, so it cannot go stale.
 */
export function principalArnCache(partition: string): (p: Principal) => string {
  const roots = new Map<AccountId, string>();
  const roles = new Map<AccountId, Map<string, Map<string, string>>>();
  return (p) => {
    if (p.role === undefined) {
      let root = roots.get(p.account);
      if (root === undefined) roots.set(p.account, (root = principalArn(partition, p)));
      return root;
    }
    let byPath = roles.get(p.account);
    if (byPath === undefined) roles.set(p.account, (byPath = new Map()));
    let byRole = byPath.get(p.path);
    if (byRole === undefined) byPath.set(p.path, (byRole = new Map()));
    let arn = byRole.get(p.role);
    if (arn === undefined) byRole.set(p.role, (arn = principalArn(partition, p)));
    return arn;
  };
}

/** The governance role in one account. */
export function governanceRoleArn(mesh: Pick<Mesh, 'partition' | 'governanceRole'>, account: AccountId): string {
  return roleArn(mesh.partition, account, mesh.governanceRole.path, mesh.governanceRole.name);
}

/** The governance role in any account, for `aws:PrincipalArn` conditions in the guard. */
export function governanceRoleArnPattern(mesh: Pick<Mesh, 'partition' | 'governanceRole'>): string {
  return roleArn(mesh.partition, '*', mesh.governanceRole.path, mesh.governanceRole.name);
}

/** A DynamoDB table (KCL lease tables). */
export function dynamoTableArn(ctx: ArnContext, account: AccountId, table: string): string {
  return `arn:${ctx.partition}:dynamodb:${ctx.region}:${account}:table/${table}`;
}

/** A customer managed IAM policy. */
export function managedPolicyArn(partition: string, account: AccountId, name: string): string {
  return `arn:${partition}:iam::${account}:policy/${name}`;
}

function normalisePath(path: string): string {
  let p = path === '' ? '/' : path;
  if (!p.startsWith('/')) p = `/${p}`;
  if (!p.endsWith('/')) p = `${p}/`;
  return p;
}
