/**
 * Unauthorized access (pure): who can reach the mesh's streams beyond what the grants declare.
 * - resource-policy statements naming principals no grant declares, wildcard/public principals, principals outside
 *   the organisation; expired grants still in force; EFO consumers nobody declared (access.ts)
 * - identity policies in mesh accounts that reach mesh streams beyond their grants, and tag tampering
 *   (identity-reach.ts).
 */
import { efoConsumerOf } from '../model/grant-consumer.js';
import type { Grant } from '../model/types.js';
import { grantTagKey } from '../model/governance-tags.js';
import type { LiveStream } from '../plan/live.js';
import type { AuditContext, CheckResult } from './context.js';
import { emptyResult, indexAudit, locationOf } from './context.js';
import type { AuditIndex } from './context.js';
import { restrictiveConditions } from './conditions.js';
import type { Finding } from './findings.js';
import { consumerResource, streamResource } from './findings.js';
import { grantActive } from '../model/checks/expiry.js';
import { grantCovers, isGovernanceRole, TAG_ACTIONS } from './grants.js';
import { parsePolicy, principalAccount, statementActions, statementPrincipals } from '../policy/index.js';
import type { Policy, Statement } from '../policy/index.js';
import { importCommand } from './shadow.js';

export const RESOURCE_POLICY_CHECKS = [
  'public-principal',
  'wildcard-principal',
  'undeclared-principal',
  'out-of-org-principal',
  'undeclared-consumer',
  'expired-grant-in-force',
] as const;

const RP_DOCS = 'https://docs.aws.amazon.com/streams/latest/dev/resource-based-policies.html';

/** Accounts inside the organisation: from Organizations when it was read, else the mesh's declared accounts. */
export function organisationAccounts(ctx: AuditContext): { accounts: Set<string>; source: 'organizations' | 'mesh' } {
  if (ctx.live.organization) return { accounts: new Set(ctx.live.organization.accounts), source: 'organizations' };
  return { accounts: new Set(ctx.mesh.accounts.map((a) => a.id)), source: 'mesh' };
}

function statementLabel(s: Statement): string {
  return s.sid && s.sid.length > 0 ? s.sid : `#${s.position}`;
}

interface Target {
  account: string;
  stream: string;
  consumer?: string;
  resource: string;
  /** The live policy, parsed (live documents are untrusted JSON). */
  policy: Policy;
  /** Grants on this stream (or, for a consumer, the EFO grants naming it). */
  grants: readonly Grant[];
}

function targets(ctx: AuditContext, ix: AuditIndex): Target[] {
  const out: Target[] = [];
  for (const declared of ctx.mesh.streams) {
    const live = ix.liveStream(declared.account, declared.name);
    if (!live) continue;
    const grants = ix.grantsOn(declared.name);
    const parse = (doc: unknown) => parsePolicy(doc, { partition: ctx.mesh.partition }).policy;
    if (live.resourcePolicy !== undefined) {
      const resource = streamResource(declared.account, declared.name);
      const policy = parse(live.resourcePolicy);
      out.push({ account: declared.account, stream: declared.name, resource, policy, grants });
    }
    for (const c of live.consumers) {
      if (c.resourcePolicy === undefined) continue;
      out.push({
        account: declared.account,
        stream: declared.name,
        consumer: c.name,
        resource: consumerResource(declared.account, declared.name, c.name),
        policy: parse(c.resourcePolicy),
        grants: grants.filter((g) => efoConsumerOf(g) === c.name),
      });
    }
  }
  return out;
}

