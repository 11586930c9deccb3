/**
 * Reads the identity policies of every IAM role and user in one account that may reach Kinesis, for the audit's
 * identity checks (`identity-policy-overreach`, `tag-tampering`): one paginated GetAccountAuthorizationDetails
 * (Filter Role, User, Group, LocalManagedPolicy, AWSManagedPolicy) instead of per-role List/Get calls.
 * https://docs.aws.amazon.com/IAM/latest/APIReference/API_GetAccountAuthorizationDetails.html
 *
 * Per principal: its inline policies (RolePolicyList / UserPolicyList), the default version of each attached managed
 * policy (customer or AWS managed, resolved from the `Policies` of all pages: an attachment may come on an earlier
 * page than its policy), and for users the inline and attached policies of their groups. Permissions boundaries are
 * not identity grants and are left out. Documents are URL-encoded JSON (RFC 3986) and decoded here. Only documents
 * with a statement whose Action can match a `kinesis:` action (`kinesis:*`, `kin*:Get*`, `*`) or with a NotAction are
 * kept, and only principals with such a document, to keep the live state small.
 *
 * The client is the pool's (`pool.iam(account)`): every call passes its rate limiter and call counter.
 */
import { GetAccountAuthorizationDetailsCommand } from '@aws-sdk/client-iam';
import type { AttachedPolicy, EntityType, IAMClient, ManagedPolicyDetail, PolicyDetail } from '@aws-sdk/client-iam';
import { globMatch, parsePolicy } from '../../core/policy/index.js';
import type { LiveAccount } from '../../core/plan/live.js';
import type { PolicyDocument } from '../../core/render/types.js';
import { toAdapterError } from './errors.js';
import { decodePolicyDocument } from './iam-reader.js';
import { PolicyTooDeepError } from './live-policy-json.js';

export const IAM_AUTHORIZATION_IAM_ACTIONS = ['iam:GetAccountAuthorizationDetails'] as const;

/** Entity types asked for. AWS managed policies are needed for attachments such as AmazonKinesisFullAccess. */
export const AUTHORIZATION_FILTER: EntityType[] = ['Role', 'User', 'Group', 'LocalManagedPolicy', 'AWSManagedPolicy'];

/** Largest page the API allows (1000); IAM may still return fewer items with `IsTruncated`. */
const MAX_ITEMS = 1000;

export type IdentityPolicies = NonNullable<LiveAccount['identityPolicies']>;

export interface IdentityPolicyOptions {
  /** The account the client reads (for error messages). */
  account: string;
  /** Items per page (MaxItems, 1–1000); 1000 by default. */
  pageSize?: number;
}

export interface IdentityPolicyRead {
  /** Principals (role and user ARNs, sorted) with the documents that may reach Kinesis. */
  identityPolicies: IdentityPolicies;
  /** What could not be resolved (a document that is not JSON, an attached policy the response did not include). */
  notes: string[];
  /** GetAccountAuthorizationDetails pages read. */
  pages: number;
}

/** Does an IAM action pattern (`service:name`, wildcards `*` and `?`, case-insensitive) match some `kinesis:` action? */
export function actionPatternMayMatchKinesis(pattern: string): boolean {
  const p = pattern.trim().toLowerCase();
  const colon = p.indexOf(':');
  if (colon < 0) return /^\*+$/.test(p);
  return globMatch(p.slice(0, colon), 'kinesis', true);
}

/** Can a policy document matter to the Kinesis identity checks (an Action matching `kinesis:`, or any NotAction)? */
export function mayReachKinesis(doc: unknown): boolean {
  // Any form the grammar allows (a single statement object, a single action string) through the one policy model.
  return parsePolicy(doc).policy.statements.some(
    (s) =>
      s.action.kind === 'not-action' ||
      (s.action.kind === 'action' && s.action.patterns.some(actionPatternMayMatchKinesis)),
  );
}

interface Collected {
  roles: Map<string, { inline: PolicyDetail[]; attached: AttachedPolicy[] }>;
  users: Map<string, { inline: PolicyDetail[]; attached: AttachedPolicy[]; groups: string[] }>;
  groups: Map<string, { inline: PolicyDetail[]; attached: AttachedPolicy[] }>;
  policies: Map<string, ManagedPolicyDetail>;
}

