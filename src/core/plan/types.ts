/**
 * The plan is data (after Terraform's `internal/plans`): the text and markdown renderers read exactly this JSON,
 * so a plan read back from disk renders like a fresh one, and `apply` executes it change by change.
 * The schema is documented in docs/plan-json.md; bump `formatVersion` on any incompatible change.
 */
import type { Diagnostic } from '../diagnostics/diagnostic.js';
import type { AccountId } from '../model/types.js';

export const PLAN_FORMAT_VERSION = 1;
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
  | 'stream'             // CreateStream / DeleteStream
  | 'stream-tags'        // AddTagsToStream / RemoveTagsFromStream
  | 'stream-encryption'  // StartStreamEncryption / StopStreamEncryption
  | 'stream-retention'   // IncreaseStreamRetentionPeriod / DecreaseStreamRetentionPeriod
  | 'stream-capacity'    // UpdateStreamMode, then UpdateShardCount
  | 'stream-monitoring'  // EnableEnhancedMonitoring / DisableEnhancedMonitoring
  | 'consumer'           // RegisterStreamConsumer / DeregisterStreamConsumer
  | 'consumer-tags'      // TagResource / UntagResource on the consumer ARN
  | 'stream-policy'      // PutResourcePolicy / DeleteResourcePolicy on the stream ARN (whole document)
  | 'consumer-policy'    // PutResourcePolicy / DeleteResourcePolicy on the consumer ARN (whole document)
  | 'iam-policy'         // a role policy meshgov manages (managed or inline)
  | 'iam-boundary';      // the tag-tampering guard boundary: the managed policy (CreatePolicy / CreatePolicyVersion)
                         // or its attachment to a role (PutRolePermissionsBoundary)

/** Attribute-level values: for create, every attribute; for update, only the attributes that differ. */
export type Attributes = Record<string, unknown>;

export interface Change {
  /** Stable id, `<resourceType>:<address>`; unique in the plan. */
  id: string;
  action: ChangeAction;
  resourceType: ResourceType;
  /** `<account>/stream/<name>`, `<account>/stream/<name>/consumer/<consumer>`, `.../policy`, `<account>/iam/role/<role>/policy/<name>`,
   * `<account>/iam/policy/<name>` (boundary policy), `<account>/iam/role/<role>/boundary` (boundary attachment). */
  address: string;
  account: AccountId;
  /** Stream name the change belongs to, when it belongs to one. */
  stream?: string;
  /** Domain of the stream, when known (declared, or the live `meshgov:domain` tag). */
  domain?: string;
  risk: Risk;
  /** Live values (null for create). For updates only the differing attributes; a removed map key is absent in `after`. */
  before: Attributes | null;
  /** Desired values (null for delete). */
  after: Attributes | null;
  /** Why the change is planned and why it has its risk, one sentence each. */
  reasons: string[];
  /** Ids of changes that must be applied first. */
  dependsOn: string[];
  /** 1-based position in apply order (dependencies always come first). */
  order: number;
}

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
  /** True when at least one change is not a no-op. */
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
  summary: PlanSummary;
}
