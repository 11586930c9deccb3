/**
 * The plan is data (after Terraform's `internal/plans`): the text and markdown renderers read exactly this JSON,
 * so a plan read back from disk renders like a fresh one, and `apply` executes it change by change.
 * The schema is documented in docs/plan-json.md; bump `formatVersion` on any incompatible change.
 */
import type { PlanCost } from '../cost/report-types.js';
import type { AnalyzerReport } from '../analyzer/types.js';
import type { Diagnostic } from '../diagnostics/diagnostic.js';
import type { AccountId } from '../model/types.js';
import type { IamArtefactKind, PolicyDocument } from '../render/types.js';

export const PLAN_FORMAT_VERSION = 2;
/** Largest saved plan `apply` and `report` read, in bytes (see docs/limits.md). */
export const MAX_PLAN_BYTES = 128 * 1024 * 1024;

export type ChangeAction = 'create' | 'update' | 'replace' | 'delete' | 'no-op';

/**
 * safe: no data or access is lost; disruptive: producers/consumers may see errors or resharding, or a daily
 * budget is spent; destructive: data or access is lost (needs `apply --allow-destructive`).
 */
export type Risk = 'safe' | 'disruptive' | 'destructive';

/**
 * What a change acts on. A new stream is one `stream` create carrying every attribute; the `stream-*` types are
 * the settings of an existing stream, one per API family, so apply maps each change to one kind of call.
 */
export type ResourceType =
  | 'stream' // CreateStream / DeleteStream
  | 'stream-tags' // AddTagsToStream / RemoveTagsFromStream: additions, changes, removals that grant nothing
  | 'stream-tag-revocation' // RemoveTagsFromStream of grant tags and tampered meshgov keys (destructive)
  | 'stream-encryption' // StartStreamEncryption / StopStreamEncryption
  | 'stream-retention' // IncreaseStreamRetentionPeriod / DecreaseStreamRetentionPeriod
  | 'stream-capacity' // UpdateStreamMode, then UpdateShardCount
  | 'stream-monitoring' // EnableEnhancedMonitoring / DisableEnhancedMonitoring
  | 'consumer' // RegisterStreamConsumer / DeregisterStreamConsumer
  | 'consumer-tags' // TagResource / UntagResource on the consumer ARN
  | 'consumer-tag-revocation' // UntagResource of grant tags and tampered meshgov keys on the consumer (destructive)
  | 'stream-policy' // PutResourcePolicy / DeleteResourcePolicy on the stream ARN (whole document)
  | 'consumer-policy' // PutResourcePolicy / DeleteResourcePolicy on the consumer ARN (whole document)
  | 'iam-policy' // a role policy meshgov manages (managed or inline)
  | 'iam-boundary' // the tag-tampering guard boundary: the managed policy (CreatePolicy / CreatePolicyVersion)
  // or its attachment to a role (PutRolePermissionsBoundary)
  | 'event-source-mapping'; // a filtered grant's Lambda mapping: CreateEventSourceMapping / UpdateEventSourceMapping

/** Why apply will refuse a change whatever flags it is given (see blocked.ts). */
export interface Blocked {
  /**
   * `consumer-owned`: an event source mapping of a grant that did not opt in (`filter.manageMapping`); the Lambda
   * function belongs to the consuming team, which fixes the drift itself.
   */
  reason: 'deletion-protected' | 'budget' | 'consumer-owned';
  /** What blocks it and what to do, one or two sentences. */
  message: string;
}

/** Tags as a map; in an update, only the keys that differ (see docs/plan-json.md). */
export type TagMap = Record<string, string>;
export type StreamMode = 'ON_DEMAND' | 'PROVISIONED';
export interface EncryptionSetting {
  type: 'KMS' | 'NONE';
  keyId?: string;
}

/** Every attribute of a new stream. */
export interface StreamCreateAttributes {
  mode: StreamMode;
  /** Open shards (provisioned only). */
  shards?: number;
  /** Hours. */
  retentionHours: number;
  encryption: EncryptionSetting;
  /** Shard-level metrics, expanded and sorted (`ALL` when all). */
  enhancedMonitoring: string[];
  tags: TagMap;
  deletionProtection: boolean;
}

