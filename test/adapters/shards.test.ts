import { KinesisClient, ListShardsCommand } from '@aws-sdk/client-kinesis';
import { mockClient } from 'aws-sdk-client-mock';
import { describe, expect, it } from 'vitest';
import { AdapterError } from '../../src/adapters/aws/errors.js';
import { listOpenShards, listWindowShards } from '../../src/adapters/aws/shards.js';

describe('listOpenShards', () => {
  it('pages with NextToken only and skips closed shards', async () => {
    const kinesis = mockClient(KinesisClient);
    kinesis
      .on(ListShardsCommand, { StreamName: 'orders' })
      .resolves({
        Shards: [
          {
            ShardId: 'shardId-000000000000',
            HashKeyRange: { StartingHashKey: '0', EndingHashKey: '1' },
            SequenceNumberRange: { StartingSequenceNumber: '1', EndingSequenceNumber: '9' },
          },
          {
            ShardId: 'shardId-000000000001',
            HashKeyRange: { StartingHashKey: '0', EndingHashKey: '1' },
            SequenceNumberRange: { StartingSequenceNumber: '10' },
          },
        ],
        NextToken: 'page-2',
      })
      .on(ListShardsCommand, { NextToken: 'page-2' })
      .resolves({
        Shards: [
          {
            ShardId: 'shardId-000000000002',
            HashKeyRange: { StartingHashKey: '2', EndingHashKey: '3' },
            SequenceNumberRange: { StartingSequenceNumber: '11' },
          },
        ],
      });
    const ids = await listOpenShards(new KinesisClient({ region: 'eu-west-1' }), 'orders');
    expect(ids).toEqual(['shardId-000000000001', 'shardId-000000000002']);
    expect(kinesis.commandCalls(ListShardsCommand).map((c) => c.args[0].input)).toEqual([
      { StreamName: 'orders' },
      { NextToken: 'page-2' },
    ]);
    kinesis.restore();
  });
});

describe('listWindowShards', () => {
  const FROM = new Date('2026-11-25T03:00:00.000Z');
  // A recorded-shape answer (API_ListShards response syntax) after a split of shard 0 into 1 and 2: the parent has
  // an EndingSequenceNumber, the children name it as ParentShardId.
  const parent = {
    ShardId: 'shardId-000000000000',
    HashKeyRange: { StartingHashKey: '0', EndingHashKey: '340282366920938463463374607431768211455' },
    SequenceNumberRange: {
      StartingSequenceNumber: '49656976430412460893413981186435374622186393386446405634',
      EndingSequenceNumber: '49656976430423611265913246496990434245416458346046504962',
    },
  };
  const child = (n: number, start: string, end: string) => ({
    ShardId: `shardId-00000000000${n}`,
    ParentShardId: 'shardId-000000000000',
    HashKeyRange: { StartingHashKey: start, EndingHashKey: end },
    SequenceNumberRange: { StartingSequenceNumber: `4965697706245591856870237713437934855282829898094637${n}` },
  });

  it('asks for every shard open since the window start, and marks the closed parent', async () => {
    const kinesis = mockClient(KinesisClient);
    kinesis.on(ListShardsCommand).resolves({
      Shards: [
        parent,
        child(1, '0', '170141183460469231731687303715884105727'),
        child(2, '170141183460469231731687303715884105728', '340282366920938463463374607431768211455'),
      ],
    });
    const shards = await listWindowShards(new KinesisClient({ region: 'eu-west-1' }), 'orders', FROM);
    expect(shards).toEqual([
      { shardId: 'shardId-000000000000', closed: true },
      { shardId: 'shardId-000000000001', closed: false },
      { shardId: 'shardId-000000000002', closed: false },
    ]);
    expect(kinesis.commandCalls(ListShardsCommand).map((c) => c.args[0].input)).toEqual([
      { StreamName: 'orders', ShardFilter: { Type: 'FROM_TIMESTAMP', Timestamp: FROM } },
    ]);
    kinesis.restore();
  });

  it('sends the filter on the first page only (NextToken excludes StreamName and ShardFilter)', async () => {
    const kinesis = mockClient(KinesisClient);
    kinesis
      .on(ListShardsCommand, { StreamName: 'orders' })
      .resolves({ Shards: [parent], NextToken: 'page-2' })
      .on(ListShardsCommand, { NextToken: 'page-2' })
      .resolves({ Shards: [child(1, '0', '1'), parent] });
    const shards = await listWindowShards(new KinesisClient({ region: 'eu-west-1' }), 'orders', FROM);
    // The parent repeated on page 2 is kept once: CloudWatch query ids must not collide.
    expect(shards.map((s) => s.shardId)).toEqual(['shardId-000000000000', 'shardId-000000000001']);
    const inputs = kinesis.commandCalls(ListShardsCommand).map((c) => c.args[0].input);
    expect(inputs[1]).toEqual({ NextToken: 'page-2' });
    kinesis.restore();
  });

  it('stops with a located adapter error when the service cycles through NextTokens (never pages forever)', async () => {
    const kinesis = mockClient(KinesisClient);
    kinesis
      .on(ListShardsCommand, { StreamName: 'orders' })
      .resolves({ Shards: [parent], NextToken: 'a' })
      .on(ListShardsCommand, { NextToken: 'a' })
      .resolves({ Shards: [], NextToken: 'b' })
      .on(ListShardsCommand, { NextToken: 'b' })
      .resolves({ Shards: [], NextToken: 'a' });
    const read = listWindowShards(new KinesisClient({ region: 'eu-west-1' }), 'orders', FROM, '111111111111');
    await expect(read).rejects.toBeInstanceOf(AdapterError);
    await expect(read).rejects.toMatchObject({
      message: expect.stringMatching(/ListShards for orders returned a NextToken it had already returned/) as unknown,
      service: 'kinesis',
      operation: 'ListShards',
      account: '111111111111',
    });
    expect(kinesis.commandCalls(ListShardsCommand)).toHaveLength(3);
    kinesis.restore();
  });
});
