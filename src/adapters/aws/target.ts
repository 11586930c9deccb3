/**
 * Opening a target: AWS (or any compatible endpoint) with the governance role, or the embedded local target.
 * Returns the client pool (apply builds its executors on it), the live reader and a `close` that stops what was
 * started. Plan and apply open targets the same way so they read the same live state.
 */
import { join } from 'node:path';
import type { Mesh } from '../../core/model/types.js';
import { localNotChecked } from '../local/iam-artefacts.js';
import { startKinesisLocal } from '../local/kinesis-local.js';
import type { LocalTarget } from '../local/kinesis-local.js';
import { ClientPool } from './client-pool.js';
import { AwsLiveReader } from './live-reader.js';

export interface TargetOptions {
  /** Use the embedded kinesis-local target. */
  local: boolean;
  /** `--endpoint`: overrides every service endpoint (aws target). */
  endpoint?: string;
  /** Directory of the local target's data (`.meshgov/local` or MESHGOV_LOCAL_DIR). */
  localDir: string;
  /** The command, for the STS session name. */
  command: string;
  /** Multiplier on client-side rate limits (default 1). */
  rateLimitScale?: number;
  /** Share of each documented API quota meshgov takes (default 0.8; see `PoolConfig.quotaShare`). */
  quotaShare?: number;
  /** Extra environment for kinesis-local. */
  localEnv?: Record<string, string>;
  /** Persist local data (default true). */
  persist?: boolean;
  /** How to name the local directory in messages (e.g. relative to the working directory); `localDir` by default. */
  displayLocalDir?: string;
  /**
   * `--endpoint-accounts-as-keys`: the endpoint is an emulator like kinesis-local (or a proxy in front of one), not
   * AWS: no STS (each account is selected by signing with its id as access key id), Kinesis only (IAM and
   * Organizations are not read; IAM artefacts are written under `localDir` as on the local target).
   */
  accountsAsKeys?: boolean;
  /** `--local-port`: the emulator's fixed loopback port. */
  localPort?: number;
  /** How long to wait for another run's lock on the local data directory, ms (default 0: refuse at once). */
  lockTimeoutMs?: number;
  /** Told once when the local data directory is locked and this run waits. */
  onLockWait?: (message: string) => void;
  /** Stop the emulator and exit on SIGINT/SIGTERM (default true); apply handles signals itself. */
  handleSignals?: boolean;
  /** `--profile`: the shared-config profile of the base credentials (aws target). */
  profile?: string;
  /** `--region`: the region of the STS endpoint that assumes the governance role (aws target; default mesh region). */
  stsRegion?: string;
}

export interface OpenTarget {
  kind: 'aws' | 'local';
  pool: ClientPool;
  reader: AwsLiveReader;
  /** The running emulator, on the local target. */
  local?: LocalTarget;
  /** Where IAM artefacts go on the local target. */
  localIamDir?: string;
  close(): Promise<void>;
}

/** Commands that never change anything: they assume `governanceRole.readOnlyName` when the mesh names one. */
export const READ_ONLY_COMMANDS: ReadonlySet<string> = new Set(['plan', 'audit', 'import']);

/** The role a command assumes in each account. */
export function roleFor(
  mesh: Pick<Mesh, 'governanceRole'>,
  command: string,
): { name: string; path: string; externalId?: string } {
  const { readOnlyName, ...role } = mesh.governanceRole;
  return readOnlyName !== undefined && READ_ONLY_COMMANDS.has(command) ? { ...role, name: readOnlyName } : role;
}

/** The pool's client-side rate limit settings, as the options give them. */
function limits(o: TargetOptions): { rateLimitScale?: number; quotaShare?: number } {
  return {
    ...(o.rateLimitScale !== undefined ? { rateLimitScale: o.rateLimitScale } : {}),
    ...(o.quotaShare !== undefined ? { quotaShare: o.quotaShare } : {}),
  };
}

