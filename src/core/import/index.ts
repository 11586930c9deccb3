/**
 * `meshgov import`, pure: live streams meshgov does not manage + the existing mesh document -> the document with
 * stanzas for those streams, their EFO consumers and the grants their resource policies imply. Read-only by
 * construction: it only returns text and notes. The result must validate, so every guess gets a default that
 * validates plus a `TODO(meshgov import)` comment, and guardrail rule errors on imported entities get a waiver
 * with a TODO justification that expires (see `check`).
 */
import type { Diagnostic, DocPath } from '../diagnostics/diagnostic.js';
import { MANAGED_BY_VALUE, TAG_MANAGED_BY, isReservedTagKey } from '../model/governance-tags.js';
import type { Mesh } from '../model/types.js';
import { accessFromTags } from '../plan/access.js';
import type { LiveConsumer, LiveStream } from '../plan/live.js';
import { sidFor } from '../render/grants.js';
import { streamArn } from '../render/arn.js';
import { DEFAULT_DOMAIN_TAGS, IMPORT_CLASSIFICATION, IMPORT_DOMAIN, asName, decideClassification, decideDomain, encryptionLevel } from './decide.js';
import type { Additions, GrantStanza, StreamStanza, WaiverStanza } from './document.js';
import { applyAdditions, rootDomainNames } from './document.js';
import { grantsFromPolicy, parsePrincipal } from './policy-grants.js';
import type { GrantCandidate, PolicyPrincipal } from './policy-grants.js';

export { grantsFromPolicy, parsePrincipal } from './policy-grants.js';
export type { GrantCandidate, PolicyGrants, Unexpressible } from './policy-grants.js';
export { decideClassification, decideDomain, IMPORT_CLASSIFICATION, IMPORT_DOMAIN } from './decide.js';
export { applyAdditions } from './document.js';
export type { Additions } from './document.js';

export const TODO = 'TODO(meshgov import)';
/** Days an import waiver runs before validation fails again and someone has to decide. */
export const WAIVER_DAYS = 90;
const TAG_KEY = /^[\p{L}\p{N}_.:/=+\-@]{1,128}$/u;
const TAG_VALUE = /^([\p{L}\p{N}_.:/=+\-@]([\p{L}\p{N} _.:/=+\-@]{0,254}[\p{L}\p{N}_.:/=+\-@])?)?$/u;
const KEY_ID = /^(alias\/[A-Za-z0-9/_-]{1,250}|[0-9a-f-]{36}|arn:aws[a-z-]*:kms:[a-z0-9-]+:[0-9]{12}:(key\/[0-9a-f-]{36}|alias\/[A-Za-z0-9/_-]{1,250}))$/;

/** One thing the user should know about the import: printed on stderr. */
export interface ImportNote {
  severity: 'warning' | 'info';
  /** `<account>/stream/<name>` or similar. */
  subject: string;
  message: string;
}

export interface ImportInput {
  /** The root mesh file's text (the document that is extended). */
  text: string;
  /** The validated mesh of that document (with its includes). */
  mesh: Mesh;
  /** Live streams to import (unmanaged, fully read), per account. */
  streams: LiveStream[];
  /**
   * Live streams the mesh already declares (fully read): their enhanced fan-out consumers that no grant declares and
   * that are not tagged `meshgov:managed-by=meshgov` (what plan lists as unmanaged) are adopted as efo grants.
   */
  managed?: LiveStream[];
  /** Tag keys naming a stream's domain, tried in order (default `meshgov:domain`, `domain`). */
  domainTags?: readonly string[];
  /** Today, YYYY-MM-DD (waiver expiry is counted from it). */
  today: string;
  /**
   * Validate a candidate document (schema, semantic checks, guardrail rules); import adds waivers for rule errors
   * on imported entities and checks again. Without it no waivers are added.
   */
  check?: (text: string) => Diagnostic[];
}

export interface ImportedStream {
  account: string;
  name: string;
  domain: string;
  classification: string;
}

