import { ListShardsCommand } from '@aws-sdk/client-kinesis';
import type { KinesisClient } from '@aws-sdk/client-kinesis';

/** IAM actions `listOpenShards` needs (granted to the governance and read-only roles). */
export const SHARDS_IAM_ACTIONS = ['kinesis:ListShards'] as const;

/**
 * Open shard ids of a stream (closed shards carry an EndingSequenceNumber), for per-shard metrics.
 * ListShards takes the stream name only on the first page; later pages carry just the NextToken.
 * https://docs.aws.amazon.com/kinesis/latest/APIReference/API_ListShards.html
 */
export async function listOpenShards(client: KinesisClient, stream: string): Promise<string[]> {
  const ids: string[] = [];
  let token: string | undefined;
  do {
    const out = await client.send(new ListShardsCommand(token ? { NextToken: token } : { StreamName: stream }));
    for (const s of out.Shards ?? []) if (s.ShardId && !s.SequenceNumberRange?.EndingSequenceNumber) ids.push(s.ShardId);
    token = out.NextToken;
  } while (token);
  return ids;
}
