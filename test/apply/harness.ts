/** Apply integration harness: plan the example mesh against kinesis-local and apply it through the real engine. */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ListStreamConsumersCommand, ListStreamsCommand } from '@aws-sdk/client-kinesis';
import { applyPool, executePlan, LOCAL_WAIT } from '../../src/adapters/aws/apply-engine.js';
import type { ExecuteResult } from '../../src/adapters/aws/apply-engine.js';
import { ClientPool } from '../../src/adapters/aws/client-pool.js';
import { AwsLiveReader } from '../../src/adapters/aws/live-reader.js';
import { isUnparsableSuccess } from '../../src/adapters/aws/retry.js';
import { ApplyLog } from '../../src/adapters/fs/apply-log.js';
import { computePlan, declaredStreams, meshDigest } from '../../src/core/plan/index.js';
import type { Plan } from '../../src/core/plan/index.js';
import { exampleMesh } from '../support/example-mesh.js';
import type { KinesisLocalHandle } from '../support/kinesis-local.js';

/** Full jitter from 10 ms, capped at 200 ms, for throttling and transient errors alike (the SDK's: 50 ms / 1 s, 20 s). */
export const FAST_BACKOFF = {
  computeNextBackoffDelay: (retries: number) => Math.floor(Math.random() * Math.min(200, 10 * 2 ** retries)),
  setDelayBase: () => undefined,
};
const WRITE_ATTEMPTS = 8;

export function applyHarness(k: KinesisLocalHandle) {
  const { mesh, desired, sources } = exampleMesh();
  const digest = meshDigest(sources);
  const accounts = desired.accounts.map((a) => a.account);
  const dir = mkdtempSync(join(tmpdir(), 'meshgov-apply-'));
  return {
    mesh,
    desired,
    accounts,
    dir,
    /** Plan against kinesis-local, or through `endpoint` (a fault proxy in front of it). */
    async plan(endpoint?: string): Promise<Plan> {
      const pool = endpoint
        ? new ClientPool({
            target: 'local',
            region: desired.region,
            partition: desired.partition,
            endpoint,
            command: 'plan',
            rateLimitScale: 0,
          })
        : k.pool(0);
      const reader = new AwsLiveReader(pool, {
        readIam: false,
        readOrganization: false,
        iamPathPrefix: mesh.governanceRole.path,
        useTaggingApi: false,
      });
      const live = await reader
        .read({
          mesh: desired.mesh,
          region: desired.region,
          partition: desired.partition,
          accounts,
          declared: declaredStreams(desired),
        })
        .finally(() => {
          if (endpoint) pool.destroy();
        });
      return computePlan({ desired, live, meshDigest: digest, clock: { now: () => new Date() }, target: 'local' });
    },
    async apply(
      plan: Plan,
      o: { endpoint?: string; allowDestructive?: boolean; log?: ApplyLog; maxAttempts?: number } = {},
    ): Promise<ExecuteResult & { log: ApplyLog }> {
      const log = o.log ?? new ApplyLog(join(dir, 'apply-log.jsonl'));
      const pool = applyPool(
        new ClientPool({
          target: 'local',
          region: desired.region,
          partition: desired.partition,
          endpoint: o.endpoint ?? k.endpoint,
          command: 'plan',
        }),
      );
      try {
        const r = await executePlan({
          plan,
          pool,
          partition: desired.partition,
          iamPath: mesh.governanceRole.path,
          log,
          allowDestructive: o.allowDestructive === true,
          now: () => new Date(),
          retry: { maxAttempts: o.maxAttempts ?? WRITE_ATTEMPTS, backoff: FAST_BACKOFF },
          wait: LOCAL_WAIT,
          localIam: { dir, desired },
        });
        return { ...r, log };
      } finally {
        pool.destroy();
      }
    },
    /** Stream names per account, and consumer names per stream, as the service lists them. */
    async inventory(): Promise<Record<string, Record<string, string[]>>> {
      const out: Record<string, Record<string, string[]>> = {};
      for (const a of accounts) {
        const c = k.client(a);
        const names = (await c.send(new ListStreamsCommand({}))).StreamNames ?? [];
        out[a] = {};
        for (const n of [...names].sort()) {
          const cons = await c.send(
            new ListStreamConsumersCommand({ StreamARN: `arn:aws:kinesis:${desired.region}:${a}:stream/${n}` }),
          );
          (out[a] as Record<string, string[]>)[n] = (cons.Consumers ?? []).map((x) => x.ConsumerName ?? '').sort();
        }
      }
      return out;
    },
    /** What the desired state says the inventory must be. */
    wanted(): Record<string, Record<string, string[]>> {
      const out: Record<string, Record<string, string[]>> = {};
      for (const a of desired.accounts) {
        out[a.account] = Object.fromEntries(
          [...a.streams]
            .sort((x, y) => (x.name < y.name ? -1 : 1))
            .map((s) => [
              s.name,
              a.consumers
                .filter((c) => c.stream === s.name)
                .map((c) => c.name)
                .sort(),
            ]),
        );
      }
      return out;
    },
  };
}

/** An out-of-band SDK mutation; kinesis-local sometimes answers 200 with an empty body, which is success. */
export async function oob(send: () => Promise<unknown>): Promise<void> {
  try {
    await send();
  } catch (e) {
    if (!isUnparsableSuccess(e)) throw e;
  }
}

export function changeIds(plan: Plan): string[] {
  return plan.changes.filter((c) => c.action !== 'no-op').map((c) => `${c.action} ${c.id}`);
}
