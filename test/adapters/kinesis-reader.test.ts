/**
 * The Kinesis reader against aws-sdk-client-mock with AWS-shaped responses (ListStreams with StreamSummaries and
 * NextToken, GetResources pages), plus the IAM actions it declares checked against the calls it makes.
 */
import {
  DescribeStreamSummaryCommand,
  GetResourcePolicyCommand,
  KinesisClient,
  ListStreamConsumersCommand,
  ListStreamsCommand,
  ListTagsForResourceCommand,
  ResourceNotFoundException,
} from '@aws-sdk/client-kinesis';
import {
  GetResourcesCommand,
  InvalidParameterException,
  ResourceGroupsTaggingAPIClient,
} from '@aws-sdk/client-resource-groups-tagging-api';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ClientPool } from '../../src/adapters/aws/client-pool.js';
import { getPolicy, KINESIS_READER_IAM_ACTIONS, readKinesisAccount } from '../../src/adapters/aws/kinesis-reader.js';
import { nested } from '../support/nested-policy.js';

const kinesis = mockClient(KinesisClient);
const tagging = mockClient(ResourceGroupsTaggingAPIClient);
const A = '111111111111';
const arn = (n: string) => `arn:aws:kinesis:eu-west-1:${A}:stream/${n}`;
const created = new Date('2026-01-01T00:00:00Z');
const summary = (n: string, mode: 'PROVISIONED' | 'ON_DEMAND' = 'PROVISIONED') => ({
  StreamName: n,
  StreamARN: arn(n),
  StreamStatus: 'ACTIVE' as const,
  StreamModeDetails: { StreamMode: mode },
  StreamCreationTimestamp: created,
});
const policy = {
  Version: '2012-10-17',
  Statement: [
    {
      Sid: 'Cross',
      Effect: 'Allow',
      Principal: { AWS: 'arn:aws:iam::222222222222:root' },
      Action: 'kinesis:GetRecords',
      Resource: arn('declared.v1'),
    },
  ],
};

function pool() {
  return new ClientPool({
    target: 'aws',
    region: 'eu-west-1',
    partition: 'aws',
    command: 'plan',
    rateLimitScale: 0,
    credentials: { accessKeyId: 'AKID', secretAccessKey: 'x' },
  });
}

beforeEach(() => {
  kinesis
    .on(ListStreamsCommand)
    .resolvesOnce({
      StreamNames: ['declared.v1', 'legacy'],
      HasMoreStreams: true,
      NextToken: 'tok',
      StreamSummaries: [summary('declared.v1'), summary('legacy')],
    })
    .resolvesOnce({
      StreamNames: ['tagged.v1'],
      HasMoreStreams: false,
      StreamSummaries: [summary('tagged.v1', 'ON_DEMAND')],
    });
  kinesis.on(DescribeStreamSummaryCommand).callsFake((input: { StreamName: string }) => ({
    StreamDescriptionSummary: {
      StreamName: input.StreamName,
      StreamARN: arn(input.StreamName),
      StreamStatus: 'ACTIVE',
      StreamModeDetails: { StreamMode: 'PROVISIONED' },
      RetentionPeriodHours: 48,
      StreamCreationTimestamp: created,
      EnhancedMonitoring: [{ ShardLevelMetrics: ['IncomingRecords', 'IncomingBytes'] }],
      EncryptionType: 'KMS',
      KeyId: 'alias/aws/kinesis',
      OpenShardCount: 3,
      ConsumerCount: input.StreamName === 'declared.v1' ? 1 : 0,
    },
  }));
  kinesis
    .on(GetResourcePolicyCommand, { ResourceARN: arn('declared.v1') })
    .resolves({ Policy: JSON.stringify(policy) });
  kinesis.on(GetResourcePolicyCommand, { ResourceARN: arn('tagged.v1') }).resolves({ Policy: '{}' });
  kinesis
    .on(GetResourcePolicyCommand, { ResourceARN: `${arn('declared.v1')}/consumer/scorer:1700000000` })
    .rejects(new ResourceNotFoundException({ message: 'No resource policy', $metadata: {} }));
  kinesis.on(ListStreamConsumersCommand, { StreamARN: arn('declared.v1') }).resolves({
    Consumers: [
      {
        ConsumerName: 'scorer',
        ConsumerARN: `${arn('declared.v1')}/consumer/scorer:1700000000`,
        ConsumerStatus: 'ACTIVE',
        ConsumerCreationTimestamp: created,
      },
    ],
  });
  kinesis.on(ListStreamConsumersCommand, { StreamARN: arn('tagged.v1') }).resolves({ Consumers: [] });
  kinesis
    .on(ListTagsForResourceCommand, { ResourceARN: `${arn('declared.v1')}/consumer/scorer:1700000000` })
    .resolves({ Tags: [{ Key: 'meshgov:managed-by', Value: 'meshgov' }] });
  kinesis
    .on(ListTagsForResourceCommand, { ResourceARN: arn('declared.v1') })
    .resolves({ Tags: [{ Key: 'team', Value: 'a' }] });
  kinesis.on(ListTagsForResourceCommand, { ResourceARN: arn('legacy') }).resolves({ Tags: [] });
  kinesis.on(ListTagsForResourceCommand, { ResourceARN: arn('tagged.v1') }).resolves({
    Tags: [
      { Key: 'meshgov:managed-by', Value: 'meshgov' },
      { Key: 'meshgov:mesh', Value: 'm' },
    ],
  });
});
afterEach(() => {
  kinesis.reset();
  tagging.reset();
});

