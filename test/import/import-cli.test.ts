/** `meshgov import` usage errors and invalid input: answered before any target is opened. */
import { mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { CliIO } from '../../src/cli/io.js';
import { isGovernanceTagAddition } from '../../src/core/import/preview.js';
import { main } from '../../src/cli/main.js';
import type { Change } from '../../src/core/plan/index.js';
import { EXAMPLE_MESH_FILE } from '../support/example-mesh.js';

async function run(dir: string, ...args: string[]) {
  let stdout = '';
  let stderr = '';
  const io: CliIO = {
    stdout: { write: (s) => void (stdout += s), isTTY: false },
    stderr: { write: (s) => void (stderr += s), isTTY: false },
    env: { NO_COLOR: '1', MESHGOV_LOCAL_DIR: join(dir, 'local') },
    cwd: dir,
    now: () => new Date('2026-12-01T00:00:00Z'),
  };
  return { code: await main(args, io), stdout, stderr };
}

describe('meshgov import (usage)', () => {
  it.each([
    [['--write', '--out', 'x.yaml'], '--write and --out cannot be combined'],
    [['--local', '--endpoint', 'http://127.0.0.1:1'], '--local and --endpoint cannot be combined'],
    [['--endpoint', 'nope'], '--endpoint nope: not a URL'],
    [['--account', 'nobody'], '--account nobody: no such account in the mesh'],
    [['--domain-from-tag', 'a b'], '--domain-from-tag a b: not a tag key'],
  ])('%j is a usage error', async (args, message) => {
    const dir = mkdtempSync(join(tmpdir(), 'meshgov-import-cli-'));
    const r = await run(dir, 'import', EXAMPLE_MESH_FILE, ...args);
    expect(r.code).toBe(64);
    expect(r.stderr).toContain(message);
    expect(r.stdout).toBe('');
    expect(readdirSync(dir)).toEqual([]);
  });

  it('refuses to extend an invalid mesh, with located diagnostics and without starting a target', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'meshgov-import-cli-'));
    writeFileSync(join(dir, 'bad.yaml'), 'apiVersion: meshgov/v1\nmesh: { name: x }\n');
    const r = await run(dir, 'import', '--local', 'bad.yaml');
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('bad.yaml:');
    expect(r.stderr).toContain('import extends a valid mesh: fix bad.yaml first.');
    expect(readdirSync(dir)).toEqual(['bad.yaml']);
  });
});

describe('isGovernanceTagAddition (the import preview)', () => {
  const change = (
    resourceType: Change['resourceType'],
    before: Record<string, string>,
    after: Record<string, string>,
  ): Change =>
    ({
      id: 'x',
      action: 'update',
      resourceType,
      address: 'a',
      account: '111111111111',
      target: { account: '111111111111', stream: 's', consumer: 'c' },
      risk: 'safe',
      before: { tags: before },
      after: { tags: after },
      reasons: [],
      dependsOn: [],
      order: 1,
    }) as unknown as Change;
  it.each([
    [
      'only meshgov keys added',
      change('stream-tags', {}, { 'meshgov:mesh': 'm', 'meshgov:consume:1:r': 'allow' }),
      true,
    ],
    ['consumer tags too', change('consumer-tags', {}, { 'meshgov:mesh': 'm' }), true],
    [
      'a mesh-wide tag with the mesh value',
      change('stream-tags', {}, { 'meshgov:mesh': 'm', 'cost-center': 'data' }),
      true,
    ],
    ['a user tag added', change('stream-tags', {}, { 'meshgov:mesh': 'm', team: 'x' }), false],
    ['a mesh-wide key with another value', change('stream-tags', {}, { 'cost-center': 'other' }), false],
    ['a meshgov tag changed', change('stream-tags', { 'meshgov:domain': 'old' }, { 'meshgov:domain': 'new' }), false],
    [
      'a retention change',
      {
        ...change('stream-retention', {}, {}),
        before: { retentionHours: 24 },
        after: { retentionHours: 48 },
      } as unknown as Change,
      false,
    ],
  ])('%s', (_name, c, expected) => {
    expect(isGovernanceTagAddition(c, { 'cost-center': 'data' })).toBe(expected);
  });
});
