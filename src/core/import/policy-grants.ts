/**
 * Reading grants back out of resource policies (the inverse of render/resource-policy.ts). A statement becomes
 * grants only when meshgov could render it again: Allow, IAM role or account principals, this resource, actions
 * from the read or write set, and no condition but the `aws:PrincipalOrgID` meshgov renders itself. Everything
 * else is returned as "not expressible" with the reason, so the caller reports it instead of dropping it.
 */
import type { AccountId } from '../model/types.js';
import { EFO_CONSUMER_ACTIONS, LAMBDA_EXTRA_ACTIONS, POLLING_READ_ACTIONS, PRODUCER_ACTIONS } from '../render/actions.js';
import type { PolicyDocument, PolicyStatement } from '../render/types.js';

/** An IAM principal a policy names: a role (with its path) or a whole account. */
export interface PolicyPrincipal {
  account: AccountId;
  /** Role name; undefined for an account (`...:root` or a bare account id). */
  role?: string;
  /** IAM path of the role, `/` by default. */
  path: string;
}

/** A grant implied by one statement of a stream or consumer policy. */
export interface GrantCandidate {
  principal: PolicyPrincipal;
  access: 'produce' | 'consume';
  /** `efo` for statements of a consumer policy, else `replay` for consume. */
  pattern?: 'replay' | 'efo';
  /** EFO consumer name (consumer policies). */
  consumer?: string;
  /** Sid of the statement, when it had one. */
  sid?: string;
  /** Actions of the statement meshgov's grant does not cover (reported, not expressed). */
  droppedActions: string[];
}

/** A statement (or a principal of it) that no grant can express. */
export interface Unexpressible {
  /** 1-based position of the statement in the document. */
  statement: number;
  sid?: string;
  /** Why it cannot be a grant. */
  reason: string;
}

export interface PolicyContext {
  /** `stream` for a stream policy, `consumer` for an EFO consumer policy. */
  resource: 'stream' | 'consumer';
  /** The stream ARN. */
  streamArn: string;
  /** The consumer name and full ARN (consumer policies). */
  consumer?: { name: string; arn: string };
  /** The mesh's organisation id: an `aws:PrincipalOrgID` condition naming it is what render adds itself. */
  organizationId?: string;
}

export interface PolicyGrants {
  grants: GrantCandidate[];
  unexpressible: Unexpressible[];
}

const READ = new Set<string>([...POLLING_READ_ACTIONS, ...LAMBDA_EXTRA_ACTIONS].map((a) => a.toLowerCase()));
const WRITE = new Set<string>(PRODUCER_ACTIONS.map((a) => a.toLowerCase()));
const EFO = new Set<string>(EFO_CONSUMER_ACTIONS.map((a) => a.toLowerCase()));
const READ_CORE = ['kinesis:getrecords', 'kinesis:getshariterator'];
const WRITE_CORE = ['kinesis:putrecord', 'kinesis:putrecords'];

function list(v: string | string[] | undefined): string[] {
  if (v === undefined) return [];
  return Array.isArray(v) ? v : [v];
}

/** Parse a principal ARN or account id; undefined when it is not an IAM role or account. */
export function parsePrincipal(value: string): PolicyPrincipal | undefined {
  if (/^[0-9]{12}$/.test(value)) return { account: value, path: '/' };
  const root = /^arn:aws[a-z-]*:iam::([0-9]{12}):root$/.exec(value);
  if (root) return { account: root[1] as string, path: '/' };
  const role = /^arn:aws[a-z-]*:iam::([0-9]{12}):role(\/(?:[A-Za-z0-9+=,.@_-]+\/)*)([A-Za-z0-9+=,.@_-]{1,64})$/.exec(value);
  if (role) return { account: role[1] as string, path: role[2] as string, role: role[3] as string };
  return undefined;
}

