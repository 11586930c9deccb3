/** The local target survives a data file truncated by a kill in the middle of kinesis-local's persist write. */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  WATCHDOG,
  checkDataDir,
  repairDataFile,
  settledSnapshot,
  snapshotDataFile,
} from '../../src/adapters/local/kinesis-local.js';

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

  // A stand-in for the emulator's persist loop: the file is rewritten whole, in steps, at the given delays.
  const rewrite = (file: string, steps: Array<[number, string]>) =>
    Promise.all(
      steps.map(
        ([ms, text]) =>
          new Promise<void>((r) =>
            setTimeout(() => {
              writeFileSync(file, text);
              r();
            }, ms),
          ),
      ),
    );

  it('keeps the state written after the call, not the one on disk when it was called', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'meshgov-data-'));
    const file = join(dir, 'kinesis-data.json');
    writeFileSync(file, '{"v":0}');
    // v1 may have been serialised before the call; only the second rewrite surely holds what came before it.
    await Promise.all([
      settledSnapshot(dir, 40, 5_000),
      rewrite(file, [
        [60, '{"v":1}'],
        [140, '{"v":2}'],
      ]),
    ]);
    expect(readFileSync(`${file}.last-good`, 'utf8')).toBe('{"v":2}');
  });

  it('waits past a rewrite cut short, and the snapshot repairs a truncated last write', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'meshgov-data-'));
    const file = join(dir, 'kinesis-data.json');
    writeFileSync(file, '{"v":0}');
    await Promise.all([
      settledSnapshot(dir, 40, 5_000),
      rewrite(file, [
        [60, '{"v":1}'],
        [140, ''],
        [220, '{"v":3}'],
      ]),
    ]);
    expect(readFileSync(`${file}.last-good`, 'utf8')).toBe('{"v":3}');
    // The emulator's shutdown write is cut short: the next start restores the settled copy.
    writeFileSync(file, '');
    repairDataFile(dir);
    expect(readFileSync(file, 'utf8')).toBe('{"v":3}');
  });

  it('gives up after its limit with the newest complete text', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'meshgov-data-'));
    const file = join(dir, 'kinesis-data.json');
    writeFileSync(file, '{"v":0}');
    await settledSnapshot(dir, 40, 150);
    expect(readFileSync(`${file}.last-good`, 'utf8')).toBe('{"v":0}');
  });

  it('embeds a watchdog that is valid JavaScript on its own (the snapshot is inlined from its source)', () => {
    expect(() => new Function('require', WATCHDOG)).not.toThrow();
  });
});

describe('a data directory planted in the working tree', () => {
  const NAMES = [
    'kinesis-data.json',
    'kinesis-data.json.last-good',
    'kinesis-data.json.last-good.tmp',
    'kinesis-data.json.broken',
    'meshgov.lock',
  ];

  it.each(NAMES)('%s as a link, a FIFO or a folder is refused before the emulator starts', (name) => {
    for (const plant of [
      (f: string) => symlinkSync('/dev/zero', f),
      (f: string) => execFileSync('mkfifo', [f]),
      (f: string) => mkdirSync(f),
    ]) {
      const dir = mkdtempSync(join(tmpdir(), 'meshgov-data-'));
      plant(join(dir, name));
      expect(() => checkDataDir(dir)).toThrow(
        new RegExp(`${name.replaceAll('.', '\\.')} is (a symbolic link|not a regular file)`),
      );
    }
  });

  it('accepts regular files and a fresh directory', () => {
    const dir = mkdtempSync(join(tmpdir(), 'meshgov-data-'));
    checkDataDir(dir);
    for (const name of NAMES) writeFileSync(join(dir, name), '{}');
    checkDataDir(dir);
  });

  it('the snapshot never writes through a link put where its temporary file goes', async () => {
    const victimDir = mkdtempSync(join(tmpdir(), 'meshgov-victim-'));
    const victim = join(victimDir, 'victim.txt');
    for (const snapshot of [
      (dir: string) => Promise.resolve(snapshotDataFile(dir)),
      (dir: string) => settledSnapshot(dir, 10, 50),
    ]) {
      writeFileSync(victim, 'keep me');
      const dir = mkdtempSync(join(tmpdir(), 'meshgov-data-'));
      writeFileSync(join(dir, 'kinesis-data.json'), '{"streams":{}}');
      symlinkSync(victim, join(dir, 'kinesis-data.json.last-good.tmp'));
      await snapshot(dir);
      expect(readFileSync(victim, 'utf8')).toBe('keep me');
      expect(readFileSync(join(dir, 'kinesis-data.json.last-good'), 'utf8')).toBe('{"streams":{}}');
    }
  });

  it('a folder on the way that is a link, inside the working tree, is refused', () => {
    const tree = mkdtempSync(join(tmpdir(), 'meshgov-tree-'));
    const elsewhere = mkdtempSync(join(tmpdir(), 'meshgov-elsewhere-'));
    mkdirSync(join(tree, '.meshgov'));
    symlinkSync(elsewhere, join(tree, '.meshgov', 'local'));
    expect(() => checkDataDir(join(tree, '.meshgov', 'local', 'kinesis'), tree)).toThrow(
      `${join(tree, '.meshgov', 'local')} is a symbolic link`,
    );
    // Named outside the working tree (MESHGOV_LOCAL_DIR): the user's choice.
    checkDataDir(join(tree, '.meshgov', 'local', 'kinesis'), mkdtempSync(join(tmpdir(), 'meshgov-cwd-')));
  });
});
