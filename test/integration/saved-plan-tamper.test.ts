/**
 * A saved plan is an expectation, never a program (issue: the plan as a contract). Hand-edited plans that, in the
 * first release, deleted streams, stopped encryption or granted outsiders, are refused on the local target, even when
 * the editor recomputes the change-set digest; nothing is called, and the reviewed plan still applies afterwards.
 */
import { DecreaseStreamRetentionPeriodCommand } from '@aws-sdk/client-kinesis';
import { copyFileSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readApplyLog } from '../../src/adapters/fs/apply-log.js';
import { withLocalAccounts } from '../support/local-accounts.js';
import { changeSetDigest } from '../../src/core/plan/index.js';
import type { Change, Plan } from '../../src/core/plan/index.js';
import { oob } from '../apply/harness.js';
import { EXAMPLE_MESH_FILE } from '../support/example-mesh.js';
import { runLocalCli } from '../support/capture-io.js';

process.env['AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED'] ??= 'true';
const dir = mkdtempSync(join(tmpdir(), 'meshgov-tamper-'));
copyFileSync(EXAMPLE_MESH_FILE, join(dir, 'mesh.yaml'));
const LOG = join(dir, '.meshgov', 'apply-log.jsonl');

function run(...args: string[]) {
  return runLocalCli(dir, args);
}

const P = '111111111111';
const C = '333333333333';
const REFUNDS = 'payments.refunds.v1';
const TRANSACTIONS = 'payments.transactions.v1';

type Edit = (p: Plan) => void;
/** Attackers do not respect the union: push whatever shape the edit makes. */
const pushRaw = (p: Plan, c: Record<string, unknown>): void => {
  p.changes.push(c as unknown as Change);
};
const change = (p: Plan, f: (c: Change) => boolean): Change => {
  const c = p.changes.find(f);
  if (!c) throw new Error('the saved plan lacks the change this edit needs');
  return c;
};
/** A change of the stream to copy from (its no-op, or its retention update for the drifted stream). */
const streamOf = (p: Plan, name: string) =>
  change(p, (c) => (c.resourceType === 'stream' || c.resourceType === 'stream-retention') && c.stream === name);

/** The edits of the reproduction, each written as an attacker would. */
const EDITS: [string, Edit][] = [
  [
    'a no-op stream change turned into a delete (risk left safe)',
    (p) => {
      streamOf(p, TRANSACTIONS).action = 'delete';
    },
  ],
  [
    'an injected delete of a deletion-protected stream and its consumer',
    (p) => {
      const s = streamOf(p, TRANSACTIONS);
      s.action = 'delete';
      pushRaw(p, {
        ...s,
        id: `consumer:${s.address}/consumer/fraud-scorer`,
        resourceType: 'consumer',
        address: `${s.address}/consumer/fraud-scorer`,
        action: 'delete',
        risk: 'safe',
        after: null,
      });
    },
  ],
  [
    'a retention decrease labelled safe',
    (p) => {
      const r = change(p, (c) => c.resourceType === 'stream-retention');
      r.before = { retentionHours: 72 };
      r.after = { retentionHours: 24 };
    },
  ],
  [
    'encryption stopped by a change without after.encryption',
    (p) => {
      pushRaw(p, {
        ...streamOf(p, REFUNDS),
        address: `${P}/stream/${REFUNDS}`,
        id: `stream-encryption:${P}/stream/${REFUNDS}`,
        resourceType: 'stream-encryption',
        action: 'update',
        before: { encryption: { type: 'KMS' } },
        after: null,
      });
    },
  ],
  [
    'a stream policy emptied (DeleteResourcePolicy)',
    (p) => {
      pushRaw(p, {
        ...streamOf(p, TRANSACTIONS),
        id: `stream-policy:${P}/stream/${TRANSACTIONS}/policy`,
        resourceType: 'stream-policy',
        address: `${P}/stream/${TRANSACTIONS}/policy`,
        action: 'update',
        after: {},
      });
    },
  ],
  [
    'a policy granting kinesis:* to an outside account',
    (p) => {
      const doc = {
        Version: '2012-10-17',
        Statement: [
          {
            Sid: 'x',
            Effect: 'Allow',
            Principal: { AWS: 'arn:aws:iam::666666666666:root' },
            Action: 'kinesis:*',
            Resource: '*',
          },
        ],
      };
      pushRaw(p, {
        ...streamOf(p, REFUNDS),
        id: `stream-policy:${P}/stream/${REFUNDS}/policy`,
        resourceType: 'stream-policy',
        address: `${P}/stream/${REFUNDS}/policy`,
        action: 'update',
        after: { document: doc },
      });
    },
  ],
  [
    'a tag change removing managed-by and adding a foreign grant tag',
    (p) => {
      pushRaw(p, {
        ...streamOf(p, REFUNDS),
        address: `${P}/stream/${REFUNDS}`,
        id: `stream-tags:${P}/stream/${REFUNDS}`,
        resourceType: 'stream-tags',
        action: 'update',
        before: { tags: { 'meshgov:managed-by': 'meshgov' } },
        after: { tags: { 'meshgov:consume:666666666666:spy': 'allow' } },
      });
    },
  ],
  [
    'hasChanges false with a delete inside',
    (p) => {
      streamOf(p, TRANSACTIONS).action = 'delete';
      p.summary.hasChanges = false;
    },
  ],
  [
    'the account switched to another mesh account',
    (p) => {
      const r = change(p, (c) => c.resourceType === 'stream-retention');
      r.account = C;
    },
  ],
  [
    'an account outside the mesh',
    (p) => {
      const r = change(p, (c) => c.resourceType === 'stream-retention');
      r.account = '666666666666';
    },
  ],
];

