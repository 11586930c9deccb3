/**
 * KMS rights for streams encrypted with a customer-managed key (any `encryption.keyId` other than the AWS-managed
 * `alias/aws/kinesis`). Per "Permissions to use user-generated KMS keys"
 * (https://docs.aws.amazon.com/streams/latest/dev/permissions-user-key-KMS.html): producers need
 * `kms:GenerateDataKey`, consumers `kms:Decrypt` (Lambda and Flink consumers included), stream administrators
 * `kms:List*` and `kms:DescribeKey*`; the AWS-managed key needs no IAM permissions.
 *
 * Scoping (https://docs.aws.amazon.com/kms/latest/developerguide/cmks-in-iam-policies.html): an IAM policy can name
 * a KMS key only by its key ARN, so a key id becomes the key ARN in the stream's account and region; an alias (name
 * or ARN) cannot be a key Resource, so it becomes `key/*` in the alias's account and region narrowed with the
 * multi-valued `kms:ResourceAliases` condition key
 * (https://docs.aws.amazon.com/kms/latest/developerguide/alias-authorization.html). Grantee statements also carry
 * `kms:ViaService` = `kinesis.<region>.amazonaws.com`, so the key is usable only through Kinesis, which still
 * authorizes every stream call by its own (ABAC) policy.
 *
 * A key in another account also needs its key policy to allow the principal; meshgov does not own key policies, so
 * it renders those statements as an advisory `kms-key-policy-statements` artefact for the key owner to add.
 */
import { isAwsManagedKey } from '../model/normalise.js';

export { isAwsManagedKey };
import type { AccountId, Grant, Mesh, Stream } from '../model/types.js';
import { actionUnion } from './actions.js';
import { governanceRoleArn, principalArn, streamArn } from './arn.js';
import type { IamArtefact, PolicyStatement } from './types.js';

/** What a producer needs on the stream's customer-managed key. */
export const KMS_PRODUCER_ACTIONS = ['kms:GenerateDataKey'] as const;
/** What a consumer (polling, EFO, Lambda, fanout intermediary) needs on the key. */
export const KMS_CONSUMER_ACTIONS = ['kms:Decrypt'] as const;
/** What StartStreamEncryption needs from the stream administrator on the key ("kms:DescribeKey*"). */
export const KMS_GOVERNANCE_KEY_ACTIONS = ['kms:DescribeKey'] as const;
/** "kms:List*" as the executor calls it; ListAliases supports no resource scoping. */
export const KMS_GOVERNANCE_UNSCOPABLE_ACTIONS = ['kms:ListAliases'] as const;

export const KMS_KEY_POLICY_ADVISORY =
  'Advisory: meshgov does not own KMS key policies. The owner of this key must add these statements to its key policy so that principals in other accounts can use the key through Kinesis; meshgov neither applies nor checks them.';

/** A customer-managed key as an IAM policy can scope it. */
export interface KeyScope {
  /** The key as the mesh declares it. */
  keyId: string;
  /** Account and region that own the key (or the alias). */
  account: AccountId;
  region: string;
  /** The key ARN, when the mesh names the key (ARN or key id). */
  keyArn?: string;
  /** The alias name (`alias/...`), when the mesh names an alias. */
  alias?: string;
}

const ARN = /^arn:([a-z-]+):kms:([a-z0-9-]+):(\d{12}):(key|alias)\/(.+)$/;

/** The stream's customer-managed key, or undefined for unencrypted streams and the AWS-managed key. */
export function customerKey(
  mesh: Pick<Mesh, 'partition' | 'region'>,
  stream: Pick<Stream, 'account' | 'encryption'>,
): KeyScope | undefined {
  const { type, keyId } = stream.encryption;
  if (type !== 'KMS' || keyId === undefined || isAwsManagedKey(keyId)) return undefined;
  const m = ARN.exec(keyId);
  if (m) {
    const [, , region, account, kind, rest] = m as unknown as [string, string, string, string, string, string];
    return kind === 'key'
      ? { keyId, account, region, keyArn: keyId }
      : { keyId, account, region, alias: `alias/${rest}` };
  }
  if (keyId.startsWith('alias/')) return { keyId, account: stream.account, region: mesh.region, alias: keyId };
  return {
    keyId,
    account: stream.account,
    region: mesh.region,
    keyArn: `arn:${mesh.partition}:kms:${mesh.region}:${stream.account}:key/${keyId}`,
  };
}

