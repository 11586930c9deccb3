/**
 * One SDK client per (service, account): credentials from the SDK default chain, then STS AssumeRole of the
 * governance role in each account (or, on the local target, the account id as access key id); region from the
 * mesh; endpoint from `--endpoint`, else the SDK's own AWS_ENDPOINT_URL / AWS_ENDPOINT_URL_<SERVICE> handling
 * (https://docs.aws.amazon.com/sdkref/latest/guide/feature-ss-endpoints.html). Every call passes the call counter,
 * every attempt the rate limiter; the SDK retries with meshgov's strategy (retry.ts).
 */
import type { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import type { IAMClient } from '@aws-sdk/client-iam';
import { KinesisClient } from '@aws-sdk/client-kinesis';
import type { LambdaClient } from '@aws-sdk/client-lambda';
import type { OrganizationsClient } from '@aws-sdk/client-organizations';
import { ResourceGroupsTaggingAPIClient } from '@aws-sdk/client-resource-groups-tagging-api';
import type { STSClient } from '@aws-sdk/client-sts';
import type { AwsCredentialIdentity, AwsCredentialIdentityProvider } from '@aws-sdk/types';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { Agent as HttpAgent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import { assumeRoleProvider, guardedCredentialDefaultProvider } from './credentials.js';
import { guardEchoedCredentials } from './errors.js';
import { lazyModule } from '../../core/lazy-module.js';
import { systemClock } from './clock.js';
import { QUOTA_SHARE, RateLimiter } from './rate-limit.js';
import { markWriteError, MeshgovRetryStrategy, READ_RETRY } from './retry.js';
import type { RetryPolicy } from './retry.js';

export type ServiceName = 'kinesis' | 'iam' | 'organizations' | 'tagging' | 'sts' | 'cloudwatch' | 'lambda';

export interface PoolConfig {
  /** `aws`: assume the governance role per account; `local`: static credentials whose access key id is the account id. */
  target: 'aws' | 'local';
  region: string;
  partition: string;
  /** Overrides every service's endpoint (`--endpoint`). */
  endpoint?: string;
  /** Role to assume in each account (aws target). */
  governanceRole?: { name: string; path: string; externalId?: string };
  /** The command, for the STS session name `meshgov-<command>` (shows in CloudTrail). */
  command: string;
  /** Multiplier on the client-side rate limits (1 = 80% of the documented quotas); 0 disables them. */
  rateLimitScale?: number;
  /**
   * Share of each documented quota meshgov takes (`QUOTA_SHARE`, 0.8, by default: the rest is headroom for the
   * account's own producers, consumers and tools, which share the control-plane quotas). Up to 1, for an account
   * where nothing else calls the control plane while meshgov runs.
   */
  quotaShare?: number;
  /** SDK attempts per call (6 by default; apply's write pool makes 1 and retries in `withRetry`, logging each). */
  maxAttempts?: number;
  /** Replaces the SDK's backoff between attempts (tests). */
  retryBackoff?: RetryPolicy['backoff'];
  /** Base credentials for STS; the SDK default chain when omitted. */
  credentials?: AwsCredentialIdentityProvider | AwsCredentialIdentity;
  /**
   * The shared-config profile every client is built with (the SDK's `profile` option, as AWS_PROFILE): the default
   * chain reads STS's base credentials from it. https://docs.aws.amazon.com/sdkref/latest/guide/file-format.html
   */
  profile?: string;
  /** Region of the STS client that assumes the governance role; `region` when omitted. */
  stsRegion?: string;
}

/** Counts logical API calls per account, service and operation (retries are not counted again). */
export class CallCounter {
  readonly counts = new Map<string, number>();
  add(account: string, service: string, operation: string): void {
    const key = `${account} ${service} ${operation}`;
    this.counts.set(key, (this.counts.get(key) ?? 0) + 1);
  }
  total(): number {
    let n = 0;
    for (const v of this.counts.values()) n += v;
    return n;
  }
  /** Calls per `service:operation`, summed over accounts. */
  byOperation(): Record<string, number> {
    const out: Record<string, number> = {};
    for (const [k, v] of this.counts) {
      const [, service, op] = k.split(' ');
      const key = `${service}:${op}`;
      out[key] = (out[key] ?? 0) + v;
    }
    return Object.fromEntries(Object.entries(out).sort(([a], [b]) => (a < b ? -1 : 1)));
  }
}

interface Destroyable {
  destroy(): void;
}

type AnyClient =
  | KinesisClient
  | IAMClient
  | OrganizationsClient
  | ResourceGroupsTaggingAPIClient
  | STSClient
  | CloudWatchClient
  | LambdaClient;

const READ_PREFIXES = ['List', 'Describe', 'Get'];

/**
 * The SDK packages of the services a Kinesis-only run (the local target, `--endpoint-accounts-as-keys`) never
 * calls, loaded when their first client is built: each is a large module, and loading them all before the first
 * call delayed it. The packages are CommonJS without an `exports` map, so `require` gives the same module the
 * readers' `import` does (one class per client, which the tests' SDK mocks rely on).
 */
const lazySdk = {
  iam: lazyModule<typeof import('@aws-sdk/client-iam')>('@aws-sdk/client-iam'),
  organizations: lazyModule<typeof import('@aws-sdk/client-organizations')>('@aws-sdk/client-organizations'),
  cloudwatch: lazyModule<typeof import('@aws-sdk/client-cloudwatch')>('@aws-sdk/client-cloudwatch'),
  lambda: lazyModule<typeof import('@aws-sdk/client-lambda')>('@aws-sdk/client-lambda'),
  sts: lazyModule<typeof import('@aws-sdk/client-sts')>('@aws-sdk/client-sts'),
};

export class ClientPool {
  readonly counter: CallCounter;
  private readonly limiter: RateLimiter;
  private readonly clients = new Map<string, Destroyable>();
  private readonly creds: Map<string, AwsCredentialIdentityProvider | AwsCredentialIdentity> = new Map();

  constructor(
    readonly config: PoolConfig,
    deps: {
      counter?: CallCounter;
      limiter?: RateLimiter;
      credentials?: Map<string, AwsCredentialIdentityProvider | AwsCredentialIdentity>;
    } = {},
  ) {
    this.counter = deps.counter ?? new CallCounter();
    const share = Math.min(1, Math.max(0, config.quotaShare ?? QUOTA_SHARE));
    this.limiter = deps.limiter ?? new RateLimiter(config.rateLimitScale ?? 1, systemClock, share);
    if (deps.credentials) this.creds = deps.credentials;
  }

  /**
   * A pool with other client settings (e.g. apply's retry budget) that shares this one's governance-role sessions and
   * limiter: one AssumeRole per account per run, and one quota budget per (account, API). It counts its own calls.
   */
  derive(overrides: Partial<Pick<PoolConfig, 'command' | 'maxAttempts' | 'retryBackoff'>>): ClientPool {
    return new ClientPool({ ...this.config, ...overrides }, { limiter: this.limiter, credentials: this.creds });
  }

  /** ARN of the governance role in an account. */
  roleArn(account: string): string {
    const role = this.config.governanceRole ?? { name: 'meshgov-governance', path: '/' };
    const path = role.path.endsWith('/') ? role.path : `${role.path}/`;
    return `arn:${this.config.partition}:iam::${account}:role${path.startsWith('/') ? path : `/${path}`}${role.name}`;
  }

  sessionName(): string {
    return `meshgov-${this.config.command}`.replace(/[^\w+=,.@-]/g, '-').slice(0, 64);
  }

  credentialsFor(account: string): AwsCredentialIdentityProvider | AwsCredentialIdentity {
    let c = this.creds.get(account);
    if (c) return c;
    if (this.config.target === 'local') {
      c = { accessKeyId: account, secretAccessKey: 'meshgov-local' };
    } else {
      c = assumeRoleProvider({
        sts: this.sts(),
        roleArn: this.roleArn(account),
        sessionName: this.sessionName(),
        ...(this.config.governanceRole?.externalId ? { externalId: this.config.governanceRole.externalId } : {}),
        ...(this.config.profile !== undefined ? { profile: this.config.profile } : {}),
      });
    }
    this.creds.set(account, c);
    return c;
  }

  kinesis(account: string): KinesisClient {
    return this.get('kinesis', account, (cfg) => new KinesisClient(cfg));
  }
  iam(account: string): IAMClient {
    return this.get('iam', account, (cfg) => new (lazySdk.iam().IAMClient)(cfg));
  }
  organizations(account: string): OrganizationsClient {
    return this.get('organizations', account, (cfg) => new (lazySdk.organizations().OrganizationsClient)(cfg));
  }
  tagging(account: string): ResourceGroupsTaggingAPIClient {
    return this.get('tagging', account, (cfg) => new ResourceGroupsTaggingAPIClient(cfg));
  }
  cloudwatch(account: string): CloudWatchClient {
    return this.get('cloudwatch', account, (cfg) => new (lazySdk.cloudwatch().CloudWatchClient)(cfg));
  }
  /** Lambda of an account: the event source mappings of filtered grants whose function lives there. */
  lambda(account: string): LambdaClient {
    return this.get('lambda', account, (cfg) => new (lazySdk.lambda().LambdaClient)(cfg));
  }
  /** STS with the base credentials (the default chain), used to assume the governance role. */
  sts(): STSClient {
    return this.get('sts', '', (cfg) => new (lazySdk.sts().STSClient)(cfg));
  }

  destroy(): void {
    for (const c of this.clients.values()) c.destroy();
    this.clients.clear();
    this.handler?.destroy();
    this.handler = undefined;
  }

  private handler: NodeHttpHandler | undefined;

  /**
   * HTTP/1.1 for every client. The Kinesis client defaults to HTTP/2 (for SubscribeToShard, which meshgov never
   * calls); kinesis-local answers HTTP/2 requests with bodies the SDK intermittently fails to parse, and the
   * control-plane APIs are HTTP/1.1 on AWS too. One keep-alive pool shared by all clients.
   */
  private httpHandler(): NodeHttpHandler {
    this.handler ??= new NodeHttpHandler({
      httpAgent: new HttpAgent({ keepAlive: true, maxSockets: 256 }),
      httpsAgent: new HttpsAgent({ keepAlive: true, maxSockets: 256 }),
      connectionTimeout: 5_000,
      requestTimeout: 30_000,
    });
    return this.handler;
  }

  private get<C extends AnyClient>(
    service: ServiceName,
    account: string,
    make: (cfg: Record<string, unknown>) => C,
  ): C {
    const key = `${service} ${account}`;
    const existing = this.clients.get(key);
    if (existing) return existing as C;
    const credentials = service === 'sts' ? this.config.credentials : this.credentialsFor(account);
    const client = make({
      region: service === 'sts' ? (this.config.stsRegion ?? this.config.region) : this.config.region,
      ...(this.config.profile !== undefined ? { profile: this.config.profile } : {}),
      requestHandler: this.httpHandler(),
      // One strategy per client (its retry quota is the client's), deciding with meshgov's classification.
      retryStrategy: new MeshgovRetryStrategy({
        maxAttempts: this.config.maxAttempts ?? READ_RETRY.maxAttempts,
        ...(this.config.retryBackoff ? { backoff: this.config.retryBackoff } : {}),
      }),
      ...(this.config.endpoint ? { endpoint: this.config.endpoint } : {}),
      ...(credentials ? { credentials } : { credentialDefaultProvider: guardedCredentialDefaultProvider }),
    });
    this.instrument(client, service, account);
    this.clients.set(key, client);
    return client;
  }

  /**
   * Count every call once (before the SDK's retries), and pace every attempt: a retried request spends the API's
   * quota like the first one. The first attempt waits for its credentials and then its token before the SDK does
   * anything else (endpoint resolution, serialising, signing), so the many requests a read starts at once queue
   * cheaply instead of each doing that work up front, in lockstep, before the first of them can go out; retries wait
   * after the SDK's retry step. Errors of mutating calls are marked so an unparsable answer is not retried.
   */
  private instrument(client: AnyClient, service: ServiceName, account: string): void {
    const counter = this.counter;
    const limiter = this.limiter;
    const operationOf = (context: { commandName?: string }) =>
      (context.commandName ?? 'Unknown').replace(/Command$/, '');
    // Calls (by their context, one per send: the clients do not set `cacheMiddleware`, which would share one context
    // between concurrent sends) whose first attempt has its token already.
    const firstAttemptPaced = new WeakSet<object>();
    // The client's resolved credential provider (the SDK memoises it until shortly before expiry).
    const provider = (client.config as { credentials?: unknown }).credentials;
    const credentials = typeof provider === 'function' ? (provider as () => Promise<unknown>) : undefined;
    // The middleware stack types differ per client; the handler signature is the same for all of them.
    const stack = client.middlewareStack as unknown as {
      add(mw: unknown, opts: unknown): void;
      addRelativeTo(mw: unknown, opts: unknown): void;
    };
    stack.add(
      (next: (args: unknown) => Promise<unknown>, context: { commandName?: string }) => async (args: unknown) => {
        const operation = operationOf(context);
        counter.add(account || '-', service, operation);
        // Credentials before the token (the provider caches them): calls waiting for an account's first AssumeRole,
        // or for a refresh, must not each hold a token meanwhile, or they would all go out at once when it answers.
        if (credentials !== undefined) await credentials();
        await limiter.take(account || '-', operation);
        firstAttemptPaced.add(context);
        return next(args);
      },
      { step: 'initialize', name: 'meshgovCallAccounting', override: true },
    );
    stack.addRelativeTo(
      (next: (args: unknown) => Promise<unknown>, context: { commandName?: string }) => async (args: unknown) => {
        const operation = operationOf(context);
        if (!firstAttemptPaced.delete(context)) await limiter.take(account || '-', operation);
        try {
          return await next(args);
        } catch (e) {
          if (!READ_PREFIXES.some((p) => operation.startsWith(p))) markWriteError(e);
          throw e;
        }
      },
      { relation: 'after', toMiddleware: 'retryMiddleware', name: 'meshgovAttemptPacing', override: true },
    );
    guardEchoedCredentials(client);
  }
}