function principalProblem(value: string): string {
  if (value === '*' || value.includes('*') || value.includes('?')) return `wildcard principal ${value}`;
  if (/:assumed-role\//.test(value)) return `assumed-role session principal ${value} (grants name roles)`;
  if (/:user\//.test(value)) return `IAM user principal ${value} (meshgov grants roles and accounts; long-lived user keys are not supported)`;
  return `principal ${value} is not an IAM role or account`;
}

/** The only condition meshgov renders: `StringEquals aws:PrincipalOrgID` = the mesh organisation. */
function conditionProblem(c: PolicyStatement['Condition'], organizationId: string | undefined): string | undefined {
  if (c === undefined) return undefined;
  for (const [op, keys] of Object.entries(c)) {
    for (const [key, value] of Object.entries(keys)) {
      const isOrg = op === 'StringEquals' && key.toLowerCase() === 'aws:principalorgid' && organizationId !== undefined && list(value as string | string[]).every((v) => v === organizationId);
      if (!isOrg) return `condition ${op} ${key} is not modelled by meshgov`;
    }
  }
  return undefined;
}

function resourceProblem(resources: string[], ctx: PolicyContext): string | undefined {
  if (resources.length === 0) return undefined;
  const ok = ctx.resource === 'stream'
    ? [ctx.streamArn]
    : ctx.consumer ? [ctx.consumer.arn, `${ctx.streamArn}/consumer/${ctx.consumer.name}:*`] : [];
  const bad = resources.filter((r) => !ok.includes(r));
  if (bad.length === 0) return undefined;
  return `resource ${bad.join(', ')} ${bad.some((r) => r.includes('*')) ? 'is a wildcard meshgov does not render' : `is not this ${ctx.resource}`}`;
}

/** The grants of one resource policy, and the statements no grant can express. */
export function grantsFromPolicy(doc: PolicyDocument | undefined, ctx: PolicyContext): PolicyGrants {
  const out: PolicyGrants = { grants: [], unexpressible: [] };
  if (doc === undefined) return out;
  const statements = Array.isArray(doc.Statement) ? doc.Statement : [doc.Statement as unknown as PolicyStatement];
  statements.forEach((s, i) => {
    const at = { statement: i + 1, ...(s.Sid ? { sid: s.Sid } : {}) };
    const reject = (reason: string) => out.unexpressible.push({ ...at, reason });
    if (s.Effect !== 'Allow') return reject(`${s.Effect} statements cannot be expressed as grants (grants only allow)`);
    if (s.NotPrincipal !== undefined) return reject('NotPrincipal cannot be expressed as a grant');
    if (s.NotAction !== undefined) return reject('NotAction cannot be expressed as a grant');
    if (s.NotResource !== undefined) return reject('NotResource cannot be expressed as a grant');
    const principal = s.Principal as unknown;
    if (principal === '*') return reject('wildcard principal * (public access)');
    if (principal === undefined || typeof principal !== 'object' || principal === null) return reject('statement has no principal');
    if ('Service' in principal || 'Federated' in principal || 'CanonicalUser' in principal) {
      return reject(`${Object.keys(principal).join('/')} principal ${JSON.stringify(Object.values(principal)[0])} cannot be expressed as a grant (grants name IAM roles or accounts)`);
    }
    const cond = conditionProblem(s.Condition, ctx.organizationId);
    if (cond) return reject(cond);
    const res = resourceProblem(list(s.Resource), ctx);
    if (res) return reject(res);
    const wild = list(s.Action).filter((a) => a.includes('*') || a.includes('?'));
    if (wild.length) return reject(`wildcard action ${wild.join(', ')} (meshgov grants name exact actions)`);
    const access = accessOf(list(s.Action), ctx);
    if (typeof access === 'string') return reject(access);
    const principals = list((principal as { AWS?: string | string[] }).AWS);
    for (const p of principals) {
      const parsed = parsePrincipal(p);
      if (!parsed) {
        reject(principalProblem(p));
        continue;
      }
      for (const a of access.access) {
        out.grants.push({
          principal: parsed, access: a,
          ...(a === 'consume' ? { pattern: ctx.resource === 'consumer' ? 'efo' as const : 'replay' as const } : {}),
          ...(ctx.resource === 'consumer' && ctx.consumer ? { consumer: ctx.consumer.name } : {}),
          ...(s.Sid ? { sid: s.Sid } : {}),
          droppedActions: access.dropped,
        });
      }
    }
  });
  return out;
}

/** Which accesses the actions amount to, and the actions outside them; a string when none. */
function accessOf(original: string[], ctx: PolicyContext): { access: ('produce' | 'consume')[]; dropped: string[] } | string {
  // IAM action names are case-insensitive.
  const actions = original.map((a) => a.toLowerCase());
  const shown = original.join(', ') || '(none)';
  if (ctx.resource === 'consumer') {
    if (!actions.includes('kinesis:subscribetoshard')) return `actions ${shown} do not include kinesis:SubscribeToShard, so no enhanced fan-out grant reads through this consumer`;
    return { access: ['consume'], dropped: original.filter((a) => !EFO.has(a.toLowerCase())) };
  }
  const access: ('produce' | 'consume')[] = [];
  if (READ_CORE.some((a) => actions.includes(a))) access.push('consume');
  if (WRITE_CORE.some((a) => actions.includes(a))) access.push('produce');
  if (access.length === 0) return `actions ${shown} are outside the read and write sets (no GetRecords/GetShardIterator or PutRecord/PutRecords)`;
  return { access, dropped: original.filter((a) => !READ.has(a.toLowerCase()) && !WRITE.has(a.toLowerCase())) };
}
