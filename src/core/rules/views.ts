/**
 * Entity views: the plain JSON object a rule sees for each entity. Keys mirror mesh.yaml (so a failing
 * requirement path maps straight onto the YAML node); derived fields add what rules need to know about the
 * entity's neighbours (its classification, its stream, its counts). Each derived field names the YAML node a
 * finding about it should point at.
 */
import type { DocPath } from '../diagnostics/diagnostic.js';
import { AWS_MANAGED_KINESIS_KEY } from '../model/normalise.js';
import type { Classification, Domain, Grant, Mesh, SourceRef, Stream } from '../model/types.js';
import { consumerAddress, grantAddress, streamAddress } from '../model/types.js';
import type { EntityKind, Spot } from './types.js';

export interface EntityView {
  kind: EntityKind;
  /** Waiver address: `stream/NAME`, `grant/ID`, `domain/NAME`, `consumer/STREAM/NAME` or `mesh`. */
  address: string;
  /** Domain whose rule settings apply (the owning domain of the stream for grants and consumers). */
  domain?: string;
  at: SourceRef;
  /** What selectors and requirements are evaluated against. */
  value: Record<string, unknown>;
  /** Where findings about a top-level view key point, when not at the same key of `at`. */
  spots: Record<string, Spot>;
}

const DAY_MS = 24 * 60 * 60 * 1000;

/** Whole days from `today` to `date` (both YYYY-MM-DD); negative once past. Undefined for invalid dates. */
export function daysBetween(today: string, date: string): number | undefined {
  const a = Date.parse(`${today}T00:00:00Z`);
  const b = Date.parse(`${date}T00:00:00Z`);
  if (Number.isNaN(a) || Number.isNaN(b)) return undefined;
  return Math.round((b - a) / DAY_MS);
}

function classificationInfo(c: Classification | undefined): Record<string, unknown> | undefined {
  if (!c) return undefined;
  return { name: c.name, level: c.level, minRetentionHours: c.minRetentionHours, maxRetentionHours: c.maxRetentionHours, encryption: c.encryption };
}

/** `none`, `aws-managed` (alias/aws/kinesis) or `customer-managed` (any other key). */
export function keyManagement(s: Stream): 'none' | 'aws-managed' | 'customer-managed' {
  if (s.encryption.type === 'NONE') return 'none';
  const key = s.encryption.keyId ?? AWS_MANAGED_KINESIS_KEY;
  return key === AWS_MANAGED_KINESIS_KEY || /:alias\/aws\/kinesis$/.test(key) ? 'aws-managed' : 'customer-managed';
}

function strip<T extends Record<string, unknown>>(o: T): T {
  // A copy without the undefined entries: `delete` would turn every view into a slow dictionary-mode object,
  // and the views are what every rule's compiled schema walks.
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(o)) if (o[k] !== undefined) out[k] = o[k];
  return out as T;
}

/** Index of the mesh the views are built from. */
export interface MeshIndex {
  mesh: Mesh;
  today: string;
  streams: Map<string, Stream>;
  domains: Map<string, Domain>;
  classifications: Map<string, Classification>;
  accounts: Map<string, Mesh['accounts'][number]>;
  grantsByStream: Map<string, Grant[]>;
}

export function indexMesh(mesh: Mesh, today: string): MeshIndex {
  const grantsByStream = new Map<string, Grant[]>();
  for (const g of mesh.grants) {
    const list = grantsByStream.get(g.stream) ?? [];
    list.push(g);
    grantsByStream.set(g.stream, list);
  }
  return {
    mesh, today, grantsByStream,
    streams: new Map(mesh.streams.map((s) => [s.name, s])),
    domains: new Map(mesh.domains.map((d) => [d.name, d])),
    classifications: new Map(mesh.classifications.map((c) => [c.name, c])),
    accounts: new Map(mesh.accounts.map((a) => [a.id, a])),
  };
}

function here(at: SourceRef, path: DocPath): Spot {
  return { ref: at, path };
}

/**
 * A view whose `spots` are built on first use: only findings read them, and a clean mesh of 50,000 grants would
 * otherwise allocate a dozen spots per grant for nothing. A class, so the getter lives on the prototype: a getter in
 * each object literal gives every view its own hidden class (about 300 bytes each, 100,000 grants of a hostile mesh).
 */
class LazySpotsView implements EntityView {
  readonly kind: EntityKind;
  readonly address: string;
  readonly domain?: string;
  readonly at: SourceRef;
  readonly value: Record<string, unknown>;
  private built?: Record<string, Spot>;
  constructor(view: Omit<EntityView, 'spots'>, private readonly make: () => Record<string, Spot>) {
    this.kind = view.kind;
    this.address = view.address;
    if (view.domain !== undefined) this.domain = view.domain;
    this.at = view.at;
    this.value = view.value;
  }
  get spots(): Record<string, Spot> {
    this.built ??= this.make();
    return this.built;
  }
}