/** An enhanced fan-out consumer of a declared stream, adopted as an efo grant. */
export interface AdoptedConsumer {
  account: string;
  stream: string;
  consumer: string;
  /** The id of the grant written for it. */
  grant: string;
}

export interface ImportResult {
  text: string;
  imported: ImportedStream[];
  /** Consumers of declared streams adopted as grants. */
  adopted: AdoptedConsumer[];
  grants: GrantStanza[];
  notes: ImportNote[];
  /** The last check's diagnostics (empty without `check`). */
  diagnostics: Diagnostic[];
}

function addDays(day: string, days: number): string {
  const d = new Date(`${day}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + days);
  return d.toISOString().slice(0, 10);
}

/** A grant id from a CamelCase Sid that renders back to the same Sid, so the rendered policy keeps it. */
export function idFromSid(sid: string | undefined): string | undefined {
  if (sid === undefined || !/^([A-Z][a-z0-9]*)+$/.test(sid)) return undefined;
  const id = sid.replace(/([a-z0-9])([A-Z])/g, '$1-$2').toLowerCase();
  return /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/.test(id) && sidFor(id) === sid ? id : undefined;
}

/** A principal as IAM names it, for messages. */
function principalLabel(partition: string, p: PolicyPrincipal): string {
  return `arn:${partition}:iam::${p.account}:${p.role === undefined ? 'root' : `role${p.path}${p.role}`}`;
}

function principalKey(p: PolicyPrincipal): string {
  return `${p.account}/${p.path}${p.role ?? ''}`;
}

class Ids {
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

interface Planned {
  additions: Additions;
  imported: ImportedStream[];
  adopted: AdoptedConsumer[];
  notes: ImportNote[];
}

/**
 * The user tags of a live stream or consumer that the mesh can declare: reserved keys (`meshgov:`, `aws:`, in any
 * case) are never user tags; keys or values with characters meshgov's schema rejects are reported and left out.
 */
function userTags(live: Record<string, string>, subject: string, notes: ImportNote[]): Record<string, string> {
  const tags: Record<string, string> = {};
  for (const [k, v] of Object.entries(live)) {
    if (isReservedTagKey(k)) continue;
    if (!TAG_KEY.test(k) || !TAG_VALUE.test(v)) {
      notes.push({ severity: 'warning', subject, message: `tag ${k}=${v} has characters meshgov does not accept in tags; not imported, so apply will remove it` });
      continue;
    }
    tags[k] = v;
  }
  return tags;
}

/** Decide every stanza (without waivers). */
function plan(input: ImportInput): Planned {
  const { mesh } = input;
  const notes: ImportNote[] = [];
  const add: Additions = { domains: [], domainAccounts: [], streams: [], grants: [], classifications: [], waivers: [] };
  const rootDomains = rootDomainNames(input.text);
  const meshAccounts = new Set(mesh.accounts.map((a) => a.id));
  const ids = new Ids(mesh.grants.map((g) => g.id));
  const declared = new Set(mesh.streams.map((s) => s.name));
  const tagKeys = input.domainTags ?? DEFAULT_DOMAIN_TAGS;
  const domainAccounts = new Map(mesh.domains.map((d) => [d.name, new Set(d.accounts)]));
  const imported: ImportedStream[] = [];

  const ensureDomain = (name: string, account: string, decided: boolean): string => {
    const declaredDomain = mesh.domains.find((d) => d.name === name);
    if (declaredDomain && !rootDomains.has(name)) {
      notes.push({ severity: 'warning', subject: `domain/${name}`, message: `domain ${name} is declared in ${declaredDomain.file}; import edits only the root file, so its streams go to domain ${IMPORT_DOMAIN}` });
      return ensureDomain(IMPORT_DOMAIN, account, false);
    }
    const accounts = domainAccounts.get(name);
    if (accounts === undefined) {
      domainAccounts.set(name, new Set([account]));
      add.domains.push(decided
        ? { name, description: `${TODO}: describe the ${name} domain (created from stream tags).`, owner: { team: 'TODO', contact: 'TODO' }, accounts: [account], comments: [`${TODO}: set owner.team and owner.contact of domain ${name}.`] }
        : { name, description: `Streams adopted by meshgov import whose domain no tag names. ${TODO}: move each stream to its owning domain.`, owner: { team: 'TODO', contact: 'TODO' }, accounts: [account], comments: [`${TODO}: streams whose domain could not be decided; move them to their owning domains and set the owner.`] });
    } else if (!accounts.has(account)) {
      accounts.add(account);
      const created = add.domains.find((d) => d.name === name);
      if (created) created.accounts.push(account);
      else {
        add.domainAccounts.push({ domain: name, account });
        notes.push({ severity: 'info', subject: `domain/${name}`, message: `account ${account} added to domain ${name}; its existing streams now name their account` });
      }
    }
    return name;
  };

  let addedClassification = false;
  for (const s of [...input.streams].sort((a, b) => (a.account + a.name < b.account + b.name ? -1 : 1))) {
    const subject = `${s.account}/stream/${s.name}`;
    if (declared.has(s.name)) {
      notes.push({ severity: 'warning', subject, message: `a stream named ${s.name} is already declared in the mesh; stream names must be unique in the mesh, so this one is not imported` });
      continue;
    }
    declared.add(s.name);
    const comments: string[] = [];
    const dd = decideDomain(s.tags, tagKeys);
    const domain = ensureDomain(dd.domain, s.account, dd.fromTag !== undefined);
    if (dd.fromTag === undefined) comments.push(`${TODO}: no domain tag (${tagKeys.join(', ')}); move this stream to its owning domain.`);

    const cd = decideClassification(mesh.classifications, s);
    if (cd.how === 'none-fits' && !addedClassification) {
      addedClassification = true;
      add.classifications.push({
        name: IMPORT_CLASSIFICATION, level: 0, description: `Streams adopted by meshgov import that fit no other classification. ${TODO}: classify them.`,
        retention: { minHours: 24, maxHours: 8760 }, encryption: 'none', comments: [`${TODO}: a catch-all added by import; reclassify its streams and remove it.`],
      });
    }
    const classificationComment = cd.how === 'tag' ? undefined : `${TODO}: confirm the classification (${cd.note}).`;

    const tags = userTags(s.tags, subject, notes);
    const encryption: StreamStanza['encryption'] = s.encryption.type === 'NONE' ? { type: 'NONE' } : { type: 'KMS', ...(s.encryption.keyId ? { keyId: s.encryption.keyId } : {}) };
    if (encryption.type === 'KMS' && encryption.keyId !== undefined && !KEY_ID.test(encryption.keyId)) {
      notes.push({ severity: 'warning', subject, message: `KMS key ${encryption.keyId} is not a key id, alias or key ARN meshgov accepts; written as is, fix it before validating` });
    }
    if (encryptionLevel(s.encryption) === 'none') comments.push(`${TODO}: this stream is not encrypted at rest.`);
    if (s.status !== 'ACTIVE') notes.push({ severity: 'warning', subject, message: `stream is ${s.status}; settings were imported as read and may still change` });

    const stanzaGrants = grantsOf(input, s, domain, meshAccounts, ids, comments, notes);
    add.streams.push({
      domain, name: s.name, account: s.account, classification: cd.classification, ...(classificationComment ? { classificationComment } : {}),
      retentionHours: s.retentionHours,
      capacity: s.mode === 'ON_DEMAND' ? { mode: 'on-demand' } : { mode: 'provisioned', shards: Math.max(1, s.shards) },
      encryption, enhancedMonitoring: s.enhancedMonitoring, tags, comments,
    });
    add.grants.push(...stanzaGrants);
    imported.push({ account: s.account, name: s.name, domain, classification: cd.classification });
  }
  const adopted = adoptConsumers(input, rootDomains, meshAccounts, ids, add, notes);
  return { additions: add, imported, adopted, notes };
}

/**
 * Enhanced fan-out consumers of declared streams that no grant declares and meshgov does not manage: each becomes
 * an efo grant (in the stream's domain when the root file declares it, else in the root file's top-level
 * `grants:`), so the next plan neither lists it as unmanaged nor, once it is declared, deregisters it.
 */
function adoptConsumers(input: ImportInput, rootDomains: Set<string>, meshAccounts: Set<string>, ids: Ids, add: Additions, notes: ImportNote[]): AdoptedConsumer[] {
  const { mesh } = input;
  const adopted: AdoptedConsumer[] = [];
  for (const s of [...(input.managed ?? [])].sort((a, b) => (a.account + a.name < b.account + b.name ? -1 : 1))) {
    const declared = mesh.streams.find((d) => d.name === s.name && d.account === s.account);
    if (declared === undefined || s.status === 'DELETING') continue;
    for (const c of [...s.consumers].sort((a, b) => (a.name < b.name ? -1 : 1))) {
      const subject = `${s.account}/stream/${s.name}/consumer/${c.name}`;
      if (c.status === 'DELETING' || c.tags[TAG_MANAGED_BY] === MANAGED_BY_VALUE) continue;
      const owner = mesh.grants.find((g) => g.stream === s.name && g.consumerName === c.name);
      if (owner !== undefined) {
        // Declared by a grant render leaves out (expired): the grant owns it; renewing the grant is the user's call.
        if (owner.expires !== undefined && owner.expires < input.today) notes.push({ severity: 'info', subject, message: `declared by the expired grant ${owner.id}; not adopted again (renew or remove that grant)` });
        continue;
      }
      const domain = rootDomains.has(declared.domain) ? declared.domain : undefined;
      const comments: string[] = [];
      if (domain === undefined) comments.push(`${TODO}: consumer ${c.name} of ${s.name} (domain ${declared.domain}, declared in ${mesh.domains.find((d) => d.name === declared.domain)?.file ?? 'another file'}); move this grant into that domain.`);
      const reader = consumerReader(input, s, c, comments, notes);
      const [stanza] = stanzasFor(s, domain, [reader], meshAccounts, ids, new Map(), notes, comments);
      if (stanza === undefined) continue;
      add.grants.push(stanza);
      adopted.push({ account: s.account, stream: s.name, consumer: c.name, grant: stanza.id });
      notes.push({ severity: 'info', subject, message: `enhanced fan-out consumer no grant declared; adopted as grant ${stanza.id}` });
    }
  }
  return adopted;
}

/** How import reports a resource-policy statement no grant can express: a comment and a warning. */
type Reporter = (where: string, statement: number | 'document' | 'principal', sid: string | undefined, reason: string) => void;

function reporter(subject: string, comments: string[], notes: ImportNote[]): Reporter {
  return (where, statement, sid, reason) => {
    const which = statement === 'principal' ? 'a principal'
      : statement === 'document' ? 'the whole'
        : `statement ${statement}${sid ? ` (Sid ${sid})` : ''}`;
    const text = `could not express ${which} of the ${where} resource policy: ${reason}`;
    comments.push(`meshgov import: ${text}`);
    notes.push({ severity: 'warning', subject, message: `${text}; apply replaces the whole policy, so this access would be removed unless it is declared another way` });
  };
}

function policyContext(mesh: Mesh, s: LiveStream): { streamArn: string; organizationId?: string } {
  return { streamArn: s.arn || streamArn(mesh, s.account, s.name), ...(mesh.organizationId ? { organizationId: mesh.organizationId } : {}) };
}

/**
 * The efo grant candidate of one consumer: the one principal its resource policy names, else the one reader its
 * ABAC grant tags name, else (unknown reader) the stream's account with a TODO. When the policy names several
 * principals the first is taken and the others are reported (meshgov declares one reader per consumer).
 */
function consumerReader(input: ImportInput, s: LiveStream, c: LiveConsumer, comments: string[], notes: ImportNote[]): GrantCandidate & { consumerTags: Record<string, string> } {
  const subject = `${s.account}/stream/${s.name}`;
  const report = reporter(subject, comments, notes);
  const consumerTags = userTags(c.tags, `${subject}/consumer/${c.name}`, notes);
  const cp = grantsFromPolicy(c.resourcePolicy, { resource: 'consumer', consumer: { name: c.name, arn: c.arn }, ...policyContext(input.mesh, s) });
  for (const u of cp.unexpressible) report(`consumer ${c.name}`, u.statement ?? 'document', u.sid, u.reason);
  const readers = [...new Map(cp.grants.map((g) => [principalKey(g.principal), g])).values()];
  const first = readers[0];
  if (first !== undefined) {
    for (const extra of readers.slice(1)) {
      report(`consumer ${c.name}`, 'principal', undefined, `principal ${principalLabel(input.mesh.partition, extra.principal)} also reads through this consumer; meshgov declares one reader per consumer`);
    }
    return { ...first, consumerTags };
  }
  const tagged = [...new Map(accessFromTags(c.tags, input.mesh.partition).filter((a) => a.access === 'consume').map((a) => [a.principal, a])).values()]
    .map((a) => parsePrincipal(a.principal)).filter((p): p is PolicyPrincipal => p !== undefined);
  const base = { access: 'consume' as const, pattern: 'efo' as const, consumer: c.name, droppedActions: [], sid: undefined, consumerTags };
  if (tagged.length === 1 && tagged[0] !== undefined) {
    comments.push(`${TODO}: the reader of EFO consumer ${c.name} is taken from its grant tag (no consumer resource policy names it); confirm it${tagged[0].role ? ' and the role path' : ''}.`);
    return { ...base, principal: tagged[0] };
  }
  const why = tagged.length > 1
    ? `its grant tags name ${tagged.length} readers (${tagged.map((p) => principalLabel(input.mesh.partition, p)).join(', ')})`
    : 'no consumer resource policy or grant tag names it';
  comments.push(`${TODO}: the reader of EFO consumer ${c.name} is unknown (${why}); the grant names account ${s.account} until you name its role.`);
  return { ...base, principal: { account: s.account, path: '/' } };
}

/** The grants a stream's policies and EFO consumers imply; what cannot be expressed becomes comments and notes. */
function grantsOf(input: ImportInput, s: LiveStream, domain: string, meshAccounts: Set<string>, ids: Ids, comments: string[], notes: ImportNote[]): GrantStanza[] {
  const report = reporter(`${s.account}/stream/${s.name}`, comments, notes);
  const streamPolicy = grantsFromPolicy(s.resourcePolicy, { resource: 'stream', ...policyContext(input.mesh, s) });
  for (const u of streamPolicy.unexpressible) report('stream', u.statement ?? 'document', u.sid, u.reason);
  const efo = s.consumers.filter((c) => c.status !== 'DELETING').map((c) => consumerReader(input, s, c, comments, notes));
  const efoPrincipals = new Set(efo.map((g) => principalKey(g.principal)));
  const sidOfStream = new Map(streamPolicy.grants.filter((g) => g.access === 'consume').map((g) => [principalKey(g.principal), g.sid]));
  const candidates = [...efo, ...streamPolicy.grants.filter((g) => !(g.access === 'consume' && efoPrincipals.has(principalKey(g.principal))))];
  return stanzasFor(s, domain, candidates, meshAccounts, ids, sidOfStream, notes, []);
}

/** Grant stanzas for the candidates (duplicates dropped), with ids, justifications and TODOs. */
function stanzasFor(
  s: LiveStream, domain: string | undefined, candidates: readonly (GrantCandidate & { consumerTags?: Record<string, string> })[],
  meshAccounts: Set<string>, ids: Ids, sidOfStream: ReadonlyMap<string, string | undefined>, notes: ImportNote[], comments: readonly string[],
): GrantStanza[] {
  const subject = `${s.account}/stream/${s.name}`;
  const out: GrantStanza[] = [];
  const seen = new Set<string>();
  for (const g of candidates) {
    const key = `${principalKey(g.principal)} ${g.access} ${g.pattern ?? ''} ${g.consumer ?? ''}`;
    if (seen.has(key)) continue;
    seen.add(key);
    if (g.droppedActions.length) notes.push({ severity: 'warning', subject, message: `actions ${g.droppedActions.join(', ')} granted to ${principalKey(g.principal)} are outside meshgov's grant action sets and are not expressed` });
    const who = g.principal.role ?? `account-${g.principal.account}`;
    const verb = g.access === 'produce' ? 'produces' : g.pattern === 'efo' ? `reads-${g.consumer ?? ''}` : 'reads';
    const sid = g.pattern === 'efo' ? sidOfStream.get(principalKey(g.principal)) ?? g.sid : g.sid;
    const id = ids.take(idFromSid(sid), `${who}-${verb}-${s.name}`);
    const external = !meshAccounts.has(g.principal.account);
    const grantComments: string[] = [...comments];
    if (external) grantComments.push(`${TODO}: account ${g.principal.account} is outside the mesh; name the contract or ticket in the justification and add an expiry.`);
    const tags = g.consumerTags !== undefined && Object.keys(g.consumerTags).length > 0 ? g.consumerTags : undefined;
    out.push({
      ...(domain !== undefined ? { domain } : {}), id, stream: s.name,
      principal: { account: g.principal.account, ...(g.principal.role ? { role: g.principal.role, path: g.principal.path } : {}) },
      access: g.access, ...(g.pattern ? { pattern: g.pattern } : {}), ...(g.consumer ? { consumer: g.consumer } : {}),
      ...(tags ? { consumerTags: tags } : {}),
      ...(external ? { external: true } : {}),
      justification: external
        ? `${TODO}: name the contract or ticket that allows account ${g.principal.account} this access (found in the resource policy of ${s.name}).`
        : `${TODO}: found on the live stream ${s.name} by meshgov import; say why this access exists.`,
      comments: grantComments,
    });
  }
  return out;
}

