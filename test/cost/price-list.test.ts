/**
 * The Price List path: recorded GetProducts answers (aws_v1 shape: PriceList is an array of JSON strings, paginated
 * with NextToken) become the same price table as the shipped one; hostile answers are skipped with a reason; the
 * adapter pages, stops on a repeated token, caches with its date, and falls back to the shipped table.
 */
import { execFileSync } from 'node:child_process';
import { lstatSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { GetProductsCommand } from '@aws-sdk/client-pricing';
import { describe, expect, it } from 'vitest';
import {
  createPricingClient,
  fetchPriceTable,
  getAllProducts,
  loadPrices,
  MAX_PRICE_LIST_PAGES,
  parseCachedTable,
} from '../../src/adapters/aws/pricing.js';
import type { PricingSender } from '../../src/adapters/aws/pricing.js';
import { readPriceList } from '../../src/core/cost/price-list.js';
import { shippedPriceTable } from '../../src/core/cost/prices/shipped.js';
import { PRICE_DIMENSIONS } from '../../src/core/cost/types.js';

const FIXTURES = new URL('./fixtures/', import.meta.url);
type Answer = { FormatVersion: string; PriceList: string[]; NextToken?: string };
const answer = (name: string): Answer => JSON.parse(readFileSync(new URL(name, FIXTURES), 'utf8')) as Answer;
const PAGE1 = answer('get-products-kinesis-us-east-1.page1.json');
const PAGE2 = answer('get-products-kinesis-us-east-1.page2.json');
const CW = answer('get-products-cloudwatch-us-east-1.json');
const ALL_ITEMS = [...PAGE1.PriceList, ...PAGE2.PriceList, ...CW.PriceList];

/** The published us-east-1 prices, per unit, written out here (not read from the code under test). */
const PUBLISHED_US_EAST_1 = {
  'provisioned-shard-hour': 0.015,
  'provisioned-put-payload-unit': 0.000000014,
  'provisioned-extended-retention-shard-hour': 0.02,
  'provisioned-long-term-retention-gb-month': 0.023,
  'provisioned-efo-consumer-shard-hour': 0.015,
  'provisioned-efo-data-gb': 0.013,
  'on-demand-stream-hour': 0.04,
  'on-demand-data-in-gb': 0.08,
  'on-demand-data-out-gb': 0.04,
  'on-demand-efo-data-gb': 0.05,
  'on-demand-extended-retention-gb-month': 0.1,
  'on-demand-long-term-retention-gb-month': 0.023,
  'cloudwatch-metric-month': 0.3,
};

/** Fake client: answers by ServiceCode and NextToken, recording every request. */
function fakeClient(pages: Record<string, Answer[]>): PricingSender & { requests: GetProductsCommand['input'][] } {
  const requests: GetProductsCommand['input'][] = [];
  return {
    requests,
    send(command) {
      requests.push(command.input);
      const list = pages[command.input.ServiceCode ?? ''] ?? [];
      const i =
        command.input.NextToken === undefined
          ? 0
          : list.findIndex((p, n) => n > 0 && list[n - 1]?.NextToken === command.input.NextToken);
      return Promise.resolve(list[i] ?? { PriceList: [] });
    },
  };
}

function item(
  usagetype: string,
  operation: string,
  usd: unknown,
  o: { region?: string; service?: string } = {},
): string {
  const service = o.service ?? 'AmazonKinesis';
  return JSON.stringify({
    product: {
      productFamily: 'Kinesis Streams',
      attributes: { regionCode: o.region ?? 'us-east-1', servicecode: service, usagetype, operation },
      sku: 'S',
    },
    serviceCode: service,
    terms: {
      OnDemand: {
        'S.T': {
          priceDimensions: {
            'S.T.R': { unit: 'ShardHour', beginRange: '0', endRange: 'Inf', pricePerUnit: { USD: usd } },
          },
        },
      },
    },
  });
}

describe('readPriceList over the recorded answers', () => {
  it('prices every dimension, at the published us-east-1 prices', () => {
    const r = readPriceList(ALL_ITEMS, 'us-east-1');
    expect(r.problems).toEqual([]);
    expect(r.prices).toEqual(PUBLISHED_US_EAST_1);
  });

  it('gives the same prices as the shipped us-east-1 table', () => {
    expect(readPriceList(ALL_ITEMS, 'us-east-1').prices).toEqual(shippedPriceTable('us-east-1').table.prices);
  });

  it('does not take long-term retention retrieval (usagetype ...-ReadBytes) for enhanced fan-out data', () => {
    const r = readPriceList(
      [item('LongTermRetention-ReadBytes', 'LongTermRetentionDataRetrieval', '0.5')],
      'us-east-1',
    );
    expect(r.prices).toEqual({});
  });

  it('matches usage types with a region prefix (USE1-, EU-)', () => {
    expect(readPriceList([item('USE1-Storage-ShardHour', 'shardHourStorage', '0.015')], 'us-east-1').prices).toEqual({
      'provisioned-shard-hour': 0.015,
    });
    expect(
      readPriceList([item('EU-Storage-ShardHour', 'shardHourStorage', '0.017', { region: 'eu-west-1' })], 'eu-west-1')
        .prices,
    ).toEqual({ 'provisioned-shard-hour': 0.017 });
    // ...but not a longer name that merely ends the same way.
    expect(readPriceList([item('XStorage-ShardHour', 'shardHourStorage', '9')], 'us-east-1').prices).toEqual({});
  });

  it('takes the first tier of a tiered price (CloudWatch metrics)', () => {
    expect(readPriceList(CW.PriceList, 'us-east-1').prices).toEqual({ 'cloudwatch-metric-month': 0.3 });
  });
});

describe('readPriceList over hostile answers', () => {
  it.each([
    ['not a string', 42, 'not a JSON string'],
    ['not JSON', '{"product":', 'not JSON'],
    ['no attributes', JSON.stringify({ product: {} }), 'no product.attributes'],
    [
      'another region',
      item('Storage-ShardHour', 'shardHourStorage', '0.015', { region: 'eu-west-1' }),
      'for region eu-west-1, not us-east-1',
    ],
    ['a price that is no number', item('Storage-ShardHour', 'shardHourStorage', 'abc'), 'is not a price'],
    ['a negative price', item('Storage-ShardHour', 'shardHourStorage', '-0.01'), 'is not a price'],
    ['an exponent', item('Storage-ShardHour', 'shardHourStorage', '1e3'), 'is not a price'],
    ['an absurd price', item('Storage-ShardHour', 'shardHourStorage', '5000'), 'is not a price'],
    ['a number, not a string', item('Storage-ShardHour', 'shardHourStorage', 0.015), 'is not a price'],
    [
      'prototype keys',
      '{"__proto__":{"polluted":1},"product":{"attributes":{"usagetype":"Storage-ShardHour","operation":"shardHourStorage"}},"serviceCode":"AmazonKinesis"}',
      'no OnDemand terms',
    ],
  ])('%s: skipped with a reason', (_name, bad, reason) => {
    const r = readPriceList([bad], 'us-east-1');
    expect(r.prices).toEqual({});
    expect(r.problems.join('\n')).toContain(reason);
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
  });

  it('two products with different prices for one dimension leave it unset, said', () => {
    const r = readPriceList(
      [
        item('Storage-ShardHour', 'shardHourStorage', '0.015'),
        item('USE1-Storage-ShardHour', 'shardHourStorage', '0.5'),
      ],
      'us-east-1',
    );
    expect(r.prices).toEqual({});
    expect(r.problems).toEqual(['provisioned-shard-hour: 2 products with different prices (0.015, 0.5); left unset']);
  });

  it('reads at most 10,000 items', () => {
    const r = readPriceList(new Array(10_001).fill('x'), 'us-east-1');
    expect(r.problems[0]).toBe('10001 items; only the first 10000 were read');
    expect(r.problems.length).toBe(10_001);
  });
});

describe('the adapter', () => {
  it('pages with NextToken, filters by regionCode, and reads both services', async () => {
    const client = fakeClient({ AmazonKinesis: [PAGE1, PAGE2], AmazonCloudWatch: [CW] });
    const { table, problems } = await fetchPriceTable(client, 'us-east-1', '2026-12-01');
    expect(problems).toEqual([]);
    expect(table).toMatchObject({ kind: 'price-list-api', region: 'us-east-1', asOf: '2026-12-01', unconfirmed: [] });
    expect(table.prices).toEqual(PUBLISHED_US_EAST_1);
    expect(client.requests.map((r) => [r.ServiceCode, r.NextToken])).toEqual([
      ['AmazonKinesis', undefined],
      ['AmazonKinesis', PAGE1.NextToken],
      ['AmazonCloudWatch', undefined],
    ]);
    expect(client.requests[0]).toMatchObject({
      FormatVersion: 'aws_v1',
      Filters: [{ Type: 'TERM_MATCH', Field: 'regionCode', Value: 'us-east-1' }],
    });
  });

  it('a page missing from the answer leaves its dimensions to the shipped table, flagged', async () => {
    const client = fakeClient({
      AmazonKinesis: [{ ...PAGE1, NextToken: undefined } as Answer],
      AmazonCloudWatch: [CW],
    });
    const { table } = await fetchPriceTable(client, 'us-east-1', '2026-12-01');
    expect(table.unconfirmed).toEqual(PRICE_DIMENSIONS.filter((d) => d.startsWith('on-demand-')));
    expect(table.source).toContain('6 dimension(s) not in the answer taken from the shipped table');
  });

  it('stops at a NextToken it has seen (no endless loop) and gives up after the page limit', async () => {
    const same = { send: () => Promise.resolve({ PriceList: [], NextToken: 'again' }) };
    await expect(getAllProducts(same, 'AmazonKinesis', 'us-east-1')).resolves.toEqual([]);
    let n = 0;
    const endless = { send: () => Promise.resolve({ PriceList: [], NextToken: `t${n++}` }) };
    await expect(getAllProducts(endless, 'AmazonKinesis', 'us-east-1')).rejects.toThrow(
      `did not end after ${MAX_PRICE_LIST_PAGES} pages`,
    );
  });

  it('an SDK error becomes an AdapterError naming the operation', async () => {
    const denied = {
      send: () => Promise.reject(Object.assign(new Error('not allowed'), { name: 'AccessDeniedException' })),
    };
    await expect(getAllProducts(denied, 'AmazonKinesis', 'us-east-1')).rejects.toMatchObject({
      name: 'AdapterError',
      operation: 'GetProducts',
      code: 'AccessDeniedException',
    });
  });
});

describe('loadPrices', () => {
  const now = () => new Date('2026-12-01T10:00:00Z');
  const dir = () => mkdtempSync(join(tmpdir(), 'meshgov-prices-'));

  it('the local target uses the shipped table and says so, without calling anything', async () => {
    const client = fakeClient({});
    const r = await loadPrices({ region: 'us-east-1', target: 'local', client, now });
    expect(r.table.kind).toBe('shipped');
    expect(r.notes[0]).toContain('local target');
    expect(client.requests).toEqual([]);
  });

  it('reads the API once, caches with the date, then serves the cache until it is stale', async () => {
    const cacheDir = dir();
    const client = fakeClient({ AmazonKinesis: [PAGE1, PAGE2], AmazonCloudWatch: [CW] });
    const first = await loadPrices({ region: 'us-east-1', target: 'aws', client, cacheDir, now });
    expect(first.table).toMatchObject({ kind: 'price-list-api', asOf: '2026-12-01' });
    expect(client.requests.length).toBe(3);
    const second = await loadPrices({ region: 'us-east-1', target: 'aws', client, cacheDir, now });
    expect(second.notes[0]).toBe('prices: Price List API answer of 2026-12-01, cached');
    expect(client.requests.length).toBe(3);
    const later = () => new Date('2026-12-20T00:00:00Z');
    await loadPrices({ region: 'us-east-1', target: 'aws', client, cacheDir, now: later });
    expect(client.requests.length).toBe(6);
  });

  it('an API failure falls back to the shipped table, saying why; never throws', async () => {
    const failing = {
      send: () => Promise.reject(new Error('getaddrinfo ENOTFOUND api.pricing.us-east-1.amazonaws.com')),
    };
    const r = await loadPrices({ region: 'us-east-1', target: 'aws', client: failing, cacheDir: dir(), now });
    expect(r.table.kind).toBe('shipped');
    expect(r.notes[0]).toContain('the Price List API failed');
  });

  it('a request the caller no longer wants is ended by its signal, with the real client, not left to its retries', async () => {
    // An endpoint that takes the request and never answers (egress dropped further on).
    const seen: string[] = [];
    const server = createServer((req) => void seen.push(`${req.method} ${req.headers['x-amz-target'] ?? ''}`));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    try {
      const { port } = server.address() as AddressInfo;
      const client = createPricingClient({
        endpoint: `http://127.0.0.1:${port}`,
        credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'x' },
      });
      const wanted = new AbortController();
      const loading = loadPrices({ region: 'us-east-1', target: 'aws', client, now, signal: wanted.signal });
      for (let i = 0; i < 200 && seen.length === 0; i++) await new Promise((r) => setTimeout(r, 10));
      expect(seen).toEqual(['POST AWSPriceListService.GetProducts']);
      wanted.abort();
      const r = await loading;
      expect(r.table.kind).toBe('shipped');
      expect(r.notes[0]).toMatch(/the Price List API failed: .*abort/i);
      expect(seen).toHaveLength(1);
    } finally {
      server.closeAllConnections();
      server.close();
    }
  }, 20_000);

  it('an edited cache file is not trusted', async () => {
    const cacheDir = dir();
    const good = {
      formatVersion: 1,
      table: {
        region: 'us-east-1',
        kind: 'price-list-api',
        asOf: '2026-12-01',
        source: 's',
        prices: PUBLISHED_US_EAST_1,
        unconfirmed: [],
      },
    };
    expect(parseCachedTable(JSON.stringify(good), 'us-east-1')).toBeDefined();
    const bad = [
      { ...good, table: { ...good.table, prices: { ...PUBLISHED_US_EAST_1, 'provisioned-shard-hour': -1 } } },
      { ...good, table: { ...good.table, prices: { ...PUBLISHED_US_EAST_1, extra: 1 } } },
      { ...good, table: { ...good.table, region: 'eu-west-1' } },
      { ...good, table: { ...good.table, asOf: 'yesterday' } },
      { ...good, table: { ...good.table, unconfirmed: ['free-lunch'] } },
    ];
    for (const b of bad) expect(parseCachedTable(JSON.stringify(b), 'us-east-1')).toBeUndefined();
    writeFileSync(join(cacheDir, 'prices-us-east-1.json'), JSON.stringify(bad[0]));
    const r = await loadPrices({ region: 'us-east-1', target: 'aws', offline: true, cacheDir, now });
    expect(r.table.kind).toBe('shipped');
  });

  describe('a cache file that is not what meshgov wrote', () => {
    const good = (asOf: string) =>
      JSON.stringify({
        formatVersion: 1,
        table: {
          region: 'us-east-1',
          kind: 'price-list-api',
          asOf,
          source: 's',
          prices: PUBLISHED_US_EAST_1,
          unconfirmed: [],
        },
      });

    it('is refused when dated after today (a forged table would stay fresh for ever)', async () => {
      const cacheDir = dir();
      writeFileSync(join(cacheDir, 'prices-us-east-1.json'), good('2099-01-01'));
      const r = await loadPrices({ region: 'us-east-1', target: 'aws', offline: true, cacheDir, now });
      expect(r.table.kind).toBe('shipped');
      // Today's date is fine.
      writeFileSync(join(cacheDir, 'prices-us-east-1.json'), good('2026-12-01'));
      const t = await loadPrices({ region: 'us-east-1', target: 'aws', offline: true, cacheDir, now });
      expect(t.table).toMatchObject({ kind: 'price-list-api', asOf: '2026-12-01' });
    });

    it('a FIFO or a link to /dev/zero is not read (neither blocks nor grows without end)', async () => {
      for (const plant of [(f: string) => execFileSync('mkfifo', [f]), (f: string) => symlinkSync('/dev/zero', f)]) {
        const cacheDir = dir();
        plant(join(cacheDir, 'prices-us-east-1.json'));
        const r = await loadPrices({ region: 'us-east-1', target: 'aws', offline: true, cacheDir, now });
        expect(r.table.kind).toBe('shipped');
      }
    });

    it('a link in the cache is replaced by the new file, never written through', async () => {
      const cacheDir = dir();
      const victim = join(dir(), 'victim.txt');
      writeFileSync(victim, 'keep me');
      symlinkSync(victim, join(cacheDir, 'prices-us-east-1.json'));
      const client = fakeClient({ AmazonKinesis: [PAGE1, PAGE2], AmazonCloudWatch: [CW] });
      const r = await loadPrices({ region: 'us-east-1', target: 'aws', client, cacheDir, now });
      expect(r.table.kind).toBe('price-list-api');
      expect(readFileSync(victim, 'utf8')).toBe('keep me');
      expect(lstatSync(join(cacheDir, 'prices-us-east-1.json')).isFile()).toBe(true);
    });
  });

  it('a region that is no region code never reaches the file system or the API', async () => {
    const client = fakeClient({});
    const r = await loadPrices({ region: '../../etc', target: 'aws', client, cacheDir: dir(), now });
    expect(r.table.kind).toBe('shipped');
    expect(client.requests).toEqual([]);
  });
});
