/**
 * Desired state: what the mesh should look like in AWS, per account. Produced by `renderMesh` (pure), consumed by
 * `meshgov render` (written as files), by the plan (diffed against LiveState) and by the IAM proof test.
 * Everything here is plain JSON and deterministic: same mesh in, same bytes out.
 */
import type { AccountId } from '../model/types.js';

/** An IAM policy document (identity, resource, trust, SCP or permission boundary). */
export interface PolicyDocument {
  Version: '2012-10-17';
  Statement: PolicyStatement[];
}

export interface PolicyStatement {
  /** Stable Sid: derived from grant ids / purpose, never from positions, so diffs stay small. */
  Sid: string;
  Effect: 'Allow' | 'Deny';
  Principal?: { AWS: string | string[] } | { Service: string | string[] };
  NotPrincipal?: { AWS: string | string[] };
  Action?: string | string[];
  NotAction?: string | string[];
  Resource?: string | string[];
  NotResource?: string | string[];
  Condition?: Record<string, Record<string, string | string[] | boolean>>;
}

export interface DesiredStream {
  /** Kinesis stream name. */
  name: string;
  /** `arn:<partition>:kinesis:<region>:<account>:stream/<name>`. */
  arn: string;
  account: AccountId;
  region: string;
  domain: string;
  mode: 'ON_DEMAND' | 'PROVISIONED';
  /** Shard count for PROVISIONED streams. */
  shards?: number;
  /** Live shard counts inside this range are not drift (autoscaling owns them). */
  autoscaling?: { min: number; max: number };
  /** Retention period, hours. */
  retentionHours: number;
  encryption: { type: 'KMS' | 'NONE'; keyId?: string };
  /** Shard-level metrics to enable, sorted; `ALL` when all. */
  enhancedMonitoring: string[];
  /** Every tag the stream must carry (user, mesh, governance and grant tags), keys sorted. */
  tags: Record<string, string>;
  /** The whole stream resource policy meshgov owns, or undefined when no cross-account grant needs one. */
  resourcePolicy?: PolicyDocument;
  deletionProtection: boolean;
}

export interface DesiredConsumer {
  stream: string;
  streamArn: string;
  account: AccountId;
  /** Enhanced fan-out consumer name. */
  name: string;
  /** ARN pattern: the real ARN ends with `:<creation timestamp>`, so policies use `.../consumer/<name>:*`. */
  arnPattern: string;
  /** The grant that declares the consumer. */
  grantId: string;
  /** Tags set at registration (governance tags), keys sorted. */
  tags: Record<string, string>;
  /** Consumer resource policy for cross-account EFO consumers (put only once the consumer is ACTIVE). */
  resourcePolicy?: PolicyDocument;
}

export type IamArtefactKind =
  | 'identity-policy' // managed policy attached to a producer/consumer role
  | 'governance-policy' // the governance role's own policy
  | 'trust-policy' // trust policy of a role meshgov manages
  | 'permissions-boundary' // the tag-tampering deny as a boundary
  | 'guard-scp' // the tag-tampering guard as an Organizations SCP
  | 'event-source-mapping' // Lambda ESM with filter criteria (filtered grants)
  | 'fanout-policy' // the intermediary's read policy (fanout grants)
  | 'kms-key-policy-statements'; // advisory: statements a customer-managed key's owner must add (never applied)

export interface IamArtefact {
  kind: IamArtefactKind;
  /** Account the artefact lives in (for an SCP: the management account is unknown, so the mesh's first account). */
  account: AccountId;
  /** Stable artefact name, e.g. `meshgov-fraud-scorer` for a managed policy. */
  name: string;
  /** Role the artefact is attached to, when it is a role policy. */
  roleName?: string;
  /** Grants the artefact serves. */
  grantIds: string[];
  /** A policy document, or (for event-source-mapping) the ESM settings with FilterCriteria. */
  document: PolicyDocument | Record<string, unknown>;
}

/**
 * The Lambda event source mapping a `filtered` grant declares, in the grantee's account (the function lives in the
 * consuming account). Plan and audit compare it with the mappings read live; apply touches it only when `manage`.
 */
export interface DesiredEventSourceMapping {
  grantId: string;
  /** The grantee's account, where the function and the mapping live. */
  account: AccountId;
  /** Account and name of the source stream. */
  streamAccount: AccountId;
  stream: string;
  /** Declared function name (unqualified). */
  functionName: string;
  /** `arn:<partition>:lambda:<region>:<account>:function:<name>`, unqualified. */
  functionArn: string;
  /**
   * The stream ARN: what the mapping reads, directly or (with `consumer`) through that consumer, whose ARN
   * `<stream ARN>/consumer/<name>:<creation timestamp>` is only known once it is registered.
   */
  eventSourceArn: string;
  /** The grant's enhanced fan-out consumer: the mapping's EventSourceArn must be this consumer's ARN. */
  consumer?: string;
  startingPosition: 'LATEST' | 'TRIM_HORIZON';
  batchSize?: number;
  /** Filter patterns as canonical JSON (keys sorted at every level), in declaration order. */
  patterns: string[];
  /** The grant opts in (`filter.manageMapping`): apply may create the mapping and update its filter criteria. */
  manage: boolean;
}

export interface DesiredAccount {
  account: AccountId;
  streams: DesiredStream[];
  consumers: DesiredConsumer[];
  iam: IamArtefact[];
  /** Event source mappings of filtered grants whose grantee is this account (absent: none). */
  mappings?: DesiredEventSourceMapping[];
}

export interface DesiredState {
  mesh: string;
  region: string;
  partition: string;
  organizationId?: string;
  /** Accounts in mesh order; streams, consumers and artefacts sorted by name. */
  accounts: DesiredAccount[];
}
