/** Several files written as one (audit's --out): all of them, or none and no temporary file left behind. */
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { writeAll } from '../../src/adapters/fs/write-all.js';

describe('writeAll', () => {
  it('writes every file, creating parent directories', () => {
    const dir = mkdtempSync(join(tmpdir(), 'meshgov-write-all-'));
    expect(
      writeAll(
        [
          { path: join(dir, 'a.json'), text: 'A' },
          { path: join(dir, 'sub', 'b.md'), text: 'B' },
        ],
        dir,
      ),
    ).toBeUndefined();
    expect(readFileSync(join(dir, 'a.json'), 'utf8')).toBe('A');
    expect(readFileSync(join(dir, 'sub', 'b.md'), 'utf8')).toBe('B');
  });

  it('writes none when one cannot be written, names it, and leaves no temporary file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'meshgov-write-all-'));
    writeFileSync(join(dir, 'file'), 'x');
    const failed = writeAll(
      [
        { path: join(dir, 'a.json'), text: 'A' },
        { path: join(dir, 'file', 'b.md'), text: 'B' },
      ],
      dir,
    );
    expect(failed).toMatchObject({ index: 1, renaming: false });
    expect(failed?.problem).toMatch(/file/);
    expect(existsSync(join(dir, 'a.json'))).toBe(false);
    expect(readdirSync(dir).sort()).toEqual(['file']);
  });
});
