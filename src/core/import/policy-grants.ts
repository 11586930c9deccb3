/**
 * Reading grants back out of resource policies (the inverse of render/resource-policy.ts). A statement becomes
 * grants only when meshgov could render it again: Allow, IAM role or account principals, this resource, actions
 * from the read or write set, and no condition but the `aws:PrincipalOrgID` meshgov renders itself. Everything
 * else is returned as "not expressible" with the reason, so the caller reports it instead of dropping it.
 */
import type { AccountId } from '../model/types.js';
import {
  EFO_CONSUMER_ACTIONS,
  LAMBDA_EXTRA_ACTIONS,
  POLLING_READ_ACTIONS,
  PRODUCER_ACTIONS,
} from '../render/actions.js';
import { awsPrincipal, parsePolicy } from '../policy/index.js';
import type { Condition, Principal, Statement } from '../policy/index.js';

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

/** A statement (or a principal of it, or the document itself) that no grant can express. */
export interface Unexpressible {
  /** 1-based position of the statement in the document; absent when the document as a whole is the problem. */
  statement?: number;
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

/** The grant principal a model principal is: an IAM role or a whole account, else undefined. */
function grantPrincipal(p: Principal): PolicyPrincipal | undefined {
  if (p.kind === 'account') return { account: p.account, path: '/' };
  if (p.kind === 'role') return { account: p.account, path: p.path, role: p.name };
  return undefined;
}

/** Parse a principal ARN or account id; undefined when it is not an IAM role or account. */
export function parsePrincipal(value: string): PolicyPrincipal | undefined {
  return grantPrincipal(awsPrincipal(value, 'aws'));
}

function principalProblem(value: string): string {
  if (value === '*' || value.includes('*') || value.includes('?')) return `wildcard principal ${value}`;
  if (/:assumed-role\//.test(value)) return `assumed-role session principal ${value} (grants name roles)`;
  if (/:user\//.test(value))
    return `IAM user principal ${value} (meshgov grants roles and accounts; long-lived user keys are not supported)`;
  return `principal ${value} is not an IAM role or account`;
}

const TYPE_NAMES: Record<'service' | 'federated' | 'canonical-user', string> = {
  service: 'Service',
  federated: 'Federated',
  'canonical-user': 'CanonicalUser',
};

/** The only condition meshgov renders: `StringEquals aws:PrincipalOrgID` = the mesh organisation. */
function conditionProblem(conditions: readonly Condition[], organizationId: string | undefined): string | undefined {
  for (const c of conditions) {
    const isOrg =
      c.operator === 'StringEquals' &&
      c.key.toLowerCase() === 'aws:principalorgid' &&
      organizationId !== undefined &&
      c.values.every((v) => v === organizationId);
    if (!isOrg) return `condition ${c.operator} ${c.key} is not modelled by meshgov`;
  }
  return undefined;
}

function resourceProblem(resources: string[], ctx: PolicyContext): string | undefined {
  if (resources.length === 0) return undefined;
  const ok =
    ctx.resource === 'stream'
      ? [ctx.streamArn]
      : ctx.consumer
        ? [ctx.consumer.arn, `${ctx.streamArn}/consumer/${ctx.consumer.name}:*`]
        : [];
  const bad = resources.filter((r) => !ok.includes(r));
  if (bad.length === 0) return undefined;
  return `resource ${bad.join(', ')} ${bad.some((r) => r.includes('*')) ? 'is a wildcard meshgov does not render' : `is not this ${ctx.resource}`}`;
}

/** Why a whole statement cannot be grants, or undefined when its principals may be. */
function statementProblem(s: Statement, ctx: PolicyContext): string | undefined {
  if (s.effect === 'invalid') return 'the statement has no valid Effect';
  if (s.effect !== 'Allow') return `${s.effect} statements cannot be expressed as grants (grants only allow)`;
  if (s.unparsed.length) {
    return `parts of the statement do not follow the IAM policy grammar: ${s.unparsed.map((u) => u.at).join(', ')}`;
  }
  if (s.principal.kind === 'not-principal') return 'NotPrincipal cannot be expressed as a grant';
  if (s.action.kind === 'not-action') return 'NotAction cannot be expressed as a grant';
  if (s.resource.kind === 'not-resource') return 'NotResource cannot be expressed as a grant';
  if (s.principal.kind === 'none' || s.principal.principals.length === 0) return 'statement has no principal';
  if (s.principal.principals.some((p) => p.kind === 'public')) return 'wildcard principal * (public access)';
  const other = s.principal.principals.find(
    (p) => p.kind === 'service' || p.kind === 'federated' || p.kind === 'canonical-user',
  );
  if (other) {
    const named = `${TYPE_NAMES[other.kind]} principal ${JSON.stringify(other.value)}`;
    return `${named} cannot be expressed as a grant (grants name IAM roles or accounts)`;
  }
  const cond = conditionProblem(s.conditions, ctx.organizationId);
  if (cond) return cond;
  const res = resourceProblem(s.resource.kind === 'resource' ? s.resource.patterns : [], ctx);
  if (res) return res;
  const actions = s.action.kind === 'action' ? s.action.patterns : [];
  const wild = actions.filter((a) => a.includes('*') || a.includes('?'));
  if (wild.length) return `wildcard action ${wild.join(', ')} (meshgov grants name exact actions)`;
  return undefined;
}

const DOCUMENT_PROBLEMS = new Set([
  'policy-not-object',
  'policy-unknown-element',
  'policy-unknown-version',
  'policy-bad-statement',
]);

/** The grants of one resource policy (any JSON: live policies are untrusted), and what no grant can express. */
export function grantsFromPolicy(doc: unknown, ctx: PolicyContext): PolicyGrants {
  const out: PolicyGrants = { grants: [], unexpressible: [] };
  if (doc === undefined) return out;
  const { policy, diagnostics } = parsePolicy(doc);
  // Problems outside the statements: apply would replace them with the rendered document, so they are reported.
  for (const d of diagnostics) {
    if (d.code === 'statement-not-object' && typeof d.path[1] === 'number') {
      out.unexpressible.push({ statement: d.path[1] + 1, reason: d.message });
    } else if (DOCUMENT_PROBLEMS.has(d.code)) {
      out.unexpressible.push({ reason: `the document does not follow the IAM policy grammar: ${d.message}` });
    }
  }
  for (const s of policy.statements) {
    const at = { statement: s.position, ...(s.sid ? { sid: s.sid } : {}) };
    const reject = (reason: string) => out.unexpressible.push({ ...at, reason });
    const problem = statementProblem(s, ctx);
    if (problem) {
      reject(problem);
      continue;
    }
    const access = accessOf(s.action.kind === 'action' ? s.action.patterns : [], ctx);
    if (typeof access === 'string') {
      reject(access);
      continue;
    }
    for (const p of s.principal.kind === 'principal' ? s.principal.principals : []) {
      const parsed = grantPrincipal(p);
      if (!parsed) {
        reject(principalProblem(p.kind === 'aws' ? p.value : String(p.kind)));
        continue;
      }
      for (const a of access.access) {
        out.grants.push({
          principal: parsed,
          access: a,
          ...(a === 'consume' ? { pattern: ctx.resource === 'consumer' ? ('efo' as const) : ('replay' as const) } : {}),
          ...(ctx.resource === 'consumer' && ctx.consumer ? { consumer: ctx.consumer.name } : {}),
          ...(s.sid ? { sid: s.sid } : {}),
          droppedActions: access.dropped,
        });
      }
    }
  }
  return out;
}

/** Which accesses the actions amount to, and the actions outside them; a string when none. */
function accessOf(
  original: string[],
  ctx: PolicyContext,
): { access: ('produce' | 'consume')[]; dropped: string[] } | string {
  // IAM action names are case-insensitive.
  const actions = original.map((a) => a.toLowerCase());
  const shown = original.join(', ') || '(none)';
  if (ctx.resource === 'consumer') {
    if (!actions.includes('kinesis:subscribetoshard'))
      return `actions ${shown} do not include kinesis:SubscribeToShard, so no enhanced fan-out grant reads through this consumer`;
    return { access: ['consume'], dropped: original.filter((a) => !EFO.has(a.toLowerCase())) };
  }
  const access: ('produce' | 'consume')[] = [];
  if (READ_CORE.some((a) => actions.includes(a))) access.push('consume');
  if (WRITE_CORE.some((a) => actions.includes(a))) access.push('produce');
  if (access.length === 0)
    return `actions ${shown} are outside the read and write sets (no GetRecords/GetShardIterator or PutRecord/PutRecords)`;
  return { access, dropped: original.filter((a) => !READ.has(a.toLowerCase()) && !WRITE.has(a.toLowerCase())) };
}
