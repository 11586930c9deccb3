/**
 * `meshgov import`, pure: live streams meshgov does not manage + the existing mesh document -> the document with
 * stanzas for those streams, their EFO consumers and the grants their resource policies imply. Read-only by
 * construction: it only returns text and notes. The result must validate, so every guess gets a default that
 * validates plus a `TODO(meshgov import)` comment, and guardrail rule errors on imported entities get a waiver
 * with a TODO justification that expires (see `check`).
 */
import type { Diagnostic, DocPath } from '../diagnostics/diagnostic.js';
import type { Mesh } from '../model/types.js';
import type { LiveStream } from '../plan/live.js';
import { adoptConsumers } from './adopt.js';
import type { AdoptedConsumer } from './adopt.js';
import {
  DEFAULT_DOMAIN_TAGS,
  IMPORT_CLASSIFICATION,
  IMPORT_DOMAIN,
  decideClassification,
  decideDomain,
  encryptionLevel,
} from './decide.js';
import type { Additions, GrantStanza, StreamStanza, WaiverStanza } from './document.js';
import { applyAdditions, rootDomainNames } from './document.js';
import { Ids, grantsOf } from './grant-stanzas.js';
import type { GrantContext } from './grant-stanzas.js';
import type { ImportNote } from './notes.js';
import { TODO, userTags } from './notes.js';

export { grantsFromPolicy, parsePrincipal } from './policy-grants.js';
export type { GrantCandidate, PolicyGrants, Unexpressible } from './policy-grants.js';
export { decideClassification, decideDomain, IMPORT_CLASSIFICATION, IMPORT_DOMAIN } from './decide.js';
export { applyAdditions } from './document.js';
export type { Additions } from './document.js';
export { idFromSid } from './grant-stanzas.js';
export { TODO } from './notes.js';
export type { ImportNote } from './notes.js';
export type { AdoptedConsumer } from './adopt.js';

/** Days an import waiver runs before validation fails again and someone has to decide. */
export const WAIVER_DAYS = 90;
const KEY_ID =
  /^(alias\/[A-Za-z0-9/_-]{1,250}|[0-9a-f-]{36}|arn:aws[a-z-]*:kms:[a-z0-9-]+:[0-9]{12}:(key\/[0-9a-f-]{36}|alias\/[A-Za-z0-9/_-]{1,250}))$/;

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

interface Planned {
  additions: Additions;
  imported: ImportedStream[];
  adopted: AdoptedConsumer[];
  notes: ImportNote[];
}