function principalFindings(ctx: AuditContext, t: Target): Finding[] {
  const findings: Finding[] = [];
  const org = organisationAccounts(ctx);
  const what = t.consumer ? `consumer ${t.consumer} of ${t.stream}` : t.stream;
  for (const s of t.policy.statements) {
    if (s.effect !== 'Allow') continue;
    const sid = statementLabel(s);
    if (s.principal.kind === 'not-principal') {
      // Allow + NotPrincipal allows everyone except the named principals.
      // https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_notprincipal.html
      findings.push({
        code: 'public-principal',
        severity: 'error',
        resource: t.resource,
        account: t.account,
        subject: `everyone but listed principals, statement ${sid}`,
        message: `The resource policy of ${what} allows everyone but the listed principals (Allow with NotPrincipal, statement ${sid})`,
        evidence: { statement: s.source },
        remediation:
          'Replace the statement with the granted principals (declare a grant per principal), then apply, which replaces the whole policy.',
        help: RP_DOCS,
      });
      continue;
    }
    for (const p of statementPrincipals(s)) {
      if (p === '*') {
        const restrict = restrictiveConditions(s.conditions);
        const restricted = Object.keys(restrict).length > 0;
        findings.push({
          code: restricted ? 'wildcard-principal' : 'public-principal',
          severity: restricted ? 'warning' : 'error',
          resource: t.resource,
          account: t.account,
          subject: `*, statement ${sid}`,
          message: restricted
            ? `The resource policy of ${what} allows any principal matching ${Object.keys(restrict).join(', ')} (statement ${sid})`
            : `The resource policy of ${what} allows anyone (Principal "*" without a restricting condition, statement ${sid})`,
          evidence: { statement: s.source },
          remediation:
            'Replace the wildcard with the granted principals (declare a grant per principal); meshgov renders ' +
            'exact principals with aws:PrincipalOrgID. Then apply, which replaces the whole policy.',
          help: RP_DOCS,
        });
        continue;
      }
      if (p.startsWith('service:') || p.startsWith('federated:') || p.startsWith('canonical-user:')) {
        findings.push({
          code: 'undeclared-principal',
          severity: 'error',
          resource: t.resource,
          account: t.account,
          subject: `${p}, statement ${sid}`,
          message: `The resource policy of ${what} names ${p.replace(':', ' principal ')}, which no grant declares (statement ${sid})`,
          evidence: { principal: p, statement: s.source },
          remediation: 'Remove the statement (apply replaces the policy), or declare the access as a grant.',
          help: RP_DOCS,
        });
        continue;
      }
      if (isGovernanceRole(ctx.mesh, p)) continue;
      const covering = t.grants.filter((g) => grantCovers(ctx.mesh, g, p));
      const active = covering.filter((g) => grantActive(g, ctx.today));
      if (active.length > 0) continue;
      if (covering.length > 0) continue; // expired grants are reported once per grant by expiredGrantFindings
      const account = principalAccount(p);
      const outside = account !== undefined && !org.accounts.has(account);
      const actions = s.action.kind === 'none' ? [] : s.action.patterns;
      findings.push({
        code: outside ? 'out-of-org-principal' : 'undeclared-principal',
        severity: 'error',
        resource: t.resource,
        account: t.account,
        subject: `${p}, statement ${sid}`,
        message: outside
          ? `The resource policy of ${what} gives ${p} (account ${account}, outside the organisation) access no grant declares`
          : `The resource policy of ${what} gives ${p} access no grant declares`,
        evidence: {
          principal: p,
          principalAccount: account ?? null,
          ...(outside ? { organisationAccountsFrom: org.source } : {}),
          actions,
          statement: s.source,
        },
        remediation: outside
          ? 'Remove the statement now if the access is not contracted (apply replaces the whole policy); if it is, declare a grant ' +
            'with `external: true`, a justification and an expiry.'
          : 'Remove the statement (apply replaces the whole policy), or declare the access as a grant.',
        help: RP_DOCS,
      });
    }
  }
  return findings;
}

/** Live consumers of managed streams that no grant declares. */
function undeclaredConsumers(ctx: AuditContext, ix: AuditIndex): Finding[] {
  const findings: Finding[] = [];
  for (const declared of ctx.mesh.streams) {
    const live = ix.liveStream(declared.account, declared.name);
    if (!live) continue;
    const grants = ix.grantsOn(declared.name);
    for (const c of live.consumers) {
      if (grants.some((g) => efoConsumerOf(g) === c.name)) continue;
      const adopt = importCommand(ctx.mesh.at.file, declared.account);
      findings.push({
        code: 'undeclared-consumer',
        severity: 'error',
        resource: consumerResource(declared.account, declared.name, c.name),
        account: declared.account,
        message: `Enhanced fan-out consumer ${c.name} is registered on ${declared.name} but no grant declares it`,
        evidence: {
          consumerArn: c.arn,
          status: c.status,
          tags: c.tags,
          hasResourcePolicy: c.resourcePolicy !== undefined,
          importCommand: adopt,
        },
        remediation:
          'An undeclared consumer reads with its own 2 MB/s per shard and is invisible to the owners. Find who registered it ' +
          '(CloudTrail RegisterStreamConsumer), then deregister it or declare an efo grant for it: ' +
          `\`${adopt}\` writes one, with the reader its policy names and its tags.`,
        help: 'https://docs.aws.amazon.com/streams/latest/dev/enhanced-consumers.html',
        ...locationOf(ctx, declared.at),
      });
    }
  }
  return findings;
}

