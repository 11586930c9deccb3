/**
 * The tamper dimension of the IAM proof: principals with ordinary tagging rights try every tagging path on every
 * managed stream and consumer, with governance tag keys spelled in every letter case, and must be denied; and no
 * tag they manage to set may give anyone access the mesh does not declare.
 *
 * Why letter case: IAM matches the tag-key part of `aws:ResourceTag/<key>` case-insensitively (condition key names
 * are case-insensitive), Kinesis tag keys are case-sensitive, and `aws:TagKeys` values are compared
 * case-sensitively. So `MESHGOV:CONSUME:<account>:<role>` is a new Kinesis tag that satisfies the ABAC condition on
 * `meshgov:consume:<account>:<role>`. The expectations here are written from that rule, not from the guard.
 */
import type { Mesh } from '../../src/core/model/types.js';
import type { DesiredState, PolicyDocument } from '../../src/core/render/types.js';
import type { Decision, Principal, PrincipalPolicies, Request, Resource } from './proof.js';
import { cellKey, expectedAllowed, policiesFor, principalsOf, resourcesOf, simulate, simulateFast } from './proof.js';

/** Tagging paths on an existing stream. */
const STREAM_TAGGING = [
  'kinesis:AddTagsToStream',
  'kinesis:RemoveTagsFromStream',
  'kinesis:TagResource',
  'kinesis:UntagResource',
] as const;
/** Tagging paths on an existing consumer (AddTagsToStream/RemoveTagsFromStream take a stream only). */
const CONSUMER_TAGGING = ['kinesis:TagResource', 'kinesis:UntagResource'] as const;
/** Tag-on-create and the Resource Groups Tagging API, tried once per account (and per stream for consumers). */
const TAGGING_API = ['tag:TagResources', 'tag:UntagResources'] as const;
/**
 * Actions that add a tag to the resource tried (the ones whose success could buy access there). RegisterStreamConsumer
 * tags the new consumer, not the stream, and a consumer nobody declared is reachable by no meshgov policy.
 */
const ADDING = new Set(['kinesis:AddTagsToStream', 'kinesis:TagResource', 'kinesis:CreateStream', 'tag:TagResources']);
/** Data actions a gained tag could open. */
const DATA_ACTIONS = [
  'kinesis:GetRecords',
  'kinesis:GetShardIterator',
  'kinesis:PutRecord',
  'kinesis:PutRecords',
  'kinesis:ListShards',
  'kinesis:DescribeStreamSummary',
];
const CONSUMER_DATA_ACTIONS = ['kinesis:SubscribeToShard', 'kinesis:DescribeStreamConsumer'];

/** Ordinary tagging rights a domain team or account admin may hold: only the guard stands in the way. */
export const TAGGING_ADMIN: PolicyDocument = {
  Version: '2012-10-17',
  Statement: [{ Sid: 'DomainAdmin', Effect: 'Allow', Action: ['kinesis:*', 'tag:*'], Resource: '*' }],
};

/** Upper-case a string the way a case-insensitive IAM match would still accept (ASCII letters and `s` -> `ſ`). */
export function caseSpellings(key: string, perCharacter: boolean): string[] {
  const out = new Set<string>([key, key.toUpperCase(), mixed(key), key.replace(/s/g, '\u017f')]);
  out.add(key.charAt(0).toUpperCase() + key.slice(1));
  if (perCharacter) {
    for (let i = 0; i < key.length; i++) {
      const c = key.charAt(i);
      if (c.toUpperCase() !== c) out.add(key.slice(0, i) + c.toUpperCase() + key.slice(i + 1));
    }
  }
  return [...out];
}

function mixed(key: string): string {
  return [...key].map((c, i) => (i % 2 === 0 ? c.toUpperCase() : c.toLowerCase())).join('');
}

/** A spelling equal to a canonical key in IAM's eyes (case-insensitive, long s folds to s). */
function foldKey(k: string): string {
  return k.toUpperCase().toLowerCase();
}

