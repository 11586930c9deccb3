/**
 * The exit-code table (README "Exit codes"): a usage error never reads as "changes pending" or "findings", and
 * each outcome has its own number. Usage errors are checked in-process, before any target is opened.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { EXIT_ERROR, EXIT_OK, EXIT_PENDING, EXIT_USAGE } from '../../src/cli/io.js';
import { main } from '../../src/cli/main.js';
import { captureIO } from '../support/capture-io.js';
import { EXAMPLE_MESH_FILE } from '../support/example-mesh.js';

const io = () => captureIO(mkdtempSync(join(tmpdir(), 'meshgov-exit-')), { now: new Date('2026-01-01T00:00:00Z') });

describe('exit codes', () => {
  it('are 0, 1, 2 and 64, all distinct', () => {
    expect([EXIT_OK, EXIT_ERROR, EXIT_PENDING, EXIT_USAGE]).toEqual([0, 1, 2, 64]);
  });

  it.each([
    [
      'a typo in a plan flag next to --detailed-exitcode',
      ['plan', EXAMPLE_MESH_FILE, '--detailed-exitcode', '--fromat', 'markdown'],
    ],
    ['a bad --format value of plan', ['plan', EXAMPLE_MESH_FILE, '--detailed-exitcode', '--format', 'html']],
    ['a bad --fail-on value of audit', ['audit', EXAMPLE_MESH_FILE, '--fail-on', 'sometimes']],
    ['an unknown command', ['palm', EXAMPLE_MESH_FILE]],
    ['no command at all', []],
  ])('%s is a usage error (64), never 2', async (_what, argv) => {
    const t = io();
    expect(await main(argv, t)).toBe(64);
  });
});
