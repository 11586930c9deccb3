/**
 * The cost sections of the plan (`Plan.cost`) and of the audit (chargeback): plain JSON, part of the saved-plan
 * contract (schema/plan.schema.json is generated from these types; no maps, every object closed). Money is USD per
 * month of 730 hours, rounded to 1/10,000 of a dollar.
 */
import type { PriceDimension, PriceSourceKind, UsageBasis } from './types.js';

/** Which prices a cost section used, and how old they are. */
export interface CostPriceSource {
  kind: PriceSourceKind;
  /** Region the prices are for. */
  region: string;
  /** Day the prices were read (YYYY-MM-DD). */
  asOf: string;
  /** Whole days between `asOf` and the plan's (or report's) creation. */
  ageDays: number;
  /** Who published the prices and how they were read. */
  source: string;
  /** Dimensions whose price was not confirmed against the source (shipped estimates, or absent from the answer). */
  unconfirmed: PriceDimension[];
}

/** One priced dimension of a stream's monthly cost. */
export interface CostLineRow {
  dimension: PriceDimension;
  /** Units per month (shard-hours, PUT payload units, GB, GB-months, metric-months). */
  quantity: number;
  unitPriceUSD: number;
  monthlyUSD: number;
  /** `configured`: follows from the configuration alone; otherwise where the usage came from. */
  basis: UsageBasis | 'configured';
}

/** A stream's monthly cost before (live) and after (desired) the plan. */
export interface StreamCostRow {
  account: string;
  stream: string;
  /** Declared domain, or the live `meshgov:domain` tag; absent when neither is known. */
  domain?: string;
  /** Monthly cost as live; null when the stream does not exist yet. */
  beforeUSD: number | null;
  /** Monthly cost as desired; null when the plan deletes the stream. */
  afterUSD: number | null;
  /** afterUSD - beforeUSD (a missing side counts 0). */
  deltaUSD: number;
  /** Where the usage figures came from. */
  usage: { basis: UsageBasis; note: string };
  /** The priced dimensions of the desired configuration (of the live one for a deletion). */
  lines: CostLineRow[];
  /** Assumptions beyond configuration and usage (e.g. the shard count of an on-demand stream). */
  assumptions: string[];
}

/**
 * The cost effect of one change alone: the stream's cost with just this change applied to the live configuration,
 * minus the live cost. Changes to the same stream can interact (more shards make longer retention dearer), so the
 * stream's delta, not the sum of its changes, is authoritative.
 */
export interface ChangeCost {
  changeId: string;
  address: string;
  account: string;
  stream: string;
  domain?: string;
  deltaUSD: number;
}

/** A domain's monthly cost before and after (chargeback). */
export interface DomainCost {
  /** Domain name, or `(no domain)` for streams without one. */
  domain: string;
  beforeUSD: number;
  afterUSD: number;
  deltaUSD: number;
}

export interface CostTotals {
  beforeUSD: number;
  afterUSD: number;
  deltaUSD: number;
}

/** The plan's monthly cost estimate (Infracost-style): totals, per domain, per stream and per change. */
export interface PlanCost {
  currency: 'USD';
  /** Hours every month is priced for. */
  hoursPerMonth: 730;
  prices: CostPriceSource;
  total: CostTotals;
  /** Sorted by domain name. */
  domains: DomainCost[];
  /** Every in-scope stream, sorted by account and name. */
  streams: StreamCostRow[];
  /** Pending (not blocked) changes whose cost effect is not zero, largest effect first. */
  changes: ChangeCost[];
  /** Assumptions that hold for the whole estimate. */
  assumptions: string[];
}

/** A stream's current monthly cost, as live (audit). */
export interface StreamCurrentCost {
  account: string;
  stream: string;
  monthlyUSD: number;
  usage: { basis: UsageBasis; note: string };
  lines: CostLineRow[];
  assumptions: string[];
}

/** The audit's current monthly cost per domain (chargeback). */
export interface ChargebackReport {
  currency: 'USD';
  hoursPerMonth: 730;
  prices: CostPriceSource;
  /** Sum over every stream. */
  totalUSD: number;
  /** Sorted by cost, largest first; streams of each domain sorted the same way. */
  domains: { domain: string; monthlyUSD: number; streams: StreamCurrentCost[] }[];
  assumptions: string[];
}
