/**
 * The LiveReader for AWS (and any compatible endpoint): accounts read in parallel, each with the governance role.
 * Kinesis failures fail the read (the plan would be wrong without them); IAM and Organizations failures that are
 * permission problems become "not checked" lines instead. The IAM, Organizations and Lambda readers are loaded when
 * first used, so a Kinesis-only target starts reading without their SDK packages loaded.
 */
import type { LiveAccount, LiveState } from '../../core/plan/live.js';
import type { LiveReader, ReadProgress, ReadRequest } from '../../core/ports.js';
import type { ClientPool } from './client-pool.js';
import { mapLimit } from './concurrency.js';
import { AdapterError, isAccessDenied } from './errors.js';
import { readKinesisAccount } from './kinesis-reader.js';

export interface AwsLiveReaderOptions {
  /** Read IAM role policies (false on the local target: no emulator). */
  readIam: boolean;
  /** Read Organizations (false on the local target). */
  readOrganization: boolean;
  /** IAM path of meshgov's roles and policies. */
  iamPathPrefix: string;
  /**
   * Also read every role/user identity policy that may reach Kinesis (GetAccountAuthorizationDetails) into
   * `identityPolicies`, for the audit's identity checks. Only with `readIam`; by default only when the pool's
   * command is `audit`, so plan, apply and import make no extra call.
   */
  readIdentityPolicies?: boolean;
  useTaggingApi?: boolean;
  /**
   * Read the Lambda event source mappings of filtered grants. False on the local targets (no Lambda there): the
   * accounts' mappings are then "not read" with `lambdaNotRead` as the reason.
   */
  readLambda?: boolean;
  lambdaNotRead?: string;
  /** Accounts read at once. */
  accountConcurrency?: number;
  /** Streams read at once per account. */
  streamConcurrency?: number;
  /** Lines added to `notChecked` as is (e.g. what the local target cannot check). */
  notChecked?: string[];
}

export class AwsLiveReader implements LiveReader {
  constructor(
    private readonly pool: ClientPool,
    private readonly options: AwsLiveReaderOptions,
  ) {}

  /**
   * The event source mappings of the filtered grants' streams, in each grantee account, once every stream is read:
   * a function can also read a stream through one of its enhanced fan-out consumers (EventSourceArn = the consumer
   * ARN), so the consumers found on those streams are listed too (an unfiltered one there bypasses the grant).
   * A stream whose account this run does not read (a scoped run) has no consumers listed: the lines returned say so.
   */
  private async readLambda(req: ReadRequest, accounts: LiveAccount[]): Promise<string[]> {
    const consumersOf = new Map<string, string[]>();
    for (const a of accounts)
      for (const s of a.streams)
        consumersOf.set(
          s.arn,
          s.consumers.map((c) => c.arn),
        );
    const read = new Set(accounts.map((a) => a.account));
    const notChecked: string[] = [];
    const grantees = accounts.filter((a) => (req.mappingSources?.get(a.account)?.size ?? 0) > 0);
    await mapLimit(grantees, this.options.accountConcurrency ?? 10, async (la) => {
      const streams = req.mappingSources?.get(la.account) ?? new Set<string>();
      if (this.options.readLambda === false) {
        la.lambda = { status: 'not-read', reason: this.options.lambdaNotRead ?? 'Lambda is not read on this target' };
        return;
      }
      for (const arn of streams) {
        const owner = streamAccount(arn);
        if (!read.has(owner))
          notChecked.push(
            `account ${la.account}: Lambda mappings through enhanced fan-out consumers of ${arn} not checked ` +
              `(the stream's account ${owner} is not read in this run)`,
          );
      }
      const sources = new Set([...streams].flatMap((arn) => [arn, ...(consumersOf.get(arn) ?? [])]));
      const { readMappings } = await import('./lambda-reader.js');
      la.lambda = await readMappings(this.pool.lambda(la.account), la.account, sources);
    });
    return notChecked;
  }

  async read(req: ReadRequest, progress?: ReadProgress): Promise<LiveState> {
    const notChecked: string[] = [...(this.options.notChecked ?? [])];
    const identity =
      this.options.readIam && (this.options.readIdentityPolicies ?? this.pool.config.command === 'audit');
    const accounts = await mapLimit(
      req.accounts,
      this.options.accountConcurrency ?? 10,
      async (account): Promise<LiveAccount> => {
        progress?.({ account, phase: 'start' });
        const k = await readKinesisAccount(this.pool, account, {
          meshName: req.mesh,
          region: req.region,
          partition: req.partition,
          declared: req.declared.get(account) ?? new Set(),
          ...(this.options.useTaggingApi !== undefined ? { useTaggingApi: this.options.useTaggingApi } : {}),
          ...(this.options.streamConcurrency !== undefined ? { concurrency: this.options.streamConcurrency } : {}),
        });
        notChecked.push(...k.notChecked);
        const la: LiveAccount = { account, streams: k.streams, unmanagedStreams: k.unmanaged };
        if (this.options.readIam) {
          try {
            const { readIamAccount } = await import('./iam-reader.js');
            la.iam = await readIamAccount(this.pool, account, {
              pathPrefix: this.options.iamPathPrefix,
              roles: req.roles?.get(account) ?? new Set(),
            });
          } catch (e) {
            if (!(e instanceof AdapterError) || !isAccessDenied(e.cause)) throw e;
            notChecked.push(`account ${account}: IAM could not be read (${e.message}); IAM policies not checked`);
          }
        }
        if (identity) {
          try {
            const { readIdentityPolicies } = await import('./iam-authorization.js');
            const ip = await readIdentityPolicies(this.pool.iam(account), { account });
            la.identityPolicies = ip.identityPolicies;
            notChecked.push(...ip.notes);
          } catch (e) {
            if (!(e instanceof AdapterError) || !isAccessDenied(e.cause)) throw e;
            notChecked.push(
              `account ${account}: IAM identity policies could not be read (${e.message}); identity-policy checks not run there`,
            );
          }
        }
        progress?.({
          account,
          phase: 'done',
          streams: k.streams.length + k.unmanaged.length,
          managed: k.streams.length,
        });
        return la;
      },
    );
    notChecked.push(...(await this.readLambda(req, accounts)));
    const state: LiveState = { region: req.region, accounts, notChecked: [] };
    if (this.options.readOrganization && req.accounts.length > 0) {
      const { readOrganization } = await import('./organizations-reader.js');
      const org = await readOrganization(this.pool, req.accounts[0] as string);
      if (org.organization) state.organization = org.organization;
      notChecked.push(...org.notChecked);
    }
    state.notChecked = [...new Set(notChecked)].sort();
    return state;
  }
}

/** The account in a Kinesis stream ARN (arn:partition:kinesis:region:account:stream/name). */
function streamAccount(arn: string): string {
  return arn.split(':')[4] ?? '';
}
