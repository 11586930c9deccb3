/**
 * `meshgov import`, pure: live streams meshgov does not manage + the existing mesh document -> the document with
 * stanzas for those streams, their EFO consumers and the grants their resource policies imply. Read-only by
 * construction: it only returns text and notes. The result must validate, so every guess gets a default that
 * validates plus a `TODO(meshgov import)` comment, and guardrail rule errors on imported entities get a waiver
 * with a TODO justification that expires (see `check`).
 */
import type { Diagnostic, DocPath } from '../diagnostics/diagnostic.js';
import { isReservedTagKey } from '../model/governance-tags.js';
import type { Mesh } from '../model/types.js';
import type { LiveStream } from '../plan/live.js';
import { sidFor } from '../render/grants.js';
import { streamArn } from '../render/arn.js';
import { DEFAULT_DOMAIN_TAGS, IMPORT_CLASSIFICATION, IMPORT_DOMAIN, asName, decideClassification, decideDomain, encryptionLevel } from './decide.js';
import type { Additions, GrantStanza, StreamStanza, WaiverStanza } from './document.js';
import { applyAdditions, rootDomainNames } from './document.js';
import { grantsFromPolicy } from './policy-grants.js';
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

export interface ImportResult {
  text: string;
  imported: ImportedStream[];
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
  notes: ImportNote[];
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

    const tags: Record<string, string> = {};
    for (const [k, v] of Object.entries(s.tags)) {
      if (isReservedTagKey(k)) continue;
      if (!TAG_KEY.test(k) || !TAG_VALUE.test(v)) {
        notes.push({ severity: 'warning', subject, message: `tag ${k}=${v} has characters meshgov does not accept in tags; not imported, so apply will remove it` });
        continue;
      }
      tags[k] = v;
    }
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
  return { additions: add, imported, notes };
}

/** The grants a stream's policies and EFO consumers imply; what cannot be expressed becomes comments and notes. */
function grantsOf(input: ImportInput, s: LiveStream, domain: string, meshAccounts: Set<string>, ids: Ids, comments: string[], notes: ImportNote[]): GrantStanza[] {
  const { mesh } = input;
  const subject = `${s.account}/stream/${s.name}`;
  const arn = streamArn(mesh, s.account, s.name);
  const ctxBase = { streamArn: s.arn || arn, ...(mesh.organizationId ? { organizationId: mesh.organizationId } : {}) };
  /** `statement` is a 1-based position, or the whole document, or one principal (of a consumer policy). */
  type Which = number | 'document' | 'principal';
  const report = (where: string, statement: Which, sid: string | undefined, reason: string) => {
    const which = statement === 'principal' ? 'a principal'
      : statement === 'document' ? 'the whole'
        : `statement ${statement}${sid ? ` (Sid ${sid})` : ''}`;
    const text = `could not express ${which} of the ${where} resource policy: ${reason}`;
    comments.push(`meshgov import: ${text}`);
    notes.push({ severity: 'warning', subject, message: `${text}; apply replaces the whole policy, so this access would be removed unless it is declared another way` });
  };

  const streamPolicy = grantsFromPolicy(s.resourcePolicy, { resource: 'stream', ...ctxBase });
  for (const u of streamPolicy.unexpressible) report('stream', u.statement ?? 'document', u.sid, u.reason);
  const efo: GrantCandidate[] = [];
  for (const c of s.consumers) {
    if (c.status === 'DELETING') continue;
    const cp = grantsFromPolicy(c.resourcePolicy, { resource: 'consumer', consumer: { name: c.name, arn: c.arn }, ...ctxBase });
    for (const u of cp.unexpressible) report(`consumer ${c.name}`, u.statement ?? 'document', u.sid, u.reason);
    const readers = [...new Map(cp.grants.map((g) => [principalKey(g.principal), g])).values()];
    if (readers.length === 0) {
      efo.push({ principal: { account: s.account, path: '/' }, access: 'consume', pattern: 'efo', consumer: c.name, droppedActions: [], sid: undefined });
      comments.push(`${TODO}: the reader of EFO consumer ${c.name} is unknown (no consumer resource policy names it); the grant names account ${s.account} until you name its role.`);
      continue;
    }
    efo.push(readers[0] as GrantCandidate);
    for (const extra of readers.slice(1)) {
      const who = principalKey(extra.principal);
      const why = `principal ${who} also reads through this consumer; meshgov declares one reader per consumer`;
      report(`consumer ${c.name}`, 'principal', undefined, why);
    }
  }

  const out: GrantStanza[] = [];
  const seen = new Set<string>();
  const efoPrincipals = new Set(efo.map((g) => principalKey(g.principal)));
  const sidOfStream = new Map(streamPolicy.grants.filter((g) => g.access === 'consume').map((g) => [principalKey(g.principal), g.sid]));
  const candidates = [...efo, ...streamPolicy.grants.filter((g) => !(g.access === 'consume' && efoPrincipals.has(principalKey(g.principal))))];
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
    const grantComments: string[] = [];
    if (external) grantComments.push(`${TODO}: account ${g.principal.account} is outside the mesh; name the contract or ticket in the justification and add an expiry.`);
    out.push({
      domain, id, stream: s.name, principal: { account: g.principal.account, ...(g.principal.role ? { role: g.principal.role, path: g.principal.path } : {}) },
      access: g.access, ...(g.pattern ? { pattern: g.pattern } : {}), ...(g.consumer ? { consumer: g.consumer } : {}),
      ...(external ? { external: true } : {}),
      justification: external
        ? `${TODO}: name the contract or ticket that allows account ${g.principal.account} this access (found in the resource policy of ${s.name}).`
        : `${TODO}: found in the live account when ${s.name} was imported; say why this access exists.`,
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
  return { text: edit.text, imported: planned.imported, grants, notes: planned.notes, diagnostics };
}