export interface TamperOptions {
  /** Flip each character of the attacker's own grant tag key, one at a time (slow on big meshes). */
  perCharacter: boolean;
  /**
   * `full`: the attacker's own grant keys and the fixed governance keys in five spellings each, plus every other
   * grantee's grant keys upper-cased (tagging for a friend). `own`: only the attacker's consume key in five
   * spellings, `MESHGOV:MANAGED-BY` and, upper-cased, the grant keys of every grantee in the attacker's account.
   */
  keys?: 'full' | 'own';
  /** Also try these keys (e.g. `team`) on managed resources: any tag change there must be denied. */
  extraKeys?: string[];
  /** Cross-check every allowed cell and every n-th cell through the validating evaluator (default 40). */
  sampleEvery?: number;
  /** Without an organisation: has the boundary been attached to roles meshgov does not manage? (default true) */
  outsidersBounded?: boolean;
}

export interface TamperResult {
  cells: number;
  /** Tagging cells the policies allow (must be empty when the guard is complete). */
  allowedTampering: string[];
  /** Cells where a tag the attacker could set gives someone access the mesh does not declare. */
  gainedAccess: string[];
  /** Cells also evaluated through iam-simulate's validating entry point, and where the two disagreed (must be none). */
  validatedCells: number;
  evaluatorDisagreements: string[];
  /** Attackers and resources tried. */
  attackers: number;
  resources: number;
}

export type WithRole = 'grantee' | 'unrelated';

/**
 * Attackers: every grantee role in a mesh account and the `proof-unrelated` role of each mesh account, each holding
 * {@link TAGGING_ADMIN} on top of what the mesh gives it (the unrelated role gets the guard boundary only where the
 * mesh has no organisation and `boundOutsiders` says the organisation attached it; see docs/render.md).
 */
export function attackersOf(mesh: Mesh, kinds: readonly WithRole[] = ['grantee', 'unrelated']): Principal[] {
  const accounts = new Set(mesh.accounts.map((a) => a.id));
  return principalsOf(mesh).filter((p) => accounts.has(p.account) && (kinds as readonly string[]).includes(p.kind));
}

/**
 * The attacker's policies: what the mesh gives it plus {@link TAGGING_ADMIN}. Without an organisation the guard is
 * only a permissions boundary, which apply attaches to the roles meshgov writes policies for; a role meshgov does not
 * manage (`unrelated`) has none unless the account's owners attach it (`outsidersBounded`).
 */
export function attackerPolicies(
  p: Principal,
  mesh: Mesh,
  state: DesiredState,
  outsidersBounded = true,
): PrincipalPolicies {
  const pol = policiesFor(p, mesh, state);
  const out: PrincipalPolicies = {
    ...pol,
    identity: [...pol.identity, { name: 'domain-admin', policy: TAGGING_ADMIN }],
  };
  if (p.kind === 'unrelated' && !outsidersBounded) delete out.boundary;
  return out;
}

function grantKeysOf(p: Principal): string[] {
  return [`meshgov:consume:${p.account}:${p.role}`, `meshgov:produce:${p.account}:${p.role}`];
}

/** The principal a (case-variant) grant tag key would give access to, as `account/role`, if any. */
function beneficiary(key: string): { account: string; role: string } | undefined {
  const m = /^meshgov:(?:produce|consume):(\d{12}):(.+)$/.exec(foldKey(key));
  return m ? { account: m[1] as string, role: m[2] as string } : undefined;
}

/**
 * Run the tamper matrix. Every tagging cell is expected Denied; an allowed cell is recorded, and every key it could
 * add is then tried as a counterfactual resource tag: if that gives its beneficiary (or the attacker) a data action
 * the mesh does not declare, the cell is recorded in `gainedAccess`.
 */
