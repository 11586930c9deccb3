/**
 * Reading AWS Price List Query API answers (GetProducts, FormatVersion aws_v1) into a {@link PriceTable}. Pure: the
 * adapter (src/adapters/aws/pricing.ts) pages through the API and hands over the PriceList items, which are JSON
 * *strings*, each `{ product: { attributes: { usagetype, operation, regionCode, ... } }, terms: { OnDemand: { <term>:
 * { priceDimensions: { <rate>: { pricePerUnit: { USD } , beginRange } } } } } }`.
 * https://docs.aws.amazon.com/aws-cost-management/latest/APIReference/API_pricing_GetProducts.html
 *
 * Answers are untrusted: an item that is not JSON, names another region, carries no USD price or a price that is no
 * finite non-negative number is skipped with a reason; two products that claim the same dimension with different
 * prices leave it unset (ambiguous), and the caller fills unset dimensions from the shipped table, flagged.
 */
import type { PriceDimension, Prices, PriceTable } from './types.js';
import { PRICE_DIMENSIONS } from './types.js';

/** How a product is recognised: its usagetype ends with `usageType` (after a region prefix such as `USE1-`). */
export interface ProductMatch {
  serviceCode: 'AmazonKinesis' | 'AmazonCloudWatch';
  usageType: string;
  /** The product's `operation` attribute, when it tells SKUs with the same usagetype suffix apart. */
  operation?: string;
}

/**
 * The products of each dimension. Usage types and operations as the Price List names them (see docs/cost.md for
 * which were confirmed against recorded answers).
 */
export const PRODUCT_MATCHES: Readonly<Record<PriceDimension, ProductMatch>> = {
  'provisioned-shard-hour': {
    serviceCode: 'AmazonKinesis',
    usageType: 'Storage-ShardHour',
    operation: 'shardHourStorage',
  },
  'provisioned-put-payload-unit': {
    serviceCode: 'AmazonKinesis',
    usageType: 'PutRequestPayloadUnits',
    operation: 'PutRequest',
  },
  'provisioned-extended-retention-shard-hour': {
    serviceCode: 'AmazonKinesis',
    usageType: 'Extended-ShardHour',
    operation: 'shardHourStorage',
  },
  'provisioned-long-term-retention-gb-month': {
    serviceCode: 'AmazonKinesis',
    usageType: 'LongTermRetention-ByteHrs',
    operation: 'LongTermRetentionByteHrs',
  },
  'provisioned-efo-consumer-shard-hour': {
    serviceCode: 'AmazonKinesis',
    usageType: 'EnhancedFanoutHour',
    operation: 'ConsumerHour',
  },
  'provisioned-efo-data-gb': {
    serviceCode: 'AmazonKinesis',
    usageType: 'ReadBytes',
    operation: 'EnhancedFanoutDataRetrieval',
  },
  'on-demand-stream-hour': {
    serviceCode: 'AmazonKinesis',
    usageType: 'OnDemand-StreamHour',
    operation: 'OnDemandStreamHr',
  },
  'on-demand-data-in-gb': {
    serviceCode: 'AmazonKinesis',
    usageType: 'OnDemand-BilledIncomingBytes',
    operation: 'OnDemandDataIngested',
  },
  'on-demand-data-out-gb': {
    serviceCode: 'AmazonKinesis',
    usageType: 'OnDemand-BilledOutgoingBytes',
    operation: 'OnDemandDataRetrieval',
  },
  'on-demand-efo-data-gb': {
    serviceCode: 'AmazonKinesis',
    usageType: 'OnDemand-BilledOutgoingEFOBytes',
    operation: 'OnDemandEFODataRetrieval',
  },
  'on-demand-extended-retention-gb-month': {
    serviceCode: 'AmazonKinesis',
    usageType: 'OnDemand-ExtendedRetention-ByteHrs',
    operation: 'OnDemandExtendedRetentionByteHrs',
  },
  'on-demand-long-term-retention-gb-month': {
    serviceCode: 'AmazonKinesis',
    usageType: 'OnDemand-LongTermRetention-ByteHrs',
    operation: 'OnDemandLongTermRetentionByteHrs',
  },
  'cloudwatch-metric-month': { serviceCode: 'AmazonCloudWatch', usageType: 'CW:MetricMonitorUsage' },
};

/** Items read at most per answer set (Kinesis has a few dozen products per region). */
export const MAX_PRICE_LIST_ITEMS = 10_000;
/** Characters per item at most (a product with its terms is a few KB). */
export const MAX_PRICE_LIST_ITEM_CHARS = 256 * 1024;
/** A unit price above this is not a Kinesis or CloudWatch price: refused as a hostile or broken answer. */
const MAX_UNIT_PRICE_USD = 1_000;

export interface PriceListRead {
  /** The dimensions found, each exactly once. */
  prices: Partial<Prices>;
  /** Why items were skipped or dimensions left unset, one line each. */
  problems: string[];
}

function isObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