/** `kms:ViaService` for Kinesis in the mesh's region. */
export function kinesisViaService(region: string): string {
  return `kinesis.${region}.amazonaws.com`;
}

function one(values: string[]): string | string[] {
  return values.length === 1 ? (values[0] as string) : values;
}

/**
 * Identity statements that let a role use the given keys: one statement for keys named by ARN, and one per
 * (account, region) of aliases. `sid` prefixes the Sids (e.g. `ProduceKms`). `via` adds the Kinesis ViaService
 * condition (grantees); the governance role gets DescribeKey without it (metadata only).
 */
export function keyStatements(
  mesh: Pick<Mesh, 'partition' | 'region'>,
  sid: string,
  actions: readonly string[],
  keys: readonly KeyScope[],
  via: boolean,
): PolicyStatement[] {
  if (keys.length === 0) return []; // most streams have no customer-managed key: skip the sets and maps below
  const out: PolicyStatement[] = [];
  const viaCondition = (): NonNullable<PolicyStatement['Condition']> => ({
    StringEquals: { 'kms:ViaService': kinesisViaService(mesh.region) },
  });
  const arns = [...new Set(keys.flatMap((k) => (k.keyArn === undefined ? [] : [k.keyArn])))].sort();
  if (arns.length > 0) {
    const s: PolicyStatement = { Sid: sid, Effect: 'Allow', Action: actionUnion(actions), Resource: one(arns) };
    if (via) s.Condition = viaCondition();
    out.push(s);
  }
  const byScope = new Map<string, Set<string>>();
  for (const k of keys) {
    if (k.alias === undefined) continue;
    const scope = `arn:${mesh.partition}:kms:${k.region}:${k.account}:key/*`;
    byScope.set(scope, (byScope.get(scope) ?? new Set()).add(k.alias));
  }
  for (const scope of [...byScope.keys()].sort()) {
    const [, , , region, account] = scope.split(':') as [string, string, string, string, string];
    const aliases = [...(byScope.get(scope) as Set<string>)].sort();
    const condition: NonNullable<PolicyStatement['Condition']> = {
      'ForAnyValue:StringEquals': { 'kms:ResourceAliases': one(aliases) },
    };
    if (via) Object.assign(condition, viaCondition());
    out.push({
      Sid: `${sid}Alias${account}${region.replace(/[^A-Za-z0-9]/g, '')}`,
      Effect: 'Allow',
      Action: actionUnion(actions),
      Resource: scope,
      Condition: condition,
    });
  }
  return out;
}

/** Customer-managed keys of the streams the grants reach (grants name streams by name). */
export function grantKeys(
  mesh: Pick<Mesh, 'partition' | 'region'>,
  grants: readonly Grant[],
  streams: ReadonlyMap<string, Stream>,
): KeyScope[] {
  const out: KeyScope[] = [];
  for (const g of grants) {
    const s = streams.get(g.stream);
    const k = s ? customerKey(mesh, s) : undefined;
    if (k) out.push(k);
  }
  return out;
}

