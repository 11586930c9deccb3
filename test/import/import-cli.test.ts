/** `meshgov import` usage errors and invalid input: answered before any target is opened. */
import { mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { CliIO } from '../../src/cli/io.js';
import { main } from '../../src/cli/main.js';
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
    expect(r.code).toBe(2);
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