function usageTypeMatches(usageType: string, suffix: string): boolean {
  return usageType === suffix || usageType.endsWith(`-${suffix}`);
}

/** The first-tier (beginRange 0) USD price of an item's on-demand terms, or why there is none. */
function onDemandUsd(terms: unknown): number | string {
  const onDemand = isObject(terms) ? terms['OnDemand'] : undefined;
  if (!isObject(onDemand)) return 'no OnDemand terms';
  const found: number[] = [];
  for (const term of Object.values(onDemand)) {
    const dims = isObject(term) ? term['priceDimensions'] : undefined;
    if (!isObject(dims)) continue;
    for (const d of Object.values(dims)) {
      if (!isObject(d)) continue;
      const begin = d['beginRange'];
      if (begin !== undefined && begin !== '0') continue; // tiered prices: the first tier
      const usd = isObject(d['pricePerUnit']) ? d['pricePerUnit']['USD'] : undefined;
      const n = typeof usd === 'string' && /^[0-9]+(\.[0-9]+)?$/.test(usd) ? Number(usd) : Number.NaN;
      if (!Number.isFinite(n) || n < 0 || n > MAX_UNIT_PRICE_USD)
        return `USD price ${JSON.stringify(usd)} is not a price`;
      found.push(n);
    }
  }
  if (found.length === 0) return 'no USD price in its OnDemand terms';
  if (new Set(found).size > 1) return `several first-tier USD prices (${found.join(', ')})`;
  return found[0] as number;
}

function dimensionOf(serviceCode: unknown, attrs: Record<string, unknown>): PriceDimension | undefined {
  const usageType = attrs['usagetype'];
  if (typeof usageType !== 'string') return undefined;
  return PRICE_DIMENSIONS.find((d) => {
    const m = PRODUCT_MATCHES[d];
    return (
      m.serviceCode === serviceCode &&
      usageTypeMatches(usageType, m.usageType) &&
      (m.operation === undefined || attrs['operation'] === m.operation)
    );
  });
}

/** Parse GetProducts PriceList items (all pages, both services) for `region`. Never throws. */
export function readPriceList(items: readonly unknown[], region: string): PriceListRead {
  const problems: string[] = [];
  const seen = new Map<PriceDimension, number[]>();
  if (items.length > MAX_PRICE_LIST_ITEMS)
    problems.push(`${items.length} items; only the first ${MAX_PRICE_LIST_ITEMS} were read`);
  items.slice(0, MAX_PRICE_LIST_ITEMS).forEach((item, i) => {
    const at = `PriceList item ${i + 1}`;
    if (typeof item !== 'string') return problems.push(`${at}: not a JSON string`);
    if (item.length > MAX_PRICE_LIST_ITEM_CHARS)
      return problems.push(`${at}: longer than ${MAX_PRICE_LIST_ITEM_CHARS} characters`);
    let data: unknown;
    try {
      data = JSON.parse(item);
    } catch {
      return problems.push(`${at}: not JSON`);
    }
    const product = isObject(data) ? data['product'] : undefined;
    const attrs = isObject(product) ? product['attributes'] : undefined;
    if (!isObject(data) || !isObject(attrs)) return problems.push(`${at}: no product.attributes`);
    const serviceCode = data['serviceCode'] ?? attrs['servicecode'];
    const dimension = dimensionOf(serviceCode, attrs);
    if (dimension === undefined) return undefined; // a product meshgov does not price (e.g. Firehose, another tier)
    const regionCode = attrs['regionCode'];
    if (regionCode !== undefined && regionCode !== region) {
      return problems.push(`${at} (${dimension}): for region ${String(regionCode)}, not ${region}`);
    }
    const usd = onDemandUsd(data['terms']);
    if (typeof usd === 'string') return problems.push(`${at} (${dimension}): ${usd}`);
    seen.set(dimension, [...(seen.get(dimension) ?? []), usd]);
    return undefined;
  });
  const prices: Partial<Prices> = {};
  for (const [dimension, values] of seen) {
    if (new Set(values).size === 1) prices[dimension] = values[0] as number;
    else
      problems.push(`${dimension}: ${values.length} products with different prices (${values.join(', ')}); left unset`);
  }
  return { prices, problems };
}

/**
 * A price table from an API read: the dimensions the answers priced, the rest from `fallback` (the shipped table),
 * listed as unconfirmed so the output says which prices did not come from the API.
 */
export function priceTableFromApi(read: PriceListRead, region: string, asOf: string, fallback: PriceTable): PriceTable {
  const prices = { ...fallback.prices, ...read.prices };
  const missing = PRICE_DIMENSIONS.filter((d) => read.prices[d] === undefined);
  const source =
    'AWS Price List Query API (GetProducts, ServiceCode AmazonKinesis and AmazonCloudWatch)' +
    (missing.length > 0
      ? `; ${missing.length} dimension(s) not in the answer taken from the shipped table of ${fallback.asOf}`
      : '');
  return { region, kind: 'price-list-api', asOf, source, prices, unconfirmed: missing };
}
