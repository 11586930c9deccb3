/**
 * The baseline for the plan benchmark: the same Kinesis read calls meshgov's live reader makes, with the same
 * concurrency (10 accounts at once, 8 streams at once per account) and the same HTTP/1.1 keep-alive pool, straight
 * through the SDK: no rate limiter, no retry wrapper, no error mapping, no model, no diff. What is left is what any
 * reader pays for the calls themselves, so meshgov's time divided by this one is its own overhead.
 */
import {
  DescribeStreamSummaryCommand,
  GetResourcePolicyCommand,
  KinesisClient,
  ListStreamConsumersCommand,
  ListStreamsCommand,
  ListTagsForResourceCommand,
} from '@aws-sdk/client-kinesis';
import { GetResourcesCommand, ResourceGroupsTaggingAPIClient } from '@aws-sdk/client-resource-groups-tagging-api';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { Agent } from 'node:http';

export interface MinimalReadRequest {
  endpoint: string;
  region: string;
  accounts: readonly string[];
  /** Declared stream names per account: these are read in full; others only listed (and their tags read). */
  declared: ReadonlyMap<string, ReadonlySet<string>>;
  accountConcurrency?: number;
  streamConcurrency?: number;
}

export interface MinimalReadResult {
  streams: number;
  consumers: number;
  calls: Record<string, number>;
}

async function pool<T>(items: readonly T[], limit: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await fn(items[next++] as T);
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker));
}

export async function minimalRead(req: MinimalReadRequest): Promise<MinimalReadResult> {
  const handler = new NodeHttpHandler({ httpAgent: new Agent({ keepAlive: true, maxSockets: 64 }) });
  const calls: Record<string, number> = {};
  const clients: { destroy(): void }[] = [];
  const count = (client: KinesisClient | ResourceGroupsTaggingAPIClient) => {
    (client.middlewareStack as unknown as { add(mw: unknown, opts: unknown): void }).add(
      (next: (a: unknown) => Promise<unknown>, ctx: { commandName?: string }) => (args: unknown) => {
        const op = (ctx.commandName ?? '').replace(/Command$/, '');
        calls[op] = (calls[op] ?? 0) + 1;
        return next(args);
      },
      { step: 'initialize', name: 'benchCount' },
    );
    clients.push(client);
    return client;
  };
  let streams = 0;
  let consumers = 0;
  try {
    await pool(req.accounts, req.accountConcurrency ?? 10, async (account) => {
      const cfg = {
        region: req.region,
        endpoint: req.endpoint,
        requestHandler: handler,
        credentials: { accessKeyId: account, secretAccessKey: 'x' },
      };
      const k = count(new KinesisClient(cfg)) as KinesisClient;
      const tagging = count(new ResourceGroupsTaggingAPIClient(cfg)) as ResourceGroupsTaggingAPIClient;
      const listed: { name: string; arn: string }[] = [];
      let token: string | undefined;
      let after: string | undefined;
      for (;;) {
        const page = await k.send(
          new ListStreamsCommand(
            token ? { NextToken: token } : { Limit: 100, ...(after ? { ExclusiveStartStreamName: after } : {}) },
          ),
        );
        const names = page.StreamNames ?? [];
        for (const name of names) listed.push({ name, arn: `arn:aws:kinesis:${req.region}:${account}:stream/${name}` });
        if (!page.HasMoreStreams || names.length === 0) break;
        token = page.NextToken;
        after = names[names.length - 1];
      }
      // Tags: the tagging API first; on an endpoint without it, one ListTagsForResource per stream.
      let viaApi = true;
      try {
        await tagging.send(new GetResourcesCommand({ ResourceTypeFilters: ['kinesis:stream'], ResourcesPerPage: 100 }));
      } catch {
        viaApi = false;
      }
      if (!viaApi)
        await pool(
          listed,
          req.streamConcurrency ?? 8,
          async (s) => void (await k.send(new ListTagsForResourceCommand({ ResourceARN: s.arn }))),
        );
      const declared = req.declared.get(account) ?? new Set<string>();
      const managed = listed.filter((s) => declared.has(s.name));
      await pool(managed, req.streamConcurrency ?? 8, async (s) => {
        const d = (await k.send(new DescribeStreamSummaryCommand({ StreamName: s.name }))).StreamDescriptionSummary;
        streams++;
        const readConsumers = async () => {
          if (d?.ConsumerCount === 0) return;
          const list =
            (await k.send(new ListStreamConsumersCommand({ StreamARN: s.arn, MaxResults: 100 }))).Consumers ?? [];
          for (const c of list) {
            consumers++;
            await Promise.all([
              k.send(new ListTagsForResourceCommand({ ResourceARN: c.ConsumerARN })),
              k.send(new GetResourcePolicyCommand({ ResourceARN: c.ConsumerARN })).catch(() => undefined),
            ]);
          }
        };
        await Promise.all([
          k.send(new GetResourcePolicyCommand({ ResourceARN: s.arn })).catch(() => undefined),
          readConsumers(),
        ]);
      });
    });
  } finally {
    for (const c of clients) c.destroy();
    handler.destroy();
  }
  return { streams, consumers, calls };
}
