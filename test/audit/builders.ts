/**
 * Fake builders for the audit tests: a small mesh, the desired state it renders to (built by hand here so the
 * audit tests do not depend on the renderer), and a live state that matches it exactly (a clean audit).
 * The governance tags are spelled here from docs/render.md, not computed with src/core/model/governance-tags.ts
 * (the code the audit compares against); test/audit/builders.test.ts checks they equal what render produces.
 */
import type { Classification, Grant, Mesh, Stream } from '../../src/core/model/types.js';
import type { LiveAccount, LiveState, LiveStream } from '../../src/core/plan/live.js';
import type {
  DesiredConsumer,
  DesiredState,
  DesiredStream,
  PolicyDocument,
  PolicyStatement,
} from '../../src/core/render/types.js';
import type { MetricsSnapshot, Series, ShardMetricName } from '../../src/core/audit/metrics.js';

export const A = '111111111111';
export const B = '222222222222';
export const C = '333333333333';
export const OUTSIDER = '999999999999';
export const REGION = 'eu-west-1';
export const ORG = 'o-acme1234ab';
export const TODAY = '2026-11-26';

const at = (...path: (string | number)[]) => ({ file: 'mesh.yaml', path });

export const ORDERS_ARN = `arn:aws:kinesis:${REGION}:${A}:stream/orders`;
export const CLICKS_ARN = `arn:aws:kinesis:${REGION}:${C}:stream/clicks`;
export const FRAUD_CONSUMER_ARN = `${ORDERS_ARN}/consumer/fraud-scorer:1700000000`;
export const roleArn = (account: string, name: string) => `arn:aws:iam::${account}:role/${name}`;
export const GOV = (account: string) => `arn:aws:iam::${account}:role/meshgov/meshgov-governance`;

function classification(
  name: string,
  level: number,
  min: number,
  max: number,
  encryption: Classification['encryption'],
): Classification {
  return { name, level, minRetentionHours: min, maxRetentionHours: max, encryption, at: at('classifications', level) };
}

function stream(partial: Partial<Stream> & Pick<Stream, 'name' | 'account' | 'domain'>, i: number): Stream {
  return {
    capacity: { mode: 'ON_DEMAND' },
    retentionHours: 24,
    encryption: { type: 'NONE' },
    classification: 'internal',
    enhancedMonitoring: [],
    deletionProtection: false,
    deprecated: false,
    tags: {},
    at: at('domains', 0, 'streams', i),
    ...partial,
  };
}

function grant(partial: Partial<Grant> & Pick<Grant, 'id' | 'stream' | 'access'>, i: number): Grant {
  return {
    principal: { kind: 'role', account: A, role: 'x', path: '/', external: false },
    at: at('grants', i),
    ...partial,
  };
}

export function aMesh(): Mesh {
  const streams = [
    stream(
      {
        name: 'orders',
        account: A,
        domain: 'payments',
        classification: 'confidential',
        retentionHours: 168,
        capacity: { mode: 'PROVISIONED', shards: 4, autoscaling: { min: 2, max: 8 } },
        encryption: { type: 'KMS', keyId: 'alias/orders' },
        enhancedMonitoring: [
          'IncomingBytes',
          'IncomingRecords',
          'IteratorAgeMilliseconds',
          'ReadProvisionedThroughputExceeded',
          'WriteProvisionedThroughputExceeded',
        ],
      },
      0,
    ),
    stream(
      {
        name: 'clicks',
        account: C,
        domain: 'customer',
        retentionHours: 48,
        capacity: { mode: 'PROVISIONED', shards: 1 },
      },
      1,
    ),
  ];
  const grants: Grant[] = [
    grant(
      {
        id: 'writer-produces-orders',
        stream: 'orders',
        access: 'produce',
        principal: { kind: 'role', account: A, role: 'orders-writer', path: '/', external: false },
      },
      0,
    ),
    grant(
      {
        id: 'fraud-reads-orders',
        stream: 'orders',
        access: 'consume',
        pattern: 'efo',
        consumerName: 'fraud-scorer',
        expires: '2027-09-30',
        principal: { kind: 'role', account: B, role: 'fraud-scorer', path: '/', external: false },
      },
      1,
    ),
    grant(
      {
        id: 'analytics-replays-orders',
        stream: 'orders',
        access: 'consume',
        pattern: 'replay',
        expires: '2027-03-31',
        principal: { kind: 'role', account: C, role: 'analytics', path: '/', external: false },
      },
      2,
    ),
    grant(
      {
        id: 'tracker-produces-clicks',
        stream: 'clicks',
        access: 'produce',
        principal: { kind: 'role', account: C, role: 'tracker', path: '/', external: false },
      },
      3,
    ),
  ];
  return {
    name: 'acme',
    region: REGION,
    partition: 'aws',
    organizationId: ORG,
    governanceRole: { name: 'meshgov-governance', path: '/meshgov/' },
    tags: { 'cost-center': 'data' },
    accounts: [A, B, C].map((id, i) => ({
      id,
      alias: `acct-${i}`,
      environment: 'prod' as const,
      at: at('accounts', i),
    })),
    classifications: [
      classification('public', 0, 24, 168, 'none'),
      classification('internal', 1, 24, 720, 'aws-managed'),
      classification('confidential', 2, 168, 2160, 'customer-managed'),
    ],
    domains: [],
    streams,
    grants,
    waivers: [],
    rules: {},
    files: ['mesh.yaml'],
    at: at(),
  };
}

