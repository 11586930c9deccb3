/**
 * The cost model's contracts: a price table (shipped with the package, or read from the AWS Price List Query API),
 * what a stream is configured as and how much it is used, and the monthly cost that comes out, per price dimension.
 * Every figure says where its usage came from (declared in the mesh, measured by CloudWatch, or an assumed default),
 * so a reader can tell an estimate from a measurement. Pricing: https://aws.amazon.com/kinesis/data-streams/pricing/
 */

/** Hours in the month every figure is priced for (AWS's own convention: 24 x 365 / 12). */
export const HOURS_PER_MONTH = 730;
/** Seconds in that month. */
export const SECONDS_PER_MONTH = HOURS_PER_MONTH * 3600;
/** Bytes in the GB the price list bills (1,024^3). */
export const BYTES_PER_GB = 1024 ** 3;
/** On-demand data is billed per record rounded up to 1 KB (1,024 bytes). */
export const ON_DEMAND_RECORD_ROUNDING_BYTES = 1024;
/** A PUT payload unit is a 25 KB chunk of a record (a 5 KB record is 1 unit, a 45 KB record 2). */
export const PUT_PAYLOAD_UNIT_BYTES = 25 * 1024;
/** Retention included in every stream's base price, hours. */
export const BASE_RETENTION_HOURS = 24;
/** Retention above this is long-term retention (billed per GB-month), hours (7 days). */
export const EXTENDED_RETENTION_MAX_HOURS = 168;
/** Shards an on-demand stream starts with (4 MiB/s of write capacity), when its live count is unknown. */
export const ON_DEMAND_DEFAULT_SHARDS = 4;

/**
 * One price of the table. Provisioned and on-demand streams have separate SKUs for the same idea (retention, EFO
 * data), so each has its own dimension.
 */
export type PriceDimension =
  | 'provisioned-shard-hour' // per shard-hour
  | 'provisioned-put-payload-unit' // per PUT payload unit (25 KB)
  | 'provisioned-extended-retention-shard-hour' // per shard-hour, retention 24 h - 7 d
  | 'provisioned-long-term-retention-gb-month' // per GB-month stored beyond 7 d
  | 'provisioned-efo-consumer-shard-hour' // per consumer-shard-hour
  | 'provisioned-efo-data-gb' // per GB retrieved by enhanced fan-out
  | 'on-demand-stream-hour' // per stream-hour
  | 'on-demand-data-in-gb' // per GB written (records rounded up to 1 KB)
  | 'on-demand-data-out-gb' // per GB read by shared-throughput (polling) consumers
  | 'on-demand-efo-data-gb' // per GB retrieved by enhanced fan-out
  | 'on-demand-extended-retention-gb-month' // per GB-month stored 24 h - 7 d
  | 'on-demand-long-term-retention-gb-month' // per GB-month stored beyond 7 d
  | 'cloudwatch-metric-month'; // per custom metric per month (first tier): shard-level metrics

export const PRICE_DIMENSIONS: readonly PriceDimension[] = [
  'provisioned-shard-hour',
  'provisioned-put-payload-unit',
  'provisioned-extended-retention-shard-hour',
  'provisioned-long-term-retention-gb-month',
  'provisioned-efo-consumer-shard-hour',
  'provisioned-efo-data-gb',
  'on-demand-stream-hour',
  'on-demand-data-in-gb',
  'on-demand-data-out-gb',
  'on-demand-efo-data-gb',
  'on-demand-extended-retention-gb-month',
  'on-demand-long-term-retention-gb-month',
  'cloudwatch-metric-month',
];

/** Where a price table came from. */
export type PriceSourceKind = 'shipped' | 'price-list-api';

/** The prices of one region, in USD per unit of each dimension. */
export interface PriceTable {
  /** AWS region code, e.g. `us-east-1`. */
  region: string;
  kind: PriceSourceKind;
  /** Day the prices were read (YYYY-MM-DD): the shipped table's compilation date, or the API call's date. */
  asOf: string;
  /** Who published the prices and how they were read, one sentence. */
  source: string;
  /** USD per unit, every dimension. */
  prices: Prices;
  /** Dimensions whose price was not confirmed against the named source (said in the output). */
  unconfirmed: PriceDimension[];
}

/** USD per unit, one field per {@link PriceDimension}. */
export interface Prices {
  'provisioned-shard-hour': number;
  'provisioned-put-payload-unit': number;
  'provisioned-extended-retention-shard-hour': number;
  'provisioned-long-term-retention-gb-month': number;
  'provisioned-efo-consumer-shard-hour': number;
  'provisioned-efo-data-gb': number;
  'on-demand-stream-hour': number;
  'on-demand-data-in-gb': number;
  'on-demand-data-out-gb': number;
  'on-demand-efo-data-gb': number;
  'on-demand-extended-retention-gb-month': number;
  'on-demand-long-term-retention-gb-month': number;
  'cloudwatch-metric-month': number;
}

/** What the cost of a stream depends on in its configuration (live or desired alike). */
export interface StreamConfig {
  mode: 'ON_DEMAND' | 'PROVISIONED';
  /** Open shards. For on-demand streams: the live count when known, else undefined (an assumption is made). */
  shards?: number;
  /** Hours (24..8760). */
  retentionHours: number;
  /** Enabled shard-level metrics, expanded (never `ALL`). */
  enhancedMetrics: number;
  /** Registered enhanced fan-out consumers. */
  efoConsumers: number;
}

/** Where a usage figure came from. */
export type UsageBasis = 'declared' | 'measured' | 'assumed';

/** How much a stream is used: average write rate over the month, and how often what is written is read. */
export interface StreamUsage {
  /** Average bytes written per second (payload). */
  writeBytesPerSecond: number;
  /** Average records written per second. */
  writeRecordsPerSecond: number;
  /** Shared-throughput (polling) consumers reading everything written; on-demand bills their reads per GB. */
  pollingReaders: number;
  basis: UsageBasis;
  /** What the figures rest on, e.g. "declared throughput 2 MiB/s, 1,000 records/s". */
  note: string;
}

/** One priced dimension of a stream's monthly cost. */
export interface CostLine {
  dimension: PriceDimension;
  /** Units per month (shard-hours, PUT payload units, GB, GB-months, metric-months). */
  quantity: number;
  /** USD per unit, as in the price table. */
  unitPriceUSD: number;
  /** quantity x unitPriceUSD. */
  monthlyUSD: number;
  /** `assumed` for fixed charges too: they rest on the configuration, not on usage. */
  basis: UsageBasis | 'configured';
}

/** A stream's monthly cost in one configuration. */
export interface StreamCostEstimate {
  monthlyUSD: number;
  lines: CostLine[];
  /** Assumptions made beyond the configuration and the usage (e.g. the shard count of an on-demand stream). */
  assumptions: string[];
}