export async function proveTamper(
  mesh: Mesh,
  state: DesiredState,
  today: string,
  opts: TamperOptions,
  attackers = attackersOf(mesh),
): Promise<TamperResult> {
  const expected = expectedAllowed(mesh, today);
  const resources = resourcesOf(mesh, state, today).filter((r) => r.kind !== 'account');
  const everyone = principalsOf(mesh);
  const result: TamperResult = {
    cells: 0,
    allowedTampering: [],
    gainedAccess: [],
    validatedCells: 0,
    evaluatorDisagreements: [],
    attackers: attackers.length,
    resources: resources.length,
  };
  const sampleEvery = opts.sampleEvery ?? 40;
  const governanceKeys = ['meshgov:managed-by', 'meshgov:mesh', 'meshgov:domain', 'meshgov:classification'];
  for (const p of attackers) {
    const policies = attackerPolicies(p, mesh, state, opts.outsidersBounded ?? true);
    const own = grantKeysOf(p);
    const friends = everyone.filter(
      (x) => x.kind === 'grantee' && x.arn !== p.arn && (opts.keys !== 'own' || x.account === p.account),
    );
    const forFriends = friends.flatMap((x) => grantKeysOf(x).map((k) => k.toUpperCase()));
    const keys =
      opts.keys === 'own'
        ? [...caseSpellings(own[0] as string, opts.perCharacter), 'MESHGOV:MANAGED-BY', ...forFriends]
        : [
            ...own.flatMap((k, i) => caseSpellings(k, opts.perCharacter && i === 0)),
            ...governanceKeys.flatMap((k) => caseSpellings(k, false)),
            ...forFriends,
          ];
    const tryCell = async (action: string, r: Resource, tagKeys: string[], label: string): Promise<void> => {
      const req: Request = { principal: p, action, resource: r, tagKeys };
      const got: Decision = simulateFast(mesh, policies, req);
      if (got === 'Allowed' || result.cells % sampleEvery === 0) {
        result.validatedCells++;
        if ((await simulate(mesh, policies, req)) !== got)
          result.evaluatorDisagreements.push(`${cellKey(p.arn, r.arn, action)} [${label}]`);
      }
      result.cells++;
      if (got !== 'Allowed') return;
      result.allowedTampering.push(`${cellKey(p.arn, r.arn, action)} [${label}]`);
      if (ADDING.has(action)) for (const k of tagKeys) checkGain(k, r, `${cellKey(p.arn, r.arn, action)} [${k}]`);
    };
    const checkGain = (key: string, r: Resource, label: string): void => {
      const b = beneficiary(key);
      const who = everyone.filter(
        (x) => x.arn === p.arn || (b !== undefined && x.account === b.account && x.role.toLowerCase() === b.role),
      );
      const tags = { ...r.tags, [key]: 'allow' };
      for (const x of who) {
        const pol = policiesFor(x, mesh, state);
        for (const a of r.kind === 'consumer' ? CONSUMER_DATA_ACTIONS : DATA_ACTIONS) {
          if (expected.has(cellKey(x.arn, r.arn, a))) continue;
          if (simulateFast(mesh, pol, { principal: x, action: a, resource: r, tags }) === 'Allowed')
            result.gainedAccess.push(`${label} -> ${x.arn} ${a}`);
        }
      }
    };
    for (const r of resources) {
      const actions = r.kind === 'stream' ? STREAM_TAGGING : CONSUMER_TAGGING;
      for (const action of actions) {
        for (const k of [...keys, ...(opts.extraKeys ?? [])]) await tryCell(action, r, [k], k);
      }
      // Tag-on-create of a consumer on this stream, with the attacker's own grant tag in every spelling.
      if (r.kind === 'stream') for (const k of keys) await tryCell('kinesis:RegisterStreamConsumer', r, [k], k);
    }
    // Tag-on-create of a new stream, and the tagging API, in the attacker's own account.
    const fresh: Resource = {
      kind: 'stream',
      arn: `arn:${mesh.partition}:kinesis:${mesh.region}:${p.account}:stream/proof-new-stream`,
      account: p.account,
      tags: {},
    };
    for (const k of keys) {
      await tryCell('kinesis:CreateStream', fresh, [k], k);
      for (const a of TAGGING_API) await tryCell(a, { ...fresh, kind: 'account', arn: '*' }, [k], k);
    }
  }
  return result;
}
