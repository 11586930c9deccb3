/**
 * Writing imported stanzas into an existing mesh document with yaml's Document API: parseDocument, add nodes,
 * String(doc); then every untouched line is restored byte for byte (line-diff.ts). Only the root file is edited.
 */
import { isMap, isScalar, isSeq, parseDocument } from 'yaml';
import type { Document, Node, YAMLMap, YAMLSeq } from 'yaml';
import type { DocPath } from '../diagnostics/diagnostic.js';
import { InternalError } from '../diagnostics/diagnostic.js';
import { restoreLayout } from './line-diff.js';

export interface DomainStanza {
  name: string;
  description: string;
  owner: { team: string; contact: string };
  accounts: string[];
  comments: string[];
}

export interface StreamStanza {
  domain: string;
  name: string;
  account: string;
  classification: string;
  /** Comment above `classification:` (how it was chosen). */
  classificationComment?: string;
  retentionHours: number;
  capacity: { mode: 'on-demand' } | { mode: 'provisioned'; shards: number };
  encryption: { type: 'NONE' } | { type: 'KMS'; keyId?: string };
  enhancedMonitoring: string[];
  tags: Record<string, string>;
  /** Comment lines above the stream (reports, TODOs). */
  comments: string[];
}

export interface GrantStanza {
  /** The root-file domain the grant is written under; absent: the root file's top-level `grants:`. */
  domain?: string;
  id: string;
  stream: string;
  principal: { account: string; role?: string; path?: string };
  access: 'produce' | 'consume';
  pattern?: 'replay' | 'efo';
  consumer?: string;
  /** The consumer's own (non-reserved) tags, for efo grants. */
  consumerTags?: Record<string, string>;
  external?: boolean;
  justification?: string;
  comments: string[];
}

export interface ClassificationStanza {
  name: string;
  level: number;
  description: string;
  retention: { minHours: number; maxHours: number };
  encryption: 'none' | 'aws-managed' | 'customer-managed';
  comments: string[];
}

export interface WaiverStanza {
  rule: string;
  target: string;
  justification: string;
  expires: string;
}

export interface Additions {
  domains: DomainStanza[];
  /** Accounts to add to an existing domain's `accounts`. */
  domainAccounts: { domain: string; account: string }[];
  streams: StreamStanza[];
  grants: GrantStanza[];
  classifications: ClassificationStanza[];
  waivers: WaiverStanza[];
}

export interface EditResult {
  text: string;
  /** Document path of each added entity, by address (`stream/NAME`, `grant/ID`, `domain/NAME`). */
  paths: Map<string, DocPath>;
}

function comment(lines: readonly string[]): string | undefined {
  return lines.length ? lines.map((l) => ` ${l}`).join('\n') : undefined;
}

function seqAt(doc: Document, map: YAMLMap, key: string): YAMLSeq {
  const existing = map.get(key, true) as Node | undefined;
  if (isSeq(existing)) return existing;
  const seq = doc.createNode([]) as YAMLSeq;
  map.set(key, seq);
  return seq;
}

function findByName(seq: YAMLSeq, name: string): { node: YAMLMap; index: number } | undefined {
  const index = seq.items.findIndex((i) => isMap(i) && i.get('name') === name);
  return index < 0 ? undefined : { node: seq.items[index] as YAMLMap, index };
}

function flow(map: YAMLMap, key: string): void {
  const n = map.get(key, true) as Node | undefined;
  if (isMap(n) || isSeq(n)) n.flow = true;
}

function keyComment(map: YAMLMap, key: string, text: string | undefined): void {
  if (text === undefined) return;
  const pair = map.items.find((p) => isScalar(p.key) && p.key.value === key);
  if (pair && isScalar(pair.key)) pair.key.commentBefore = ` ${text}`;
}

/** True when the source pads flow collections (`{ a: 1 }`) more often than not. */
function padsFlow(text: string): boolean {
  const padded = (text.match(/[[{] [^\]}]*[^ ] [\]}]/g) ?? []).length;
  const tight = (text.match(/[[{][^ \]}][^\]}]*[^ ][\]}]/g) ?? []).length;
  return padded >= tight;
}

