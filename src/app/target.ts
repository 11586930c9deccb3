/**
 * The target port: where the live state is read and changes are made. AWS (or a compatible endpoint) with the
 * governance role, an emulator that selects accounts by access key id, or the embedded local target. Every use case
 * opens its target through a {@link TargetOpener} (node-target.ts is the real one), so the four live commands open
 * targets one way.
 */
import type { PriceTable } from '../core/cost/types.js';
import type { PolicyAnalyzer } from '../core/analyzer/types.js';
import type { MetricsSnapshot } from '../core/audit/metrics.js';
import type { ApplyStep, StepOutcome } from '../core/apply/types.js';
import type { CallSummary } from '../core/apply/summary.js';
import type { ApplyReport } from '../core/apply/types.js';
import type { Mesh } from '../core/model/types.js';
import type { Plan } from '../core/plan/types.js';
import type { LiveReader } from '../core/ports.js';
import type { DesiredState } from '../core/render/types.js';
import type { ApplyLog } from '../adapters/fs/apply-log.js';
import type { StagedIam } from '../adapters/local/iam-artefacts.js';

/** Where a local-like target keeps its data: the IAM artefacts go to `<localDir>/iam`. */
/** Share of each documented per-account API quota meshgov may use (the rest is left to the account's workloads). */
interface QuotaShare {
  /** 0 < share <= 1; default 0.8 (src/adapters/aws/rate-limit.ts). */
  quotaShare?: number;
}

interface LocalData extends QuotaShare {
  /** Absolute directory (`.meshgov/local` or MESHGOV_LOCAL_DIR). */
  localDir: string;
  /** How messages name `localDir` (e.g. relative to the working directory); `localDir` by default. */
  displayLocalDir?: string;
}

/** Which target to open (the CLI's `--local`, `--endpoint`, `--endpoint-accounts-as-keys`, `--profile`, ...). */
export type TargetSpec =
  | (QuotaShare & {
      kind: 'aws';
      /** `--endpoint`: overrides every service endpoint. */
      endpoint?: string;
      /** `--profile`: the shared-config profile of the base credentials. */
      profile?: string;
      /** `--region`: the region of the STS endpoint that assumes the governance role (default: the mesh region). */
      stsRegion?: string;
    })
  | (LocalData & {
      /** An emulator (or a proxy in front of one) that selects the account by access key id: no STS, Kinesis only. */
      kind: 'accounts-as-keys';
      endpoint: string;
    })
  | (LocalData & {
      /** The embedded kinesis-local target. */
      kind: 'local';
      /** A fixed loopback port instead of a free one. */
      port?: number;
      /** How long to wait for another run's lock on the data directory, ms (default 0: refuse at once). */
      lockTimeoutMs?: number;
      /** Told once when the data directory is locked and this run waits. */
      onLockWait?: (message: string) => void;
    });

/** The commands that open targets (the read-only ones assume `governanceRole.readOnlyName` when the mesh has one). */
export type TargetCommand = 'plan' | 'apply' | 'audit' | 'import';

/** A metrics window: whole minutes, a whole number of periods. */
export interface MetricsWindow {
  start: Date;
  end: Date;
  /** Seconds, a multiple of 60. */
  periodSeconds: number;
}

/** What apply hands a target to execute. */
export interface TargetExecution {
  plan: Plan;
  partition: string;
  /** IAM path of meshgov's policies (the mesh's governance role path). */
  iamPath: string;
  log: ApplyLog;
  allowDestructive: boolean;
  now: () => Date;
  /** Local-like targets: the desired IAM (in the plan's scope), written as files after the Kinesis changes. */
  localIam?: DesiredState;
  /** A change starts calling the service. */
  onStart?: (step: ApplyStep) => void;
  /** A change ended (done, failed or skipped). */
  onStep?: (o: StepOutcome) => void;
  /** Once true, no new change starts; those in flight finish. */
  shouldStop?: () => boolean;
}

export interface TargetExecutionResult {
  report: ApplyReport;
  calls: CallSummary;
  /** Local IAM artefact files written, on local-like targets. */
  localIamFiles?: number;
}

export interface Target {
  readonly kind: 'aws' | 'local';
  readonly reader: LiveReader;
  /** The embedded emulator's endpoint (the local target only). */
  readonly localEndpoint?: string;
  /**
   * Local-like targets (IAM not emulated): write the artefacts of `desired` beside `<localDir>/iam`, to replace it
   * on `commit` (or be dropped on `discard`).
   */
  stageLocalIam?(desired: DesiredState): Promise<StagedIam>;
  /** AWS only: shard metrics of the given streams over the window (undefined when there is nothing to read). */
  readMetrics?(
    pairs: readonly { account: string; stream: string }[],
    window: MetricsWindow,
  ): Promise<MetricsSnapshot | undefined>;
  /**
   * Monthly prices for the cost estimate: the Price List API on AWS (cached), the shipped dated table elsewhere;
   * `notes` say which and why. Undefined: the caller uses the shipped table.
   */
  prices?(region: string, now: () => Date, signal?: AbortSignal): Promise<{ table: PriceTable; notes: string[] }>;
  /** AWS only: IAM Access Analyzer's policy checks, called with the role of `account` (docs/analyzer.md). */
  analyzer?(account: string): PolicyAnalyzer;
  /** Run apply's executors (Kinesis, IAM) on this target. */
  execute(input: TargetExecution): Promise<TargetExecutionResult>;
  /** Stop what opening started (the emulator, the client pool). Safe to call twice. */
  close(): Promise<void>;
}

/** Why a target could not be opened: `locked` is another run holding the local data directory. */
export interface TargetFailure {
  kind: 'target-failed';
  reason: 'locked' | 'failed';
  message: string;
}

export type TargetOpening = { kind: 'open'; target: Target } | TargetFailure;

export type TargetOpener = (
  mesh: Pick<Mesh, 'region' | 'partition' | 'governanceRole'>,
  command: TargetCommand,
  spec: TargetSpec,
) => Promise<TargetOpening>;