/** What a stream deletion destroys, as read live. */
export interface StreamDeleteAttributes {
  mode: StreamMode;
  shards?: number;
  retentionHours: number;
  /** Names of the consumers deregistered with it. */
  consumers: string[];
  tags: TagMap;
}

/** The account and stream a stream-level change acts on. */
export interface StreamTarget {
  account: AccountId;
  stream: string;
}
/** An enhanced fan-out consumer of a stream. */
export interface ConsumerTarget {
  account: AccountId;
  stream: string;
  consumer: string;
}
/** A role policy meshgov manages (managed or inline). */
export interface RolePolicyTarget {
  account: AccountId;
  role: string;
  policyName: string;
}
/** The guard boundary managed policy of an account. */
export interface BoundaryPolicyTarget {
  account: AccountId;
  policyName: string;
}
/** The guard boundary attached to a role. */
export interface BoundaryAttachmentTarget {
  account: AccountId;
  role: string;
  policyName: string;
}

/** A filtered grant's Lambda event source mapping, in the grantee's account (where the function lives). */
export interface MappingTarget {
  account: AccountId;
  grantId: string;
  /** Declared function name (unqualified). */
  functionName: string;
  /** The stream the mapping must read (its ARN), directly or through `consumer`. */
  eventSourceArn: string;
  /**
   * The enhanced fan-out consumer of that stream the mapping reads through (its EventSourceArn is then the consumer's
   * ARN, looked up by apply once the consumer exists).
   */
  consumer?: string;
  /** For an update: the UUID of the live mapping whose filter criteria are replaced. */
  uuid?: string;
}

/** What every change carries, whatever it acts on. */
export interface ChangeCommon {
  /** Stable id, `<resourceType>:<address>`; unique in the plan. */
  id: string;
  /**
   * Human-readable location, for output only (apply reads `target`): `<account>/stream/<name>`,
   * `.../consumer/<consumer>`, `.../policy`, `<account>/iam/role/<role>/policy/<name>`, `<account>/iam/policy/<name>`
   * (boundary policy), `<account>/iam/role/<role>/boundary` (boundary attachment).
   */
  address: string;
  account: AccountId;
  /** Stream name the change belongs to, when it belongs to one. */
  stream?: string;
  /** Domain of the stream, when known (declared, or the live `meshgov:domain` tag). */
  domain?: string;
  risk: Risk;
  /** Why the change is planned and why it has its risk, one sentence each. */
  reasons: string[];
  /** Ids of changes that must be applied first. */
  dependsOn: string[];
  /** 1-based position in apply order (dependencies always come first). */
  order: number;
  /** Set when apply will refuse the change (deletion protection, a spent scaling budget): not a pending change. */
  blocked?: Blocked;
}

export type StreamChange = ChangeCommon & { resourceType: 'stream'; target: StreamTarget } & (
    | { action: 'create'; before: null; after: StreamCreateAttributes }
    | { action: 'delete'; before: StreamDeleteAttributes; after: null }
    | { action: 'no-op'; before: null; after: null }
  );
/** Tag updates: `before` holds the live values of changed or removed keys, `after` the desired values of added or changed ones. */
export type StreamTagsChange = ChangeCommon & {
  resourceType: 'stream-tags' | 'stream-tag-revocation';
  target: StreamTarget;
  action: 'update';
  before: { tags: TagMap };
  after: { tags: TagMap };
};
export type StreamEncryptionChange = ChangeCommon & {
  resourceType: 'stream-encryption';
  target: StreamTarget;
  action: 'update';
  before: { encryption: EncryptionSetting };
  after: { encryption: EncryptionSetting };
};
export type StreamRetentionChange = ChangeCommon & {
  resourceType: 'stream-retention';
  target: StreamTarget;
  action: 'update';
  before: { retentionHours: number };
  after: { retentionHours: number };
};
/** Capacity: `mode` present when the mode switches, `shards` when the open shard count changes. */
export type StreamCapacityChange = ChangeCommon & {
  resourceType: 'stream-capacity';
  target: StreamTarget;
  action: 'update';
  before: { mode?: StreamMode; shards?: number };
  after: { mode?: StreamMode; shards?: number };
};
export type StreamMonitoringChange = ChangeCommon & {
  resourceType: 'stream-monitoring';
  target: StreamTarget;
  action: 'update';
  before: { enhancedMonitoring: string[] };
  after: { enhancedMonitoring: string[] };
};
export type ConsumerChange = ChangeCommon & { resourceType: 'consumer'; target: ConsumerTarget } & (
    | { action: 'create'; before: null; after: { name: string; grantId: string; tags: TagMap } }
    | { action: 'delete'; before: { name: string; arn: string; tags: TagMap }; after: null }
  );
