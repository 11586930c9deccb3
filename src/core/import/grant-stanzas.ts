/**
 * Grant stanzas from what a live stream shows: its resource policy, and for each enhanced fan-out consumer the one
 * reader its consumer policy (or grant tag) names, with the consumer's own tags. What no grant can express becomes
 * a comment and a warning, never silence.
 */
import type { Mesh } from '../model/types.js';
import { accessFromTags } from '../plan/access.js';
import type { LiveConsumer, LiveStream } from '../plan/live.js';
import { streamArn } from '../render/arn.js';
import { sidFor } from '../render/grants.js';
import { asName } from './decide.js';
import type { GrantStanza } from './document.js';
import type { ImportNote } from './notes.js';
import { TODO, userTags } from './notes.js';
import { grantsFromPolicy, parsePrincipal } from './policy-grants.js';
import type { GrantCandidate, PolicyPrincipal } from './policy-grants.js';

/** A grant id from a CamelCase Sid that renders back to the same Sid, so the rendered policy keeps it. */
export function idFromSid(sid: string | undefined): string | undefined {
  if (sid === undefined || !/^([A-Z][a-z0-9]*)+$/.test(sid)) return undefined;
  const id = sid.replace(/([a-z0-9])([A-Z])/g, '$1-$2').toLowerCase();
  return /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/.test(id) && sidFor(id) === sid ? id : undefined;
}

/** Grant ids in use: the mesh's, then every id import hands out. */
export class Ids {
  private readonly used: Set<string>;
  constructor(existing: Iterable<string>) {
    this.used = new Set(existing);
  }
  take(preferred: string | undefined, fallback: string): string {
    if (preferred !== undefined && !this.used.has(preferred)) {
      this.used.add(preferred);
      return preferred;
    }
    const base = asName(fallback) ?? 'imported-grant';
    let id = base;
    for (let n = 2; this.used.has(id); n++) id = `${base.slice(0, 60 - String(n).length)}-${n}`;
    this.used.add(id);
    return id;
  }
}

/** What a stream's grants are decided with: the mesh, its accounts, the ids in use, and where notes go. */
export interface GrantContext {
  mesh: Mesh;
  meshAccounts: ReadonlySet<string>;
  ids: Ids;
  notes: ImportNote[];
}

/** A principal as IAM names it, for messages. */
function principalLabel(partition: string, p: PolicyPrincipal): string {
  return `arn:${partition}:iam::${p.account}:${p.role === undefined ? 'root' : `role${p.path}${p.role}`}`;
}

function principalKey(p: PolicyPrincipal): string {
  return `${p.account}/${p.path}${p.role ?? ''}`;
}

/** How import reports a resource-policy statement no grant can express: a comment and a warning. */
type Reporter = (
  where: string,
  statement: number | 'document' | 'principal',
  sid: string | undefined,
  reason: string,
) => void;

function reporter(subject: string, comments: string[], notes: ImportNote[]): Reporter {
  return (where, statement, sid, reason) => {
    const which =
      statement === 'principal'
        ? 'a principal'
        : statement === 'document'
          ? 'the whole'
          : `statement ${statement}${sid ? ` (Sid ${sid})` : ''}`;
    const text = `could not express ${which} of the ${where} resource policy: ${reason}`;
    comments.push(`meshgov import: ${text}`);
    const message =
      `${text}; apply replaces the whole policy, so this access would be removed unless it is ` +
      'declared another way';
    notes.push({ severity: 'warning', subject, message });
  };
}

function policyContext(mesh: Mesh, s: LiveStream): { streamArn: string; organizationId?: string } {
  const arn = s.arn || streamArn(mesh, s.account, s.name);
  return { streamArn: arn, ...(mesh.organizationId ? { organizationId: mesh.organizationId } : {}) };
}

/** An efo grant candidate with the consumer's own tags. */
type ConsumerCandidate = GrantCandidate & { consumerTags: Record<string, string> };

/**
 * The efo grant candidate of one consumer: the one principal its resource policy names, else the one reader its
 * ABAC grant tags name, else (unknown reader) the stream's account with a TODO. When the policy names several
 * principals the first is taken and the others are reported (meshgov declares one reader per consumer).
 * `comments` receives the TODOs and reports (above the stream, or above the grant of an adopted consumer).
 */
