/** The local target survives a data file truncated by a kill in the middle of kinesis-local's persist write. */
import { mkdtempSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { repairDataFile, snapshotDataFile } from '../../src/adapters/local/kinesis-local.js';

describe('kinesis-local data file repair', () => {
  it('restores the last good copy when the data file was truncated', () => {
    const dir = mkdtempSync(join(tmpdir(), 'meshgov-data-'));
    const file = join(dir, 'kinesis-data.json');
    writeFileSync(file, '{"streams":{"a":1}}');
    snapshotDataFile(dir);
    writeFileSync(file, '');
    repairDataFile(dir);
    expect(readFileSync(file, 'utf8')).toBe('{"streams":{"a":1}}');
  });

  it('never snapshots a partial file over the last good copy', () => {
    const dir = mkdtempSync(join(tmpdir(), 'meshgov-data-'));
    const file = join(dir, 'kinesis-data.json');
    writeFileSync(file, '{"v":1}');
    snapshotDataFile(dir);
    writeFileSync(file, '{"v":2');
    snapshotDataFile(dir);
    repairDataFile(dir);
    expect(readFileSync(file, 'utf8')).toBe('{"v":1}');
  });

  it('moves a broken file aside when there is no good copy, and leaves a good file alone', () => {
    const dir = mkdtempSync(join(tmpdir(), 'meshgov-data-'));
    const file = join(dir, 'kinesis-data.json');
    writeFileSync(file, '');
    repairDataFile(dir);
    expect(existsSync(file)).toBe(false);
    expect(existsSync(`${file}.broken`)).toBe(true);
    writeFileSync(file, '{"ok":true}');
    repairDataFile(dir);
    expect(readFileSync(file, 'utf8')).toBe('{"ok":true}');
  });
});
