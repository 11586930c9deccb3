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
import { GetResourcesCommand, ResourceGroupsTaggingAPIClient } from '@aws-sdk/client-resource-groups-tagging-api';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ClientPool } from '../../src/adapters/aws/client-pool.js';
import { KINESIS_READER_IAM_ACTIONS, readKinesisAccount } from '../../src/adapters/aws/kinesis-reader.js';

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

function actions(): string[] {
  const k = kinesis.calls().map((c) => `kinesis:${(c.args[0] as object).constructor.name.replace(/Command$/, '')}`);
  const t = tagging.calls().map((c) => `tag:${(c.args[0] as object).constructor.name.replace(/Command$/, '')}`);
  return [...new Set([...k, ...t])].sort();
}

describe('readKinesisAccount', () => {
  it('reads tags in bulk through the tagging API, fully reads managed streams only, lists the rest', async () => {
    tagging
      .on(GetResourcesCommand)
      .resolvesOnce({
        ResourceTagMappingList: [{ ResourceARN: arn('declared.v1'), Tags: [{ Key: 'team', Value: 'a' }] }],
        PaginationToken: 'p2',
      })
      .resolvesOnce({
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
    expect(tagging.commandCalls(GetResourcesCommand)[0]?.args[0].input).toMatchObject({
      ResourceTypeFilters: ['kinesis:stream'],
    });
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
    tagging.on(GetResourcesCommand).callsFake(
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
    for (let i = 0; i < 20 && kinesis.commandCalls(GetResourcePolicyCommand).length === 0; i++)
      await new Promise((r) => setImmediate(r));
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
    for (let i = 0; i < 20 && answers.length === 0; i++) await new Promise((r) => setImmediate(r));
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
