/**
 * The normalised mesh: what `loadMesh` returns once mesh.yaml (and its includes) passed the schema.
 * Every entity carries `at`, the file and document path it was declared at, so any later stage
 * (semantic checks, rules, render limits, plan) can report a located diagnostic.
 */
import type { DocPath } from '../diagnostics/diagnostic.js';

/** Where an entity was declared. */
export interface SourceRef {
  /** File name as given by the user (root file or an included file). */
  file: string;
  /** Path of the entity's node inside that file. */
  path: DocPath;
}

/** A 12-digit AWS account id, kept as a string (leading zeros matter). */
export type AccountId = string;

export interface Mesh {
  /** Mesh name; also the value of the `meshgov:mesh` governance tag. */
  name: string;
  /** AWS region of every stream in the mesh (Kinesis has no cross-region access). */
  region: string;
  /** AWS partition, `aws` unless the region says otherwise. */
  partition: string;
  /** AWS Organizations id (`o-...`), when the mesh accounts belong to one organisation. */
  organizationId?: string;
  /** The role meshgov assumes in every mesh account; the only holder of admin and tagging rights. */
  governanceRole: GovernanceRole;
  /** Tags added to every managed stream and consumer. */
  tags: Record<string, string>;
  accounts: Account[];
  classifications: Classification[];
  domains: Domain[];
  /** All streams of all domains, in declaration order. */
  streams: Stream[];
  /** All grants (top-level and per-domain), in declaration order. */
  grants: Grant[];
  waivers: Waiver[];
  /** Guardrail rule settings from the governance (root) file. */
  rules: Record<string, RuleSetting>;
  /** Every file that contributed to the mesh: the root first, then includes in order. */
  files: string[];
  at: SourceRef;
}

export interface GovernanceRole {
  /** IAM role name (no path), e.g. `meshgov-governance`. */
  name: string;
  /** IAM path of the role, `/` by default. */
  path: string;
  /** External id passed to STS AssumeRole, when the trust policy requires one. */
  externalId?: string;
  /** Role name (same path) assumed by read-only commands (plan, audit, import) instead of `name`. */
  readOnlyName?: string;
}

export type Environment = 'prod' | 'staging' | 'dev' | 'test' | 'sandbox';

export interface Account {
  id: AccountId;
  alias: string;
  environment: Environment;
  at: SourceRef;
}

/** Encryption a classification requires: `none` allows unencrypted streams. */
export type EncryptionRequirement = 'none' | 'aws-managed' | 'customer-managed';

export interface Classification {
  /** e.g. `public`, `internal`, `confidential`, `restricted`. */
  name: string;
  /** Minimum retention, hours (24..8760). */
  minRetentionHours: number;
  /** Maximum retention, hours (24..8760). */
  maxRetentionHours: number;
  encryption: EncryptionRequirement;
  /** Sensitivity rank: higher is more sensitive (0 = public). Used by rules to compare classifications. */
  level: number;
  description?: string;
  at: SourceRef;
}

export interface Owner {
  team: string;
  /** E-mail address or chat channel of the owning team. */
  contact: string;
}

export interface Domain {
  name: string;
  description?: string;
  owner: Owner;
  /** Accounts the domain's streams and roles live in. */
  accounts: AccountId[];
  /** Names of the domain's streams. */
  streams: string[];
  /** Rule settings of this domain (may only tighten the governance settings). */
  rules: Record<string, RuleSetting>;
  /** The file the domain was declared in (for CODEOWNERS split by `include:`). */
  file: string;
  at: SourceRef;
}

export type CapacityMode = 'ON_DEMAND' | 'PROVISIONED';

export interface Capacity {
  mode: CapacityMode;
  /** Shard count; only for PROVISIONED. */
  shards?: number;
  /** Autoscaling range in shards (PROVISIONED only): live counts within [min, max] are not drift. */
  autoscaling?: { min: number; max: number };
}

export interface Encryption {
  /** `KMS` or `NONE`, as Kinesis names it. */
  type: 'KMS' | 'NONE';
  /** KMS key id, alias or ARN; `alias/aws/kinesis` is the AWS-managed key. */
  keyId?: string;
}

