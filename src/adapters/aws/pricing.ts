/**
 * Prices from the AWS Price List Query API (GetProducts for ServiceCode AmazonKinesis and AmazonCloudWatch, filtered
 * by regionCode, paginated with NextToken), cached on disk with the day they were read; the shipped table when the
 * API cannot be used (local target, offline runs, no access). The answers are parsed by the pure
 * src/core/cost/price-list.ts. The API is served from us-east-1 (also eu-central-1, ap-south-1):
 * https://docs.aws.amazon.com/awsaccountbilling/latest/aboutv2/using-price-list-query-api.html
 */
import type { GetProductsCommand, GetProductsCommandOutput, PricingClient } from '@aws-sdk/client-pricing';
import type { AwsCredentialIdentity, AwsCredentialIdentityProvider } from '@aws-sdk/types';
import { mkdir, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { priceTableFromApi, readPriceList } from '../../core/cost/price-list.js';
import { shippedPriceTable } from '../../core/cost/prices/shipped.js';
import type { PriceTable } from '../../core/cost/types.js';
import { PRICE_DIMENSIONS } from '../../core/cost/types.js';
import { lazyModule } from '../../core/lazy-module.js';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { readRegularFile } from '../fs/bounded-read.js';
import { writeTemporaryBeside } from '../fs/write.js';
import { AdapterError, errorCode, guardEchoedCredentials } from './errors.js';
import { guardedCredentialDefaultProvider } from './credentials.js';

/** IAM actions this adapter needs (the governance role's policy does not carry them: pricing is account-wide). */
export const PRICING_IAM_ACTIONS = ['pricing:GetProducts'] as const;
/** Region of the Price List Query API endpoint. */
export const PRICING_API_REGION = 'us-east-1';
/** Pages read per service at most (Kinesis answers in one or two pages of 100). */
export const MAX_PRICE_LIST_PAGES = 50;
/**
 * The Pricing SDK, loaded when the Price List API is asked: a plan priced from the shipped table (the local target,
 * `--endpoint`) or from the cache never needs it. CommonJS without an `exports` map, so `require` gives the module
 * an `import` would (one client class, which the tests' SDK mocks rely on).
 */
const pricingSdk = lazyModule<typeof import('@aws-sdk/client-pricing')>('@aws-sdk/client-pricing');

/** Days a cached price table is used before the API is asked again. */
export const DEFAULT_PRICE_CACHE_DAYS = 7;
/** Bytes of a cache file read at most. */
const MAX_CACHE_BYTES = 1024 * 1024;

/** What the adapter needs of a Pricing client (tests pass a fake or aws-sdk-client-mock). */
export interface PricingSender {
  send(
    command: GetProductsCommand,
    options?: { abortSignal?: AbortSignal },
  ): Promise<Pick<GetProductsCommandOutput, 'PriceList' | 'NextToken' | 'FormatVersion'>>;
}

export function createPricingClient(
  o: {
    credentials?: AwsCredentialIdentityProvider | AwsCredentialIdentity;
    profile?: string;
    endpoint?: string;
    maxAttempts?: number;
  } = {},
): PricingClient {
  const client = new (pricingSdk().PricingClient)({
    region: PRICING_API_REGION,
    retryMode: 'adaptive',
    // As the Kinesis clients (client-pool.ts): an endpoint that never answers (egress dropped) fails each attempt.
    requestHandler: new NodeHttpHandler({ connectionTimeout: 5_000, requestTimeout: 30_000 }),
    maxAttempts: o.maxAttempts ?? 5,
    ...(o.credentials !== undefined
      ? { credentials: o.credentials }
      : { credentialDefaultProvider: guardedCredentialDefaultProvider }),
    ...(o.profile !== undefined ? { profile: o.profile } : {}),
    ...(o.endpoint !== undefined ? { endpoint: o.endpoint } : {}),
  });
  guardEchoedCredentials(client);
  return client;
}

/** Every PriceList item of `serviceCode` in `region`, all pages. Throws AdapterError. */
export async function getAllProducts(
  client: PricingSender,
  serviceCode: string,
  region: string,
  signal?: AbortSignal,
): Promise<unknown[]> {
  const items: unknown[] = [];
  const seen = new Set<string>();
  let token: string | undefined;
  for (let page = 0; page < MAX_PRICE_LIST_PAGES; page++) {
    let out: Awaited<ReturnType<PricingSender['send']>>;
    try {
      out = await client.send(
        new (pricingSdk().GetProductsCommand)({
          ServiceCode: serviceCode,
          FormatVersion: 'aws_v1',
          MaxResults: 100,
          Filters: [{ Type: 'TERM_MATCH', Field: 'regionCode', Value: region }],
          ...(token !== undefined ? { NextToken: token } : {}),
        }),
        signal !== undefined ? { abortSignal: signal } : undefined,
      );
    } catch (e) {
      throw new AdapterError(
        `Price List GetProducts (${serviceCode}, ${region}) failed: ${(e as Error)?.message ?? String(e)}`,
        'pricing',
        'GetProducts',
        undefined,
        e,
        errorCode(e),
      );
    }
    if (Array.isArray(out.PriceList)) items.push(...(out.PriceList as unknown[]));
    token = typeof out.NextToken === 'string' && out.NextToken !== '' ? out.NextToken : undefined;
    // A token seen before would loop forever: stop at it.
    if (token === undefined || seen.has(token)) return items;
    seen.add(token);
  }
  throw new AdapterError(
    `Price List GetProducts (${serviceCode}, ${region}) did not end after ${MAX_PRICE_LIST_PAGES} pages`,
    'pricing',
    'GetProducts',
    undefined,
    undefined,
  );
}

/** A price table read from the API now (`today`: YYYY-MM-DD), with what was wrong with the answers. */
export async function fetchPriceTable(
  client: PricingSender,
  region: string,
  today: string,
  signal?: AbortSignal,
): Promise<{ table: PriceTable; problems: string[] }> {
  const kinesis = await getAllProducts(client, 'AmazonKinesis', region, signal);
  const cloudwatch = await getAllProducts(client, 'AmazonCloudWatch', region, signal);
  const read = readPriceList([...kinesis, ...cloudwatch], region);
  if (Object.keys(read.prices).length === 0) {
    throw new AdapterError(
      `the Price List answers for ${region} priced no Kinesis dimension (${read.problems.slice(0, 3).join('; ') || 'no products'})`,
      'pricing',
      'GetProducts',
      undefined,
      undefined,
    );
  }
  return { table: priceTableFromApi(read, region, today, shippedPriceTable(region).table), problems: read.problems };
}

const REGION = /^[a-z]{2}(-[a-z]+)+-[0-9]+$/;
const DAY = /^[0-9]{4}-[0-9]{2}-[0-9]{2}$/;

/** A cached table as read back: untrusted (a file anyone could edit), so checked field by field. */
export function parseCachedTable(text: string, region: string): PriceTable | undefined {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    return undefined;
  }
  const t = (data as { table?: unknown } | null)?.table as Partial<PriceTable> | undefined;
  if (t === null || typeof t !== 'object' || t.region !== region || t.kind !== 'price-list-api') return undefined;
  if (typeof t.asOf !== 'string' || !DAY.test(t.asOf) || typeof t.source !== 'string' || t.source.length > 2000)
    return undefined;
  if (t.prices === null || typeof t.prices !== 'object' || !Array.isArray(t.unconfirmed)) return undefined;
  const prices = t.prices as unknown as Record<string, unknown>;
  const ok = PRICE_DIMENSIONS.every(
    (d) =>
      typeof prices[d] === 'number' &&
      Number.isFinite(prices[d]) &&
      (prices[d] as number) >= 0 &&
      (prices[d] as number) <= 1000,
  );
  if (!ok || Object.keys(prices).length !== PRICE_DIMENSIONS.length) return undefined;
  if (!t.unconfirmed.every((d) => PRICE_DIMENSIONS.includes(d))) return undefined;
  return {
    region,
    kind: 'price-list-api',
    asOf: t.asOf,
    source: t.source,
    prices: t.prices,
    unconfirmed: [...t.unconfirmed],
  };
}

