/**
 * Apply as data: a Plan becomes lanes of steps (one lane per stream, one per account's IAM), each step one plan
 * change. The pure core decides order, gating and budgets; an executor (the port below) performs a step against
 * a target, converging from a fresh read so a retried or repeated step is harmless.
 */
import type { AccountId } from '../model/types.js';
import type { Change } from '../plan/types.js';

/** One plan change to execute, with the calls the core expects it to need (for display and budgets). */
export interface ApplyStep {
  /** The change id (`<resourceType>:<address>`). */
  id: string;
  change: Change;
  /** Lane the step runs in: `<account>/stream/<name>`, `<account>/iam` or `<account>/lambda`. */
  lane: string;
  /** API calls expected from the plan's `before` values, e.g. `UpdateShardCount 4->8`. The executor re-derives them from live state. */
  expectedCalls: string[];
}

export type StepStatus = 'done' | 'failed' | 'skipped';

export interface StepOutcome {
  id: string;
  account: AccountId;
  address: string;
  resourceType: Change['resourceType'];
  action: Change['action'];
  status: StepStatus;
  /** Why it failed or was skipped; for done, a note such as "already existed". */
  message?: string;
  /** Skip reason class, so the CLI can say what to do next. */
  skipReason?:
    'destructive' | 'deletion-protected' | 'budget' | 'consumer-owned' | 'dependency' | 'unsupported' | 'interrupted';
}

/** A lane: steps of one stream (or one account's IAM) that run one at a time, in plan order. */
export interface Lane {
  key: string;
  account: AccountId;
  /**
   * `stream` lanes run first; `iam` lanes after every stream lane of the run; `mapping` lanes (Lambda event source
   * mappings) last, once the streams and consumers they read exist and the function roles' policies are written
   * (Lambda checks at create time that the role can read the source).
   */
  phase: 'stream' | 'iam' | 'mapping';
  steps: ApplyStep[];
}

/** What every audit line says about a mutating call attempt (reads are not logged). */
interface AuditCall {
  /** ISO 8601: when the attempt started (intent) or ended (outcome). */
  time: string;
  account: AccountId;
  /** `kinesis:CreateStream`, `iam:PutRolePolicy`, `local:WriteIamArtefacts`. */
  api: string;
  /** ARN, or address when no ARN is known. */
  resource: string;
  /** 1-based attempt of this call within its retry loop. */
  attempt: number;
  /** Change the call belongs to. */
  change?: string;
}

/**
 * Written before the request is sent. An intent whose outcome (same `id`) never follows is a call that may have
 * reached the service without meshgov seeing the answer (the run was killed, or the machine went down).
 */
export interface AuditIntent extends AuditCall {
  result: 'started';
  /** Shared with the outcome line. */
  id: string;
  /** Only outcomes carry answers (declared so that `entry.error` reads on any line). */
  requestId?: never;
  error?: never;
  note?: never;
}

/** Written when the attempt ended, with its answer. Lines of older logs have no `id` (and no intent). */
export interface AuditOutcome extends AuditCall {
  result: 'ok' | 'error';
  /** The intent's id. */
  id?: string;
  /** The service's request id, when a response arrived. */
  requestId?: string;
  /** Error name and message, one line. */
  error?: string;
  /** Extra facts, e.g. that a 200 answer could not be parsed. */
  note?: string;
}

/**
 * One line of the audit log (JSON lines, append-only): an intent before each mutating call attempt, its outcome
 * after.
 */
export type AuditEntry = AuditIntent | AuditOutcome;

/** What the runner lends a step while it executes. */
export interface StepHooks {
  /**
   * The stream or consumer the step creates or deletes has left CREATING / DELETING (it is ACTIVE, or gone): its
   * transition slot may go to the next create of the account while the step goes on with settings. Idempotent;
   * the runner frees the slot when the step ends anyway.
   */
  settled(): void;
}

/** What executes a step against a target (Kinesis, IAM, local artefacts). Tests replace it. */
export interface ChangeExecutor {
  execute(step: ApplyStep, hooks?: StepHooks): Promise<{ status: 'done' | 'failed'; message?: string }>;
}

export interface ApplyReport {
  outcomes: StepOutcome[];
  done: number;
  failed: number;
  skipped: number;
}
