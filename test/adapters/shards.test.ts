import { KinesisClient, ListShardsCommand } from '@aws-sdk/client-kinesis';
import { mockClient } from 'aws-sdk-client-mock';
import { describe, expect, it } from 'vitest';
import { listOpenShards } from '../../src/adapters/aws/shards.js';

describe('listOpenShards', () => {
  it('pages with NextToken only and skips closed shards', async () => {
    const kinesis = mockClient(KinesisClient);
    kinesis
      .on(ListShardsCommand, { StreamName: 'orders' })
      .resolves({ Shards: [
        { ShardId: 'shardId-000000000000', HashKeyRange: { StartingHashKey: '0', EndingHashKey: '1' }, SequenceNumberRange: { StartingSequenceNumber: '1', EndingSequenceNumber: '9' } },
        { ShardId: 'shardId-000000000001', HashKeyRange: { StartingHashKey: '0', EndingHashKey: '1' }, SequenceNumberRange: { StartingSequenceNumber: '10' } },
      ], NextToken: 'page-2' })
      .on(ListShardsCommand, { NextToken: 'page-2' })
      .resolves({ Shards: [{ ShardId: 'shardId-000000000002', HashKeyRange: { StartingHashKey: '2', EndingHashKey: '3' }, SequenceNumberRange: { StartingSequenceNumber: '11' } }] });
    const ids = await listOpenShards(new KinesisClient({ region: 'eu-west-1' }), 'orders');
    expect(ids).toEqual(['shardId-000000000001', 'shardId-000000000002']);
    expect(kinesis.commandCalls(ListShardsCommand).map((c) => c.args[0].input)).toEqual([{ StreamName: 'orders' }, { NextToken: 'page-2' }]);
    kinesis.restore();
  });
});