export type ConsumerTagsChange = ChangeCommon & {
  resourceType: 'consumer-tags' | 'consumer-tag-revocation';
  target: ConsumerTarget;
  action: 'update';
  before: { tags: TagMap };
  after: { tags: TagMap };
};
/** A resource policy, owned whole. Live documents are untrusted JSON as read; desired ones are rendered. */
export type ResourcePolicyChange = ChangeCommon &
  (
    | { resourceType: 'stream-policy'; target: StreamTarget }
    | { resourceType: 'consumer-policy'; target: ConsumerTarget }
  ) &
  (
    | { action: 'create'; before: null; after: { policy: PolicyDocument } }
    | { action: 'update'; before: { policy: unknown }; after: { policy: PolicyDocument } }
    | { action: 'delete'; before: { policy: unknown }; after: null }
  );
/** How a role policy is held: a managed or inline policy as read live, or the kind of artefact render made it from. */
export type IamPolicyKind = 'managed' | 'inline' | IamArtefactKind;
export type IamPolicyChange = ChangeCommon & { resourceType: 'iam-policy'; target: RolePolicyTarget } & (
    | {
        action: 'create';
        before: null;
        after: { role: string; policyName: string; kind: IamPolicyKind; grantIds: string[]; document: PolicyDocument };
      }
    | { action: 'update'; before: { document: unknown }; after: { document: PolicyDocument } }
    | {
        action: 'delete';
        before: { role: string; policyName: string; kind: IamPolicyKind; document: unknown };
        after: null;
      }
  );
/** The guard boundary: its managed policy (create/update), or its attachment to a role (update: replacing `foreignBoundary`). */
export type IamBoundaryChange = ChangeCommon & { resourceType: 'iam-boundary' } & (
    | {
        target: BoundaryPolicyTarget;
        action: 'create';
        before: null;
        after: { policyName: string; document: PolicyDocument };
      }
    | {
        target: BoundaryPolicyTarget;
        action: 'update';
        before: { document: unknown };
        after: { policyName: string; document: PolicyDocument };
      }
    | { target: BoundaryAttachmentTarget; action: 'create'; before: null; after: { role: string; policyName: string } }
    | {
        target: BoundaryAttachmentTarget;
        action: 'update';
        before: { role: string; foreignBoundary: string };
        after: { role: string; policyName: string };
      }
  );

/**
 * A filtered grant's event source mapping: created when missing, its filter criteria replaced when they differ.
 * Patterns are canonical JSON on the desired side and as read (untrusted strings) on the live side. The live
 * mapping's starting position, batch size and state are shown in `reasons`, not changed.
 */
export type EventSourceMappingChange = ChangeCommon & {
  resourceType: 'event-source-mapping';
  target: MappingTarget;
} & (
    | {
        action: 'create';
        before: null;
        after: {
          functionName: string;
          eventSourceArn: string;
          /** Read through this consumer of `eventSourceArn` (its ARN is looked up at apply). */
          consumer?: string;
          startingPosition: 'LATEST' | 'TRIM_HORIZON';
          batchSize?: number;
          filterPatterns: string[];
        };
      }
    | { action: 'update'; before: { filterPatterns: string[] }; after: { filterPatterns: string[] } }
  );

/**
 * One change of the plan: a discriminated union on `resourceType` and `action`, with typed `before`/`after` and a
 * structured `target`. Apply reads `target` and the typed attributes; it never parses `address`.
 */