async function collect(client: IAMClient, o: IdentityPolicyOptions): Promise<{ c: Collected; pages: number }> {
  const c: Collected = { roles: new Map(), users: new Map(), groups: new Map(), policies: new Map() };
  let marker: string | undefined;
  let pages = 0;
  do {
    const input = {
      Filter: AUTHORIZATION_FILTER,
      MaxItems: o.pageSize ?? MAX_ITEMS,
      ...(marker ? { Marker: marker } : {}),
    };
    let page;
    try {
      page = await client.send(new GetAccountAuthorizationDetailsCommand(input));
    } catch (e) {
      throw toAdapterError(e, 'iam', 'GetAccountAuthorizationDetails', o.account);
    }
    pages++;
    for (const r of page.RoleDetailList ?? []) {
      if (r.Arn) c.roles.set(r.Arn, { inline: r.RolePolicyList ?? [], attached: r.AttachedManagedPolicies ?? [] });
    }
    for (const u of page.UserDetailList ?? []) {
      if (u.Arn)
        c.users.set(u.Arn, {
          inline: u.UserPolicyList ?? [],
          attached: u.AttachedManagedPolicies ?? [],
          groups: u.GroupList ?? [],
        });
    }
    for (const g of page.GroupDetailList ?? []) {
      if (g.GroupName)
        c.groups.set(g.GroupName, { inline: g.GroupPolicyList ?? [], attached: g.AttachedManagedPolicies ?? [] });
    }
    for (const p of page.Policies ?? []) if (p.Arn) c.policies.set(p.Arn, p);
    marker = page.IsTruncated ? page.Marker : undefined;
  } while (marker);
  return { c, pages };
}

/** Reads the identity policies that may reach Kinesis, per role and user of the account. */
export async function readIdentityPolicies(client: IAMClient, o: IdentityPolicyOptions): Promise<IdentityPolicyRead> {
  const { c, pages } = await collect(client, o);
  const notes = new Set<string>();
  const decoded = new Map<string, PolicyDocument | undefined>();

  const decode = (key: string, text: string | undefined, what: string): PolicyDocument | undefined => {
    if (decoded.has(key)) return decoded.get(key);
    let doc: PolicyDocument | undefined;
    if (text !== undefined) {
      try {
        doc = decodePolicyDocument(text);
      } catch (e) {
        const fault = e instanceof PolicyTooDeepError ? e.fault : 'is not a JSON policy document';
        notes.add(`account ${o.account}: IAM ${what} ${fault}; identity checks ignore it`);
      }
    }
    const kept = doc !== undefined && mayReachKinesis(doc) ? doc : undefined;
    decoded.set(key, kept);
    return kept;
  };
  const managed = (a: AttachedPolicy): [string, PolicyDocument | undefined] | undefined => {
    if (!a.PolicyArn) return undefined;
    const p = c.policies.get(a.PolicyArn);
    const version =
      p?.PolicyVersionList?.find((v) => v.VersionId === p.DefaultVersionId) ??
      p?.PolicyVersionList?.find((v) => v.IsDefaultVersion === true);
    if (!version?.Document) {
      notes.add(
        `account ${o.account}: IAM managed policy ${a.PolicyArn} is attached but its default version was not returned by GetAccountAuthorizationDetails; identity checks ignore it`,
      );
      return undefined;
    }
    return [
      `policy ${a.PolicyArn}`,
      decode(`policy ${a.PolicyArn}`, version.Document, `managed policy ${a.PolicyArn}`),
    ];
  };
  const inline = (owner: string, d: PolicyDetail): [string, PolicyDocument | undefined] => {
    const key = `inline ${owner} ${d.PolicyName ?? ''}`;
    return [key, decode(key, d.PolicyDocument, `inline policy ${d.PolicyName ?? '?'} of ${owner}`)];
  };
  const documents = (entries: ([string, PolicyDocument | undefined] | undefined)[]): PolicyDocument[] => {
    const seen = new Map<string, PolicyDocument>();
    for (const e of entries) if (e?.[1] !== undefined && !seen.has(e[0])) seen.set(e[0], e[1]);
    return [...seen.values()];
  };

  const out: IdentityPolicies = [];
  for (const [arn, r] of c.roles) {
    const docs = documents([...r.inline.map((d) => inline(arn, d)), ...r.attached.map(managed)]);
    if (docs.length > 0) out.push({ principalArn: arn, documents: docs });
  }
  for (const [arn, u] of c.users) {
    const groupEntries = u.groups.flatMap((name) => {
      const g = c.groups.get(name);
      if (!g) {
        notes.add(
          `account ${o.account}: IAM group ${name} of ${arn} was not returned by GetAccountAuthorizationDetails; identity checks ignore its policies`,
        );
        return [];
      }
      return [...g.inline.map((d) => inline(`group ${name}`, d)), ...g.attached.map(managed)];
    });
    const docs = documents([...u.inline.map((d) => inline(arn, d)), ...u.attached.map(managed), ...groupEntries]);
    if (docs.length > 0) out.push({ principalArn: arn, documents: docs });
  }
  out.sort((a, b) => (a.principalArn < b.principalArn ? -1 : a.principalArn > b.principalArn ? 1 : 0));
  return { identityPolicies: out, notes: [...notes].sort(), pages };
}
