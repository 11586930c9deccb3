/**
 * Entity views: the plain JSON object a rule sees for each entity. Keys mirror mesh.yaml (so a failing
 * requirement path maps straight onto the YAML node); derived fields add what rules need to know about the
 * entity's neighbours (its classification, its stream, its counts). Each derived field names the YAML node a
 * finding about it should point at.
 */
import type { DocPath } from '../diagnostics/diagnostic.js';
import { isAwsManagedKey } from '../model/normalise.js';
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
  return {
    name: c.name,
    level: c.level,
    minRetentionHours: c.minRetentionHours,
    maxRetentionHours: c.maxRetentionHours,
    encryption: c.encryption,
  };
}

/** `none`, `aws-managed` (alias/aws/kinesis) or `customer-managed` (any other key). */
export function keyManagement(s: Stream): 'none' | 'aws-managed' | 'customer-managed' {
  if (s.encryption.type === 'NONE') return 'none';
  return isAwsManagedKey(s.encryption.keyId) ? 'aws-managed' : 'customer-managed';
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
    const list = grantsByStream.get(g.stream);
    if (list) list.push(g);
    else grantsByStream.set(g.stream, [g]);
  }
  return {
    mesh,
    today,
    grantsByStream,
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
  constructor(
    view: Omit<EntityView, 'spots'>,
    private readonly make: () => Record<string, Spot>,
  ) {
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
    name: m.name,
    region: m.region,
    partition: m.partition,
    organizationId: m.organizationId,
    governanceRole: { ...m.governanceRole },
    tags: { ...m.tags },
    accountCount: m.accounts.length,
    domainCount: m.domains.length,
    streamCount: m.streams.length,
    grantCount: m.grants.length,
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
    name: d.name,
    description: d.description,
    owner: { ...d.owner },
    accounts: [...d.accounts],
    streams: [...d.streams],
    streamCount: d.streams.length,
    grantCount: grants,
    environments: [...new Set(d.accounts.map((a) => ix.accounts.get(a)?.environment).filter((e) => e !== undefined))],
  });
  return {
    kind: 'domain',
    address: `domain/${d.name}`,
    domain: d.name,
    at: d.at,
    value,
    spots: { environments: here(d.at, ['accounts']) },
  };
}

/*
 * The stream and grant views are built per entity, field by field with a constant key (`if (x !== undefined)
 * value['x'] = x`): one helper storing under a variable key was a megamorphic store, the largest self time of the
 * rules. Undefined fields are left out, like `strip`, in the same key order.
 */