const options = { meshName: 'm', region: 'eu-west-1', partition: 'aws', declared: new Set(['declared.v1']) };
const STREAM_FILTER = { ResourceTypeFilters: ['kinesis:stream'] };
const CONSUMER_FILTER = { ResourceTypeFilters: ['kinesis:stream/consumer'] };

/** ListStreams answers listing only `name`, each held until the test calls the release it gets. */
function heldListing(name: string): (() => void)[] {
  const releases: (() => void)[] = [];
  kinesis.on(ListStreamsCommand).callsFake(
    () =>
      new Promise((resolve) => {
        releases.push(() => resolve({ StreamNames: [name], HasMoreStreams: false, StreamSummaries: [summary(name)] }));
      }),
  );
  return releases;
}

function actions(): string[] {
  const k = kinesis.calls().map((c) => `kinesis:${(c.args[0] as object).constructor.name.replace(/Command$/, '')}`);
  const t = tagging.calls().map((c) => `tag:${(c.args[0] as object).constructor.name.replace(/Command$/, '')}`);
  return [...new Set([...k, ...t])].sort();
}

describe('readKinesisAccount', () => {
  it('reads tags in bulk through the tagging API, fully reads managed streams only, lists the rest', async () => {
    // The consumer paging lists nothing (the consumer is untagged there, or not indexed yet).
    tagging.on(GetResourcesCommand, STREAM_FILTER).rejects(new Error('unexpected page'));
    tagging.on(GetResourcesCommand, CONSUMER_FILTER).resolves({ ResourceTagMappingList: [], PaginationToken: '' });
    tagging.on(GetResourcesCommand, { ...STREAM_FILTER, PaginationToken: undefined }).resolves({
      ResourceTagMappingList: [{ ResourceARN: arn('declared.v1'), Tags: [{ Key: 'team', Value: 'a' }] }],
      PaginationToken: 'p2',
    });
    tagging.on(GetResourcesCommand, { ...STREAM_FILTER, PaginationToken: 'p2' }).resolves({
      ResourceTagMappingList: [
        {
          ResourceARN: arn('tagged.v1'),
          Tags: [
            { Key: 'meshgov:managed-by', Value: 'meshgov' },
            { Key: 'meshgov:mesh', Value: 'm' },
          ],
        },
      ],
      PaginationToken: '',
    });
    const r = await readKinesisAccount(pool(), A, options);
    expect(r.usedTaggingApi).toBe(true);
    expect(r.streams.map((s) => s.name)).toEqual(['declared.v1', 'tagged.v1']);
    expect(r.unmanaged).toEqual([
      {
        name: 'legacy',
        arn: arn('legacy'),
        status: 'ACTIVE',
        mode: 'PROVISIONED',
        createdAt: created.toISOString(),
        reason: 'not declared in the mesh and not tagged meshgov:managed-by=meshgov',
      },
    ]);
    expect(r.streams[0]).toEqual({
      name: 'declared.v1',
      arn: arn('declared.v1'),
      account: A,
      status: 'ACTIVE',
      mode: 'PROVISIONED',
      shards: 3,
      retentionHours: 48,
      encryption: { type: 'KMS', keyId: 'alias/aws/kinesis' },
      enhancedMonitoring: ['IncomingBytes', 'IncomingRecords'],
      tags: { team: 'a' },
      createdAt: created.toISOString(),
      resourcePolicy: policy,
      consumers: [
        {
          name: 'scorer',
          arn: `${arn('declared.v1')}/consumer/scorer:1700000000`,
          status: 'ACTIVE',
          tags: { 'meshgov:managed-by': 'meshgov' },
        },
      ],
    });
    expect(r.streams[1]?.resourcePolicy).toBeUndefined();
    expect(kinesis.commandCalls(ListStreamsCommand).map((c) => c.args[0].input)).toEqual([
      { Limit: 100 },
      { NextToken: 'tok' },
    ]);
    expect(
      kinesis
        .commandCalls(DescribeStreamSummaryCommand)
        .map((c) => c.args[0].input.StreamName)
        .sort(),
    ).toEqual(['declared.v1', 'tagged.v1']);
    // Stream tags came from GetResources: the only ListTagsForResource call is for the consumer.
    expect(kinesis.commandCalls(ListTagsForResourceCommand).map((c) => c.args[0].input.ResourceARN)).toEqual([
      `${arn('declared.v1')}/consumer/scorer:1700000000`,
    ]);
    // Two pages of stream tags, then one consumer paging (a managed stream counts a consumer), each its own filter.
    expect(tagging.commandCalls(GetResourcesCommand).map((c) => c.args[0].input)).toEqual([
      { ResourceTypeFilters: ['kinesis:stream'], ResourcesPerPage: 100 },
      { ResourceTypeFilters: ['kinesis:stream'], ResourcesPerPage: 100, PaginationToken: 'p2' },
      { ResourceTypeFilters: ['kinesis:stream/consumer'], ResourcesPerPage: 100 },
    ]);
    // ConsumerCount 0 in DescribeStreamSummary: no ListStreamConsumers call for that stream.
    expect(kinesis.commandCalls(ListStreamConsumersCommand).map((c) => c.args[0].input.StreamARN)).toEqual([
      arn('declared.v1'),
    ]);
  });

  it('falls back to one tag call per stream when the tagging API fails, with the same result', async () => {
    tagging
      .on(GetResourcesCommand)
      .rejects(
        Object.assign(new Error('not authorized to perform: tag:GetResources'), { name: 'AccessDeniedException' }),
      );
    const r = await readKinesisAccount(pool(), A, options);
    expect(r.usedTaggingApi).toBe(false);
    expect(r.streams.map((s) => `${s.name} ${JSON.stringify(s.tags)}`)).toEqual([
      'declared.v1 {"team":"a"}',
      'tagged.v1 {"meshgov:managed-by":"meshgov","meshgov:mesh":"m"}',
    ]);
    expect(r.unmanaged.map((u) => u.name)).toEqual(['legacy']);
    expect(kinesis.commandCalls(ListTagsForResourceCommand)).toHaveLength(4);
  });

  it("takes a consumer's tags from the tagging API when its pages list the consumer", async () => {
    const consumerArn = `${arn('declared.v1')}/consumer/scorer:1700000000`;
    tagging.on(GetResourcesCommand).resolves({
      ResourceTagMappingList: [
        { ResourceARN: arn('declared.v1'), Tags: [{ Key: 'team', Value: 'a' }] },
        {
          ResourceARN: consumerArn,
          Tags: [
            { Key: 'meshgov:managed-by', Value: 'meshgov' },
            { Key: 'team', Value: 'b' },
          ],
        },
      ],
    });
    const r = await readKinesisAccount(pool(), A, options);
    expect(r.streams[0]?.consumers[0]?.tags).toEqual({ 'meshgov:managed-by': 'meshgov', team: 'b' });
    expect(kinesis.commandCalls(ListTagsForResourceCommand)).toHaveLength(0);
    // Its policy is still read: the tagging API does not carry policies.
    expect(kinesis.commandCalls(GetResourcePolicyCommand).map((c) => c.args[0].input.ResourceARN)).toContain(
      consumerArn,
    );
  });

  it("reads declared streams while the tagging API's pages are still unanswered, and takes their tags from them", async () => {
    const pages: (() => void)[] = [];
    tagging.on(GetResourcesCommand, CONSUMER_FILTER).resolves({ ResourceTagMappingList: [] });
    tagging.on(GetResourcesCommand, STREAM_FILTER).callsFake(
      () =>
        new Promise((resolve) => {
          pages.push(() =>
            resolve({
              ResourceTagMappingList: [{ ResourceARN: arn('declared.v1'), Tags: [{ Key: 'team', Value: 'bulk' }] }],
            }),
          );
        }),
    );
    const read = readKinesisAccount(pool(), A, options);
    for (let i = 0; i < 20 && pages.length === 0; i++) await new Promise((r) => setImmediate(r));
    expect(pages).toHaveLength(1);
    expect(kinesis.commandCalls(DescribeStreamSummaryCommand).map((x) => x.args[0].input.StreamName)).toEqual([
      'declared.v1',
    ]);
    expect(kinesis.commandCalls(GetResourcePolicyCommand).map((x) => x.args[0].input.ResourceARN)).toContain(
      arn('declared.v1'),
    );
    pages[0]?.();
    const r = await read;
    expect(r.usedTaggingApi).toBe(true);
    expect(r.streams.map((x) => [x.name, x.tags])).toEqual([['declared.v1', { team: 'bulk' }]]);
    expect(kinesis.commandCalls(ListTagsForResourceCommand).map((x) => x.args[0].input.ResourceARN)).not.toContain(
      arn('declared.v1'),
    );
  });

  it("reads a declared stream's policy and tags while its DescribeStreamSummary is still unanswered", async () => {
    tagging.on(GetResourcesCommand).rejects(new Error('no tagging API'));
    const answers: (() => void)[] = [];
    kinesis.on(DescribeStreamSummaryCommand, { StreamName: 'declared.v1' }).callsFake(
      () =>
        new Promise((resolve) => {
          answers.push(() =>
            resolve({
              StreamDescriptionSummary: { ...summary('declared.v1'), RetentionPeriodHours: 24, ConsumerCount: 0 },
            }),
          );
        }),
    );
    const read = readKinesisAccount(pool(), A, options);
    for (let i = 0; i < 20 && kinesis.commandCalls(ListTagsForResourceCommand).length === 0; i++)
      await new Promise((r) => setImmediate(r));
    expect(answers).toHaveLength(1);
    expect(kinesis.commandCalls(GetResourcePolicyCommand).map((x) => x.args[0].input.ResourceARN)).toContain(
      arn('declared.v1'),
    );
    expect(kinesis.commandCalls(ListTagsForResourceCommand).map((x) => x.args[0].input.ResourceARN)).toContain(
      arn('declared.v1'),
    );
    answers[0]?.();
    const r = await read;
    expect(r.streams.map((x) => x.name)).toEqual(['declared.v1', 'tagged.v1']);
    expect(r.streams[0]?.resourcePolicy).toEqual(policy);
  });

  it('reads the first declared streams before ListStreams answers, under the ARN Kinesis gives them', async () => {
    tagging.on(GetResourcesCommand).resolves({ ResourceTagMappingList: [] });
    const listings = heldListing('declared.v1');
    const read = readKinesisAccount(pool(), A, options);
    for (let i = 0; i < 20 && kinesis.commandCalls(DescribeStreamSummaryCommand).length === 0; i++)
      await new Promise((r) => setImmediate(r));
    expect(listings).toHaveLength(1);
    expect(kinesis.commandCalls(GetResourcePolicyCommand).map((x) => x.args[0].input.ResourceARN)).toEqual([
      arn('declared.v1'),
    ]);
    listings[0]?.();
    const r = await read;
    expect(r.streams.map((x) => [x.name, x.resourcePolicy])).toEqual([['declared.v1', policy]]);
    // Read once: the early read is the stream's read.
    expect(kinesis.commandCalls(DescribeStreamSummaryCommand)).toHaveLength(1);
    expect(
      kinesis.commandCalls(GetResourcePolicyCommand).filter((x) => x.args[0].input.ResourceARN === arn('declared.v1')),
    ).toHaveLength(1);
  });

  it('starts at most four declared streams before the listing, drops those it lacks, and no call outlives the read', async () => {
    tagging.on(GetResourcesCommand).resolves({ ResourceTagMappingList: [] });
    const names = Array.from({ length: 10 }, (_, i) => `s${i}.v1`);
    const notFound = () => new ResourceNotFoundException({ message: 'not found', $metadata: {} });
    const late: (() => void)[] = [];
    kinesis.on(DescribeStreamSummaryCommand).callsFake(
      (input: { StreamName: string }) =>
        new Promise((resolve, reject) => {
          // s0 exists; the others were never created. s3's answer comes after the listing's.
          const answer = () =>
            input.StreamName === 's0.v1'
              ? resolve({ StreamDescriptionSummary: { ...summary('s0.v1'), ConsumerCount: 0 } })
              : reject(notFound());
          if (input.StreamName === 's3.v1') late.push(answer);
          else answer();
        }),
    );
    kinesis.on(GetResourcePolicyCommand).rejects(notFound());
    const listings = heldListing('s0.v1');
    let settled = false;
    const read = readKinesisAccount(pool(), A, { ...options, declared: new Set(names) }).finally(() => {
      settled = true;
    });
    for (let i = 0; i < 20 && kinesis.commandCalls(DescribeStreamSummaryCommand).length < 4; i++)
      await new Promise((r) => setImmediate(r));
    expect(kinesis.commandCalls(DescribeStreamSummaryCommand).map((x) => x.args[0].input.StreamName)).toEqual([
      's0.v1',
      's1.v1',
      's2.v1',
      's3.v1',
    ]);
    listings[0]?.();
    for (let i = 0; i < 20; i++) await new Promise((r) => setImmediate(r));
    // s3's early read is still in flight: the read waits for it.
    expect(settled).toBe(false);
    late[0]?.();
    const r = await read;
    expect(r.streams.map((x) => x.name)).toEqual(['s0.v1']);
    // Only listed streams are read after the listing: no call for s4..s9.
    expect(kinesis.commandCalls(DescribeStreamSummaryCommand)).toHaveLength(4);
  });

  it('fails the read when ListStreams fails, once the early reads have ended', async () => {
    const listings: ((e: Error) => void)[] = [];
    kinesis.on(ListStreamsCommand).callsFake(() => new Promise((_, reject) => listings.push(reject)));
    const answers: (() => void)[] = [];
    kinesis.on(DescribeStreamSummaryCommand).callsFake(
      () =>
        new Promise((resolve) => {
          answers.push(() => resolve({ StreamDescriptionSummary: { ...summary('declared.v1'), ConsumerCount: 0 } }));
        }),
    );
    let settled = false;
    const read = readKinesisAccount(pool(), A, options).then(
      () => {
        settled = true;
        return undefined;
      },
      (e: unknown) => {
        settled = true;
        return e;
      },
    );
    for (let i = 0; i < 20 && (answers.length === 0 || listings.length === 0); i++)
      await new Promise((r) => setImmediate(r));
    listings[0]?.(Object.assign(new Error('denied'), { name: 'AccessDeniedException' }));
    for (let i = 0; i < 20; i++) await new Promise((r) => setImmediate(r));
    expect(settled).toBe(false);
    answers[0]?.();
    expect(String(await read)).toMatch(/ListStreams/);
  });

  it('leaves no unhandled rejection when ListStreams fails after an early read started the consumer paging', async () => {
    tagging.on(GetResourcesCommand).resolves({ ResourceTagMappingList: [] });
    let fail: ((e: Error) => void) | undefined;
    kinesis.on(ListStreamsCommand).callsFake(() => new Promise((_, reject) => (fail = reject)));
    // The early read's summary counts a consumer: the consumer tag paging starts alongside its ListStreamConsumers,
    // which answers only after the listing has failed.
    kinesis
      .on(ListStreamConsumersCommand)
      .callsFake(() => new Promise((resolve) => setTimeout(() => resolve({ Consumers: [] }), 30)));
    const unhandled: unknown[] = [];
    const onUnhandled = (e: unknown) => unhandled.push(e);
    process.on('unhandledRejection', onUnhandled);
    try {
      const read = readKinesisAccount(pool(), A, options).catch((e: unknown) => e);
      for (let i = 0; i < 20 && kinesis.commandCalls(ListStreamConsumersCommand).length === 0; i++)
        await new Promise((r) => setImmediate(r));
      expect(kinesis.commandCalls(ListStreamConsumersCommand)).toHaveLength(1);
      fail?.(Object.assign(new Error('denied'), { name: 'AccessDeniedException' }));
      expect(String(await read)).toMatch(/ListStreams/);
      expect(unhandled).toEqual([]);
    } finally {
      process.off('unhandledRejection', onUnhandled);
    }
  });

  it('reads a declared stream again when it was created while ListStreams was answering', async () => {
    tagging.on(GetResourcesCommand).resolves({ ResourceTagMappingList: [] });
    let created = false;
    kinesis.on(ListStreamsCommand).callsFake(async () => {
      await new Promise((r) => setTimeout(r, 10));
      created = true;
      return { StreamNames: ['declared.v1'], HasMoreStreams: false, StreamSummaries: [summary('declared.v1')] };
    });
    kinesis.on(DescribeStreamSummaryCommand).callsFake(() => {
      if (!created) throw new ResourceNotFoundException({ message: 'not found', $metadata: {} });
      return { StreamDescriptionSummary: { ...summary('declared.v1'), ConsumerCount: 0 } };
    });
    const r = await readKinesisAccount(pool(), A, options);
    expect(r.streams.map((x) => x.name)).toEqual(['declared.v1']);
    expect(kinesis.commandCalls(DescribeStreamSummaryCommand)).toHaveLength(2);
  });

  it('does not take an early read made under another ARN than the listed one', async () => {
    tagging.on(GetResourcesCommand).resolves({ ResourceTagMappingList: [] });
    const listedArn = 'arn:aws:kinesis:eu-west-1:000000000000:stream/declared.v1';
    kinesis.on(ListStreamsCommand).resolves({
      StreamNames: ['declared.v1'],
      HasMoreStreams: false,
      StreamSummaries: [{ ...summary('declared.v1'), StreamARN: listedArn }],
    });
    // An emulator's summary without an ARN: the stream's ARN is the one it was read under.
    kinesis.on(DescribeStreamSummaryCommand).resolves({
      StreamDescriptionSummary: {
        ...summary('declared.v1'),
        StreamARN: undefined,
        RetentionPeriodHours: 24,
        EnhancedMonitoring: [],
        OpenShardCount: 1,
        ConsumerCount: 0,
      },
    });
    kinesis.on(GetResourcePolicyCommand).resolves({ Policy: '{}' });
    const r = await readKinesisAccount(pool(), A, options);
    expect(r.streams.map((x) => x.arn)).toEqual([listedArn]);
    expect(kinesis.commandCalls(GetResourcePolicyCommand).map((x) => x.args[0].input.ResourceARN)).toContain(listedArn);
  });

  it('fails a GetResourcePolicy answer nested deeper than any policy, naming the call and the account', async () => {
    kinesis.on(GetResourcePolicyCommand).resolves({ Policy: nested(3_000) });
    const e = await getPolicy(pool(), A, arn('declared.v1')).catch((x: unknown) => x);
    expect(String(e)).toMatch(/GetResourcePolicy.*111111111111.*nests deeper than 64 levels/);
  });

  it('declares exactly the IAM actions it calls', async () => {
    tagging.on(GetResourcesCommand).rejects(Object.assign(new Error('denied'), { name: 'AccessDeniedException' }));
    await readKinesisAccount(pool(), A, options);
    expect(actions()).toEqual([...KINESIS_READER_IAM_ACTIONS]);
  });
});