export interface Stream {
  /** Kinesis stream name (unique in its account and region). */
  name: string;
  domain: string;
  account: AccountId;
  description?: string;
  capacity: Capacity;
  /** Retention period, hours (24..8760). */
  retentionHours: number;
  encryption: Encryption;
  classification: string;
  /** Schema reference, e.g. a Glue Schema Registry ARN or a URL. */
  schema?: string;
  /** Who to call about this data product, when it differs from the domain owner. */
  contact?: string;
  sla?: { freshnessSeconds?: number; availability?: string };
  /** Expected write throughput, used by capacity rules and the hot-shard audit. */
  throughput?: { writeMiBPerSecond?: number; writeRecordsPerSecond?: number };
  /** Shard-level CloudWatch metrics to enable (`ALL` or metric names). */
  enhancedMonitoring: string[];
  deletionProtection: boolean;
  deprecated: boolean;
  /** User tags (governance tags are added by render). */
  tags: Record<string, string>;
  at: SourceRef;
}

/** An IAM principal a grant names. */
export interface Principal {
  kind: 'role' | 'account';
  account: AccountId;
  /** Role name (for kind `role`). */
  role?: string;
  /** IAM path of the role, `/` by default. */
  path: string;
  /** True when the principal is outside the mesh (not a declared account). Requires `external: true`. */
  external: boolean;
}

export type Access = 'produce' | 'consume';
export type Pattern = 'replay' | 'efo' | 'filtered' | 'fanout';

export interface FilterSettings {
  /** Lambda function that owns the event source mapping. */
  functionName: string;
  /** Filter patterns (each a JSON object whose only top-level key is `data`), ORed by Lambda. */
  patterns: Record<string, unknown>[];
  /** Filters allowed for this mapping (5 by default, 10 with a quota increase). */
  maxFilters: number;
  batchSize?: number;
  startingPosition: 'LATEST' | 'TRIM_HORIZON';
  /**
   * True when the grant lets meshgov create the mapping and update its filter criteria (`filter.manageMapping`).
   * The Lambda function belongs to the consuming team: without it meshgov only reads and reports the mapping.
   */
  manageMapping: boolean;
}

export interface FanoutSettings {
  /** Where the intermediary pushes records. */
  target: 'appsync' | 'apigateway-websocket' | 'custom-websocket';
  endpoint?: string;
}

export interface Grant {
  /** Stable grant id, unique in the mesh. */
  id: string;
  stream: string;
  principal: Principal;
  access: Access;
  /** Only for `consume`; producers have no pattern. */
  pattern?: Pattern;
  /**
   * For `efo` (required) and `filtered` (optional): the enhanced fan-out consumer name (unique per stream). A filtered
   * grant with a consumer has its Lambda event source mapping read through it (see model/grant-consumer.ts).
   */
  consumerName?: string;
  /**
   * For a grant with a consumer: user tags of the consumer (the mesh tags and the governance tags are added by
   * render; reserved keys are rejected by validation). Absent: none.
   */
  consumerTags?: Record<string, string>;
  filter?: FilterSettings;
  fanout?: FanoutSettings;
  /** Retention the consumer needs to replay, hours. */
  replayHours?: number;
  /** KCL extras: DynamoDB lease table and CloudWatch metrics rights. */
  kcl?: { leaseTable: string; metrics: boolean };
  /** ISO date (YYYY-MM-DD) after which the grant is no longer in force. */
  expires?: string;
  justification?: string;
  /** Approved exception (e.g. a non-filtered grant on a restricted stream). */
  approvedBy?: string;
  /** The domain whose file declared the grant, if any. */
  domain?: string;
  at: SourceRef;
}

export interface Waiver {
  /** Rule id being waived. */
  rule: string;
  /** Address of the waived entity: `stream/NAME`, `grant/ID`, `domain/NAME`, `consumer/STREAM/NAME` or `mesh`. */
  target: string;
  justification: string;
  /** ISO date (YYYY-MM-DD); the waiver is an error after it. */
  expires: string;
  approvedBy?: string;
  at: SourceRef;
}

/** Setting of one guardrail rule: a severity override and/or parameters. */
export interface RuleSetting {
  severity?: 'error' | 'warning' | 'info' | 'off';
  params?: Record<string, unknown>;
  at: SourceRef;
}

/** Address of an entity as used in waivers, plans and findings. */
export function streamAddress(name: string): string {
  return `stream/${name}`;
}
export function grantAddress(id: string): string {
  return `grant/${id}`;
}
export function consumerAddress(stream: string, consumer: string): string {
  return `consumer/${stream}/${consumer}`;
}
