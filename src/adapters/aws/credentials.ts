/**
 * Governance-role credentials: STS AssumeRole with the base credentials of the SDK default chain (profiles, env,
 * SSO, OIDC web identity), cached until five minutes before they expire.
 * https://docs.aws.amazon.com/STS/latest/APIReference/API_AssumeRole.html
 */
import type { STSClient } from '@aws-sdk/client-sts';
import { defaultProvider } from '@aws-sdk/credential-provider-node';
import type { DefaultProviderInit } from '@aws-sdk/credential-provider-node';
import type { AwsCredentialIdentity, AwsCredentialIdentityProvider } from '@aws-sdk/types';
import { AdapterError, echoedCredentialsPlugin, toAdapterError } from './errors.js';

/**
 * The SDK's default credential chain (profiles, env, SSO, web identity, container and instance metadata), with the
 * echoed-credentials guard on the clients the chain makes itself: STS for a profile's `role_arn` signs with the
 * source profile's credentials, which are in no environment variable. Given as a client's `credentialDefaultProvider`,
 * so the SDK passes it the client's own configuration (region, profile) as it does to its default.
 */
export function guardedCredentialDefaultProvider(init: DefaultProviderInit): ReturnType<typeof defaultProvider> {
  return defaultProvider({ ...init, clientPlugins: [...(init.clientPlugins ?? []), echoedCredentialsPlugin] });
}

/** IAM actions the credentials step needs (on the caller's side: sts:AssumeRole on each governance role). */
export const CREDENTIALS_IAM_ACTIONS = ['sts:AssumeRole'] as const;

const REFRESH_BEFORE_MS = 5 * 60 * 1000;

export interface AssumeRoleOptions {
  sts: STSClient;
  roleArn: string;
  sessionName: string;
  externalId?: string;
  /** Session duration, seconds (AWS default 3600). */
  durationSeconds?: number;
  now?: () => number;
  /** The shared-config profile the base credentials come from (`--profile`), named in errors. */
  profile?: string;
}

function accountOf(roleArn: string): string | undefined {
  return /^arn:[^:]+:iam::(\d{12}):/.exec(roleArn)?.[1];
}

export function assumeRoleProvider(o: AssumeRoleOptions): AwsCredentialIdentityProvider {
  const now = o.now ?? (() => Date.now());
  let cached: AwsCredentialIdentity | undefined;
  let pending: Promise<AwsCredentialIdentity> | undefined;
  const fetch = async (): Promise<AwsCredentialIdentity> => {
    try {
      // Loaded with the first role assumed: a run that assumes none (a Kinesis-only endpoint) never loads STS.
      const { AssumeRoleCommand } = await import('@aws-sdk/client-sts');
      const out = await o.sts.send(
        new AssumeRoleCommand({
          RoleArn: o.roleArn,
          RoleSessionName: o.sessionName,
          ...(o.externalId ? { ExternalId: o.externalId } : {}),
          ...(o.durationSeconds ? { DurationSeconds: o.durationSeconds } : {}),
        }),
      );
      const c = out.Credentials;
      if (!c?.AccessKeyId || !c.SecretAccessKey) throw new Error('AssumeRole returned no credentials');
      return {
        accessKeyId: c.AccessKeyId,
        secretAccessKey: c.SecretAccessKey,
        ...(c.SessionToken ? { sessionToken: c.SessionToken } : {}),
        ...(c.Expiration ? { expiration: c.Expiration } : {}),
      };
    } catch (e) {
      if (e instanceof AdapterError) throw e;
      const err = toAdapterError(e, 'sts', 'AssumeRole', accountOf(o.roleArn));
      const from = o.profile === undefined ? '' : `, base credentials from profile ${o.profile}`;
      throw new AdapterError(
        `${err.message} (role ${o.roleArn}${from})`,
        'sts',
        'AssumeRole',
        err.account,
        e,
        err.code,
      );
    }
  };
  return async () => {
    if (cached && (!cached.expiration || cached.expiration.getTime() - REFRESH_BEFORE_MS > now())) return cached;
    pending ??= fetch().finally(() => {
      pending = undefined;
    });
    cached = await pending;
    return cached;
  };
}