function withSpots(view: Omit<EntityView, 'spots'>, make: () => Record<string, Spot>): EntityView {
  return new LazySpotsView(view, make);
}

export function meshView(ix: MeshIndex): EntityView {
  const m = ix.mesh;
  const value = strip({
    name: m.name, region: m.region, partition: m.partition, organizationId: m.organizationId,
    governanceRole: { ...m.governanceRole }, tags: { ...m.tags },
    accountCount: m.accounts.length, domainCount: m.domains.length, streamCount: m.streams.length, grantCount: m.grants.length,
    waiverCount: m.waivers.length,
  });
  const spots: Record<string, Spot> = {};
  for (const k of ['name', 'region', 'organizationId', 'governanceRole', 'tags']) spots[k] = here(m.at, ['mesh', k]);
  spots['partition'] = here(m.at, ['mesh', 'region']);
  spots['accountCount'] = here(m.at, ['accounts']);
  spots['domainCount'] = here(m.at, ['domains']);
  spots['waiverCount'] = here(m.at, ['waivers']);
  return { kind: 'mesh', address: 'mesh', at: m.at, value, spots };
}

export function domainView(ix: MeshIndex, d: Domain): EntityView {
  const grants = d.streams.reduce((n, s) => n + (ix.grantsByStream.get(s)?.length ?? 0), 0);
  const value = strip({
    name: d.name, description: d.description, owner: { ...d.owner }, accounts: [...d.accounts], streams: [...d.streams],
    streamCount: d.streams.length, grantCount: grants,
    environments: [...new Set(d.accounts.map((a) => ix.accounts.get(a)?.environment).filter((e) => e !== undefined))],
  });
  return { kind: 'domain', address: `domain/${d.name}`, domain: d.name, at: d.at, value, spots: { environments: here(d.at, ['accounts']) } };
}

export function streamView(ix: MeshIndex, s: Stream): EntityView {
  const grants = ix.grantsByStream.get(s.name) ?? [];
  const readers = grants.filter((g) => g.access === 'consume');
  const domain = ix.domains.get(s.domain);
  const replay = readers.map((g) => g.replayHours ?? 0);
  const cap: Record<string, unknown> = { mode: s.capacity.mode === 'ON_DEMAND' ? 'on-demand' : 'provisioned' };
  if (s.capacity.shards !== undefined) cap['shards'] = s.capacity.shards;
  if (s.capacity.autoscaling) cap['autoscaling'] = { ...s.capacity.autoscaling };
  const value = strip({
    name: s.name, domain: s.domain, account: s.account, description: s.description, classification: s.classification,
    retentionHours: s.retentionHours, capacity: cap, encryption: strip({ type: s.encryption.type, keyId: s.encryption.keyId }),
    schema: s.schema, contact: s.contact, sla: s.sla, throughput: s.throughput, enhancedMonitoring: [...s.enhancedMonitoring],
    deletionProtection: s.deletionProtection, deprecated: s.deprecated, tags: { ...s.tags },
    classificationInfo: classificationInfo(ix.classifications.get(s.classification)),
    keyManagement: keyManagement(s),
    environment: ix.accounts.get(s.account)?.environment,
    domainOwner: domain ? { ...domain.owner } : undefined,
    effectiveContact: s.contact ?? domain?.owner.contact,
    grantCount: grants.length,
    readerCount: readers.length,
    producerCount: grants.length - readers.length,
    efoConsumerCount: readers.filter((g) => g.pattern === 'efo').length,
    maxReplayHours: replay.length > 0 ? Math.max(...replay) : 0,
  });
  return withSpots({ kind: 'stream', address: streamAddress(s.name), domain: s.domain, at: s.at, value }, () => {
    const spots: Record<string, Spot> = {
      domain: here(s.at, []),
      classificationInfo: here(s.at, ['classification']),
      keyManagement: here(s.at, ['encryption']),
      environment: here(s.at, ['account']),
      domainOwner: here(domain?.at ?? s.at, domain ? ['owner'] : []),
      effectiveContact: s.contact !== undefined || !domain ? here(s.at, ['contact']) : here(domain.at, ['owner', 'contact']),
    };
    // Counts are facts about the stream as a whole: report them at its name.
    for (const k of ['grantCount', 'readerCount', 'producerCount', 'efoConsumerCount', 'maxReplayHours']) spots[k] = here(s.at, ['name']);
    return spots;
  });
}