/**
 * The client pool and reader of a Kinesis-only endpoint (kinesis-local, or one that takes accounts as keys): no IAM,
 * Organizations or Lambda there, so those are "not read" with where they were looked for.
 */
function localClients(
  mesh: Pick<Mesh, 'region' | 'partition' | 'governanceRole'>,
  o: TargetOptions,
  endpoint: string,
  where: { lambdaNotRead: string; iamWhere?: string },
): { pool: ClientPool; reader: AwsLiveReader; localIamDir: string } {
  const pool = new ClientPool({
    target: 'local',
    region: mesh.region,
    partition: mesh.partition,
    endpoint,
    command: o.command,
    ...limits(o),
  });
  const iamDir = join(o.displayLocalDir ?? o.localDir, 'iam');
  const reader = new AwsLiveReader(pool, {
    readIam: false,
    readOrganization: false,
    readLambda: false,
    lambdaNotRead: where.lambdaNotRead,
    iamPathPrefix: mesh.governanceRole.path,
    notChecked: where.iamWhere !== undefined ? localNotChecked(iamDir, where.iamWhere) : localNotChecked(iamDir),
  });
  return { pool, reader, localIamDir: join(o.localDir, 'iam') };
}

/** A Kinesis-only endpoint that selects accounts by access key id (see `TargetOptions.accountsAsKeys`). */
function openAccountsAsKeys(
  mesh: Pick<Mesh, 'region' | 'partition' | 'governanceRole'>,
  o: TargetOptions & { endpoint: string },
): OpenTarget {
  const { pool, reader, localIamDir } = localClients(mesh, o, o.endpoint, {
    lambdaNotRead: `no Lambda on the endpoint ${o.endpoint} (--endpoint-accounts-as-keys)`,
    iamWhere: `the endpoint ${o.endpoint} (--endpoint-accounts-as-keys)`,
  });
  return { kind: 'local', pool, reader, localIamDir, close: async () => pool.destroy() };
}

export async function openTarget(
  mesh: Pick<Mesh, 'region' | 'partition' | 'governanceRole'>,
  o: TargetOptions,
): Promise<OpenTarget> {
  if (!o.local && o.accountsAsKeys && o.endpoint) return openAccountsAsKeys(mesh, { ...o, endpoint: o.endpoint });
  if (!o.local) {
    const pool = new ClientPool({
      target: 'aws',
      region: mesh.region,
      partition: mesh.partition,
      governanceRole: roleFor(mesh, o.command),
      command: o.command,
      ...(o.endpoint ? { endpoint: o.endpoint } : {}),
      ...limits(o),
      ...(o.profile !== undefined ? { profile: o.profile } : {}),
      ...(o.stsRegion !== undefined ? { stsRegion: o.stsRegion } : {}),
    });
    const reader = new AwsLiveReader(pool, {
      readIam: true,
      readOrganization: true,
      iamPathPrefix: mesh.governanceRole.path,
    });
    return { kind: 'aws', pool, reader, close: async () => pool.destroy() };
  }
  const local = await startKinesisLocal({
    region: mesh.region,
    ...(o.persist === false ? {} : { dataDir: join(o.localDir, 'kinesis') }),
    ...(o.localEnv ? { env: o.localEnv } : {}),
    ...(o.localPort !== undefined ? { port: o.localPort } : {}),
    ...(o.handleSignals !== undefined ? { handleSignals: o.handleSignals } : {}),
    lock: {
      command: `meshgov ${o.command}`,
      timeoutMs: o.lockTimeoutMs ?? 0,
      display: o.displayLocalDir ?? o.localDir,
      ...(o.onLockWait ? { onWait: o.onLockWait } : {}),
    },
  });
  const { pool, reader, localIamDir } = localClients(mesh, o, local.endpoint, {
    lambdaNotRead: 'no Lambda on the local target',
  });
  return {
    kind: 'local',
    pool,
    reader,
    local,
    localIamDir,
    close: async () => {
      pool.destroy();
      await local.stop();
    },
  };
}