export interface LoadPricesOptions {
  region: string;
  /** The local target never asks AWS for prices. */
  target: 'aws' | 'local';
  /** Never call the API (e.g. `--offline`): the cache if there is one, else the shipped table. */
  offline?: boolean;
  client?: PricingSender;
  /** Directory of the cache (e.g. `.meshgov/cache`); no caching when undefined. */
  cacheDir?: string;
  /** Days a cached table stays fresh ({@link DEFAULT_PRICE_CACHE_DAYS}). */
  maxAgeDays?: number;
  now: () => Date;
  /** Ends the API's calls when the answer is no longer wanted (a plan that failed meanwhile). */
  signal?: AbortSignal;
}

/** The price table to use and what the output should say about how it was chosen. Never throws. */
export async function loadPrices(o: LoadPricesOptions): Promise<{ table: PriceTable; notes: string[] }> {
  const shipped = shippedPriceTable(o.region);
  const fromShipped = (why: string) => ({
    table: shipped.table,
    notes: [
      `prices: the shipped table of ${shipped.table.asOf} (${why})`,
      ...(shipped.fallback ? [`no shipped prices for ${o.region}: us-east-1 prices stand in`] : []),
    ],
  });
  if (o.target === 'local') return fromShipped('local target');
  if (!REGION.test(o.region)) return fromShipped(`region ${JSON.stringify(o.region)} is not an AWS region code`);
  const today = o.now().toISOString().slice(0, 10);
  const file = o.cacheDir !== undefined ? join(o.cacheDir, `prices-${o.region}.json`) : undefined;
  const cached = file !== undefined ? readCache(file, o.region, today) : undefined;
  const age =
    cached !== undefined
      ? (Date.parse(`${today}T00:00:00Z`) - Date.parse(`${cached.asOf}T00:00:00Z`)) / 86_400_000
      : Infinity;
  if (cached !== undefined && age <= (o.maxAgeDays ?? DEFAULT_PRICE_CACHE_DAYS))
    return { table: cached, notes: [`prices: Price List API answer of ${cached.asOf}, cached`] };
  if (o.offline === true || o.client === undefined) {
    if (cached !== undefined)
      return { table: cached, notes: [`prices: Price List API answer of ${cached.asOf}, cached (stale; offline)`] };
    return fromShipped(o.offline === true ? 'offline' : 'no Price List client');
  }
  try {
    const { table, problems } = await fetchPriceTable(o.client, o.region, today, o.signal);
    if (file !== undefined) await writeCache(file, table);
    return {
      table,
      notes: [`prices: Price List API, read ${today}`, ...problems.slice(0, 5).map((p) => `Price List answer: ${p}`)],
    };
  } catch (e) {
    const why = e instanceof Error ? e.message : String(e);
    if (cached !== undefined)
      return { table: cached, notes: [`prices: cached Price List answer of ${cached.asOf} (the API failed: ${why})`] };
    return fromShipped(`the Price List API failed: ${why}`);
  }
}

/**
 * The cached table, if the file is one meshgov could have written: a regular file (a FIFO would block the read, a
 * link to /dev/zero would never end it), at most 1 MiB, every field checked, and dated no later than today (a date
 * in the future would keep a forged table fresh for ever).
 */
function readCache(file: string, region: string, today: string): PriceTable | undefined {
  const read = readRegularFile(file, { maxBytes: MAX_CACHE_BYTES });
  if (!read.ok) return undefined;
  const table = parseCachedTable(read.text, region);
  return table !== undefined && table.asOf <= today ? table : undefined;
}

/** Written whole then renamed, so a reader never sees half a file; a failed write only costs the cache. */
async function writeCache(file: string, table: PriceTable): Promise<void> {
  try {
    await mkdir(join(file, '..'), { recursive: true });
    // A new file of its own (O_EXCL: never through a link or into a file that is there), renamed over the old one.
    const tmp = writeTemporaryBeside(file, `${JSON.stringify({ formatVersion: 1, table }, null, 2)}\n`);
    try {
      await rename(tmp, file);
    } catch {
      await rm(tmp, { force: true });
    }
  } catch {
    // The cache is an optimisation: the next run asks the API again.
  }
}