/** Where an expired grant is still in force: its grant tag, a policy statement naming its principal, its EFO consumer. */
function expiredGrantFindings(ctx: AuditContext, ix: AuditIndex): Finding[] {
  const findings: Finding[] = [];
  for (const g of ctx.mesh.grants) {
    if (grantActive(g, ctx.today)) continue;
    const declared = ix.meshStreamNamed(g.stream);
    if (!declared) continue;
    const live = ix.liveStream(declared.account, declared.name);
    if (!live) continue;
    const stillIn = inForce(ctx, ix, g, live);
    if (stillIn.length === 0) continue;
    findings.push({
      code: 'expired-grant-in-force',
      severity: 'error',
      resource: streamResource(declared.account, declared.name),
      account: declared.account,
      subject: `grant ${g.id}`,
      message: `Grant ${g.id} expired on ${g.expires} but is still in force on ${declared.name}`,
      evidence: {
        grant: g.id,
        expired: g.expires,
        principal: g.principal,
        access: g.access,
        stillInForceThrough: stillIn,
      },
      remediation:
        'Renew the grant (new expiry and justification) or remove it from mesh.yaml, then apply so the grant tag, ' +
        'policy statement and consumer go away.',
      ...locationOf(ctx, g.at, ['expires']),
    });
  }
  return findings;
}

function inForce(ctx: AuditContext, ix: AuditIndex, g: Grant, live: LiveStream): string[] {
  const out: string[] = [];
  const key = grantTagKey(g);
  const active = ix.grantsOn(g.stream).filter((o) => o.id !== g.id && grantActive(o, ctx.today));
  if (live.tags[key] !== undefined && !active.some((o) => grantTagKey(o) === key))
    out.push(`stream tag ${key}=${live.tags[key]}`);
  const policies: { label: string; doc: unknown }[] = [{ label: 'stream resource policy', doc: live.resourcePolicy }];
  const own = efoConsumerOf(g);
  if (own !== undefined) {
    const c = live.consumers.find((x) => x.name === own);
    if (c && !active.some((o) => efoConsumerOf(o) === c.name)) out.push(`registered consumer ${c.arn}`);
    if (c) policies.push({ label: `consumer ${c.name} resource policy`, doc: c.resourcePolicy });
  }
  for (const { label, doc } of policies) {
    if (doc === undefined) continue;
    for (const s of parsePolicy(doc, { partition: ctx.mesh.partition }).policy.statements) {
      if (s.effect !== 'Allow') continue;
      const named = statementPrincipals(s).filter((p) => grantCovers(ctx.mesh, g, p));
      if (named.length === 0) continue;
      if (named.every((p) => active.some((o) => grantCovers(ctx.mesh, o, p)))) continue;
      out.push(`${label} statement ${statementLabel(s)}`);
    }
  }
  return out;
}

/** Resource-policy statements that let anyone but the governance role change tags (tag tampering). */
export function resourcePolicyTagTampering(ctx: AuditContext, tagCatalog: readonly string[] = TAG_ACTIONS): Finding[] {
  const findings: Finding[] = [];
  const ix = indexAudit(ctx);
  for (const t of targets(ctx, ix)) {
    for (const s of t.policy.statements) {
      if (s.effect !== 'Allow') continue;
      const actions = statementActions(s, tagCatalog);
      if (actions.length === 0) continue;
      const principals = statementPrincipals(s).filter((p) => !isGovernanceRole(ctx.mesh, p));
      if (principals.length === 0) continue;
      findings.push({
        code: 'tag-tampering',
        severity: 'error',
        resource: t.resource,
        account: t.account,
        subject: `statement ${statementLabel(s)}`,
        message:
          `The resource policy of ${t.consumer ? `consumer ${t.consumer} of ${t.stream}` : t.stream} lets ` +
          `${principals.join(', ')} change tags (statement ${statementLabel(s)})`,
        evidence: { principals, actions, statement: s.source },
        remediation:
          'With ABAC the right to tag is the right to access: only the governance role may tag. Remove the statement and attach ' +
          'the tag-tampering guard (SCP or permissions boundary) meshgov renders.',
        ...locationOf(ctx, ix.meshStream(t.account, t.stream)?.at),
      });
    }
  }
  return findings;
}

/** Resource-policy principals, undeclared consumers and expired grants. */
export function resourcePolicyChecks(ctx: AuditContext): CheckResult {
  const result = emptyResult();
  result.checksRun.push(...RESOURCE_POLICY_CHECKS);
  const ix = indexAudit(ctx);
  for (const t of targets(ctx, ix)) {
    const declared = ix.meshStream(t.account, t.stream);
    result.findings.push(...principalFindings(ctx, t).map((f) => ({ ...f, ...locationOf(ctx, declared?.at) })));
  }
  result.findings.push(...undeclaredConsumers(ctx, ix), ...expiredGrantFindings(ctx, ix));
  if (!ctx.live.organization) {
    result.notes = [
      'Organizations was not read: "outside the organisation" means outside the accounts the mesh declares.',
    ];
  }
  return result;
}
