import { execFileSync } from 'node:child_process';
import {
  appendFileSync,
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ApplyLog, ApplyLogRefused, readApplyLog } from '../../src/adapters/fs/apply-log.js';
import { anEntry } from './builders.js';

describe('ApplyLog', () => {
  it('appends JSON lines, keeps earlier runs, and skips a torn last line', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'meshgov-log-')), 'nested', 'apply-log.jsonl');
    const first = new ApplyLog(file);
    first.append(anEntry({ api: 'kinesis:CreateStream' }));
    appendFileSync(file, '{"time":"2026-01-02T00:00:00.000Z","acc');
    appendFileSync(file, '\n');
    const second = new ApplyLog(file);
    expect(second.earlier.map((e) => e.api)).toEqual(['kinesis:CreateStream']);
    second.append(anEntry({ api: 'kinesis:AddTagsToStream', result: 'error', error: 'ThrottlingException: slow' }));
    expect(second.history().map((e) => e.api)).toEqual(['kinesis:CreateStream', 'kinesis:AddTagsToStream']);
    expect(second.entries).toHaveLength(1);
    const text = readFileSync(file, 'utf8');
    expect(text.startsWith(`${JSON.stringify(anEntry({ api: 'kinesis:CreateStream' }))}\n`)).toBe(true);
    expect(readApplyLog(file)).toHaveLength(2);
    expect(readApplyLog(join(file, '..', 'missing.jsonl'))).toEqual([]);
  });

  it('reads intents back, and keeps only lines that are audit entries', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'meshgov-log-')), 'apply-log.jsonl');
    const log = new ApplyLog(file);
    log.append(anEntry({ result: 'started', id: 'i-1' }));
    const junk = [
      JSON.stringify({ ...anEntry(), result: 'maybe' }),
      JSON.stringify({ ...anEntry(), result: 'started' }),
      '[1,2]',
      'null',
    ];
    appendFileSync(file, `${junk.join('\n')}\n`);
    const back = readApplyLog(file);
    expect(back).toEqual([anEntry({ result: 'started', id: 'i-1' })]);
  });

  it('a run that appends nothing leaves no file behind', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'meshgov-log-')), 'nested', 'apply-log.jsonl');
    const log = new ApplyLog(file);
    log.close();
    expect(existsSync(file)).toBe(false);
  });

  it('reads back only the end of a large log, from its first whole line', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'meshgov-log-')), 'apply-log.jsonl');
    const lines = Array.from({ length: 100 }, (_, i) => JSON.stringify(anEntry({ resource: `s-${i}` })));
    writeFileSync(file, `${lines.join('\n')}\n`);
    const last10 = lines.slice(-10).join('\n').length + 1;
    // A little more than 10 lines: the 11th from the end is cut, and skipped.
    const back = readApplyLog(file, last10 + 5);
    expect(back.map((e) => e.resource)).toEqual(lines.slice(-10).map((_, i) => `s-${90 + i}`));
  });

  describe('a log file planted in the working tree', () => {
    const dir = () => mkdtempSync(join(tmpdir(), 'meshgov-log-'));

    it('a link is neither read nor written through, whatever it points at', () => {
      const d = dir();
      const victim = join(d, 'victim.txt');
      writeFileSync(victim, 'keep me\n');
      for (const target of [victim, '/dev/zero']) {
        const file = join(dir(), 'apply-log.jsonl');
        symlinkSync(target, file);
        expect(() => new ApplyLog(file)).toThrow(ApplyLogRefused);
        expect(() => new ApplyLog(file)).toThrow(/is a symbolic link.*--log FILE/);
      }
      expect(readFileSync(victim, 'utf8')).toBe('keep me\n');
    });

    it('a link put there after the log was read is not appended through', () => {
      const d = dir();
      const victim = join(d, 'victim.txt');
      writeFileSync(victim, 'keep me\n');
      const file = join(d, 'apply-log.jsonl');
      const log = new ApplyLog(file);
      symlinkSync(victim, file);
      expect(() => log.append(anEntry())).toThrow(ApplyLogRefused);
      expect(readFileSync(victim, 'utf8')).toBe('keep me\n');
    });

    it('a FIFO or a folder is refused, without blocking', () => {
      const fifo = join(dir(), 'apply-log.jsonl');
      execFileSync('mkfifo', [fifo]);
      expect(() => new ApplyLog(fifo)).toThrow(/is not a regular file/);
      const log = new ApplyLog(join(dir(), 'missing.jsonl'));
      expect(log.earlier).toEqual([]);
      const folder = dir();
      expect(() => new ApplyLog(folder)).toThrow(/is not a regular file/);
    });
  });

  it('a folder on the way that is a link, inside the working tree, is refused; the folder it leads to stays empty', () => {
    const tree = mkdtempSync(join(tmpdir(), 'meshgov-tree-'));
    const elsewhere = mkdtempSync(join(tmpdir(), 'meshgov-elsewhere-'));
    symlinkSync(elsewhere, join(tree, '.meshgov'));
    const file = join(tree, '.meshgov', 'apply-log.jsonl');
    expect(() => new ApplyLog(file, { cwd: tree })).toThrow(/reached through the symbolic link .*\.meshgov/);
    // Appending does not make the log's folder through the link either.
    const nested = new ApplyLog(join(tree, 'logs', 'sub', 'apply-log.jsonl'), { cwd: tree });
    symlinkSync(elsewhere, join(tree, 'logs'));
    expect(() => nested.append(anEntry())).toThrow(/reached through the symbolic link/);
    expect(readdirSync(elsewhere)).toEqual([]);
  });
});
