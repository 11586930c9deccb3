/**
 * The monthly cost of one stream from its configuration, its usage and a price table. Pure arithmetic over the
 * dimensions of https://aws.amazon.com/kinesis/data-streams/pricing/ (docs/cost.md explains each, with a worked
 * example). Every month has 730 hours; data volumes follow from the average write rate over the whole month.
 */
import type { CostLine, PriceDimension, PriceTable, StreamConfig, StreamCostEstimate, StreamUsage } from './types.js';
import {
  BASE_RETENTION_HOURS,
  BYTES_PER_GB,
  EXTENDED_RETENTION_MAX_HOURS,
  HOURS_PER_MONTH,
  ON_DEMAND_DEFAULT_SHARDS,
  ON_DEMAND_RECORD_ROUNDING_BYTES,
  PUT_PAYLOAD_UNIT_BYTES,
  SECONDS_PER_MONTH,
} from './types.js';

/** Average record size in bytes (0 when nothing is written). */
function recordBytes(u: StreamUsage): number {
  return u.writeRecordsPerSecond > 0 ? u.writeBytesPerSecond / u.writeRecordsPerSecond : 0;
}

/**
 * Bytes per second as billed on-demand: each record rounded up to 1 KB. The average record stands for all of them
 * (a mix of sizes rounds up a little more than its average does: the estimate is a floor for mixed sizes).
 */
export function billedOnDemandBytesPerSecond(u: StreamUsage): number {
  const size = recordBytes(u);
  if (size === 0) return 0;
  return u.writeRecordsPerSecond * Math.ceil(size / ON_DEMAND_RECORD_ROUNDING_BYTES) * ON_DEMAND_RECORD_ROUNDING_BYTES;
}

/** PUT payload units per month: each record is ceil(size / 25 KB) units. */
export function putPayloadUnitsPerMonth(u: StreamUsage): number {
  const size = recordBytes(u);
  if (size === 0) return 0;
  return u.writeRecordsPerSecond * Math.ceil(size / PUT_PAYLOAD_UNIT_BYTES) * SECONDS_PER_MONTH;
}

/** GB stored in steady state for `hours` of retention at `bytesPerSecond`. */
function storedGb(bytesPerSecond: number, hours: number): number {
  return hours > 0 ? (bytesPerSecond * hours * 3600) / BYTES_PER_GB : 0;
}

/** Retention hours in the extended (24 h - 7 d) and long-term (> 7 d) windows. */
export function retentionWindows(retentionHours: number): { extended: number; longTerm: number } {
  const extended = Math.max(0, Math.min(retentionHours, EXTENDED_RETENTION_MAX_HOURS) - BASE_RETENTION_HOURS);
  const longTerm = Math.max(0, retentionHours - EXTENDED_RETENTION_MAX_HOURS);
  return { extended, longTerm };
}

function line(table: PriceTable, dimension: PriceDimension, quantity: number, basis: CostLine['basis']): CostLine {
  const unitPriceUSD = table.prices[dimension];
  return { dimension, quantity, unitPriceUSD, monthlyUSD: quantity * unitPriceUSD, basis };
}

/** Shards a cost is computed for, and the assumption when it is not known. */
function shardsOf(config: StreamConfig): { shards: number; assumption?: string } {
  if (config.shards !== undefined) return { shards: config.shards };
  return {
    shards: ON_DEMAND_DEFAULT_SHARDS,
    assumption: `shard count not known: ${ON_DEMAND_DEFAULT_SHARDS} shards assumed (an on-demand stream's initial count)`,
  };
}

function provisionedLines(table: PriceTable, c: StreamConfig, shards: number, u: StreamUsage): CostLine[] {
  const { extended, longTerm } = retentionWindows(c.retentionHours);
  const gbPerMonth = (u.writeBytesPerSecond * SECONDS_PER_MONTH) / BYTES_PER_GB;
  const out = [
    line(table, 'provisioned-shard-hour', shards * HOURS_PER_MONTH, 'configured'),
    line(table, 'provisioned-put-payload-unit', putPayloadUnitsPerMonth(u), u.basis),
  ];
  // Extended retention is billed per shard-hour for the whole stream once retention passes 24 h.
  if (extended > 0)
    out.push(line(table, 'provisioned-extended-retention-shard-hour', shards * HOURS_PER_MONTH, 'configured'));
  if (longTerm > 0)
    out.push(
      line(table, 'provisioned-long-term-retention-gb-month', storedGb(u.writeBytesPerSecond, longTerm), u.basis),
    );
  if (c.efoConsumers > 0) {
    out.push(
      line(table, 'provisioned-efo-consumer-shard-hour', c.efoConsumers * shards * HOURS_PER_MONTH, 'configured'),
    );
    out.push(line(table, 'provisioned-efo-data-gb', c.efoConsumers * gbPerMonth, u.basis));
  }
  return out;
}

function onDemandLines(table: PriceTable, c: StreamConfig, u: StreamUsage): CostLine[] {
  const { extended, longTerm } = retentionWindows(c.retentionHours);
  const billed = billedOnDemandBytesPerSecond(u);
  const gbIn = (billed * SECONDS_PER_MONTH) / BYTES_PER_GB;
  const out = [
    line(table, 'on-demand-stream-hour', HOURS_PER_MONTH, 'configured'),
    line(table, 'on-demand-data-in-gb', gbIn, u.basis),
  ];
  if (u.pollingReaders > 0) out.push(line(table, 'on-demand-data-out-gb', u.pollingReaders * gbIn, u.basis));
  if (c.efoConsumers > 0) out.push(line(table, 'on-demand-efo-data-gb', c.efoConsumers * gbIn, u.basis));
  if (extended > 0) out.push(line(table, 'on-demand-extended-retention-gb-month', storedGb(billed, extended), u.basis));
  if (longTerm > 0)
    out.push(line(table, 'on-demand-long-term-retention-gb-month', storedGb(billed, longTerm), u.basis));
  return out;
}

/** The monthly cost of a stream configured as `config` and used as `usage`, at `table`'s prices. */
export function streamCost(config: StreamConfig, usage: StreamUsage, table: PriceTable): StreamCostEstimate {
  const assumptions: string[] = [];
  const lines =
    config.mode === 'PROVISIONED'
      ? provisionedLines(table, config, config.shards ?? 0, usage)
      : onDemandLines(table, config, usage);
  if (config.enhancedMetrics > 0) {
    const s = shardsOf(config);
    if (s.assumption !== undefined) assumptions.push(s.assumption);
    lines.push(line(table, 'cloudwatch-metric-month', config.enhancedMetrics * s.shards, 'configured'));
  }
  return { monthlyUSD: lines.reduce((n, l) => n + l.monthlyUSD, 0), lines, assumptions };
}