describe('ListStreamConsumers paging', () => {
  it('follows NextToken after a full page and stops after a short page even when a token is returned', async () => {
    kinesis.reset();
    const streamArn = arn('declared.v1');
    const consumer = (i: number) => ({
      ConsumerName: `c${i}`,
      ConsumerARN: `${streamArn}/consumer/c${i}:1`,
      ConsumerStatus: 'ACTIVE' as const,
      ConsumerCreationTimestamp: created,
    });
    kinesis.on(ListStreamsCommand).resolves({ StreamNames: ['declared.v1'], HasMoreStreams: false });
    kinesis.on(DescribeStreamSummaryCommand).resolves({
      StreamDescriptionSummary: {
        StreamName: 'declared.v1',
        StreamARN: streamArn,
        StreamStatus: 'ACTIVE',
        RetentionPeriodHours: 24,
        StreamCreationTimestamp: created,
        EnhancedMonitoring: [],
        EncryptionType: 'NONE',
        OpenShardCount: 1,
        ConsumerCount: 101,
      },
    });
    kinesis.on(ListTagsForResourceCommand).resolves({ Tags: [] });
    kinesis.on(GetResourcePolicyCommand).resolves({ Policy: '' });
    kinesis
      .on(ListStreamConsumersCommand)
      .resolvesOnce({ Consumers: Array.from({ length: 100 }, (_, i) => consumer(i)), NextToken: 'next' })
      .resolvesOnce({ Consumers: [consumer(100)], NextToken: 'c100' });
    tagging.on(GetResourcesCommand).rejects(new Error('no tagging API'));
    const r = await readKinesisAccount(pool(), A, options);
    expect(r.streams[0]?.consumers).toHaveLength(101);
    expect(kinesis.commandCalls(ListStreamConsumersCommand).map((c) => c.args[0].input.NextToken)).toEqual([
      undefined,
      'next',
    ]);
  });
});

