/**
 * ListShards' ShardFilter on kinesis-local (slow: starts the emulator): a split closes the parent; FROM_TIMESTAMP
 * before the split lists it (closed) with its children, FROM_TIMESTAMP after the split leaves it out.
 */
import { CreateStreamCommand, SplitShardCommand } from '@aws-sdk/client-kinesis';
import { describe, expect, it } from 'vitest';
import { listOpenShards, listWindowShards } from '../../src/adapters/aws/shards.js';
import { useKinesisLocal } from '../support/kinesis-local.js';

const kl = useKinesisLocal();
const ACCOUNT = '111111111111';

describe('listWindowShards on kinesis-local', () => {
  it('lists a parent closed by a split only when the window starts before the split', async () => {
    const c = kl.client(ACCOUNT);
    await c.send(new CreateStreamCommand({ StreamName: 'resharded', ShardCount: 1 }));
    await kl.waitActive(ACCOUNT, 'resharded');
    const beforeSplit = new Date(Date.now() - 1000);
    await c.send(
      new SplitShardCommand({
        StreamName: 'resharded',
        ShardToSplit: 'shardId-000000000000',
        NewStartingHashKey: '170141183460469231731687303715884105728',
      }),
    );
    await kl.waitActive(ACCOUNT, 'resharded');
    // Closed-shard end timestamps are kept at millisecond precision; step well past the split.
    await new Promise((res) => setTimeout(res, 1500));
    const afterSplit = new Date();

    const before = await listWindowShards(c, 'resharded', beforeSplit);
    expect(before).toEqual([
      { shardId: 'shardId-000000000000', closed: true },
      { shardId: 'shardId-000000000001', closed: false },
      { shardId: 'shardId-000000000002', closed: false },
    ]);
    const after = await listWindowShards(c, 'resharded', afterSplit);
    expect(after.map((s) => s.shardId)).toEqual(['shardId-000000000001', 'shardId-000000000002']);
    expect(await listOpenShards(c, 'resharded')).toEqual(['shardId-000000000001', 'shardId-000000000002']);
  }, 60_000);
});
