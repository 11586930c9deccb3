/**
 * The target flags plan and apply share: `--local` with `--local-port` and `--lock-timeout`, or `--endpoint` with
 * `--endpoint-accounts-as-keys`; and the AWS flags plan, apply, audit and import share: `--profile` and `--region`.
 * Checked here (usage errors, exit 64) and turned into the use cases' TargetSpec; target opening is wired here too.
 */
import type { Command } from 'commander';
import { Option } from 'commander';
import { isAbsolute, relative, resolve } from 'node:path';
import { nodeTargetOpener } from '../app/node-target.js';
import type { NodeTargetOptions } from '../app/node-target.js';
import type { TargetFailure, TargetOpener, TargetSpec } from '../app/target.js';
import type { CliIO } from './io.js';
import { EXIT_ERROR, EXIT_USAGE, ExitError } from './io.js';

/** `--profile` and `--region`: the AWS SDK's own configuration of the base credentials. */
export interface AwsFlags {
  profile?: string;
  region?: string;
}

export interface TargetFlags extends AwsFlags {
  local?: boolean;
  endpoint?: string;
  endpointAccountsAsKeys?: boolean;
  localPort?: string;
  lockTimeout?: string;
  quotaShare?: string;
}

/**
 * `--profile NAME`: the shared-config profile the SDK's default chain reads the base credentials from (as
 * AWS_PROFILE would; SSO, role and process profiles work). meshgov then assumes the governance role with them.
 * https://docs.aws.amazon.com/sdkref/latest/guide/file-format.html
 */
export function profileOption(): Option {
  return new Option(
    '--profile <name>',
    'AWS shared config/credentials profile for the base credentials ' +
      '(as AWS_PROFILE); meshgov assumes the governance role with them',
  );
}

/**
 * `--region REGION`: the region of the STS endpoint the base credentials call AssumeRole on. Streams live in the
 * mesh's region and are always read there; a regional STS endpoint must be enabled for the calling account, so an
 * opt-in mesh region may need another one. https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_temp_enable-regions.html
 */
export function regionOption(): Option {
  return new Option(
    '--region <region>',
    'region of the STS endpoint used to assume the governance role ' +
      '(default: the mesh region; streams are always read in the mesh region)',
  );
}

/** Add --profile and --region to a command. */
export function addAwsFlags(cmd: Command): Command {
  return cmd.addOption(profileOption()).addOption(regionOption());
}

/** Add the flags beyond `--local` and `--endpoint` (which each command words for itself), and the AWS flags. */
export function addTargetFlags(cmd: Command): Command {
  return addAwsFlags(cmd)
    .option(
      '--endpoint-accounts-as-keys',
      'with --endpoint: the endpoint is a Kinesis emulator (or a proxy in front ' +
        'of one) that selects the account by access key id: sign with the account id as access key id, skip STS, ' +
        'read Kinesis only (as --local does)',
    )
    .option('--local-port <port>', 'with --local: start kinesis-local on this loopback port instead of a free one')
    .option(
      '--lock-timeout <seconds>',
      'with --local: wait this long for another run that holds the local data ' +
        'directory, then give up (default 0: refuse at once)',
    )
    .option(
      '--quota-share <fraction>',
      'share of each documented per-account API quota meshgov may use, from 0.05 ' +
        "to 1 (default 0.8: the rest is left to the account's own workloads; 1 runs at the quota floor)",
    );
}

function usage(message: string): never {
  throw new ExitError(message, EXIT_USAGE);
}

/** An AWS profile name: what the shared config file's section names hold, without whitespace or brackets. */
const PROFILE = /^[\w.+=,@:/-]{1,128}$/;
/** An AWS region name (us-east-1, us-gov-west-1, cn-north-1, ap-southeast-5, eusc-de-east-1). */
const REGION = /^[a-z]{2,4}(-[a-z]+)+-\d{1,2}$/;

/**
 * Check --profile and --region; returns the TargetOptions fields they set. Neither means anything where meshgov
 * signs with account ids instead of credentials (--local, --endpoint-accounts-as-keys).
 */
export function awsFlags(f: AwsFlags & Pick<TargetFlags, 'local' | 'endpointAccountsAsKeys'>): {
  profile?: string;
  stsRegion?: string;
} {
  for (const [flag, value] of [
    ['--profile', f.profile],
    ['--region', f.region],
  ] as const) {
    if (value === undefined) continue;
    if (f.local)
      usage(`${flag} has no effect with --local: the local target signs with account ids, not AWS credentials.`);
    if (f.endpointAccountsAsKeys)
      usage(`${flag} has no effect with --endpoint-accounts-as-keys: requests are signed with account ids.`);
  }
  if (f.profile !== undefined && !PROFILE.test(f.profile)) {
    usage(
      `--profile ${JSON.stringify(f.profile)}: expected a profile name from your AWS config (letters, digits, _ . + = , @ : / -).`,
    );
  }
  if (f.region !== undefined && !REGION.test(f.region)) {
    usage(`--region ${JSON.stringify(f.region)}: expected an AWS region such as eu-west-1.`);
  }
  return {
    ...(f.profile !== undefined ? { profile: f.profile } : {}),
    ...(f.region !== undefined ? { stsRegion: f.region } : {}),
  };
}