describe('consumer tags through the tagging API (kinesis:stream/consumer)', () => {
  const S = 'orders.v1';
  const streamArn = arn(S);
  const consumerArn = (name: string, at = 1700000000, stream = streamArn) => `${stream}/consumer/${name}:${at}`;
  const NAMES = ['alpha', 'beta', 'gamma'];
  const managed = [
    { Key: 'meshgov:managed-by', Value: 'meshgov' },
    { Key: 'meshgov:mesh', Value: 'm' },
  ];
  const mapping = (resourceArn: string, team: string) => ({
    ResourceARN: resourceArn,
    Tags: [...managed, { Key: 'team', Value: team }],
  });
  const consumerOptions = { ...options, declared: new Set([S]) };
  const described = (consumers: number) => ({
    ...summary(S),
    RetentionPeriodHours: 24,
    OpenShardCount: 1,
    EnhancedMonitoring: [],
    ConsumerCount: consumers,
  });

  /** One declared stream with three consumers; ListTagsForResource answers "lt" tags, so their source shows. */
  beforeEach(() => {
    kinesis.reset();
    kinesis.on(ListStreamsCommand).resolves({ StreamNames: [S], HasMoreStreams: false });
    kinesis.on(DescribeStreamSummaryCommand).resolves({
      StreamDescriptionSummary: described(3),
    });
    kinesis.on(ListStreamConsumersCommand).resolves({
      Consumers: NAMES.map((n) => ({
        ConsumerName: n,
        ConsumerARN: consumerArn(n),
        ConsumerStatus: 'ACTIVE' as const,
        ConsumerCreationTimestamp: created,
      })),
    });
    kinesis.on(GetResourcePolicyCommand).rejects(new ResourceNotFoundException({ message: 'none', $metadata: {} }));
    kinesis.on(ListTagsForResourceCommand).resolves({ Tags: [...managed, { Key: 'team', Value: 'lt' }] });
    tagging.on(GetResourcesCommand, STREAM_FILTER).resolves({
      ResourceTagMappingList: [mapping(streamArn, 'stream')],
      PaginationToken: '',
    });
  });

  const tagCalls = () => kinesis.commandCalls(ListTagsForResourceCommand).map((c) => c.args[0].input.ResourceARN);
  const pagings = () => tagging.commandCalls(GetResourcesCommand).map((c) => c.args[0].input);
  const teams = (r: Awaited<ReturnType<typeof readKinesisAccount>>) =>
    r.streams[0]?.consumers.map((c) => `${c.name}=${c.tags['team']}`);

  it('takes every listed consumer from the consumer paging: no ListTagsForResource at all', async () => {
    tagging.on(GetResourcesCommand, CONSUMER_FILTER).resolves({
      ResourceTagMappingList: NAMES.map((n) => mapping(consumerArn(n), `page-${n}`)),
    });
    const r = await readKinesisAccount(pool(), A, consumerOptions);
    expect(teams(r)).toEqual(['alpha=page-alpha', 'beta=page-beta', 'gamma=page-gamma']);
    expect(r.streams[0]?.tags['team']).toBe('stream');
    expect(tagCalls()).toEqual([]);
    expect(pagings()).toEqual([
      { ResourceTypeFilters: ['kinesis:stream'], ResourcesPerPage: 100 },
      { ResourceTypeFilters: ['kinesis:stream/consumer'], ResourcesPerPage: 100 },
    ]);
    // Policies are still read per consumer: the tagging API carries no policies.
    expect(kinesis.commandCalls(GetResourcePolicyCommand)).toHaveLength(1 + NAMES.length);
  });

  it('reads a consumer the pages do not list (untagged, or not indexed yet) with ListTagsForResource, only that one', async () => {
    tagging.on(GetResourcesCommand, CONSUMER_FILTER).resolves({
      ResourceTagMappingList: [mapping(consumerArn('alpha'), 'page'), mapping(consumerArn('gamma'), 'page')],
    });
    const r = await readKinesisAccount(pool(), A, consumerOptions);
    expect(teams(r)).toEqual(['alpha=page', 'beta=lt', 'gamma=page']);
    expect(tagCalls()).toEqual([consumerArn('beta')]);
  });

  it('falls back to ListTagsForResource per consumer when the filter is refused; stream tags still come from the first paging', async () => {
    tagging.on(GetResourcesCommand, CONSUMER_FILTER).rejects(
      new InvalidParameterException({
        message: 'kinesis:stream/consumer is not a supported resource type',
        $metadata: { httpStatusCode: 400 },
      }),
    );
    const r = await readKinesisAccount(pool(), A, consumerOptions);
    expect(r.usedTaggingApi).toBe(true);
    expect(r.streams[0]?.tags['team']).toBe('stream');
    expect(teams(r)).toEqual(['alpha=lt', 'beta=lt', 'gamma=lt']);
    expect(tagCalls().sort()).toEqual(NAMES.map((n) => consumerArn(n)));
    expect(pagings().map((i) => i.ResourceTypeFilters)).toEqual([['kinesis:stream'], ['kinesis:stream/consumer']]);
  });

  it('follows PaginationToken through the consumer paging and stops at an empty-string token', async () => {
    tagging
      .on(GetResourcesCommand, { ...CONSUMER_FILTER, PaginationToken: undefined })
      .resolves({ ResourceTagMappingList: [mapping(consumerArn('alpha'), 'p1')], PaginationToken: 'page-2' });
    tagging
      .on(GetResourcesCommand, { ...CONSUMER_FILTER, PaginationToken: 'page-2' })
      .resolves({ ResourceTagMappingList: [mapping(consumerArn('beta'), 'p2')], PaginationToken: 'page-3' });
    tagging
      .on(GetResourcesCommand, { ...CONSUMER_FILTER, PaginationToken: 'page-3' })
      .resolves({ ResourceTagMappingList: [mapping(consumerArn('gamma'), 'p3')], PaginationToken: '' });
    const r = await readKinesisAccount(pool(), A, consumerOptions);
    expect(teams(r)).toEqual(['alpha=p1', 'beta=p2', 'gamma=p3']);
    expect(tagCalls()).toEqual([]);
    expect(pagings().slice(1)).toEqual([
      { ResourceTypeFilters: ['kinesis:stream/consumer'], ResourcesPerPage: 100 },
      { ResourceTypeFilters: ['kinesis:stream/consumer'], ResourcesPerPage: 100, PaginationToken: 'page-2' },
      { ResourceTypeFilters: ['kinesis:stream/consumer'], ResourcesPerPage: 100, PaginationToken: 'page-3' },
    ]);
  });

  it('distrusts a consumer paging whose token repeats: every consumer falls back, nothing from those pages is used', async () => {
    tagging.on(GetResourcesCommand, CONSUMER_FILTER).resolves({
      ResourceTagMappingList: NAMES.map((n) => mapping(consumerArn(n), 'loop')),
      PaginationToken: 'again',
    });
    const r = await readKinesisAccount(pool(), A, consumerOptions);
    expect(teams(r)).toEqual(['alpha=lt', 'beta=lt', 'gamma=lt']);
    expect(tagCalls()).toHaveLength(NAMES.length);
    expect(pagings()).toHaveLength(1 + 2);
  });

  it('gives up on a consumer paging that does not end (1,000 pages, every token new): every consumer falls back', async () => {
    let n = 0;
    tagging.on(GetResourcesCommand, CONSUMER_FILTER).callsFake(() => ({
      ResourceTagMappingList: NAMES.map((c) => mapping(consumerArn(c), 'endless')),
      PaginationToken: `t${++n}`,
    }));
    const r = await readKinesisAccount(pool(), A, consumerOptions);
    expect(teams(r)).toEqual(['alpha=lt', 'beta=lt', 'gamma=lt']);
    expect(n).toBe(1000);
  });

  it("never lends another consumer's tags: ARNs of another account, another stream or an earlier registration are ignored", async () => {
    const hostile = [
      // The same stream and consumer names in another account.
      mapping(consumerArn('alpha', 1700000000, `arn:aws:kinesis:eu-west-1:999999999999:stream/${S}`), 'other-account'),
      // Another stream of this account with a consumer of the same name.
      mapping(consumerArn('alpha', 1700000000, arn('payments.v1')), 'other-stream'),
      // An earlier registration of this very consumer (deregistered, registered again: a new ARN), still indexed.
      mapping(consumerArn('alpha', 1600000000), 'earlier-registration'),
      // This account's stream ARN itself: a consumer paging does not set stream tags.
      mapping(streamArn, 'from-consumer-paging'),
    ];
    tagging.on(GetResourcesCommand, CONSUMER_FILTER).resolves({
      ResourceTagMappingList: [...hostile, mapping(consumerArn('beta'), 'page'), mapping(consumerArn('gamma'), 'page')],
    });
    const r = await readKinesisAccount(pool(), A, consumerOptions);
    expect(teams(r)).toEqual(['alpha=lt', 'beta=page', 'gamma=page']);
    expect(tagCalls()).toEqual([consumerArn('alpha')]);
    expect(r.streams[0]?.tags['team']).toBe('stream');
  });

  it('starts no consumer paging when no managed stream counts a consumer, nor when the stream paging failed', async () => {
    tagging.on(GetResourcesCommand, CONSUMER_FILTER).resolves({ ResourceTagMappingList: [] });
    kinesis.on(DescribeStreamSummaryCommand).resolves({
      StreamDescriptionSummary: described(0),
    });
    await readKinesisAccount(pool(), A, consumerOptions);
    expect(pagings()).toEqual([{ ResourceTypeFilters: ['kinesis:stream'], ResourcesPerPage: 100 }]);

    tagging.resetHistory();
    kinesis.on(DescribeStreamSummaryCommand).resolves({
      StreamDescriptionSummary: described(3),
    });
    tagging
      .on(GetResourcesCommand, STREAM_FILTER)
      .rejects(
        Object.assign(new Error('not authorized to perform: tag:GetResources'), { name: 'AccessDeniedException' }),
      );
    const r = await readKinesisAccount(pool(), A, consumerOptions);
    expect(r.usedTaggingApi).toBe(false);
    expect(pagings()).toEqual([{ ResourceTypeFilters: ['kinesis:stream'], ResourcesPerPage: 100 }]);
    expect(teams(r)).toEqual(['alpha=lt', 'beta=lt', 'gamma=lt']);
  });
});
