import { defineConfig } from 'vitest/config';

/**
 * Test tiers (CONTRIBUTING.md): `unit` runs the sources directly and needs nothing else; `built` runs the built CLI
 * and package (`npm run build` first); `integration` starts kinesis-local and stand-in endpoints, and runs the built
 * CLI as child processes; `proof` evaluates the rendered policies with an independent IAM evaluator; `scale` feeds
 * hostile and large inputs to the built CLI. `vitest run` runs every tier. A test file belongs to exactly one tier.
 */
const BUILT = [
  'test/cli/startup.test.ts',
  'test/cli/validate-cli.test.ts',
  'test/cli/non-regular-files.test.ts',
  'test/cli/render-json-pipe.test.ts',
  'test/docs/library-example.test.ts',
  'test/package/packed-tarball.slow.test.ts',
];
/** Tests beside the unit tests of their module that start kinesis-local or other processes: integration tier. */
const PROCESSES = [
  'test/audit/audit-local.test.ts',
  'test/adapters/shards-local.test.ts',
  'test/audit/shadow-import-local.test.ts',
  'test/cli/policies-everywhere.test.ts',
  'test/cli/init.test.ts',
  'test/bench/quota-proxy.test.ts',
  'test/bench/quota-proxy-tagging.test.ts',
  'test/adapters/local-data-lock.test.ts',
];
const OTHER_TIERS = ['test/integration/**', 'test/proof/**', 'test/scale/**'];

export default defineConfig({
  test: {
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: 'forks',
    projects: [
      {
        extends: true,
        test: {
          name: 'unit',
          include: ['test/**/*.test.ts'],
          exclude: [...BUILT, ...PROCESSES, ...OTHER_TIERS],
          // One module graph for the whole tier (a file's imports are loaded once, not once per file): a third of
          // the CPU of isolated forks. The price: a file must undo what it changes globally (test/support/unit-setup.ts).
          pool: 'threads',
          isolate: false,
          // Its slowest files mostly wait (rate-limit back-off, retry-after): twice the cores keeps the CPU busy.
          maxWorkers: 4,
          // Vitest runs projects with their own worker count as a group of their own: the unit tier after the others.
          sequence: { groupOrder: 1 },
          setupFiles: ['test/support/unit-setup.ts'],
        },
      },
      { extends: true, test: { name: 'built', include: BUILT } },
      { extends: true, test: { name: 'integration', include: ['test/integration/**/*.test.ts', ...PROCESSES] } },
      { extends: true, test: { name: 'proof', include: ['test/proof/**/*.test.ts'] } },
      { extends: true, test: { name: 'scale', include: ['test/scale/**/*.test.ts'] } },
    ],
  },
});