/** Name of the advisory key-policy artefact of one key. */
export function keyPolicyArtefactName(k: KeyScope): string {
  const id = k.keyArn !== undefined ? (k.keyArn.split('/').pop() as string) : (k.alias as string).replace(/\//g, '-');
  return `meshgov-kms-${k.account}-${id}`;
}

/**
 * The advisory key-policy statements per customer-managed key: principals outside the key's account that must be
 * allowed by the key policy (an IAM policy alone cannot grant cross-account key use). Producers get
 * GenerateDataKey, consumers Decrypt, both via Kinesis and only for the streams' encryption context; the governance
 * role of a stream account other than the key's gets DescribeKey. The artefact lives in the key's account when that
 * is a mesh account, otherwise in the stream's account.
 */
export function keyPolicyArtefacts(mesh: Mesh, grants: readonly Grant[]): IamArtefact[] {
  interface Entry {
    key: KeyScope;
    streams: Set<string>;
    produce: Map<string, Set<string>>;
    consume: Map<string, Set<string>>;
    governance: Set<string>;
    grantIds: Set<string>;
    home: AccountId;
  }
  const meshAccounts = new Set(mesh.accounts.map((a) => a.id));
  const entries = new Map<string, Entry>();
  const entryOf = (k: KeyScope, s: Stream): Entry => {
    const id = `${k.account}\u0000${k.region}\u0000${k.keyArn ?? k.alias ?? ''}`;
    let e = entries.get(id);
    if (!e) {
      e = {
        key: k,
        streams: new Set(),
        produce: new Map(),
        consume: new Map(),
        governance: new Set(),
        grantIds: new Set(),
        home: meshAccounts.has(k.account) ? k.account : s.account,
      };
      entries.set(id, e);
    }
    return e;
  };
  const add = (m: Map<string, Set<string>>, principal: string, stream: string) =>
    m.set(principal, (m.get(principal) ?? new Set()).add(stream));
  // Each stream's key once (grants name streams by name; the last stream of a name wins, as in renderMesh).
  const streams = new Map<string, { s: Stream; k: KeyScope | undefined }>();
  for (const s of mesh.streams) {
    const k = customerKey(mesh, s);
    streams.set(s.name, { s, k });
    if (k && s.account !== k.account) entryOf(k, s).governance.add(governanceRoleArn(mesh, s.account));
  }
  for (const g of grants) {
    const { s, k } = streams.get(g.stream) ?? {};
    if (!s || !k || g.principal.account === k.account) continue;
    const e = entryOf(k, s);
    const arn = streamArn(mesh, s.account, s.name);
    e.streams.add(arn);
    e.grantIds.add(g.id);
    add(g.access === 'produce' ? e.produce : e.consume, principalArn(mesh.partition, g.principal), arn);
  }
  const out: IamArtefact[] = [];
  for (const e of entries.values()) {
    const statements: PolicyStatement[] = [];
    const via = kinesisViaService(mesh.region);
    const use = (sid: string, actions: readonly string[], m: Map<string, Set<string>>) => {
      if (m.size === 0) return;
      const principals = [...m.keys()].sort();
      const streamArns = [...new Set([...m.values()].flatMap((x) => [...x]))].sort();
      statements.push({
        Sid: sid,
        Effect: 'Allow',
        Principal: { AWS: one(principals) },
        Action: actionUnion(actions),
        Resource: '*',
        Condition: {
          StringEquals: { 'kms:ViaService': via, 'kms:EncryptionContext:aws:kinesis:arn': one(streamArns) },
        },
      });
    };
    use('MeshgovProducers', KMS_PRODUCER_ACTIONS, e.produce);
    use('MeshgovConsumers', KMS_CONSUMER_ACTIONS, e.consume);
    if (e.governance.size > 0) {
      statements.push({
        Sid: 'MeshgovGovernance',
        Effect: 'Allow',
        Principal: { AWS: one([...e.governance].sort()) },
        Action: actionUnion(KMS_GOVERNANCE_KEY_ACTIONS),
        Resource: '*',
      });
    }
    if (statements.length === 0) continue;
    out.push({
      kind: 'kms-key-policy-statements',
      account: e.home,
      name: keyPolicyArtefactName(e.key),
      grantIds: [...e.grantIds].sort(),
      document: {
        advisory: KMS_KEY_POLICY_ADVISORY,
        key: e.key.keyId,
        keyAccount: e.key.account,
        Statement: statements,
      },
    });
  }
  return out;
}
