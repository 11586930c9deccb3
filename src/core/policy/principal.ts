/**
 * Principals: reading one `AWS` principal value, and the string id every caller uses to name a principal
 * (`*`, an ARN, `service:<name>`, ...). A bare account id and `arn:<partition>:iam::<id>:root` are the same
 * principal: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_principal.html
 */
import type { Principal, PrincipalElement, Statement } from './model.js';

const ACCOUNT_ID = /^\d{12}$/;
const ROOT = /^arn:([a-z][a-z0-9-]*):iam::(\d{12}):root$/;
// Role names and path segments as IAM allows them:
// https://docs.aws.amazon.com/IAM/latest/APIReference/API_CreateRole.html
const ROLE = /^arn:([a-z][a-z0-9-]*):iam::(\d{12}):role(\/(?:[A-Za-z0-9+=,.@_-]+\/)*)([A-Za-z0-9+=,.@_-]{1,64})$/;
const ANY_ACCOUNT_ARN = /^arn:[^:]*:(?:iam|sts)::(\d{12}):/;

/** One string of an `AWS` principal list, in the partition bare account ids belong to. */
export function awsPrincipal(value: string, partition: string): Principal {
  if (value === '*') return { kind: 'public', form: 'aws-star' };
  if (ACCOUNT_ID.test(value)) return { kind: 'account', partition, account: value };
  const root = ROOT.exec(value);
  if (root) return { kind: 'account', partition: root[1] as string, account: root[2] as string };
  const role = ROLE.exec(value);
  if (role) {
    const [, partitionName, account, path, name] = role as unknown as [string, string, string, string, string];
    return { kind: 'role', arn: value, partition: partitionName, account, path, name };
  }
  const account = ANY_ACCOUNT_ARN.exec(value)?.[1];
  return account === undefined ? { kind: 'aws', value } : { kind: 'aws', value, account };
}

/**
 * The principal as one string: `*` for everyone, `arn:<partition>:iam::<id>:root` for an account, the ARN (or
 * value as written) for other AWS principals, `service:<name>`, `federated:<provider>`, `canonical-user:<id>`.
 */
export function principalId(p: Principal): string {
  switch (p.kind) {
    case 'public':
      return '*';
    case 'account':
      return `arn:${p.partition}:iam::${p.account}:root`;
    case 'role':
      return p.arn;
    case 'aws':
      return p.value;
    case 'service':
      return `service:${p.value}`;
    case 'federated':
      return `federated:${p.value}`;
    case 'canonical-user':
      return `canonical-user:${p.value}`;
  }
}

/**
 * Identity of a principal for equality: kind plus id (so an `AWS` value spelled like `service:x` stays apart from
 * the service), and the public form (`"*"` and `{"AWS": "*"}` stay apart, see `Principal`). Role names are compared
 * without regard to case: IAM does not tell `Reader` from `reader` (one role per name in any case).
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html#reference_iam-quotas-names
 */
export function principalKey(p: Principal): string {
  if (p.kind === 'public') return `public|${p.form}`;
  if (p.kind === 'role') return `role|arn:${p.partition}:iam::${p.account}:role${p.path}${p.name.toLowerCase()}`;
  return `${p.kind}|${principalId(p)}`;
}

/** The account a principal belongs to, when it names one (public, services and federated users do not). */
export function accountOf(p: Principal): string | undefined {
  switch (p.kind) {
    case 'account':
    case 'role':
      return p.account;
    case 'aws':
      return p.account;
    default:
      return undefined;
  }
}

/** The account of a principal id or ARN (a bare account id is its own account). */
export function principalAccount(id: string): string | undefined {
  if (ACCOUNT_ID.test(id)) return id;
  return ANY_ACCOUNT_ARN.exec(id)?.[1];
}

/** A principal id with a bare account id written as its root ARN (other ids unchanged). */
export function normalisePrincipal(id: string, partition = 'aws'): string {
  return ACCOUNT_ID.test(id) ? `arn:${partition}:iam::${id}:root` : id;
}

/** The principals a `Principal` element names (none for `NotPrincipal` or no element). */
export function namedPrincipals(element: PrincipalElement): Principal[] {
  return element.kind === 'principal' ? element.principals : [];
}

/** Principal ids of a statement's `Principal` element, `*` included (empty for `NotPrincipal`). */
export function statementPrincipals(s: Statement): string[] {
  return [...new Set(namedPrincipals(s.principal).map(principalId))];
}

/** True when the statement applies to everyone: a public principal, or `NotPrincipal`. */
export function isPublicStatement(s: Statement): boolean {
  return s.principal.kind === 'not-principal' || namedPrincipals(s.principal).some((p) => p.kind === 'public');
}