export function grantView(ix: MeshIndex, g: Grant): EntityView {
  const s = ix.streams.get(g.stream);
  const streamDomain = s ? ix.domains.get(s.domain) : undefined;
  const principal = strip({ account: g.principal.account, role: g.principal.role, path: g.principal.path });
  const filter = g.filter
    ? strip({ function: g.filter.functionName, patterns: g.filter.patterns, maxFilters: g.filter.maxFilters, batchSize: g.filter.batchSize, startingPosition: g.filter.startingPosition })
    : undefined;
  const value = strip({
    id: g.id, stream: g.stream, principal, access: g.access, pattern: g.pattern, consumer: g.consumerName, filter,
    fanout: g.fanout ? { ...g.fanout } : undefined, replayHours: g.replayHours, kcl: g.kcl ? { ...g.kcl } : undefined,
    expires: g.expires, justification: g.justification, approvedBy: g.approvedBy, external: g.principal.external,
    domain: g.domain,
    streamExists: s !== undefined,
    streamDomain: s?.domain,
    streamClassification: s?.classification,
    streamClassificationInfo: s ? classificationInfo(ix.classifications.get(s.classification)) : undefined,
    streamRetentionHours: s?.retentionHours,
    streamDeprecated: s?.deprecated,
    streamEnvironment: s ? ix.accounts.get(s.account)?.environment : undefined,
    principalInMesh: ix.accounts.has(g.principal.account),
    // meshgov only knows the mesh's own accounts; they are taken to be the organisation's (mesh.organizationId).
    principalInOrg: ix.accounts.has(g.principal.account) && !g.principal.external,
    principalInStreamDomain: streamDomain ? streamDomain.accounts.includes(g.principal.account) : undefined,
    principalEnvironment: ix.accounts.get(g.principal.account)?.environment,
    daysUntilExpiry: g.expires !== undefined ? daysBetween(ix.today, g.expires) : undefined,
  });
  return withSpots({ kind: 'grant', address: grantAddress(g.id), ...(s ? { domain: s.domain } : {}), at: g.at, value }, () => {
    const spots: Record<string, Spot> = {};
    for (const k of ['streamExists', 'streamDomain', 'streamClassification', 'streamClassificationInfo', 'streamRetentionHours', 'streamDeprecated', 'streamEnvironment']) {
      spots[k] = here(g.at, ['stream']);
    }
    for (const k of ['principalInMesh', 'principalInOrg', 'principalInStreamDomain', 'principalEnvironment']) spots[k] = here(g.at, ['principal', 'account']);
    spots['daysUntilExpiry'] = here(g.at, ['expires']);
    spots['domain'] = here(g.at, []);
    return spots;
  });
}

/** One view per enhanced fan-out consumer (a grant with a consumer name). */
export function consumerViews(ix: MeshIndex): EntityView[] {
  const out: EntityView[] = [];
  for (const [streamName, grants] of ix.grantsByStream) {
    const s = ix.streams.get(streamName);
    const efo = grants.filter((g) => g.consumerName !== undefined);
    efo.forEach((g, i) => {
      const value = strip({
        name: g.consumerName, stream: streamName, grant: g.id, replayHours: g.replayHours,
        principal: strip({ account: g.principal.account, role: g.principal.role }),
        streamRetentionHours: s?.retentionHours,
        streamClassification: s?.classification,
        efoIndex: i + 1,
        efoCount: efo.length,
      });
      out.push(withSpots({ kind: 'consumer', address: consumerAddress(streamName, g.consumerName as string), ...(s ? { domain: s.domain } : {}), at: g.at, value }, () => ({
        name: here(g.at, ['consumer']), efoIndex: here(g.at, ['consumer']), efoCount: here(g.at, ['consumer']),
        stream: here(g.at, ['stream']), grant: here(g.at, ['id']), streamRetentionHours: here(g.at, ['stream']), streamClassification: here(g.at, ['stream']),
      })));
    });
  }
  return out;
}

/** Every view of one kind, in declaration order. */
export function viewsOf(ix: MeshIndex, kind: EntityKind): EntityView[] {
  switch (kind) {
    case 'mesh':
      return [meshView(ix)];
    case 'domain':
      return ix.mesh.domains.map((d) => domainView(ix, d));
    case 'stream':
      return ix.mesh.streams.map((s) => streamView(ix, s));
    case 'grant':
      return ix.mesh.grants.map((g) => grantView(ix, g));
    case 'consumer':
      return consumerViews(ix);
  }
}

/** Map a path in the view to the YAML node a finding should point at. */
export function spotFor(view: EntityView, path: DocPath): Spot {
  const [first, ...rest] = path;
  if (first === undefined) return { ref: view.at, path: [] };
  const mapped = view.spots[String(first)];
  if (mapped) return mapped;
  // Normalised fields whose YAML key differs.
  if (view.kind === 'grant' && first === 'external') return { ref: view.at, path: ['external'] };
  return { ref: view.at, path: [first, ...rest] };
}
