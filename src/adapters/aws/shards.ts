import { ListShardsCommand } from '@aws-sdk/client-kinesis';
import type { KinesisClient } from '@aws-sdk/client-kinesis';
import { AdapterError } from './errors.js';

/** IAM actions `listOpenShards` and `listWindowShards` need (granted to the governance and read-only roles). */
export const SHARDS_IAM_ACTIONS = ['kinesis:ListShards'] as const;

const LIST_SHARDS_DOCS = 'https://docs.aws.amazon.com/kinesis/latest/APIReference/API_ListShards.html';

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
    for (const s of out.Shards ?? [])
      if (s.ShardId && !s.SequenceNumberRange?.EndingSequenceNumber) ids.push(s.ShardId);
    token = out.NextToken;
  } while (token);
  return ids;
}

/** A shard that was open at some time in an audit window. */
export interface WindowShard {
  shardId: string;
  /** Closed by a reshard (split or merge) before now: its SequenceNumberRange has an EndingSequenceNumber. */
  closed: boolean;
}

/**
 * Every shard of a stream that was open at any time since `from` (the audit window's start), so a parent closed by
 * a split mid-window keeps its metrics in the audit. `ShardFilter` FROM_TIMESTAMP returns "all closed shards whose
 * end timestamp is greater than or equal to the given timestamp and also all open shards" (corrected to the trim
 * horizon when older). Like StreamName, the filter goes on the first page only: later pages carry just NextToken.
 * https://docs.aws.amazon.com/kinesis/latest/APIReference/API_ShardFilter.html
 */
export async function listWindowShards(
  client: KinesisClient,
  stream: string,
  from: Date,
  account?: string,
): Promise<WindowShard[]> {
  const shards: WindowShard[] = [];
  const seen = new Set<string>();
  const tokens = new Set<string>();
  let token: string | undefined;
  do {
    const input = token
      ? { NextToken: token }
      : { StreamName: stream, ShardFilter: { Type: 'FROM_TIMESTAMP' as const, Timestamp: from } };
    const out = await client.send(new ListShardsCommand(input));
    for (const s of out.Shards ?? []) {
      // A repeated id (a service retrying a page) must not be read twice: CloudWatch query ids would collide.
      if (!s.ShardId || seen.has(s.ShardId)) continue;
      seen.add(s.ShardId);
      shards.push({ shardId: s.ShardId, closed: Boolean(s.SequenceNumberRange?.EndingSequenceNumber) });
    }
    token = out.NextToken;
    // A token seen before would page forever (a faulty endpoint or stand-in): stop with a located error.
    if (token !== undefined && tokens.has(token)) {
      throw new AdapterError(
        `ListShards for ${stream} returned a NextToken it had already returned; stopped paging ` +
          `(${LIST_SHARDS_DOCS})`,
        'kinesis',
        'ListShards',
        account,
        undefined,
      );
    }
    if (token !== undefined) tokens.add(token);
  } while (token);
  return shards;
}
