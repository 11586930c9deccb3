/**
 * The target flags plan and apply share: `--local` with `--local-port` and `--lock-timeout`, or `--endpoint` with
 * `--endpoint-accounts-as-keys`. Checked here (usage errors, exit 64) and turned into the adapter's TargetOptions.
 */
import type { Command } from 'commander';
import type { TargetOptions } from '../adapters/aws/target.js';
import { DataDirLocked } from '../adapters/local/data-lock.js';
import type { CliIO } from './io.js';
import { EXIT_ERROR, EXIT_USAGE, ExitError } from './io.js';

export interface TargetFlags {
  local?: boolean;
  endpoint?: string;
  endpointAccountsAsKeys?: boolean;
  localPort?: string;
  lockTimeout?: string;
}

/** Add the flags beyond `--local` and `--endpoint` (which each command words for itself). */
export function addTargetFlags(cmd: Command): Command {
  return cmd
    .option('--endpoint-accounts-as-keys', 'with --endpoint: the endpoint is a Kinesis emulator (or a proxy in front '
      + 'of one) that selects the account by access key id: sign with the account id as access key id, skip STS, '
      + 'read Kinesis only (as --local does)')
    .option('--local-port <port>', 'with --local: start kinesis-local on this loopback port instead of a free one')
    .option('--lock-timeout <seconds>', 'with --local: wait this long for another run that holds the local data '
      + 'directory, then give up (default 0: refuse at once)');
}

function usage(message: string): never {
  throw new ExitError(message, EXIT_USAGE);
}

/** Check the target flags; returns the TargetOptions fields they set. */
type TargetFlagOptions = Pick<TargetOptions, 'accountsAsKeys' | 'localPort' | 'lockTimeoutMs' | 'onLockWait'>;

export function targetFlags(f: TargetFlags, io: CliIO): TargetFlagOptions {
  if (f.local && f.endpoint) usage('--local and --endpoint cannot be combined: --local starts its own endpoint.');
  if (f.endpointAccountsAsKeys && !f.endpoint) {
    usage('--endpoint-accounts-as-keys needs --endpoint URL: it says how to sign requests to that endpoint.');
  }
  if (f.localPort !== undefined && !f.local) usage('--local-port needs --local.');
  if (f.lockTimeout !== undefined && !f.local) {
    usage('--lock-timeout needs --local: only the local target has a data directory to lock.');
  }
  let localPort: number | undefined;
  if (f.localPort !== undefined) {
    localPort = /^\d{1,5}$/.test(f.localPort) ? Number(f.localPort) : NaN;
    if (!(localPort >= 1 && localPort <= 65535)) {
      usage(`--local-port ${f.localPort}: expected a TCP port number from 1 to 65535.`);
    }
  }
  let lockTimeoutMs: number | undefined;
  if (f.lockTimeout !== undefined) {
    const s = /^\d+(\.\d+)?$/.test(f.lockTimeout) ? Number(f.lockTimeout) : NaN;
    if (!(s >= 0 && s <= 86_400)) {
      usage(`--lock-timeout ${f.lockTimeout}: expected a number of seconds from 0 to 86400.`);
    }
    lockTimeoutMs = Math.round(s * 1000);
  }
  return {
    ...(f.endpointAccountsAsKeys ? { accountsAsKeys: true } : {}),
    ...(localPort !== undefined ? { localPort } : {}),
    ...(lockTimeoutMs !== undefined ? { lockTimeoutMs } : {}),
    onLockWait: (m) => io.stderr.write(`meshgov: ${m}\n`),
  };
}

/** The error for a target that could not be opened (a locked data directory says how to wait for it). */
export function targetOpenError(e: unknown): ExitError {
  const message = (e as Error)?.message ?? String(e);
  if (e instanceof DataDirLocked && e.reason === 'held') {
    return new ExitError(`${message} To wait for it, pass --lock-timeout SECONDS.`, EXIT_ERROR);
  }
  return new ExitError(`cannot start the local target: ${message}`, EXIT_ERROR);
}
