/**
 * `--policies` changes what the mesh may be, so every command that computes the desired state must honour it
 * (issue: a product a governance repository can install). A rule pack with one rule every stream of the example
 * fails: validate reports it, and plan, apply, audit and import refuse the mesh the same way, before touching the
 * target; without the pack they run.
 */
import { copyFileSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import { EXAMPLE_MESH_FILE } from '../support/example-mesh.js';
import { captureIO, localTargetEnv } from '../support/capture-io.js';

const dir = mkdtempSync(join(tmpdir(), 'meshgov-policies-'));
copyFileSync(EXAMPLE_MESH_FILE, join(dir, 'mesh.yaml'));
mkdirSync(join(dir, 'extra-rules'));
writeFileSync(
  join(dir, 'extra-rules', 'stream-cost-center-required.yaml'),
  [
    'id: stream-cost-center-required',
    'title: Every stream names its cost centre',
    'description: Chargeback needs a cost centre on every data product.',
    'severity: error',
    'appliesTo: stream',
    'requirement:',
    '  required: [costCenter]',
    'message: "Stream `{{name}}` names no cost centre."',
    'remediation: Add `costCenter:`.',
    'helpUrl: https://example.com/rules#stream-cost-center-required',
    '',
  ].join('\n'),
);

async function run(...args: string[]) {
  const io = captureIO(dir, { env: localTargetEnv(dir), now: new Date('2026-12-01T00:00:00Z') });
  const code = await main(args, io);
  return { code, out: io.out(), err: io.err() };
}

describe('--policies is honoured by every command that computes the desired state', () => {
  it('validate reports the rule (the pack works)', async () => {
    const r = await run('validate', '--policies', 'extra-rules', 'mesh.yaml');
    expect(r.code).toBe(1);
    expect(r.out + r.err).toContain('stream-cost-center-required');
  });

  it.each([
    ['plan', ['plan', '--local']],
    ['apply', ['apply', '--local', '--auto-approve']],
    ['audit', ['audit', '--local']],
    ['import', ['import', '--local']],
  ])(
    '%s refuses the mesh the rule pack rejects, and runs without the pack',
    async (_name, args) => {
      const withPack = await run(...args, '--policies', 'extra-rules', 'mesh.yaml');
      expect(withPack.code).not.toBe(0);
      expect(withPack.out + withPack.err).toContain('stream-cost-center-required');
      expect(withPack.out).not.toContain('Applying');
      const without = await run(...args, 'mesh.yaml');
      expect(without.out + without.err).not.toContain('stream-cost-center-required');
    },
    120_000,
  );
});
