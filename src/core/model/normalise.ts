import type { Diagnostic, DocPath, Result } from '../diagnostics/diagnostic.js';
import type { Locator } from '../source/locator.js';
import type {
  Account,
  Classification,
  Domain,
  EncryptionRequirement,
  Environment,
  Grant,
  Mesh,
  Principal,
  RuleSetting,
  SourceRef,
  Stream,
  Waiver,
} from './types.js';

/* Raw shapes, exactly as the schema accepts them (validated before normalise runs). */
export interface RawPrincipal {
  account: string;
  role?: string;
  path?: string;
}
export interface RawStream {
  name: string;
  account?: string;
  description?: string;
  classification: string;
  retentionHours: number;
  capacity: { mode: 'on-demand' | 'provisioned'; shards?: number; autoscaling?: { min: number; max: number } };
  encryption?: { type: 'KMS' | 'NONE'; keyId?: string };
  schema?: string;
  contact?: string;
  sla?: { freshnessSeconds?: number; availability?: string };
  throughput?: { writeMiBPerSecond?: number; writeRecordsPerSecond?: number };
  enhancedMonitoring?: string[];
  deletionProtection?: boolean;
  deprecated?: boolean;
  tags?: Record<string, string>;
}
export interface RawGrant {
  id: string;
  stream: string;
  principal: RawPrincipal;
  access: 'produce' | 'consume';
  pattern?: 'replay' | 'efo' | 'filtered' | 'fanout';
  consumer?: string;
  consumerTags?: Record<string, string>;
  filter?: {
    function: string;
    patterns: Record<string, unknown>[];
    maxFilters?: 5 | 10;
    batchSize?: number;
    startingPosition?: 'LATEST' | 'TRIM_HORIZON';
    manageMapping?: boolean;
  };
  fanout?: { target: 'appsync' | 'apigateway-websocket' | 'custom-websocket'; endpoint?: string };
  replayHours?: number;
  kcl?: { leaseTable: string; metrics?: boolean };
  expires?: string;
  justification?: string;
  approvedBy?: string;
  external?: boolean;
  region?: string;
}
export type RawRules = Record<
  string,
  { severity?: 'error' | 'warning' | 'info' | 'off'; params?: Record<string, unknown> }
>;
export interface RawDomain {
  name: string;
  description?: string;
  owner: { team: string; contact: string };
  accounts: string[];
  streams?: RawStream[];
  grants?: RawGrant[];
  rules?: RawRules;
}
export interface RawMeshFile {
  apiVersion: string;
  mesh: {
    name: string;
    region: string;
    organizationId?: string;
    governanceRole: { name: string; path?: string; externalId?: string; readOnlyName?: string };
    tags?: Record<string, string>;
  };
  include?: string[];
  accounts: { id: string; alias: string; environment: Environment }[];
  classifications: {
    name: string;
    description?: string;
    level: number;
    retention: { minHours: number; maxHours: number };
    encryption: EncryptionRequirement;
  }[];
  domains?: RawDomain[];
  grants?: RawGrant[];
  waivers?: { rule: string; target: string; justification: string; expires: string; approvedBy?: string }[];
  rules?: RawRules;
}
export interface RawDomainFile {
  apiVersion?: string;
  domains: RawDomain[];
  grants?: RawGrant[];
}

/** The AWS-managed key for Kinesis, used when a stream declares no encryption. */
export const AWS_MANAGED_KINESIS_KEY = 'alias/aws/kinesis';

/**
 * Whether a stream's key is the AWS-managed Kinesis key (by alias, or an alias ARN in any partition); undefined is
 * that key (the default). Principals need no key policy grant to use it.
 */
export function isAwsManagedKey(keyId: string | undefined): boolean {
  return keyId === undefined || keyId === AWS_MANAGED_KINESIS_KEY || /:alias\/aws\/kinesis$/.test(keyId);
}

export function partitionOf(region: string): string {
  if (region.startsWith('cn-')) return 'aws-cn';
  if (region.startsWith('us-gov-')) return 'aws-us-gov';
  return 'aws';
}

function ref(file: string, path: DocPath): SourceRef {
  return { file, path: [...path] };
}

