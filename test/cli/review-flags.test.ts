/** apply's pull-request loop flags: contradictory combinations are usage errors (exit 64), each part named. */
import { describe, expect, it } from 'vitest';
import { ExitError } from '../../src/cli/io.js';
import { applyPart } from '../../src/cli/review-flags.js';

function usage(f: Parameters<typeof applyPart>[0], saved: boolean): string {
  try {
    applyPart(f, saved);
  } catch (e) {
    expect(e).toBeInstanceOf(ExitError);
    expect((e as ExitError).exitCode).toBe(64);
    return (e as Error).message;
  }
  throw new Error('no usage error');
}

describe('applyPart', () => {
  it('names the part a run applies', () => {
    expect(applyPart({}, false)).toBe('all');
    expect(applyPart({ deferDestructive: true }, false)).toBe('safe');
    expect(applyPart({ onlyDestructive: true }, true)).toBe('destructive');
    expect(applyPart({ reviewedDigest: 'a'.repeat(64) }, true)).toBe('all');
  });

  it('refuses contradictions and flags that need a saved plan', () => {
    expect(usage({ deferDestructive: true, onlyDestructive: true }, true)).toMatch(/exclude each other/);
    expect(usage({ allowDestructive: true, deferDestructive: true }, true)).toMatch(/cannot be combined/);
    expect(usage({ allowDestructive: true, onlyDestructive: true }, true)).toMatch(/cannot be combined/);
    expect(usage({ onlyDestructive: true }, false)).toMatch(/needs a saved plan/);
    expect(usage({ reviewedDigest: 'a'.repeat(64) }, false)).toMatch(/needs a saved plan/);
    expect(usage({ reviewedDigest: 'A'.repeat(64) }, true)).toMatch(/64 lower-case hex/);
    expect(usage({ reviewedDigest: 'a'.repeat(63) }, true)).toMatch(/64 lower-case hex/);
  });
});
