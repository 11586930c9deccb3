/** What the mesh declares about access: principal ARNs, grant coverage and the actions each grant allows. */
import { efoConsumerOf } from '../model/grant-consumer.js';
import type { Grant, Mesh } from '../model/types.js';
import { normalisePrincipal, principalAccount } from '../policy/index.js';

/** `arn:<partition>:iam::<account>:role<path><name>`; `path` starts and ends with `/`. */
export function roleArn(partition: string, account: string, path: string, name: string): string {
  const p = path.startsWith('/') ? path : `/${path}`;
  return `arn:${partition}:iam::${account}:role${p.endsWith('/') ? p : `${p}/`}${name}`;
}

/** The principal a grant names, as AWS writes it in a resource policy. */
export function grantPrincipalArn(mesh: Pick<Mesh, 'partition'>, g: Grant): string {
  return g.principal.kind === 'account' || !g.principal.role
    ? normalisePrincipal(g.principal.account, mesh.partition)
    : roleArn(mesh.partition, g.principal.account, g.principal.path, g.principal.role);
}

export function governanceRoleArn(mesh: Pick<Mesh, 'partition' | 'governanceRole'>, account: string): string {
  return roleArn(mesh.partition, account, mesh.governanceRole.path, mesh.governanceRole.name);
}

/** Governance role ARN regardless of path (resource policies and principals may omit the path). */
export function isGovernanceRole(mesh: Pick<Mesh, 'partition' | 'governanceRole'>, arn: string): boolean {
  const account = principalAccount(arn);
  if (!account) return false;
  return (
    arn === governanceRoleArn(mesh, account) || arn === roleArn(mesh.partition, account, '/', mesh.governanceRole.name)
  );
}

/** The role read-only commands assume (`governanceRole.readOnlyName`), with or without its IAM path. */
export function isReadOnlyRole(mesh: Pick<Mesh, 'partition' | 'governanceRole'>, arn: string): boolean {
  const name = mesh.governanceRole.readOnlyName;
  const account = principalAccount(arn);
  if (!name || !account) return false;
  return (
    arn === roleArn(mesh.partition, account, mesh.governanceRole.path, name) ||
    arn === roleArn(mesh.partition, account, '/', name)
  );
}

/**
 * What the read-only role may do on mesh streams: metadata reads only (plan, audit and import never read records).
 * Anything beyond it on that role is still reported as overreach.
 */
export const READ_ONLY_ROLE_ACTIONS: ReadonlySet<string> = new Set(
  [
    'DescribeStreamSummary',
    'DescribeStream',
    'DescribeStreamConsumer',
    'ListShards',
    'ListStreamConsumers',
    'ListStreams',
    'ListTagsForStream',
    'ListTagsForResource',
    'GetResourcePolicy',
  ].map((a) => `kinesis:${a}`.toLowerCase()),
);

/** Does a grant cover a principal? A role grant covers exactly the role; an account grant the whole account. */
export function grantCovers(mesh: Pick<Mesh, 'partition'>, g: Grant, principalArn: string): boolean {
  if (g.principal.kind === 'account' || !g.principal.role)
    return principalAccount(principalArn) === g.principal.account;
  return grantPrincipalArn(mesh, g) === principalArn;
}

/** Stream actions every grantee may call (read-only metadata). */
export const METADATA_ACTIONS = [
  'kinesis:DescribeStreamSummary',
  'kinesis:DescribeStream',
  'kinesis:ListShards',
  'kinesis:ListTagsForStream',
  'kinesis:ListTagsForResource',
];
/** Producer read set (SPEC 2.3). */
export const PRODUCE_ACTIONS = [...METADATA_ACTIONS, 'kinesis:PutRecord', 'kinesis:PutRecords'];
/** Polling consumer read set (SPEC 2.3; DescribeStream for Lambda). */
export const CONSUME_ACTIONS = [...METADATA_ACTIONS, 'kinesis:GetShardIterator', 'kinesis:GetRecords'];
/** Extra stream actions for enhanced fan-out consumers (KCL lists consumers). */
export const EFO_STREAM_ACTIONS = [...CONSUME_ACTIONS, 'kinesis:ListStreamConsumers'];
/** Actions authorised against the consumer ARN for EFO grants. */
export const EFO_CONSUMER_ACTIONS = [
  'kinesis:SubscribeToShard',
  'kinesis:DescribeStreamConsumer',
  'kinesis:ListTagsForResource',
];
/** Tagging actions: with ABAC the right to tag is the right to access. */
export const TAG_ACTIONS = [
  'kinesis:AddTagsToStream',
  'kinesis:RemoveTagsFromStream',
  'kinesis:TagResource',
  'kinesis:UntagResource',
];
/** Data-plane actions: reaching them without a grant is unauthorized data access. */
export const DATA_ACTIONS = [
  'kinesis:GetRecords',
  'kinesis:GetShardIterator',
  'kinesis:SubscribeToShard',
  'kinesis:PutRecord',
  'kinesis:PutRecords',
];

/** Actions a set of grants allows on the stream ARN. */
export function grantedStreamActions(grants: readonly Grant[]): Set<string> {
  const out = new Set<string>();
  for (const g of grants) {
    const set = g.access === 'produce' ? PRODUCE_ACTIONS : g.pattern === 'efo' ? EFO_STREAM_ACTIONS : CONSUME_ACTIONS;
    for (const a of set) out.add(a.toLowerCase());
  }
  return out;
}

/** Actions a set of grants allows on one consumer (by name). */
export function grantedConsumerActions(grants: readonly Grant[], consumer: string): Set<string> {
  const out = new Set<string>();
  for (const g of grants)
    if (efoConsumerOf(g) === consumer) for (const a of EFO_CONSUMER_ACTIONS) out.add(a.toLowerCase());
  return out;
}