function rules(raw: RawRules | undefined, file: string, base: DocPath): Record<string, RuleSetting> {
  const out: Record<string, RuleSetting> = {};
  for (const [id, s] of Object.entries(raw ?? {})) {
    const setting: RuleSetting = { at: ref(file, [...base, id]) };
    if (s.severity !== undefined) setting.severity = s.severity;
    if (s.params !== undefined) setting.params = s.params;
    out[id] = setting;
  }
  return out;
}

/** Turn schema-valid raw files into the normalised Mesh, filling defaults. */
export function normalise(
  root: { file: string; data: RawMeshFile },
  domainFiles: { file: string; data: RawDomainFile }[],
  locator: Locator,
): Result<Mesh | undefined> {
  const diagnostics: Diagnostic[] = [];
  const d = root.data;
  const accounts: Account[] = d.accounts.map((a, i) => ({
    id: a.id,
    alias: a.alias,
    environment: a.environment,
    at: ref(root.file, ['accounts', i]),
  }));
  const classifications: Classification[] = d.classifications.map((c, i) => {
    const cl: Classification = {
      name: c.name,
      level: c.level,
      minRetentionHours: c.retention.minHours,
      maxRetentionHours: c.retention.maxHours,
      encryption: c.encryption,
      at: ref(root.file, ['classifications', i]),
    };
    if (c.description !== undefined) cl.description = c.description;
    return cl;
  });
  const domains: Domain[] = [];
  const streams: Stream[] = [];
  const grants: Grant[] = [];

  const addGrant = (g: RawGrant, file: string, path: DocPath, domain?: string) => {
    const principal: Principal = {
      kind: g.principal.role === undefined ? 'account' : 'role',
      account: g.principal.account,
      path: g.principal.path ?? '/',
      external: g.external === true,
    };
    if (g.principal.role !== undefined) principal.role = g.principal.role;
    const grant: Grant = { id: g.id, stream: g.stream, principal, access: g.access, at: ref(file, path) };
    if (g.pattern !== undefined) grant.pattern = g.pattern;
    if (g.consumer !== undefined) grant.consumerName = g.consumer;
    if (g.consumerTags !== undefined) grant.consumerTags = { ...g.consumerTags };
    if (g.filter) {
      grant.filter = {
        functionName: g.filter.function,
        patterns: g.filter.patterns,
        maxFilters: g.filter.maxFilters ?? 5,
        startingPosition: g.filter.startingPosition ?? 'LATEST',
        manageMapping: g.filter.manageMapping === true,
      };
      if (g.filter.batchSize !== undefined) grant.filter.batchSize = g.filter.batchSize;
    }
    if (g.fanout) {
      grant.fanout = { target: g.fanout.target };
      if (g.fanout.endpoint !== undefined) grant.fanout.endpoint = g.fanout.endpoint;
    }
    if (g.replayHours !== undefined) grant.replayHours = g.replayHours;
    if (g.kcl) grant.kcl = { leaseTable: g.kcl.leaseTable, metrics: g.kcl.metrics ?? false };
    if (g.expires !== undefined) grant.expires = g.expires;
    if (g.justification !== undefined) grant.justification = g.justification;
    if (g.approvedBy !== undefined) grant.approvedBy = g.approvedBy;
    if (domain !== undefined) grant.domain = domain;
    if (g.region !== undefined && g.region !== d.mesh.region) {
      diagnostics.push(
        locator.at(
          grant.at,
          ['region'],
          'grant-cross-region',
          'error',
          `Grant \`${g.id}\` runs in ${g.region} but the mesh streams live in ${d.mesh.region}; Kinesis does not support cross-region access. Replicate the stream into ${g.region} or run the ${g.access === 'produce' ? 'producer' : 'consumer'} in ${d.mesh.region}.`,
        ),
      );
    }
    grants.push(grant);
  };

  const addDomain = (raw: RawDomain, file: string, path: DocPath) => {
    const domain: Domain = {
      name: raw.name,
      owner: { ...raw.owner },
      accounts: [...raw.accounts],
      streams: [],
      rules: rules(raw.rules, file, [...path, 'rules']),
      file,
      at: ref(file, path),
    };
    if (raw.description !== undefined) domain.description = raw.description;
    (raw.streams ?? []).forEach((s, i) => {
      const at = ref(file, [...path, 'streams', i]);
      let account = s.account;
      if (account === undefined) {
        if (raw.accounts.length === 1) account = raw.accounts[0];
        else {
          diagnostics.push(
            locator.at(
              at,
              [],
              'ref-stream-account-required',
              'error',
              `Stream \`${s.name}\` must name its \`account\`: domain \`${raw.name}\` has ${raw.accounts.length} accounts (${raw.accounts.join(', ')}).`,
            ),
          );
          // Keep the stream (in the first account) so its grants do not also report it as unknown.
          account = raw.accounts[0];
        }
      }
      const stream: Stream = {
        name: s.name,
        domain: raw.name,
        account: account as string,
        classification: s.classification,
        retentionHours: s.retentionHours,
        capacity:
          s.capacity.mode === 'on-demand'
            ? { mode: 'ON_DEMAND' }
            : { mode: 'PROVISIONED', shards: s.capacity.shards ?? 1 },
        encryption:
          s.encryption?.type === 'NONE'
            ? { type: 'NONE' }
            : { type: 'KMS', keyId: s.encryption?.keyId ?? AWS_MANAGED_KINESIS_KEY },
        enhancedMonitoring: s.enhancedMonitoring ?? [],
        deletionProtection: s.deletionProtection ?? true,
        deprecated: s.deprecated ?? false,
        tags: { ...(s.tags ?? {}) },
        at,
      };
      if (s.capacity.autoscaling) stream.capacity.autoscaling = { ...s.capacity.autoscaling };
      if (s.description !== undefined) stream.description = s.description;
      if (s.schema !== undefined) stream.schema = s.schema;
      if (s.contact !== undefined) stream.contact = s.contact;
      if (s.sla !== undefined) stream.sla = { ...s.sla };
      if (s.throughput !== undefined) stream.throughput = { ...s.throughput };
      streams.push(stream);
      domain.streams.push(s.name);
    });
    (raw.grants ?? []).forEach((g, i) => addGrant(g, file, [...path, 'grants', i], raw.name));
    domains.push(domain);
  };

  (d.domains ?? []).forEach((raw, i) => addDomain(raw, root.file, ['domains', i]));
  (d.grants ?? []).forEach((g, i) => addGrant(g, root.file, ['grants', i]));
  for (const f of domainFiles) {
    f.data.domains.forEach((raw, i) => addDomain(raw, f.file, ['domains', i]));
    (f.data.grants ?? []).forEach((g, i) => addGrant(g, f.file, ['grants', i]));
  }
  const waivers: Waiver[] = (d.waivers ?? []).map((w, i) => {
    const waiver: Waiver = {
      rule: w.rule,
      target: w.target,
      justification: w.justification,
      expires: w.expires,
      at: ref(root.file, ['waivers', i]),
    };
    if (w.approvedBy !== undefined) waiver.approvedBy = w.approvedBy;
    return waiver;
  });
  const mesh: Mesh = {
    name: d.mesh.name,
    region: d.mesh.region,
    partition: partitionOf(d.mesh.region),
    governanceRole: { name: d.mesh.governanceRole.name, path: d.mesh.governanceRole.path ?? '/' },
    tags: { ...(d.mesh.tags ?? {}) },
    accounts,
    classifications,
    domains,
    streams,
    grants,
    waivers,
    rules: rules(d.rules, root.file, ['rules']),
    files: [root.file, ...domainFiles.map((f) => f.file)],
    at: ref(root.file, []),
  };
  if (d.mesh.organizationId !== undefined) mesh.organizationId = d.mesh.organizationId;
  if (d.mesh.governanceRole.externalId !== undefined) mesh.governanceRole.externalId = d.mesh.governanceRole.externalId;
  if (d.mesh.governanceRole.readOnlyName !== undefined)
    mesh.governanceRole.readOnlyName = d.mesh.governanceRole.readOnlyName;
  return { value: mesh, diagnostics };
}
