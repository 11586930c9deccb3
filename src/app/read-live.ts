/**
 * Reading the live state of the accounts in scope through an open target, with progress events (each account read)
 * instead of writes. Plan, apply, audit and import's preview read this way.
 */
import { AdapterError } from '../adapters/aws/errors.js';
import type { AccountId } from '../core/model/types.js';
import { declaredStreams, scopeDesired } from '../core/plan/index.js';
import type { LiveState } from '../core/plan/index.js';
import type { DesiredState } from '../core/render/types.js';
import type { PreparedPlan } from './prepare.js';
import type { Target } from './target.js';

/** Progress of a live read. */
export type ReadEvent =
  | {
      kind: 'read-started';
      /** Accounts to read, in mesh order. */
      accounts: readonly AccountId[];
      target: Target['kind'];
      region: string;
    }
  | { kind: 'account-read'; account: AccountId; done: number; total: number; streams: number; managed: number }
  /** Sent whether the read succeeded or failed. */
  | { kind: 'read-finished'; done: number; total: number };

/** The live state, or the adapter failure that stopped the read (in words). */
export type LiveRead = { kind: 'read'; live: LiveState } | { kind: 'read-failed'; message: string };

/** Role names per account that the desired IAM artefacts attach policies to (the IAM reader reads them). */
function rolesOf(desired: DesiredState): Map<AccountId, Set<string>> {
  const out = new Map<AccountId, Set<string>>();
  for (const a of desired.accounts) out.set(a.account, new Set(a.iam.flatMap((i) => (i.roleName ? [i.roleName] : []))));
  return out;
}

/** Event sources per grantee account whose mappings the filtered grants declare. */
function mappingSourcesOf(desired: DesiredState): Map<AccountId, Set<string>> {
  const out = new Map<AccountId, Set<string>>();
  for (const a of desired.accounts) {
    const sources = new Set((a.mappings ?? []).map((m) => m.eventSourceArn));
    if (sources.size > 0) out.set(a.account, sources);
  }
  return out;
}

export async function readLive(
  target: Target,
  prepared: Pick<PreparedPlan, 'desired' | 'scope'>,
  onEvent: (e: ReadEvent) => void = () => undefined,
): Promise<LiveRead> {
  const desired = scopeDesired(prepared.desired, prepared.scope);
  const accounts = desired.accounts.map((a) => a.account);
  let done = 0;
  onEvent({ kind: 'read-started', accounts, target: target.kind, region: desired.region });
  try {
    const live = await target.reader.read(
      {
        mesh: desired.mesh,
        region: desired.region,
        partition: desired.partition,
        accounts,
        declared: declaredStreams(desired),
        roles: rolesOf(desired),
        mappingSources: mappingSourcesOf(desired),
      },
      (e) => {
        if (e.phase !== 'done') return;
        done++;
        onEvent({
          kind: 'account-read',
          account: e.account,
          done,
          total: accounts.length,
          streams: e.streams ?? 0,
          managed: e.managed ?? 0,
        });
      },
    );
    return { kind: 'read', live };
  } catch (e) {
    if (e instanceof AdapterError) return { kind: 'read-failed', message: e.message };
    throw e;
  } finally {
    onEvent({ kind: 'read-finished', done, total: accounts.length });
  }
}
