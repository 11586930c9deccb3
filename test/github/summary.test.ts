import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { appendStepSummary } from '../../src/adapters/github/summary.js';
import { TOKEN } from './support/setup.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'meshgov-summary-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('appendStepSummary', () => {
  it('appends markdown after what earlier steps wrote, without the token', () => {
    const file = join(dir, 'summary.md');
    writeFileSync(file, '# earlier step\n');
    const { truncated } = appendStepSummary(file, `## Plan\nleaked ${TOKEN}`, { secrets: [TOKEN] });
    expect(truncated).toBe(false);
    expect(readFileSync(file, 'utf8')).toBe('# earlier step\n## Plan\nleaked ***\n\n');
  });

  it('cuts a summary that would pass the byte limit, keeping whole lines and multi-byte characters', () => {
    const file = join(dir, 'summary.md');
    const lines = Array.from({ length: 400 }, (_, i) => `| stream-${i} | données € ${'x'.repeat(20)} |`);
    const { truncated } = appendStepSummary(file, lines.join('\n'), { limitBytes: 4096 });
    expect(truncated).toBe(true);
    const written = readFileSync(file, 'utf8');
    expect(Buffer.byteLength(written)).toBeLessThanOrEqual(4096);
    expect(written).toContain('**Summary truncated**');
    const kept = written
      .slice(0, written.indexOf('\n> [!WARNING]'))
      .split('\n')
      .filter((l) => l !== '');
    expect(kept.length).toBeGreaterThan(10);
    kept.forEach((line, i) => expect(line).toBe(lines[i]));
  });
});