describe('apply refuses edited saved plans (local target)', () => {
  it('refuses every edit, digest recomputed or not, calls nothing, and applies the reviewed plan afterwards', async () => {
    expect((await run('apply', '--local', '--auto-approve', 'mesh.yaml')).code).toBe(0);
    await withLocalAccounts(
      join(dir, 'local'),
      (pool) =>
        oob(() =>
          pool
            .kinesis(P)
            .send(new DecreaseStreamRetentionPeriodCommand({ StreamName: REFUNDS, RetentionPeriodHours: 24 })),
        ),
      200,
    );
    expect((await run('plan', '--local', '--out', 'plan.json', 'mesh.yaml')).code).toBe(0);
    const reviewed = readFileSync(join(dir, 'plan.json'), 'utf8');
    const calls = () => readApplyLog(LOG).filter((e) => e.api.startsWith('kinesis:')).length;
    const before = calls();
    let refusedBySchema = 0;
    let refusedByDigest = 0;

    for (const [label, edit] of EDITS) {
      for (const recompute of [false, true]) {
        const p = JSON.parse(reviewed) as Plan;
        edit(p);
        if (recompute) p.changeSetDigest = changeSetDigest(p.changes, p.accessDiff);
        writeFileSync(join(dir, 'edited.json'), JSON.stringify(p));
        const r = await run('apply', '--local', 'edited.json');
        // Refused by the schema (exit 64) when the edit breaks the typed format, else by the digests (exit 1).
        const bySchema = r.stderr.includes('not a valid plan');
        if (bySchema) refusedBySchema++;
        else refusedByDigest++;
        expect([label, recompute, r.code]).toEqual([label, recompute, bySchema ? 64 : 1]);
        if (!bySchema) expect(r.stderr).toContain(recompute ? 'the plan is stale' : 'the saved plan was edited');
        expect(r.stderr).not.toMatch(/^\s+at /m);
        expect(r.stdout).not.toContain('Applying');
      }
    }
    for (const [text, message] of [
      ['{"formatVersion":2,"changes":[1,"two",null]}', 'not a valid plan'],
      [reviewed.replace('{', '{"__proto__":{"x":1},'), 'prototype pollution'],
    ]) {
      writeFileSync(join(dir, 'edited.json'), text as string);
      const r = await run('apply', '--local', 'edited.json');
      expect(r.code).toBe(64);
      expect(r.stderr).toContain(message);
    }
    expect(calls()).toBe(before);
    expect(refusedBySchema).toBeGreaterThan(0);
    expect(refusedByDigest).toBeGreaterThan(0);

    const ok = await run('apply', '--local', 'plan.json');
    expect(ok.code).toBe(0);
    expect(ok.stdout).toContain('Apply: 1 done, 0 failed, 0 skipped.');
    expect((await run('plan', '--local', '--detailed-exitcode', 'mesh.yaml')).code).toBe(0);
  }, 300_000);
});