/** The local target's directory: MESHGOV_LOCAL_DIR, else `.meshgov/local` under the working directory. */
export function localDir(io: Pick<CliIO, 'cwd' | 'env'>): string {
  return resolve(io.cwd, io.env['MESHGOV_LOCAL_DIR'] || '.meshgov/local');
}

/** A directory as shown to the user: relative to the working directory when below it. */
export function displayDir(io: Pick<CliIO, 'cwd'>, dir: string): string {
  const rel = relative(io.cwd, dir);
  return rel !== '' && !rel.startsWith('..') && !isAbsolute(rel) ? rel.replace(/\\/g, '/') : dir;
}

/** `--endpoint` must be an http(s) URL. */
export function checkEndpoint(endpoint: string | undefined): void {
  if (endpoint === undefined) return;
  let url: URL;
  try {
    url = new URL(endpoint);
  } catch {
    usage(`--endpoint ${endpoint}: not a URL (expected e.g. http://127.0.0.1:4566).`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    usage(`--endpoint ${endpoint}: must be an http or https URL.`);
}

/**
 * Check the target flags (usage errors, exit 64) and say which target they name. Every command that opens a target
 * (plan, apply, audit, import) turns its flags into a TargetSpec here.
 */
export function targetSpec(f: TargetFlags, io: CliIO): TargetSpec {
  checkEndpoint(f.endpoint);
  if (f.local && f.endpoint) usage('--local and --endpoint cannot be combined: --local starts its own endpoint.');
  if (f.endpointAccountsAsKeys && !f.endpoint) {
    usage('--endpoint-accounts-as-keys needs --endpoint URL: it says how to sign requests to that endpoint.');
  }
  if (f.localPort !== undefined && !f.local) usage('--local-port needs --local.');
  if (f.lockTimeout !== undefined && !f.local) {
    usage('--lock-timeout needs --local: only the local target has a data directory to lock.');
  }
  let port: number | undefined;
  if (f.localPort !== undefined) {
    port = /^\d{1,5}$/.test(f.localPort) ? Number(f.localPort) : NaN;
    if (!(port >= 1 && port <= 65535)) {
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
  let quotaShare: number | undefined;
  if (f.quotaShare !== undefined) {
    quotaShare = /^\d*\.?\d+$/.test(f.quotaShare) ? Number(f.quotaShare) : NaN;
    if (!(quotaShare >= 0.05 && quotaShare <= 1))
      usage(`--quota-share ${f.quotaShare}: expected a fraction from 0.05 to 1.`);
  }
  const share = quotaShare !== undefined ? { quotaShare } : {};
  const aws = awsFlags(f);
  const dir = localDir(io);
  const data = { localDir: dir, displayLocalDir: displayDir(io, dir), ...share };
  if (f.local) {
    return {
      kind: 'local',
      ...data,
      ...(port !== undefined ? { port } : {}),
      ...(lockTimeoutMs !== undefined ? { lockTimeoutMs } : {}),
      onLockWait: (m) => io.stderr.write(`meshgov: ${m}\n`),
    };
  }
  if (f.endpointAccountsAsKeys && f.endpoint) return { kind: 'accounts-as-keys', endpoint: f.endpoint, ...data };
  return {
    kind: 'aws',
    ...share,
    ...(f.endpoint ? { endpoint: f.endpoint } : {}),
    ...(aws.profile !== undefined ? { profile: aws.profile } : {}),
    ...(aws.stsRegion !== undefined ? { stsRegion: aws.stsRegion } : {}),
  };
}

/**
 * The target opener of a command: the real one, with the SDK's Node-version warning off (meshgov supports Node 20,
 * so the warning the SDK prints on every run there is noise).
 */
export function cliTargetOpener(io: CliIO, options: NodeTargetOptions = {}): TargetOpener {
  io.env['AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED'] ??= 'true';
  return nodeTargetOpener(options);
}

/** The error for a target that could not be opened (a locked data directory says how to wait for it). */
export function targetOpenError(f: TargetFailure): ExitError {
  if (f.reason === 'locked')
    return new ExitError(`${f.message} To wait for it, pass --lock-timeout SECONDS.`, EXIT_ERROR);
  return new ExitError(`cannot start the local target: ${f.message}`, EXIT_ERROR);
}
