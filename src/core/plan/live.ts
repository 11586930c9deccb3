/**
 * Live state: what the readers found in the accounts. Produced by adapters (AWS SDK or the local target),
 * consumed by the pure diff (plan) and the audit. Plain JSON, so it can be recorded as a fixture.
 */
import type { AccountId } from '../model/types.js';
import type { PolicyDocument } from '../render/types.js';

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
  /** The stream's resource policy, parsed; undefined when there is none. */
  resourcePolicy?: PolicyDocument;
  consumers: LiveConsumer[];
  /** Creation time, ISO 8601. */
  createdAt?: string;
}

export interface LiveConsumer {
  name: string;
  /** Full consumer ARN including the creation timestamp. */
  arn: string;
  status: 'CREATING' | 'DELETING' | 'ACTIVE';
  tags: Record<string, string>;
  resourcePolicy?: PolicyDocument;
}

export interface LiveRolePolicy {
  /** Role name. */
  role: string;
  /** Managed or inline policy name. */
  policyName: string;
  kind: 'managed' | 'inline';
  document: PolicyDocument;
}

export interface LiveAccount {
  account: AccountId;
  streams: LiveStream[];
  /** IAM policies meshgov manages (found by path/tags); undefined when IAM was not read (e.g. local target). */
  iam?: LiveRolePolicy[];
  /** Every role/user identity policy in the account that mentions kinesis (for the unauthorized-access audit). */
  identityPolicies?: { principalArn: string; documents: PolicyDocument[] }[];
}

export interface LiveState {
  region: string;
  accounts: LiveAccount[];
  /** Organisation facts when Organizations could be read. */
  organization?: { id: string; accounts: AccountId[] };
  /** Parts of the live state that were not read, and why (e.g. "IAM: no emulator on the local target"). */
  notChecked: string[];
}