export type Change =
  | StreamChange
  | StreamTagsChange
  | StreamEncryptionChange
  | StreamRetentionChange
  | StreamCapacityChange
  | StreamMonitoringChange
  | ConsumerChange
  | ConsumerTagsChange
  | ResourcePolicyChange
  | IamPolicyChange
  | IamBoundaryChange
  | EventSourceMappingChange;

/** `Omit` over each member of a union. */
export type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

export type AccessVia = 'grant-tag' | 'stream-policy' | 'consumer-policy';

/** A principal gaining or losing access to a stream through one mechanism. */
export interface AccessChange {
  /** IAM principal ARN (`arn:aws:iam::<account>:role/<name>` or `...:root`), or what the policy named. */
  principal: string;
  stream: string;
  /** Account of the stream. */
  account: AccountId;
  access: 'produce' | 'consume';
  via: AccessVia;
  /** For consumer-policy access: the EFO consumer name. */
  consumer?: string;
  change: 'gain' | 'lose';
}

export interface UnmanagedResource {
  account: AccountId;
  resourceType: 'stream' | 'consumer';
  address: string;
  name: string;
  arn: string;
  reason: string;
}

export interface PlanSummary {
  /** Changes with action create (plus replaces, as Terraform counts them). */
  add: number;
  change: number;
  /** Changes with action delete (plus replaces). */
  destroy: number;
  replace: number;
  noop: number;
  destructive: number;
  disruptive: number;
  accessGained: number;
  accessLost: number;
  unmanaged: number;
  /** Changes apply will refuse (deletion protection, spent scaling budgets); not counted as pending. */
  blocked: number;
  /** True when at least one change is neither a no-op nor blocked. */
  hasChanges: boolean;
}

export interface PlanScope {
  /** Domains the run was limited to (empty: all). */
  domains: string[];
  /** Accounts the run was limited to (empty: all). */
  accounts: AccountId[];
}

export interface Plan {
  formatVersion: typeof PLAN_FORMAT_VERSION;
  mesh: string;
  region: string;
  /** sha256 (hex) of the mesh source texts, root first then includes, as given by the caller. */
  meshDigest: string;
  /** sha256 (hex) of the canonical JSON of the managed, in-scope live state the plan was computed from. */
  liveFingerprint: string;
  /**
   * sha256 (hex) of the change set (every change but no-ops, without order or prose, and the access diff; see
   * change-set.ts). Apply recomputes its own plan and proceeds only when its change set has this digest.
   */
  changeSetDigest: string;
  /** ISO 8601, from the caller's clock. */
  createdAt: string;
  /** `aws` or `local`: the target the live state came from. */
  target: string;
  scope: PlanScope;
  /** Changes in apply order (`order` ascending). */
  changes: Change[];
  accessDiff: AccessChange[];
  unmanaged: UnmanagedResource[];
  /** Parts of the desired state that were not compared against a live service, and why. */
  notChecked: string[];
  /** Facts that need attention but are no change (e.g. a mesh account outside the organisation). */
  warnings: string[];
  /**
   * Validation and render findings of the mesh the plan was made from that did not stop it (warnings, info,
   * waived rule findings with `waivedBy`), as `meshgov validate --format json` lists them. Set by `meshgov plan`;
   * absent in plans made before it existed (additive, formatVersion 1).
   */
  diagnostics?: Diagnostic[];
  /**
   * Monthly cost before and after, per stream, change, domain and in total, with the prices used (docs/cost.md).
   * Set by `meshgov plan` after the diff; absent in plans made without prices (additive, formatVersion 2). Not part
   * of the change-set digest: prices and usage estimates move without the change set moving.
   */
  cost?: PlanCost;
  /**
   * IAM Access Analyzer's checks of the rendered policies (docs/analyzer.md): findings, or why they did not run.
   * Errors among the findings make apply refuse. Set by `meshgov plan`; absent in plans made before it (additive).
   */
  analyzer?: AnalyzerReport;
  summary: PlanSummary;
}
