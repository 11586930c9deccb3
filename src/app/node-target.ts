/**
 * The real {@link TargetOpener}: AWS with the governance role, an accounts-as-keys emulator, or the embedded
 * kinesis-local (src/adapters/aws/target.ts), with apply's executors and the audit's CloudWatch read on the same
 * client pool. The adapters load on first use, so importing the library does not load the AWS SDK.
 */
import { resolve } from 'node:path';
import type { TargetOptions } from '../adapters/aws/target.js';
import type { TargetCommand, TargetOpener, TargetSpec } from './target.js';

export interface NodeTargetOptions {
  /** Stop the emulator and exit on SIGINT/SIGTERM (default true); apply handles signals itself. */
  handleSignals?: boolean;
  /** Multiplier on client-side rate limits (default 1). */
  rateLimitScale?: number;
  /** Where Price List answers are cached (e.g. `.meshgov/cache`); not cached when undefined. */
  priceCacheDir?: string;
}

/** The adapter's options for a spec: the one place a TargetSpec becomes TargetOptions. */
export function targetOptions(command: TargetCommand, spec: TargetSpec, o: NodeTargetOptions = {}): TargetOptions {
  const common = {
    command,
    ...(o.rateLimitScale !== undefined ? { rateLimitScale: o.rateLimitScale } : {}),
    ...(o.handleSignals !== undefined ? { handleSignals: o.handleSignals } : {}),
    ...(spec.quotaShare !== undefined ? { quotaShare: spec.quotaShare } : {}),
  };
  switch (spec.kind) {
    case 'aws':
      return {
        ...common,
        local: false,
        localDir: '',
        ...(spec.endpoint !== undefined ? { endpoint: spec.endpoint } : {}),
        ...(spec.profile !== undefined ? { profile: spec.profile } : {}),
        ...(spec.stsRegion !== undefined ? { stsRegion: spec.stsRegion } : {}),
      };
    case 'accounts-as-keys':
      return {
        ...common,
        local: false,
        endpoint: spec.endpoint,
        accountsAsKeys: true,
        localDir: spec.localDir,
        ...(spec.displayLocalDir !== undefined ? { displayLocalDir: spec.displayLocalDir } : {}),
      };
    case 'local':
      return {
        ...common,
        local: true,
        localDir: spec.localDir,
        ...(spec.displayLocalDir !== undefined ? { displayLocalDir: spec.displayLocalDir } : {}),
        ...(spec.port !== undefined ? { localPort: spec.port } : {}),
        ...(spec.lockTimeoutMs !== undefined ? { lockTimeoutMs: spec.lockTimeoutMs } : {}),
        ...(spec.onLockWait !== undefined ? { onLockWait: spec.onLockWait } : {}),
      };
  }
}

export function nodeTargetOpener(o: NodeTargetOptions = {}): TargetOpener {
  return async (mesh, command, spec) => {
    const [{ openTarget }, { DataDirLocked }] = await Promise.all([
      import('../adapters/aws/target.js'),
      import('../adapters/local/data-lock.js'),
    ]);
    let open: Awaited<ReturnType<typeof openTarget>>;
    try {
      open = await openTarget(mesh, targetOptions(command, spec, o));
    } catch (e) {
      const message = (e as Error)?.message ?? String(e);
      return {
        kind: 'target-failed',
        reason: e instanceof DataDirLocked && e.reason === 'held' ? 'locked' : 'failed',
        message,
      };
    }
    // The adapters only some commands use are loaded on first use: a plan starts reading without apply's engine,
    // audit's metrics or the price list loaded first.
    // Prices come from AWS only for AWS itself: a local-like target, or an endpoint standing in for every service,
    // has no Price List API (asking it would only wait for retries), so the shipped table is used there.
    const prices = async (region: string, now: () => Date, signal?: AbortSignal) => {
      const pricing = await import('../adapters/aws/pricing.js');
      if (spec.kind !== 'aws') return pricing.loadPrices({ region, target: 'local', now });
      if (spec.endpoint !== undefined) {
        return pricing
          .loadPrices({ region, target: 'aws', offline: true, now })
          .then((r) => ({ ...r, notes: [...r.notes, 'the Price List API is not asked through --endpoint'] }));
      }
      return pricing.loadPrices({
        region,
        target: 'aws',
        now,
        client: pricing.createPricingClient(spec.profile !== undefined ? { profile: spec.profile } : {}),
        ...(o.priceCacheDir !== undefined ? { cacheDir: o.priceCacheDir } : {}),
        ...(signal !== undefined ? { signal } : {}),
      });
    };
    const localDir = open.localIamDir !== undefined ? resolve(open.localIamDir, '..') : undefined;
    let closing: Promise<void> | undefined;
    return {
      kind: 'open',
      target: {
        kind: open.kind,
        reader: open.reader,
        ...(open.local !== undefined ? { localEndpoint: open.local.endpoint } : {}),
        ...(localDir !== undefined
          ? {
              stageLocalIam: async (desired) =>
                (await import('../adapters/local/iam-artefacts.js')).stageLocalIam(localDir, desired),
            }
          : {}),
        ...(open.kind === 'aws'
          ? {
              readMetrics: async (pairs, window) =>
                (await import('../adapters/aws/metrics-source.js')).readAuditMetrics(open.pool, pairs, window),
            }
          : {}),
        prices,
        // Loaded on first use, like the other adapters: a run that never checks never loads the client.
        ...(open.kind === 'aws'
          ? {
              analyzer: (account: string) => ({
                check: async (requests) => {
                  const { awsPolicyAnalyzer } = await import('../adapters/aws/access-analyzer.js');
                  return awsPolicyAnalyzer(open.pool, account).check(requests);
                },
              }),
            }
          : {}),
        async execute(input) {
          const { applyPool, executePlan, LOCAL_WAIT } = await import('../adapters/aws/apply-engine.js');
          const { localIam, ...rest } = input;
          const pool = applyPool(open.pool);
          try {
            return await executePlan({
              ...rest,
              pool,
              ...(open.kind === 'local' ? { wait: LOCAL_WAIT } : {}),
              ...(open.kind === 'local' && localIam !== undefined && localDir !== undefined
                ? { localIam: { dir: localDir, desired: localIam } }
                : {}),
            });
          } finally {
            pool.destroy();
          }
        },
        close: () => (closing ??= open.close()),
      },
    };
  };
}
