/**
 * Issue 14, acceptance scenario "public stream", in-process on the local target: a managed stream's resource
 * policy gets a `"Principal": "*"` statement behind meshgov's back. `plan` (every format) used to exit 1 with
 * `Cannot use 'in' operator to search for 'AWS' in *`; now it shows a destructive policy change naming `*` as
 * losing access, `apply --allow-destructive` repairs it, and the next plan is empty.
 */
import { PutResourcePolicyCommand } from '@aws-sdk/client-kinesis';
import { copyFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { withLocalAccounts } from '../support/local-accounts.js';
import type { Plan } from '../../src/core/plan/index.js';
import { EXAMPLE_MESH_FILE, exampleMesh } from '../support/example-mesh.js';
import { withoutProgress } from '../support/progress.js';
import { runLocalCli } from '../support/capture-io.js';

const dir = mkdtempSync(join(tmpdir(), 'meshgov-public-stream-'));
copyFileSync(EXAMPLE_MESH_FILE, join(dir, 'mesh.yaml'));

function run(...args: string[]) {
  return runLocalCli(dir, args);
}

const stream = exampleMesh()
  .desired.accounts.flatMap((a) => a.streams)
  .find((s) => s.resourcePolicy !== undefined);
if (!stream?.resourcePolicy) throw new Error('the example mesh has a stream with a resource policy');

describe('public stream (local target)', { timeout: 240_000 }, () => {
  it('plan names * losing access in every format, apply --allow-destructive repairs it, next plan empty', async () => {
    expect((await run('apply', '--local', '--auto-approve', 'mesh.yaml')).code).toBe(0);

    await withLocalAccounts(
      join(dir, 'local'),
      async (pool) => {
        const { arn } = stream;
        const open = { Sid: 'Public', Effect: 'Allow', Principal: '*', Action: 'kinesis:GetRecords', Resource: arn };
        const policy = { ...stream.resourcePolicy, Statement: [...(stream.resourcePolicy?.Statement ?? []), open] };
        const put = new PutResourcePolicyCommand({ ResourceARN: stream.arn, Policy: JSON.stringify(policy) });
        await pool.kinesis(stream.account).send(put);
      },
      300,
    );

    const json = await run('plan', '--local', '--detailed-exitcode', '--format', 'json', 'mesh.yaml');
    // Not a terminal: only timestamped progress lines, no warning or error.
    expect(withoutProgress(json.stderr).trim()).toBe('');
    expect(json.code).toBe(2);
    const plan = JSON.parse(json.stdout) as Plan;
    const pending = plan.changes
      .filter((c) => c.action !== 'no-op')
      .map((c) => `${c.action} ${c.resourceType} ${c.risk}`);
    expect(pending).toEqual(['update stream-policy destructive']);
    expect(plan.accessDiff).toMatchObject([
      { principal: '*', stream: stream.name, access: 'consume', via: 'stream-policy', change: 'lose' },
    ]);
    const text = await run('plan', '--local', '--detailed-exitcode', '--format', 'text', 'mesh.yaml');
    expect([text.code, withoutProgress(text.stderr).trim()]).toEqual([2, '']);
    expect(text.stdout).toContain(`- * loses consume on ${stream.account}/${stream.name} via stream policy`);
    const markdown = await run('plan', '--local', '--detailed-exitcode', '--format', 'markdown', 'mesh.yaml');
    expect([markdown.code, withoutProgress(markdown.stderr).trim()]).toEqual([2, '']);
    expect(markdown.stdout).toContain('| :heavy_minus_sign: lose | ` * ` | consume |');

    const refused = await run('apply', '--local', '--auto-approve', 'mesh.yaml');
    expect(refused.code).toBe(1);
    const repaired = await run('apply', '--local', '--auto-approve', '--allow-destructive', 'mesh.yaml');
    expect([repaired.code, withoutProgress(repaired.stderr).trim()]).toEqual([0, '']);
    expect((await run('plan', '--local', '--detailed-exitcode', 'mesh.yaml')).code).toBe(0);
  });
});