/** The address (waiver target) of the imported entity a diagnostic path lies in, if any. */
function addressAt(paths: Map<string, DocPath>, path: DocPath): string | undefined {
  let best: { address: string; length: number } | undefined;
  for (const [address, prefix] of paths) {
    if (address.startsWith('domain/')) continue;
    if (prefix.length <= path.length && prefix.every((p, i) => path[i] === p) && (!best || prefix.length > best.length)) best = { address, length: prefix.length };
  }
  return best?.address;
}

/** Import the streams into the document; see the module comment. */
export function importMesh(input: ImportInput): ImportResult {
  const planned = plan(input);
  const grants = planned.additions.grants;
  let edit = applyAdditions(input.text, planned.additions);
  let diagnostics = input.check ? input.check(edit.text) : [];
  const waivers: WaiverStanza[] = [];
  for (let round = 0; round < 3 && input.check; round++) {
    const fresh: WaiverStanza[] = [];
    for (const d of diagnostics) {
      if (d.severity !== 'error' || d.ruleId === undefined || d.file !== input.mesh.files[0]) continue;
      const target = addressAt(edit.paths, d.path);
      if (target === undefined || [...waivers, ...fresh].some((w) => w.rule === d.ruleId && w.target === target)) continue;
      fresh.push({ rule: d.ruleId, target, expires: addDays(input.today, WAIVER_DAYS), justification: `${TODO}: ${target} was adopted as found on ${input.today} and breaks this rule; fix it or justify the exception.` });
    }
    if (fresh.length === 0) break;
    waivers.push(...fresh);
    for (const w of fresh) planned.notes.push({ severity: 'warning', subject: w.target, message: `rule ${w.rule} fails for the imported ${w.target}; waived until ${w.expires} with a TODO justification` });
    edit = applyAdditions(input.text, { ...planned.additions, waivers });
    diagnostics = input.check(edit.text);
  }
  return { text: edit.text, imported: planned.imported, adopted: planned.adopted, grants, notes: planned.notes, diagnostics };
}