/** A grant tag key as docs/render.md spells it: `meshgov:<access>:<account>:<role>`, `root` for a whole account. */
export const grantTag = (g: Pick<Grant, 'access' | 'principal'>) =>
  `meshgov:${g.access}:${g.principal.account}:${g.principal.role ?? 'root'}`;

/** The governance tags docs/render.md lists for a managed stream or consumer (no grant tags). */
function governanceTags(mesh: Mesh, s: Stream): Record<string, string> {
  return {
    'meshgov:managed-by': 'meshgov',
    'meshgov:mesh': mesh.name,
    'meshgov:domain': s.domain,
    'meshgov:product': s.name,
    'meshgov:classification': s.classification,
  };
}

/** The keys in sorted order (as render writes them), so a test comparing serialised tags sees render's order. */
function sorted(tags: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(tags).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

/** A stream's tags: mesh tags, its own, the governance tags, deletion protection, one grant tag per grantee. */
function expectedStreamTags(mesh: Mesh, s: Stream): Record<string, string> {
  const tags: Record<string, string> = { ...mesh.tags, ...s.tags, ...governanceTags(mesh, s) };
  if (s.deletionProtection) tags['meshgov:deletion-protection'] = 'true';
  for (const g of mesh.grants) if (g.stream === s.name) tags[grantTag(g)] = 'allow';
  return sorted(tags);
}

/** An EFO consumer's tags: mesh tags, the grant's consumer tags, the governance tags and the grant's own tag. */
function expectedConsumerTags(mesh: Mesh, s: Stream, g: Grant): Record<string, string> {
  return sorted({ ...mesh.tags, ...g.consumerTags, ...governanceTags(mesh, s), [grantTag(g)]: 'allow' });
}

const arnOf = (s: Stream) => `arn:aws:kinesis:${REGION}:${s.account}:stream/${s.name}`;

/** Cross-account grants of a stream as the resource policy meshgov would render. */
function resourcePolicy(mesh: Mesh, s: Stream): PolicyDocument | undefined {
  const statements: PolicyStatement[] = mesh.grants
    .filter((g) => g.stream === s.name && g.principal.account !== s.account)
    .map((g) => ({
      Sid: g.id.replace(/[^A-Za-z0-9]/g, ''),
      Effect: 'Allow',
      Principal: { AWS: roleArn(g.principal.account, g.principal.role ?? 'x') },
      Action:
        g.access === 'produce'
          ? ['kinesis:PutRecord', 'kinesis:PutRecords', 'kinesis:ListShards', 'kinesis:DescribeStreamSummary']
          : ['kinesis:GetRecords', 'kinesis:GetShardIterator', 'kinesis:ListShards', 'kinesis:DescribeStreamSummary'],
      Resource: arnOf(s),
      Condition: { StringEquals: { 'aws:PrincipalOrgID': ORG } },
    }));
  return statements.length > 0 ? { Version: '2012-10-17', Statement: statements } : undefined;
}

export function desiredFrom(mesh: Mesh): DesiredState {
  return {
    mesh: mesh.name,
    region: REGION,
    partition: 'aws',
    organizationId: ORG,
    accounts: mesh.accounts.map((a) => {
      const streams: DesiredStream[] = mesh.streams
        .filter((s) => s.account === a.id)
        .map((s) => {
          const d: DesiredStream = {
            name: s.name,
            arn: arnOf(s),
            account: s.account,
            region: REGION,
            domain: s.domain,
            mode: s.capacity.mode,
            retentionHours: s.retentionHours,
            encryption: s.encryption,
            enhancedMonitoring: [...s.enhancedMonitoring].sort(),
            tags: expectedStreamTags(mesh, s),
            deletionProtection: s.deletionProtection,
          };
          if (s.capacity.shards !== undefined) d.shards = s.capacity.shards;
          if (s.capacity.autoscaling) d.autoscaling = s.capacity.autoscaling;
          const rp = resourcePolicy(mesh, s);
          if (rp) d.resourcePolicy = rp;
          return d;
        });
      const consumers: DesiredConsumer[] = mesh.grants
        .filter((g) => g.pattern === 'efo' && mesh.streams.find((s) => s.name === g.stream)?.account === a.id)
        .map((g) => {
          const s = mesh.streams.find((x) => x.name === g.stream) as Stream;
          const tags = expectedConsumerTags(mesh, s, g);
          return {
            stream: s.name,
            streamArn: arnOf(s),
            account: s.account,
            name: g.consumerName as string,
            arnPattern: `${arnOf(s)}/consumer/${g.consumerName}:*`,
            grantId: g.id,
            tags,
          };
        });
      return { account: a.id, streams, consumers, iam: [] };
    }),
  };
}

/** Identity policies matching the grants exactly (plus the governance role's admin policy). */
function identityPolicies(account: string): LiveAccount['identityPolicies'] {
  const allow = (
    Sid: string,
    Action: string[],
    Resource: string | string[],
    Condition?: PolicyStatement['Condition'],
  ): PolicyStatement =>
    Condition ? { Sid, Effect: 'Allow', Action, Resource, Condition } : { Sid, Effect: 'Allow', Action, Resource };
  const doc = (...Statement: PolicyStatement[]): PolicyDocument => ({ Version: '2012-10-17', Statement });
  const gov = { principalArn: GOV(account), documents: [doc(allow('Admin', ['kinesis:*'], '*'))] };
  if (account === A) {
    return [
      gov,
      {
        principalArn: roleArn(A, 'orders-writer'),
        documents: [
          doc(
            allow(
              'Produce',
              ['kinesis:PutRecord', 'kinesis:PutRecords', 'kinesis:DescribeStreamSummary', 'kinesis:ListShards'],
              ORDERS_ARN,
            ),
          ),
        ],
      },
    ];
  }
  if (account === B) {
    return [
      gov,
      {
        principalArn: roleArn(B, 'fraud-scorer'),
        documents: [
          doc(
            allow(
              'Read',
              ['kinesis:GetRecords', 'kinesis:GetShardIterator', 'kinesis:DescribeStreamSummary', 'kinesis:ListShards'],
              ORDERS_ARN,
            ),
            allow(
              'Efo',
              ['kinesis:SubscribeToShard', 'kinesis:DescribeStreamConsumer'],
              `${ORDERS_ARN}/consumer/fraud-scorer:*`,
            ),
          ),
        ],
      },
    ];
  }
  return [
    gov,
    {
      // ABAC: any stream carrying this principal's grant tag.
      principalArn: roleArn(C, 'analytics'),
      documents: [
        doc(
          allow(
            'Abac',
            ['kinesis:Get*', 'kinesis:DescribeStreamSummary', 'kinesis:ListShards'],
            `arn:aws:kinesis:${REGION}:*:stream/*`,
            { StringEquals: { [`aws:ResourceTag/meshgov:consume:${C}:analytics`]: 'allow' } },
          ),
        ),
      ],
    },
    {
      principalArn: roleArn(C, 'tracker'),
      documents: [doc(allow('Produce', ['kinesis:PutRecord', 'kinesis:PutRecords'], CLICKS_ARN))],
    },
  ];
}

/** A live state that matches the desired state exactly. */
export function liveFrom(desired: DesiredState): LiveState {
  return {
    region: REGION,
    organization: { id: ORG, accounts: [A, B, C] },
    notChecked: [],
    accounts: desired.accounts.map((a) => ({
      account: a.account,
      streams: a.streams.map((d): LiveStream => {
        const s: LiveStream = {
          name: d.name,
          arn: d.arn,
          account: d.account,
          status: 'ACTIVE',
          mode: d.mode,
          shards: d.shards ?? 4,
          retentionHours: d.retentionHours,
          encryption:
            d.encryption.type === 'KMS'
              ? { type: 'KMS', keyId: `arn:aws:kms:${REGION}:${d.account}:${d.encryption.keyId}` }
              : { type: 'NONE' },
          enhancedMonitoring: [...d.enhancedMonitoring],
          tags: { ...d.tags },
          consumers: a.consumers
            .filter((c) => c.stream === d.name)
            .map((c) => ({
              name: c.name,
              arn: `${d.arn}/consumer/${c.name}:1700000000`,
              status: 'ACTIVE' as const,
              tags: { ...c.tags },
            })),
        };
        if (d.resourcePolicy) s.resourcePolicy = structuredClone(d.resourcePolicy);
        return s;
      }),
      iam: [],
      identityPolicies: identityPolicies(a.account),
      // The live reader lists the streams it does not manage (none here); shadow-stream tests add some.
      unmanagedStreams: [],
    })),
  };
}

export function world() {
  const mesh = aMesh();
  const desired = desiredFrom(mesh);
  const live = liveFrom(desired);
  return { mesh, desired, live, ctx: { mesh, desired, live, today: TODAY } };
}

export function liveStream(live: LiveState, name: string): LiveStream {
  for (const a of live.accounts) for (const s of a.streams) if (s.name === name) return s;
  throw new Error(`no live stream ${name}`);
}

export interface ShardSpec {
  shardId: string;
  /** Per-minute values, one per period. */
  bytes?: number[];
  records?: number[];
  writeThrottled?: number[];
  readThrottled?: number[];
  iteratorAgeMs?: number[];
  /** A reshard closed the shard (the metrics source marks it so). */
  closed?: true;
}

/** A metrics snapshot over `minutes` one-minute periods starting at 2026-11-25T00:00Z. */
export function aSnapshot(
  streams: { account: string; stream: string; shards: ShardSpec[] }[],
  minutes = 60,
): MetricsSnapshot {
  const start = Date.parse('2026-11-25T00:00:00.000Z');
  const series = (values: number[] | undefined): Series | undefined =>
    values ? { timestamps: values.map((_v, i) => new Date(start + i * 60_000).toISOString()), values } : undefined;
  return {
    window: {
      start: new Date(start).toISOString(),
      end: new Date(start + minutes * 60_000).toISOString(),
      periodSeconds: 60,
    },
    calls: 1,
    messages: [],
    streams: streams.map((s) => ({
      account: s.account,
      stream: s.stream,
      shards: s.shards.map((sh) => {
        const out: Partial<Record<ShardMetricName, Series>> = {};
        const put = (k: ShardMetricName, v: number[] | undefined) => {
          const x = series(v);
          if (x) out[k] = x;
        };
        put('IncomingBytes', sh.bytes);
        put('IncomingRecords', sh.records);
        put('WriteProvisionedThroughputExceeded', sh.writeThrottled);
        put('ReadProvisionedThroughputExceeded', sh.readThrottled);
        put('IteratorAgeMilliseconds', sh.iteratorAgeMs);
        return { shardId: sh.shardId, series: out, ...(sh.closed ? { closed: sh.closed } : {}) };
      }),
    })),
  };
}

/** `n` per-minute values all equal to `v`. */
export const flat = (n: number, v: number) => Array.from({ length: n }, () => v);

/** The resource policy the builders gave a live stream or consumer (the live state types it as untrusted JSON). */
export function livePolicyOf(s: { resourcePolicy?: unknown }): PolicyDocument {
  if (s.resourcePolicy === undefined) throw new Error('the fixture has no resource policy here');
  return s.resourcePolicy as PolicyDocument;
}
