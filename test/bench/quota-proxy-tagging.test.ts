/**
 * The quota proxy answers the Resource Groups Tagging API's GetResources for Kinesis streams and consumers like AWS
 * (kinesis-local has no tagging API): the account's tagged streams, or consumers, with their tags, paged, counted
 * and limited like any call; with `consumerFilter: false` it refuses the consumer filter as AWS refuses a parameter.
 */
import { CreateStreamCommand, RegisterStreamConsumerCommand, TagResourceCommand } from '@aws-sdk/client-kinesis';
import { GetResourcesCommand, ResourceGroupsTaggingAPIClient } from '@aws-sdk/client-resource-groups-tagging-api';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { afterAll, describe, expect, it } from 'vitest';
import { startQuotaProxy } from '../../bench/quota-proxy.js';
import type { QuotaProxy } from '../../bench/quota-proxy.js';
import { useKinesisLocal } from '../support/kinesis-local.js';

const k = useKinesisLocal();
const C = '333333333333';
const proxies: QuotaProxy[] = [];
const clients: ResourceGroupsTaggingAPIClient[] = [];

afterAll(async () => {
  for (const c of clients.splice(0)) c.destroy();
  for (const p of proxies.splice(0)) await p.close();
});

function tagging(endpoint: string): ResourceGroupsTaggingAPIClient {
  const c = new ResourceGroupsTaggingAPIClient({
    endpoint,
    region: 'eu-west-1',
    maxAttempts: 1,
    credentials: { accessKeyId: C, secretAccessKey: 'x' },
    requestHandler: new NodeHttpHandler(),
  });
  clients.push(c);
  return c;
}

const arn = (name: string) => `arn:aws:kinesis:eu-west-1:${C}:stream/${name}`;

describe('quota proxy: GetResources', () => {
  it('lists the tagged streams of the account with their tags, a page at a time, counting only GetResources', async () => {
    const direct = k.client(C);
    for (const [name, tags] of [
      ['t0', { team: 'a' }],
      ['t1', { team: 'b', tier: '1' }],
      ['untagged', undefined],
    ] as const) {
      await direct.send(new CreateStreamCommand({ StreamName: name, ShardCount: 1, ...(tags ? { Tags: tags } : {}) }));
    }
    let t = 0;
    const p = await startQuotaProxy({ upstream: k.endpoint, now: () => (t += 1000) });
    proxies.push(p);
    const c = tagging(p.endpoint);
    const first = await c.send(
      new GetResourcesCommand({ ResourceTypeFilters: ['kinesis:stream'], ResourcesPerPage: 1 }),
    );
    expect(first.ResourceTagMappingList).toHaveLength(1);
    expect(first.PaginationToken).not.toBe('');
    const second = await c.send(
      new GetResourcesCommand({
        ResourceTypeFilters: ['kinesis:stream'],
        ResourcesPerPage: 1,
        PaginationToken: first.PaginationToken,
      }),
    );
    expect(second.PaginationToken).toBe('');
    const listed = [...(first.ResourceTagMappingList ?? []), ...(second.ResourceTagMappingList ?? [])]
      .map((m) => [m.ResourceARN, Object.fromEntries((m.Tags ?? []).map((x) => [x.Key, x.Value]))])
      .sort();
    expect(listed).toEqual([
      [arn('t0'), { team: 'a' }],
      [arn('t1'), { team: 'b', tier: '1' }],
    ]);
    // Its own reads of kinesis-local are neither counted nor limited.
    expect(p.counts()[C]).toEqual({
      GetResources: expect.objectContaining({ calls: 2, throttled: 0, transitionRefused: 0 }),
    });
    // Another resource type gets nothing.
    const other = await c.send(new GetResourcesCommand({ ResourceTypeFilters: ['kinesis:firehose'] }));
    expect(other.ResourceTagMappingList).toEqual([]);
  });

  it('lists the tagged consumers of the account for kinesis:stream/consumer, a page at a time', async () => {
    const direct = k.client(C);
    await k.waitActive(C, 't0');
    await k.waitActive(C, 't1');
    const register = async (stream: string, name: string, tags?: Record<string, string>) => {
      const r = await direct.send(new RegisterStreamConsumerCommand({ StreamARN: arn(stream), ConsumerName: name }));
      const consumerArn = r.Consumer?.ConsumerARN ?? '';
      // kinesis-local ignores Tags on RegisterStreamConsumer (docs/api-calls.md): tag afterwards.
      if (tags) await direct.send(new TagResourceCommand({ ResourceARN: consumerArn, Tags: tags }));
      return consumerArn;
    };
    const a = await register('t0', 'ca', { team: 'x' });
    const b = await register('t1', 'cb', { team: 'y', tier: '2' });
    await register('t0', 'untagged');
    const p = await startQuotaProxy({ upstream: k.endpoint });
    proxies.push(p);
    const c = tagging(p.endpoint);
    const filter = { ResourceTypeFilters: ['kinesis:stream/consumer'], ResourcesPerPage: 1 };
    const first = await c.send(new GetResourcesCommand(filter));
    expect(first.PaginationToken).not.toBe('');
    const second = await c.send(new GetResourcesCommand({ ...filter, PaginationToken: first.PaginationToken }));
    expect(second.PaginationToken).toBe('');
    const listed = [...(first.ResourceTagMappingList ?? []), ...(second.ResourceTagMappingList ?? [])]
      .map((m) => [m.ResourceARN, Object.fromEntries((m.Tags ?? []).map((x) => [x.Key, x.Value]))])
      .sort();
    expect(listed).toEqual(
      [
        [a, { team: 'x' }],
        [b, { team: 'y', tier: '2' }],
      ].sort(),
    );
    expect(p.counts()[C]).toEqual({
      GetResources: expect.objectContaining({ calls: 2, throttled: 0, transitionRefused: 0 }),
    });
  });

  it('refuses the consumer filter with InvalidParameterException when told to, and still lists streams', async () => {
    const p = await startQuotaProxy({ upstream: k.endpoint, consumerFilter: false });
    proxies.push(p);
    const c = tagging(p.endpoint);
    await expect(
      c.send(new GetResourcesCommand({ ResourceTypeFilters: ['kinesis:stream/consumer'] })),
    ).rejects.toMatchObject({ name: 'InvalidParameterException', $metadata: { httpStatusCode: 400 } });
    const streams = await c.send(new GetResourcesCommand({ ResourceTypeFilters: ['kinesis:stream'] }));
    expect((streams.ResourceTagMappingList ?? []).map((m) => m.ResourceARN).sort()).toEqual([arn('t0'), arn('t1')]);
  });

  it('answers like kinesis-local when told to have no tagging API', async () => {
    const p = await startQuotaProxy({ upstream: k.endpoint, taggingApi: false });
    proxies.push(p);
    await expect(
      tagging(p.endpoint).send(new GetResourcesCommand({ ResourceTypeFilters: ['kinesis:stream'] })),
    ).rejects.toThrow();
  });
});
