import { appendFileSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ApplyLog, readApplyLog } from '../../src/adapters/fs/apply-log.js';
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
});
