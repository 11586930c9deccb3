/**
 * IAM Access Analyzer as a second, AWS-side proof of the rendered policies (docs/analyzer.md). The core decides which
 * policies to check and maps the answers to findings; the adapter (src/adapters/aws/access-analyzer.ts) only calls
 * the API. These types are vendor-neutral mirrors of the API shapes, so the core never sees the SDK.
 * API reference: https://docs.aws.amazon.com/access-analyzer/latest/APIReference/API_Operations.html
 */
import type { AccountId } from '../model/types.js';

/** The `policyType` ValidatePolicy is asked with. */
export type AnalyzerPolicyType = 'IDENTITY_POLICY' | 'RESOURCE_POLICY' | 'SERVICE_CONTROL_POLICY';

/**
 * `validatePolicyResourceType` values meshgov uses. Kinesis streams and consumers are not among the API's values
 * (only S3, DynamoDB tables and role trust policies are), so their resource policies go without one and get the
 * checks common to all resource policies.
 * https://docs.aws.amazon.com/access-analyzer/latest/APIReference/API_ValidatePolicy.html#accessanalyzer-ValidatePolicy-request-validatePolicyResourceType
 */
export type ValidateResourceType = 'AWS::IAM::AssumeRolePolicyDocument';

/** `resourceType` of CheckNoPublicAccess, which does list Kinesis streams and consumers. */
export type PublicAccessResourceType = 'AWS::Kinesis::Stream' | 'AWS::Kinesis::StreamConsumer';

/** Which rendered artefact a checked policy is. */
export type CheckedPolicyKind =
  | 'identity-policy'
  | 'fanout-policy'
  | 'governance-policy'
  | 'permissions-boundary'
  | 'trust-policy'
  | 'guard-scp'
  | 'stream-policy'
  | 'consumer-policy';

/** The policy a request checks, as findings name it. */
export interface PolicyRef {
  kind: CheckedPolicyKind;
  account: AccountId;
  /**
   * Where the policy is: the plan change's address when meshgov applies it (`<account>/iam/role/<role>/policy/<name>`,
   * `<account>/iam/policy/<name>`, `<account>/stream/<s>/policy`, `<account>/stream/<s>/consumer/<c>/policy`), else
   * the render layout's (`<account>/iam/trust-policy/<name>`, `organization/<name>`).
   */
  address: string;
}

/** One call to make. `document` is the exact text sent (locations in the answer are offsets into it). */
export type AnalyzerRequest =
  | {
      check: 'validate-policy';
      policy: PolicyRef;
      document: string;
      policyType: AnalyzerPolicyType;
      resourceType?: ValidateResourceType;
    }
  | { check: 'no-public-access'; policy: PolicyRef; document: string; resourceType: PublicAccessResourceType }
  /** Reported, never blocking: widening a role's policy is what a new grant does. */
  | { check: 'no-new-access'; policy: PolicyRef; document: string; existing: string; policyType: 'IDENTITY_POLICY' };

/** A path element of a finding's location, as the API gives it (one member set). */
export type PathElement =
  { index: number } | { key: string } | { value: string } | { substring: { start: number; length: number } };

/** `Position`: line from 1, column and offset from 0 (as the API documents them). */
export interface ApiPosition {
  line: number;
  column: number;
  offset: number;
}

export interface ApiLocation {
  path: PathElement[];
  /** Absent only when an answer omitted it (then only the path can locate the statement). */
  span?: { start: ApiPosition; end: ApiPosition };
}

export type ValidateFindingType = 'ERROR' | 'SECURITY_WARNING' | 'WARNING' | 'SUGGESTION';

/** `ValidatePolicyFinding`. */
export interface ApiValidateFinding {
  /** A {@link ValidateFindingType}; any other value (a type added later) is read as a warning. */
  findingType: string;
  issueCode: string;
  findingDetails: string;
  learnMoreLink: string;
  locations: ApiLocation[];
}

/** `ReasonSummary`: `statementIndex` from 0. */
export interface ApiReason {
  description?: string;
  statementIndex?: number;
  statementId?: string;
}

/** What the adapter hands back for one request (all pages of ValidatePolicy joined). */
export type AnalyzerAnswer =
  | { check: 'validate-policy'; findings: ApiValidateFinding[] }
  | { check: 'no-public-access' | 'no-new-access'; result: 'PASS' | 'FAIL'; message: string; reasons: ApiReason[] };

/** Where in the policy a finding points. */
export interface StatementRef {
  /** Index in the document's `Statement` array, from 0 (as AWS's `statementIndex`). */
  index: number;
  sid?: string;
}

/** error: apply refuses; warning and info: reported. */
export type AnalyzerSeverity = 'error' | 'warning' | 'info';

/** One finding of Access Analyzer about one rendered policy. */
export interface AnalyzerFinding {
  check: AnalyzerRequest['check'];
  severity: AnalyzerSeverity;
  /**
   * ValidatePolicy's `findingType` and `issueCode` (e.g. `ERROR` / `MISSING_VERSION`); for the access checks
   * `PUBLIC_ACCESS` or `NEW_ACCESS`.
   */
  issueCode: string;
  findingType?: string;
  message: string;
  learnMoreLink?: string;
  policy: PolicyRef;
  /** The statement it points at, when the answer locates one. */
  statement?: StatementRef;
  /** The JSON path inside the policy (`Statement[0].Action[1]`), when the answer gives one. */
  path?: string;
}

/** Calls made, per check. */
export interface AnalyzerCounts {
  validatePolicy: number;
  checkNoPublicAccess: number;
  checkNoNewAccess: number;
}

/** What the plan says about the Access Analyzer checks (plan JSON field `analyzer`). */
export type AnalyzerReport =
  /** The target has no Access Analyzer (the local target, `--endpoint-accounts-as-keys`). */
  | { status: 'not-run'; reason: string }
  /** A call failed after the SDK's retries (e.g. the role lacks the actions): nothing is known. */
  | { status: 'failed'; account: AccountId; region: string; message: string }
  | {
      status: 'ran';
      /** The account whose governance (or read-only) role made the calls: the mesh's first account. */
      account: AccountId;
      region: string;
      checked: AnalyzerCounts;
      /** Sorted by severity (errors first), then address and statement. */
      findings: AnalyzerFinding[];
    };

/** What the policy analyzer port returns: an answer per request, in request order, or why it could not. */
export type AnalyzerRun =
  | { kind: 'answered'; account: AccountId; region: string; answers: AnalyzerAnswer[] }
  | { kind: 'failed'; account: AccountId; region: string; message: string };

/** The port the AWS target offers (src/adapters/aws/access-analyzer.ts); absent on local-like targets. */
export interface PolicyAnalyzer {
  /** Runs every request; a failed call (after the SDK's retries) fails the run with a one-line message. */
  check(requests: readonly AnalyzerRequest[]): Promise<AnalyzerRun>;
}