export function consumerReader(
  ctx: GrantContext,
  s: LiveStream,
  c: LiveConsumer,
  comments: string[],
): ConsumerCandidate {
  const { mesh, notes } = ctx;
  const subject = `${s.account}/stream/${s.name}`;
  const report = reporter(subject, comments, notes);
  const consumerTags = userTags(c.tags, `${subject}/consumer/${c.name}`, notes);
  const where = `consumer ${c.name}`;
  const consumer = { name: c.name, arn: c.arn };
  const cp = grantsFromPolicy(c.resourcePolicy, { resource: 'consumer', consumer, ...policyContext(mesh, s) });
  for (const u of cp.unexpressible) report(where, u.statement ?? 'document', u.sid, u.reason);
  const readers = [...new Map(cp.grants.map((g) => [principalKey(g.principal), g])).values()];
  const first = readers[0];
  if (first !== undefined) {
    for (const extra of readers.slice(1)) {
      const who = principalLabel(mesh.partition, extra.principal);
      const reason = `principal ${who} also reads through this consumer; meshgov declares one reader per consumer`;
      report(where, 'principal', undefined, reason);
    }
    return { ...first, consumerTags };
  }
  const fromTags = accessFromTags(c.tags, mesh.partition)
    .filter((a) => a.access === 'consume')
    .map((a) => a.principal);
  const tagged = [...new Set(fromTags)].map(parsePrincipal).filter((p): p is PolicyPrincipal => p !== undefined);
  const base = {
    access: 'consume' as const,
    pattern: 'efo' as const,
    consumer: c.name,
    droppedActions: [],
    sid: undefined,
    consumerTags,
  };
  const only = tagged.length === 1 ? tagged[0] : undefined;
  if (only !== undefined) {
    const confirm = only.role ? ' and the role path' : '';
    comments.push(
      `${TODO}: the reader of EFO consumer ${c.name} is taken from its grant tag ` +
        `(no consumer resource policy names it); confirm it${confirm}.`,
    );
    return { ...base, principal: only };
  }
  const labels = tagged.map((p) => principalLabel(mesh.partition, p)).join(', ');
  const why =
    tagged.length > 1
      ? `its grant tags name ${tagged.length} readers (${labels})`
      : 'no consumer resource policy or grant tag names it';
  comments.push(
    `${TODO}: the reader of EFO consumer ${c.name} is unknown (${why}); ` +
      `the grant names account ${s.account} until you name its role.`,
  );
  return { ...base, principal: { account: s.account, path: '/' } };
}

/** The grants an imported stream's policies and EFO consumers imply; reports go to the stream's `comments`. */
export function grantsOf(ctx: GrantContext, s: LiveStream, domain: string, comments: string[]): GrantStanza[] {
  const report = reporter(`${s.account}/stream/${s.name}`, comments, ctx.notes);
  const streamPolicy = grantsFromPolicy(s.resourcePolicy, { resource: 'stream', ...policyContext(ctx.mesh, s) });
  for (const u of streamPolicy.unexpressible) report('stream', u.statement ?? 'document', u.sid, u.reason);
  const efo = s.consumers.filter((c) => c.status !== 'DELETING').map((c) => consumerReader(ctx, s, c, comments));
  const efoPrincipals = new Set(efo.map((g) => principalKey(g.principal)));
  const consumes = streamPolicy.grants.filter((g) => g.access === 'consume');
  // An EFO reader's read statement on the stream is part of its efo grant, whose id takes that statement's Sid.
  const sidOfStream = new Map(consumes.map((g) => [principalKey(g.principal), g.sid]));
  const absorbed = (g: GrantCandidate) => g.access === 'consume' && efoPrincipals.has(principalKey(g.principal));
  const others = streamPolicy.grants.filter((g) => !absorbed(g));
  return stanzasFor(ctx, s, domain, [...efo, ...others], sidOfStream, []);
}

/** Grant stanzas for the candidates (duplicates dropped), with ids, justifications and TODOs. */
export function stanzasFor(
  ctx: GrantContext,
  s: LiveStream,
  domain: string | undefined,
  candidates: readonly (GrantCandidate & { consumerTags?: Record<string, string> })[],
  sidOfStream: ReadonlyMap<string, string | undefined>,
  comments: readonly string[],
): GrantStanza[] {
  const subject = `${s.account}/stream/${s.name}`;
  const out: GrantStanza[] = [];
  const seen = new Set<string>();
  for (const g of candidates) {
    const who = principalKey(g.principal);
    const key = `${who} ${g.access} ${g.pattern ?? ''} ${g.consumer ?? ''}`;
    if (seen.has(key)) continue;
    seen.add(key);
    if (g.droppedActions.length) {
      const message =
        `actions ${g.droppedActions.join(', ')} granted to ${who} are outside meshgov's grant ` +
        'action sets and are not expressed';
      ctx.notes.push({ severity: 'warning', subject, message });
    }
    const name = g.principal.role ?? `account-${g.principal.account}`;
    const verb = g.access === 'produce' ? 'produces' : g.pattern === 'efo' ? `reads-${g.consumer ?? ''}` : 'reads';
    const sid = g.pattern === 'efo' ? (sidOfStream.get(who) ?? g.sid) : g.sid;
    const id = ctx.ids.take(idFromSid(sid), `${name}-${verb}-${s.name}`);
    const account = g.principal.account;
    const external = !ctx.meshAccounts.has(account);
    const grantComments: string[] = [...comments];
    if (external) {
      grantComments.push(
        `${TODO}: account ${account} is outside the mesh; name the contract or ticket in the ` +
          'justification and add an expiry.',
      );
    }
    const tags = g.consumerTags !== undefined && Object.keys(g.consumerTags).length > 0 ? g.consumerTags : undefined;
    out.push({
      ...(domain !== undefined ? { domain } : {}),
      id,
      stream: s.name,
      principal: { account, ...(g.principal.role ? { role: g.principal.role, path: g.principal.path } : {}) },
      access: g.access,
      ...(g.pattern ? { pattern: g.pattern } : {}),
      ...(g.consumer ? { consumer: g.consumer } : {}),
      ...(tags ? { consumerTags: tags } : {}),
      ...(external ? { external: true } : {}),
      justification: external
        ? `${TODO}: name the contract or ticket that allows account ${account} this access ` +
          `(found in the resource policy of ${s.name}).`
        : `${TODO}: found on the live stream ${s.name} by meshgov import; say why this access exists.`,
      comments: grantComments,
    });
  }
  return out;
}