export function streamView(ix: MeshIndex, s: Stream): EntityView {
  const grants = ix.grantsByStream.get(s.name) ?? [];
  let readers = 0;
  let efo = 0;
  let maxReplay = -Infinity;
  for (const g of grants) {
    if (g.access !== 'consume') continue;
    readers++;
    if (g.pattern === 'efo') efo++;
    maxReplay = Math.max(maxReplay, g.replayHours ?? 0);
  }
  const domain = ix.domains.get(s.domain);
  const cap: Record<string, unknown> = { mode: s.capacity.mode === 'ON_DEMAND' ? 'on-demand' : 'provisioned' };
  if (s.capacity.shards !== undefined) cap['shards'] = s.capacity.shards;
  if (s.capacity.autoscaling) cap['autoscaling'] = { ...s.capacity.autoscaling };
  const encryption: Record<string, unknown> = {};
  if (s.encryption.type !== undefined) encryption['type'] = s.encryption.type;
  if (s.encryption.keyId !== undefined) encryption['keyId'] = s.encryption.keyId;
  const value: Record<string, unknown> = {};
  if (s.name !== undefined) value['name'] = s.name;
  if (s.domain !== undefined) value['domain'] = s.domain;
  if (s.account !== undefined) value['account'] = s.account;
  if (s.description !== undefined) value['description'] = s.description;
  if (s.classification !== undefined) value['classification'] = s.classification;
  if (s.retentionHours !== undefined) value['retentionHours'] = s.retentionHours;
  value['capacity'] = cap;
  value['encryption'] = encryption;
  if (s.schema !== undefined) value['schema'] = s.schema;
  if (s.contact !== undefined) value['contact'] = s.contact;
  if (s.sla !== undefined) value['sla'] = s.sla;
  if (s.throughput !== undefined) value['throughput'] = s.throughput;
  value['enhancedMonitoring'] = [...s.enhancedMonitoring];
  if (s.deletionProtection !== undefined) value['deletionProtection'] = s.deletionProtection;
  if (s.deprecated !== undefined) value['deprecated'] = s.deprecated;
  value['tags'] = { ...s.tags };
  const classification = classificationInfo(ix.classifications.get(s.classification));
  if (classification !== undefined) value['classificationInfo'] = classification;
  value['keyManagement'] = keyManagement(s);
  const environment = ix.accounts.get(s.account)?.environment;
  if (environment !== undefined) value['environment'] = environment;
  if (domain) value['domainOwner'] = { ...domain.owner };
  const effectiveContact = s.contact ?? domain?.owner.contact;
  if (effectiveContact !== undefined) value['effectiveContact'] = effectiveContact;
  value['grantCount'] = grants.length;
  value['readerCount'] = readers;
  value['producerCount'] = grants.length - readers;
  value['efoConsumerCount'] = efo;
  value['maxReplayHours'] = readers > 0 ? maxReplay : 0;
  return withSpots({ kind: 'stream', address: streamAddress(s.name), domain: s.domain, at: s.at, value }, () => {
    const spots: Record<string, Spot> = {
      domain: here(s.at, []),
      classificationInfo: here(s.at, ['classification']),
      keyManagement: here(s.at, ['encryption']),
      environment: here(s.at, ['account']),
      domainOwner: here(domain?.at ?? s.at, domain ? ['owner'] : []),
      effectiveContact:
        s.contact !== undefined || !domain ? here(s.at, ['contact']) : here(domain.at, ['owner', 'contact']),
    };
    // Counts are facts about the stream as a whole: report them at its name.
    for (const k of ['grantCount', 'readerCount', 'producerCount', 'efoConsumerCount', 'maxReplayHours'])
      spots[k] = here(s.at, ['name']);
    return spots;
  });
}

const GRANT_STREAM_SPOTS = [
  'streamExists',
  'streamDomain',
  'streamClassification',
  'streamClassificationInfo',
  'streamRetentionHours',
  'streamDeprecated',
  'streamEnvironment',
];
const GRANT_PRINCIPAL_SPOTS = ['principalInMesh', 'principalInOrg', 'principalInStreamDomain', 'principalEnvironment'];