/** Add the stanzas to the root mesh document. The document must parse (the caller validated it). */
export function applyAdditions(text: string, add: Additions): EditResult {
  const options = { lineWidth: 0, flowCollectionPadding: padsFlow(text) };
  const doc = parseDocument(text);
  const normalised = doc.toString(options);
  const root = doc.contents;
  if (!isMap(root))
    throw new InternalError(
      'import was given a mesh document that is not a mapping (it should have been validated first)',
    );
  const paths = new Map<string, DocPath>();

  if (add.classifications.length) {
    const seq = seqAt(doc, root, 'classifications');
    for (const c of add.classifications) {
      const node = doc.createNode({
        name: c.name,
        level: c.level,
        description: c.description,
        retention: c.retention,
        encryption: c.encryption,
      }) as YAMLMap;
      flow(node, 'retention');
      const note = comment(c.comments);
      if (note) node.commentBefore = note;
      seq.add(node);
    }
  }

  const inDomains = add.grants.some((g) => g.domain !== undefined);
  const needsDomains = add.domains.length > 0 || add.streams.length > 0 || inDomains;
  const domains = needsDomains ? seqAt(doc, root, 'domains') : undefined;
  const domainNode = (name: string): { node: YAMLMap; index: number } => {
    const found = domains ? findByName(domains, name) : undefined;
    if (!found)
      throw new InternalError(`import planned a stream for domain ${name}, which is not in the root document`);
    return found;
  };
  for (const d of add.domains) {
    if (!domains) break;
    const node = doc.createNode({
      name: d.name,
      description: d.description,
      owner: d.owner,
      accounts: d.accounts,
    }) as YAMLMap;
    flow(node, 'owner');
    flow(node, 'accounts');
    const note = comment(d.comments);
    if (note) node.commentBefore = note;
    if (domains.items.length) node.spaceBefore = true;
    domains.add(node);
    paths.set(`domain/${d.name}`, ['domains', domains.items.length - 1]);
  }
  for (const da of add.domainAccounts) {
    const { node } = domainNode(da.domain);
    const accounts = seqAt(doc, node, 'accounts');
    // A stream may omit `account` only while its domain has one account: pin the existing streams first.
    const sole =
      accounts.items.length === 1
        ? String(isScalar(accounts.items[0]) ? accounts.items[0].value : accounts.items[0])
        : undefined;
    const streams = node.get('streams', true) as Node | undefined;
    if (sole !== undefined && isSeq(streams)) {
      for (const s of streams.items)
        if (isMap(s) && !s.has('account')) s.items.splice(1, 0, doc.createPair('account', sole));
    }
    accounts.add(doc.createNode(da.account));
  }
  for (const s of add.streams) {
    const { node, index } = domainNode(s.domain);
    const seq = seqAt(doc, node, 'streams');
    const value: Record<string, unknown> = {
      name: s.name,
      account: s.account,
      classification: s.classification,
      retentionHours: s.retentionHours,
      capacity: s.capacity,
      encryption: s.encryption,
      ...(s.enhancedMonitoring.length ? { enhancedMonitoring: s.enhancedMonitoring } : {}),
      ...(Object.keys(s.tags).length ? { tags: s.tags } : {}),
    };
    const item = doc.createNode(value) as YAMLMap;
    flow(item, 'capacity');
    flow(item, 'encryption');
    flow(item, 'enhancedMonitoring');
    keyComment(item, 'classification', s.classificationComment);
    const note = comment(s.comments);
    if (note) item.commentBefore = note;
    seq.add(item);
    paths.set(`stream/${s.name}`, ['domains', index, 'streams', seq.items.length - 1]);
  }
  for (const g of add.grants) {
    const owner = g.domain === undefined ? undefined : domainNode(g.domain);
    const seq = seqAt(doc, owner?.node ?? root, 'grants');
    const principal = {
      account: g.principal.account,
      ...(g.principal.role ? { role: g.principal.role } : {}),
      ...(g.principal.path && g.principal.path !== '/' ? { path: g.principal.path } : {}),
    };
    const item = doc.createNode({
      id: g.id,
      stream: g.stream,
      principal,
      access: g.access,
      ...(g.pattern ? { pattern: g.pattern } : {}),
      ...(g.consumer ? { consumer: g.consumer } : {}),
      ...(g.consumerTags ? { consumerTags: g.consumerTags } : {}),
      ...(g.external ? { external: true } : {}),
      ...(g.justification ? { justification: g.justification } : {}),
    }) as YAMLMap;
    flow(item, 'principal');
    const note = comment(g.comments);
    if (note) item.commentBefore = note;
    seq.add(item);
    const at = seq.items.length - 1;
    paths.set(`grant/${g.id}`, owner ? ['domains', owner.index, 'grants', at] : ['grants', at]);
  }
  if (add.waivers.length) {
    const seq = seqAt(doc, root, 'waivers');
    for (const w of add.waivers)
      seq.add(doc.createNode({ rule: w.rule, target: w.target, justification: w.justification, expires: w.expires }));
  }
  const out = restoreLayout(text, normalised, doc.toString(options));
  // A CRLF file stays CRLF: restored lines keep their \r, added lines get one.
  return { text: text.includes('\r\n') ? out.replace(/\r?\n/g, '\r\n') : out, paths };
}

/** Names of the domains declared in the root document. */
export function rootDomainNames(text: string): Set<string> {
  const doc = parseDocument(text);
  const seq = isMap(doc.contents) ? doc.contents.get('domains', true) : undefined;
  const out = new Set<string>();
  if (isSeq(seq))
    for (const i of seq.items) if (isMap(i) && typeof i.get('name') === 'string') out.add(i.get('name') as string);
  return out;
}
