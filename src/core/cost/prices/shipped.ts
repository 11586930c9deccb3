/**
 * The price table shipped with meshgov: used offline, on the local target, and whenever the AWS Price List Query API
 * cannot be read. Dated and sourced; the plan says which table it used and how old it is. Refresh it from the API
 * (`fetchPriceTable` in src/adapters/aws/pricing.ts) and update `asOf` when AWS changes its prices.
 */
import type { PriceDimension, PriceTable, Prices } from '../types.js';
import { PRICE_DIMENSIONS } from '../types.js';

/** Day the shipped table was compiled (YYYY-MM-DD). */
export const SHIPPED_PRICES_AS_OF = '2026-12-01';

const US_EAST_1: Prices = {
  'provisioned-shard-hour': 0.015,
  'provisioned-put-payload-unit': 0.014 / 1e6,
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

/** Not confirmed against a recorded Price List answer: every eu-west-1 figure is flagged in the output. */
const EU_WEST_1: Prices = {
  'provisioned-shard-hour': 0.017,
  'provisioned-put-payload-unit': 0.0154 / 1e6,
  'provisioned-extended-retention-shard-hour': 0.022,
  'provisioned-long-term-retention-gb-month': 0.025,
  'provisioned-efo-consumer-shard-hour': 0.017,
  'provisioned-efo-data-gb': 0.0146,
  'on-demand-stream-hour': 0.044,
  'on-demand-data-in-gb': 0.088,
  'on-demand-data-out-gb': 0.044,
  'on-demand-efo-data-gb': 0.055,
  'on-demand-extended-retention-gb-month': 0.11,
  'on-demand-long-term-retention-gb-month': 0.025,
  'cloudwatch-metric-month': 0.3,
};

const KINESIS_SOURCE =
  'AWS Price List (ServiceCode AmazonKinesis, on-demand terms) as published on ' +
  'https://aws.amazon.com/kinesis/data-streams/pricing/; CloudWatch metrics from https://aws.amazon.com/cloudwatch/pricing/';

export const SHIPPED_PRICE_TABLES: readonly PriceTable[] = [
  {
    region: 'us-east-1',
    kind: 'shipped',
    asOf: SHIPPED_PRICES_AS_OF,
    prices: US_EAST_1,
    unconfirmed: [],
    source: `${KINESIS_SOURCE} (Kinesis figures checked against the Price List answers Infracost records in its tests)`,
  },
  {
    region: 'eu-west-1',
    kind: 'shipped',
    asOf: SHIPPED_PRICES_AS_OF,
    prices: EU_WEST_1,
    unconfirmed: PRICE_DIMENSIONS.filter((d: PriceDimension) => d !== 'cloudwatch-metric-month'),
    source: `${KINESIS_SOURCE} (Kinesis figures not confirmed against a Price List answer; refresh from the API)`,
  },
];

/**
 * The shipped table of `region`. A region without one gets us-east-1's prices, flagged: the plan's cost is then an
 * approximation and says so (SPEC 2.4: "published us-east-1 or region prices").
 */
export function shippedPriceTable(region: string): { table: PriceTable; fallback: boolean } {
  const own = SHIPPED_PRICE_TABLES.find((t) => t.region === region);
  if (own !== undefined) return { table: own, fallback: false };
  const base = SHIPPED_PRICE_TABLES[0] as PriceTable;
  const source = `us-east-1 prices stand in for ${region}, which has no shipped table: ${base.source}`;
  return { table: { ...base, region, source, unconfirmed: [...PRICE_DIMENSIONS] }, fallback: true };
}
