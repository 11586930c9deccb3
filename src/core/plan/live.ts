/**
 * Live state: what the readers found in the accounts. Produced by adapters (AWS SDK or the local target),
 * consumed by the pure diff (plan) and the audit. Plain JSON, so it can be recorded as a fixture.
 */
import type { AccountId } from '../model/types.js';

export interface LiveStream {
  name: string;
  arn: string;
  account: AccountId;
  status: 'CREATING' | 'DELETING' | 'ACTIVE' | 'UPDATING';
  mode: 'ON_DEMAND' | 'PROVISIONED';
  /** Open shard count. */
  shards: number;
  retentionHours: number;
  encryption: { type: 'KMS' | 'NONE'; keyId?: string };
  /** Enabled shard-level metrics, sorted. */
  enhancedMonitoring: string[];
  tags: Record<string, string>;
  /**
   * The stream's resource policy as read: untrusted JSON in any form the IAM grammar allows (or not), read only
   * through `parsePolicy` (src/core/policy); undefined when there is none.
   */
  resourcePolicy?: unknown;
  consumers: LiveConsumer[];
  /** Creation time, ISO 8601. */
  createdAt?: string;
  /** Parts the reader could not read (the endpoint lacks the API): the diff leaves them alone and says so. */
  notRead?: ('resourcePolicy' | 'consumerTags' | 'consumerPolicies')[];
}

export interface LiveConsumer {
  name: string;
  /** Full consumer ARN including the creation timestamp. */
  arn: string;
  status: 'CREATING' | 'DELETING' | 'ACTIVE';
  tags: Record<string, string>;
  /** The consumer's resource policy as read (untrusted JSON, see `LiveStream.resourcePolicy`). */
  resourcePolicy?: unknown;
}

export interface LiveRolePolicy {
  /** Role name. */
  role: string;
  /** Managed or inline policy name (for `boundary`: the boundary policy's name, the last part of its ARN). */
  policyName: string;
  /**
   * `boundary`: the role's permissions boundary (GetRole `PermissionsBoundary`), one entry per role that has one.
   * Its document is read only when the boundary is meshgov's (named `meshgov*` or under the mesh path); a foreign
   * boundary is never read (the governance role may not) and carries an empty statement list.
   */
  kind: 'managed' | 'inline' | 'boundary';
  /** The policy document as read (untrusted JSON, read through `parsePolicy`). */
  document: unknown;
  /** For `boundary`: the boundary policy's ARN. */
  policyArn?: string;
}

/**
 * A Lambda event source mapping as ListEventSourceMappings returned it (EventSourceMappingConfiguration), vendor types
 * stripped. https://docs.aws.amazon.com/lambda/latest/api/API_EventSourceMappingConfiguration.html
 */
export interface LiveEventSourceMapping {
  uuid: string;
  /** The function's ARN as Lambda reports it (may carry a version or alias qualifier). */
  functionArn: string;
  eventSourceArn: string;
  /**
   * `FilterCriteria.Filters[].Pattern` as read: untrusted strings, parsed only by the comparison (a filter without a
   * pattern is kept as ''); empty when `FilterCriteria` is absent or has no filters (every record reaches the
   * function).
   */
  filterPatterns: string[];
  startingPosition?: string;
  batchSize?: number;
  /** Seconds. */
  maximumBatchingWindowInSeconds?: number;
  /** Creating, Enabling, Enabled, Disabling, Disabled, Updating or Deleting. */
  state?: string;
}

/** The mappings read in one account, or why they were not read (no Lambda on the target, access denied). */
export type LiveLambda =
  | {
      status: 'read';
      /** The event source ARNs that were listed (ListEventSourceMappings by EventSourceArn), sorted. */
      sources: string[];
      mappings: LiveEventSourceMapping[];
    }
  | { status: 'not-read'; reason: string };

export interface LiveAccount {
  account: AccountId;
  /** Event source mappings of the filtered grants' sources; undefined when the account has none to read. */
  lambda?: LiveLambda;
  streams: LiveStream[];
  /** IAM policies meshgov manages (found by path/tags); undefined when IAM was not read (e.g. local target). */
  iam?: LiveRolePolicy[];
  /** Every role/user identity policy in the account that mentions kinesis (for the unauthorized-access audit). */
  identityPolicies?: { principalArn: string; documents: unknown[] }[];
  /**
   * Streams found in the account that meshgov does not manage (neither declared in the mesh nor tagged
   * `meshgov:managed-by=meshgov` for this mesh). Known from ListStreams alone: never read further, never changed.
   * Undefined when the reader did not list them.
   */
  unmanagedStreams?: LiveUnmanagedStream[];
}

/** A stream meshgov does not manage: listed in the plan (a candidate for `import`), never touched. */
export interface LiveUnmanagedStream {
  name: string;
  arn: string;
  /** From ListStreams StreamSummaries, when the endpoint returns them. */
  status?: LiveStream['status'];
  mode?: LiveStream['mode'];
  /** Creation time, ISO 8601, when known. */
  createdAt?: string;
  /** Why it is unmanaged, e.g. "not declared and not tagged meshgov:managed-by=meshgov". */
  reason: string;
}

export interface LiveState {
  region: string;
  accounts: LiveAccount[];
  /** Organisation facts when Organizations could be read. */
  organization?: {
    id: string;
    /** Active member accounts, sorted. */
    accounts: AccountId[];
    /** True when the member accounts could not be listed (ListAccounts denied): `accounts` is then empty and means nothing. */
    accountsUnknown?: boolean;
  };
  /** Parts of the live state that were not read, and why (e.g. "IAM: no emulator on the local target"). */
  notChecked: string[];
}