/** Decide every stanza (without waivers). */
function plan(input: ImportInput): Planned {
  const { mesh } = input;
  const notes: ImportNote[] = [];
  const add: Additions = { domains: [], domainAccounts: [], streams: [], grants: [], classifications: [], waivers: [] };
  const rootDomains = rootDomainNames(input.text);
  const ctx: GrantContext = {
    mesh,
    meshAccounts: new Set(mesh.accounts.map((a) => a.id)),
    ids: new Ids(mesh.grants.map((g) => g.id)),
    notes,
  };
  const declared = new Set(mesh.streams.map((s) => s.name));
  const tagKeys = input.domainTags ?? DEFAULT_DOMAIN_TAGS;
  const domainAccounts = new Map(mesh.domains.map((d) => [d.name, new Set(d.accounts)]));
  const imported: ImportedStream[] = [];

  const ensureDomain = (name: string, account: string, decided: boolean): string => {
    const declaredDomain = mesh.domains.find((d) => d.name === name);
    if (declaredDomain && !rootDomains.has(name)) {
      notes.push({
        severity: 'warning',
        subject: `domain/${name}`,
        message: `domain ${name} is declared in ${declaredDomain.file}; import edits only the root file, so its streams go to domain ${IMPORT_DOMAIN}`,
      });
      return ensureDomain(IMPORT_DOMAIN, account, false);
    }
    const accounts = domainAccounts.get(name);
    if (accounts === undefined) {
      domainAccounts.set(name, new Set([account]));
      add.domains.push(
        decided
          ? {
              name,
              description: `${TODO}: describe the ${name} domain (created from stream tags).`,
              owner: { team: 'TODO', contact: 'TODO' },
              accounts: [account],
              comments: [`${TODO}: set owner.team and owner.contact of domain ${name}.`],
            }
          : {
              name,
              description: `Streams adopted by meshgov import whose domain no tag names. ${TODO}: move each stream to its owning domain.`,
              owner: { team: 'TODO', contact: 'TODO' },
              accounts: [account],
              comments: [
                `${TODO}: streams whose domain could not be decided; move them to their owning domains and set the owner.`,
              ],
            },
      );
    } else if (!accounts.has(account)) {
      accounts.add(account);
      const created = add.domains.find((d) => d.name === name);
      if (created) created.accounts.push(account);
      else {
        add.domainAccounts.push({ domain: name, account });
        notes.push({
          severity: 'info',
          subject: `domain/${name}`,
          message: `account ${account} added to domain ${name}; its existing streams now name their account`,
        });
      }
    }
    return name;
  };

  let addedClassification = false;
  for (const s of [...input.streams].sort((a, b) => (a.account + a.name < b.account + b.name ? -1 : 1))) {
    const subject = `${s.account}/stream/${s.name}`;
    if (declared.has(s.name)) {
      notes.push({
        severity: 'warning',
        subject,
        message: `a stream named ${s.name} is already declared in the mesh; stream names must be unique in the mesh, so this one is not imported`,
      });
      continue;
    }
    declared.add(s.name);
    const comments: string[] = [];
    const dd = decideDomain(s.tags, tagKeys);
    const domain = ensureDomain(dd.domain, s.account, dd.fromTag !== undefined);
    if (dd.fromTag === undefined)
      comments.push(`${TODO}: no domain tag (${tagKeys.join(', ')}); move this stream to its owning domain.`);

    const cd = decideClassification(mesh.classifications, s);
    if (cd.how === 'none-fits' && !addedClassification) {
      addedClassification = true;
      add.classifications.push({
        name: IMPORT_CLASSIFICATION,
        level: 0,
        description: `Streams adopted by meshgov import that fit no other classification. ${TODO}: classify them.`,
        retention: { minHours: 24, maxHours: 8760 },
        encryption: 'none',
        comments: [`${TODO}: a catch-all added by import; reclassify its streams and remove it.`],
      });
    }
    const classificationComment = cd.how === 'tag' ? undefined : `${TODO}: confirm the classification (${cd.note}).`;

    const tags = userTags(s.tags, subject, notes);
    const encryption: StreamStanza['encryption'] =
      s.encryption.type === 'NONE'
        ? { type: 'NONE' }
        : { type: 'KMS', ...(s.encryption.keyId ? { keyId: s.encryption.keyId } : {}) };
    if (encryption.type === 'KMS' && encryption.keyId !== undefined && !KEY_ID.test(encryption.keyId)) {
      notes.push({
        severity: 'warning',
        subject,
        message: `KMS key ${encryption.keyId} is not a key id, alias or key ARN meshgov accepts; written as is, fix it before validating`,
      });
    }
    if (encryptionLevel(s.encryption) === 'none') comments.push(`${TODO}: this stream is not encrypted at rest.`);
    if (s.status !== 'ACTIVE')
      notes.push({
        severity: 'warning',
        subject,
        message: `stream is ${s.status}; settings were imported as read and may still change`,
      });

    const stanzaGrants = grantsOf(ctx, s, domain, comments);
    add.streams.push({
      domain,
      name: s.name,
      account: s.account,
      classification: cd.classification,
      ...(classificationComment ? { classificationComment } : {}),
      retentionHours: s.retentionHours,
      capacity: s.mode === 'ON_DEMAND' ? { mode: 'on-demand' } : { mode: 'provisioned', shards: Math.max(1, s.shards) },
      encryption,
      enhancedMonitoring: s.enhancedMonitoring,
      tags,
      comments,
    });
    add.grants.push(...stanzaGrants);
    imported.push({ account: s.account, name: s.name, domain, classification: cd.classification });
  }
  const adoption = adoptConsumers(ctx, input.managed ?? [], rootDomains, input.today);
  add.grants.push(...adoption.grants);
  return { additions: add, imported, adopted: adoption.adopted, notes };
}

/** The address (waiver target) of the imported entity a diagnostic path lies in, if any. */
function addressAt(paths: Map<string, DocPath>, path: DocPath): string | undefined {
  let best: { address: string; length: number } | undefined;
  for (const [address, prefix] of paths) {
    if (address.startsWith('domain/')) continue;
    if (prefix.length <= path.length && prefix.every((p, i) => path[i] === p) && (!best || prefix.length > best.length))
      best = { address, length: prefix.length };
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
      if (target === undefined || [...waivers, ...fresh].some((w) => w.rule === d.ruleId && w.target === target))
        continue;
      fresh.push({
        rule: d.ruleId,
        target,
        expires: addDays(input.today, WAIVER_DAYS),
        justification: `${TODO}: ${target} was adopted as found on ${input.today} and breaks this rule; fix it or justify the exception.`,
      });
    }
    if (fresh.length === 0) break;
    waivers.push(...fresh);
    for (const w of fresh)
      planned.notes.push({
        severity: 'warning',
        subject: w.target,
        message: `rule ${w.rule} fails for the imported ${w.target}; waived until ${w.expires} with a TODO justification`,
      });
    edit = applyAdditions(input.text, { ...planned.additions, waivers });
    diagnostics = input.check(edit.text);
  }
  const { imported, adopted, notes } = planned;
  return { text: edit.text, imported, adopted, grants, notes, diagnostics };
}
