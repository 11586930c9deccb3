/**
 * `meshgov apply` in-process on the local target (its own kinesis-local, data under MESHGOV_LOCAL_DIR): the
 * confirmation rule, apply from empty, saved plans applied exactly, stale plans (live state or mesh changed) refused.
 */
import {
  AddTagsToStreamCommand,
  DecreaseStreamRetentionPeriodCommand,
  IncreaseStreamRetentionPeriodCommand,
} from '@aws-sdk/client-kinesis';
import { appendFileSync, copyFileSync, existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { ClientPool } from '../../src/adapters/aws/client-pool.js';
import { readApplyLog } from '../../src/adapters/fs/apply-log.js';
import { withLocalAccounts } from '../support/local-accounts.js';
import { oob } from '../apply/harness.js';
import { EXAMPLE_MESH_FILE } from '../support/example-mesh.js';
import { withoutProgress } from '../support/progress.js';
import { runLocalCli } from '../support/capture-io.js';

process.env['AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED'] ??= 'true';

const dir = mkdtempSync(join(tmpdir(), 'meshgov-apply-cli-'));
copyFileSync(EXAMPLE_MESH_FILE, join(dir, 'mesh.yaml'));

function run(...args: string[]) {
  return runLocalCli(dir, args);
}

/** Change the persisted local target behind meshgov's back. */
function outOfBand(fn: (pool: ClientPool) => Promise<void>): Promise<void> {
  return withLocalAccounts(join(dir, 'local'), fn, 200);
}

const P = '111111111111';
const REFUNDS = 'payments.refunds.v1';

describe('meshgov apply (CLI, local target)', () => {
  it('refuses to apply without --auto-approve when stdin is not a terminal', async () => {
    const r = await run('apply', '--local', 'mesh.yaml');
    expect(r.code).toBe(64);
    expect(r.stderr).toContain('pass --auto-approve');
    expect(r.stdout).toContain('Plan: 10 to add');
    expect(existsSync(join(dir, '.meshgov', 'apply-log.jsonl'))).toBe(false);
  }, 120_000);

  it('applies the example from empty, then applies saved plans exactly and refuses stale ones', async () => {
    const first = await run('apply', '--local', '--auto-approve', 'mesh.yaml');
    // Not a terminal: only timestamped progress lines, no warning or error.
    expect(withoutProgress(first.stderr).trim()).toBe('');
    expect(first.code).toBe(0);
    expect(first.stdout).toContain('Apply: 10 done, 0 failed, 0 skipped.');
    expect(first.stdout).toMatch(
      /Mutating calls: \d+ \(0 failed attempt\(s\)\), logged to \.meshgov\/apply-log\.jsonl/,
    );
    const log = readApplyLog(join(dir, '.meshgov', 'apply-log.jsonl'));
    expect(log.filter((e) => e.api === 'kinesis:CreateStream' && e.result === 'ok')).toHaveLength(5);

    expect((await run('plan', '--local', '--detailed-exitcode', 'mesh.yaml')).code).toBe(0);

    await outOfBand(async (pool) => {
      await oob(() =>
        pool
          .kinesis(P)
          .send(new DecreaseStreamRetentionPeriodCommand({ StreamName: REFUNDS, RetentionPeriodHours: 24 })),
      );
    });
    const planned = await run('plan', '--local', '--detailed-exitcode', '--out', 'plan.json', 'mesh.yaml');
    expect(planned.code).toBe(2);
    expect(planned.stdout).toContain(`stream-retention ${P}/stream/${REFUNDS}`);

    // Someone changes the stream after the plan was saved: the plan is stale and nothing is applied.
    await outOfBand(async (pool) => {
      await oob(() =>
        pool.kinesis(P).send(new AddTagsToStreamCommand({ StreamName: REFUNDS, Tags: { 'hand-made': 'yes' } })),
      );
    });
    const before = readApplyLog(join(dir, '.meshgov', 'apply-log.jsonl')).length;
    const stale = await run('apply', '--local', 'plan.json');
    expect(stale.code).toBe(1);
    expect(stale.stderr).toContain('the plan is stale: the live state of the accounts in its scope changed');
    expect(stale.stderr).not.toMatch(/^\s+at /m);
    expect(readApplyLog(join(dir, '.meshgov', 'apply-log.jsonl')).length).toBe(before);

    // A fresh saved plan is applied exactly (no confirmation needed), and the accounts converge.
    expect((await run('plan', '--local', '--out', 'plan2.json', 'mesh.yaml')).code).toBe(0);
    const applied = await run('apply', '--local', '--log', 'audit/log.jsonl', 'plan2.json');
    expect(applied.code).toBe(0);
    expect(applied.stdout).toContain('Apply: 2 done, 0 failed, 0 skipped.');
    const ended = readApplyLog(join(dir, 'audit', 'log.jsonl')).filter((e) => e.result !== 'started');
    expect(ended.map((e) => e.api).sort()).toEqual([
      'kinesis:IncreaseStreamRetentionPeriod',
      'kinesis:RemoveTagsFromStream',
      'local:WriteIamArtefacts',
    ]);
    expect((await run('plan', '--local', '--detailed-exitcode', 'mesh.yaml')).code).toBe(0);

    // A destructive repair (retention raised by hand, so the mesh's value is a decrease) is skipped without
    // --allow-destructive: exit 1, and the output says what to do.
    await outOfBand(async (pool) => {
      await oob(() =>
        pool
          .kinesis(P)
          .send(new IncreaseStreamRetentionPeriodCommand({ StreamName: REFUNDS, RetentionPeriodHours: 96 })),
      );
    });
    const cautious = await run('apply', '--local', '--auto-approve', 'mesh.yaml');
    expect(cautious.code).toBe(1);
    expect(cautious.stdout).toContain(`skipped stream-retention ${P}/stream/${REFUNDS}: destructive`);
    expect(cautious.stdout).toContain('Apply: 0 done, 0 failed, 1 skipped. (rerun with --allow-destructive');
    const bold = await run('apply', '--local', '--auto-approve', '--allow-destructive', 'mesh.yaml');
    expect(bold.code).toBe(0);
    expect(bold.stdout).toContain('kinesis:DecreaseStreamRetentionPeriod: 1 ok');

    // The mesh changed since the plan: refused before anything is read.
    appendFileSync(join(dir, 'mesh.yaml'), '\n# edited\n');
    const edited = await run('apply', '--local', 'plan2.json');
    expect(edited.code).toBe(1);
    expect(edited.stderr).toContain('the plan is stale: the mesh files');

    // A plan for the local target is not applied to AWS, and a bad plan file is a usage error.
    expect((await run('apply', 'plan2.json')).stderr).toContain('made against the local target');
    appendFileSync(join(dir, 'broken.json'), '{"formatVersion": 99}');
    const broken = await run('apply', '--local', 'broken.json');
    expect(broken.code).toBe(64);
    expect(broken.stderr).toContain('unsupported plan formatVersion 99');
  }, 240_000);
});