export function grantView(ix: MeshIndex, g: Grant): EntityView {
  const s = ix.streams.get(g.stream);
  const streamDomain = s ? ix.domains.get(s.domain) : undefined;
  const principal: Record<string, unknown> = {};
  if (g.principal.account !== undefined) principal['account'] = g.principal.account;
  if (g.principal.role !== undefined) principal['role'] = g.principal.role;
  if (g.principal.path !== undefined) principal['path'] = g.principal.path;
  let filter: Record<string, unknown> | undefined;
  if (g.filter) {
    const f = g.filter;
    filter = {};
    if (f.functionName !== undefined) filter['function'] = f.functionName;
    if (f.patterns !== undefined) filter['patterns'] = f.patterns;
    if (f.maxFilters !== undefined) filter['maxFilters'] = f.maxFilters;
    if (f.batchSize !== undefined) filter['batchSize'] = f.batchSize;
    if (f.startingPosition !== undefined) filter['startingPosition'] = f.startingPosition;
    if (f.manageMapping !== undefined) filter['manageMapping'] = f.manageMapping;
  }
  const inMesh = ix.accounts.has(g.principal.account);
  const value: Record<string, unknown> = {};
  if (g.id !== undefined) value['id'] = g.id;
  if (g.stream !== undefined) value['stream'] = g.stream;
  value['principal'] = principal;
  if (g.access !== undefined) value['access'] = g.access;
  if (g.pattern !== undefined) value['pattern'] = g.pattern;
  if (g.consumerName !== undefined) value['consumer'] = g.consumerName;
  if (filter !== undefined) value['filter'] = filter;
  if (g.fanout) value['fanout'] = { ...g.fanout };
  if (g.replayHours !== undefined) value['replayHours'] = g.replayHours;
  if (g.kcl) value['kcl'] = { ...g.kcl };
  if (g.expires !== undefined) value['expires'] = g.expires;
  if (g.justification !== undefined) value['justification'] = g.justification;
  if (g.approvedBy !== undefined) value['approvedBy'] = g.approvedBy;
  if (g.principal.external !== undefined) value['external'] = g.principal.external;
  if (g.domain !== undefined) value['domain'] = g.domain;
  value['streamExists'] = s !== undefined;
  if (s) {
    if (s.domain !== undefined) value['streamDomain'] = s.domain;
    if (s.classification !== undefined) value['streamClassification'] = s.classification;
    const classification = classificationInfo(ix.classifications.get(s.classification));
    if (classification !== undefined) value['streamClassificationInfo'] = classification;
    if (s.retentionHours !== undefined) value['streamRetentionHours'] = s.retentionHours;
    if (s.deprecated !== undefined) value['streamDeprecated'] = s.deprecated;
    const environment = ix.accounts.get(s.account)?.environment;
    if (environment !== undefined) value['streamEnvironment'] = environment;
  }
  value['principalInMesh'] = inMesh;
  // meshgov only knows the mesh's own accounts; they are taken to be the organisation's (mesh.organizationId).
  value['principalInOrg'] = inMesh && !g.principal.external;
  if (streamDomain) value['principalInStreamDomain'] = streamDomain.accounts.includes(g.principal.account);
  const principalEnvironment = ix.accounts.get(g.principal.account)?.environment;
  if (principalEnvironment !== undefined) value['principalEnvironment'] = principalEnvironment;
  const daysUntilExpiry = g.expires !== undefined ? daysBetween(ix.today, g.expires) : undefined;
  if (daysUntilExpiry !== undefined) value['daysUntilExpiry'] = daysUntilExpiry;
  return withSpots(
    { kind: 'grant', address: grantAddress(g.id), ...(s ? { domain: s.domain } : {}), at: g.at, value },
    () => {
      const spots: Record<string, Spot> = {};
      for (const k of GRANT_STREAM_SPOTS) spots[k] = here(g.at, ['stream']);
      for (const k of GRANT_PRINCIPAL_SPOTS) spots[k] = here(g.at, ['principal', 'account']);
      spots['daysUntilExpiry'] = here(g.at, ['expires']);
      spots['domain'] = here(g.at, []);
      return spots;
    },
  );
}

/** One view per enhanced fan-out consumer (a grant with a consumer name), one at a time. */
export function* consumerViews(ix: MeshIndex): Generator<EntityView> {
  for (const [streamName, grants] of ix.grantsByStream) {
    const s = ix.streams.get(streamName);
    const efo = grants.filter((g) => g.consumerName !== undefined);
    for (let i = 0; i < efo.length; i++) {
      const g = efo[i] as Grant;
      const value = strip({
        name: g.consumerName,
        stream: streamName,
        grant: g.id,
        replayHours: g.replayHours,
        principal: strip({ account: g.principal.account, role: g.principal.role }),
        streamRetentionHours: s?.retentionHours,
        streamClassification: s?.classification,
        efoIndex: i + 1,
        efoCount: efo.length,
      });
      yield withSpots(
        {
          kind: 'consumer',
          address: consumerAddress(streamName, g.consumerName as string),
          ...(s ? { domain: s.domain } : {}),
          at: g.at,
          value,
        },
        () => ({
          name: here(g.at, ['consumer']),
          efoIndex: here(g.at, ['consumer']),
          efoCount: here(g.at, ['consumer']),
          stream: here(g.at, ['stream']),
          grant: here(g.at, ['id']),
          streamRetentionHours: here(g.at, ['stream']),
          streamClassification: here(g.at, ['stream']),
        }),
      );
    }
  }
}

/**
 * Every view of one kind, in declaration order, built as it is asked for: a caller that checks each view and drops
 * it keeps one alive at a time instead of a copy of every grant.
 */
export function* eachView(ix: MeshIndex, kind: EntityKind): Generator<EntityView> {
  switch (kind) {
    case 'mesh':
      yield meshView(ix);
      return;
    case 'domain':
      for (const d of ix.mesh.domains) yield domainView(ix, d);
      return;
    case 'stream':
      for (const s of ix.mesh.streams) yield streamView(ix, s);
      return;
    case 'grant':
      for (const g of ix.mesh.grants) yield grantView(ix, g);
      return;
    case 'consumer':
      yield* consumerViews(ix);
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
