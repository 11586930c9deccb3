import { describe, expect, it } from 'vitest';
import { exitWhenFlushed } from '../../src/cli/exit.js';
import type { ExitHost } from '../../src/cli/exit.js';

/** A host whose streams flush when the test says so. */
function host() {
  const pending = new Map<string, () => void>();
  const exits: number[] = [];
  const h: ExitHost = {
    flushed: (stream, done) => void pending.set(stream, done),
    exit: (code) => void exits.push(code),
  };
  return { h, pending, exits };
}

describe('exitWhenFlushed', () => {
  it('exits with the code only once stdout and stderr have both flushed', async () => {
    const { h, pending, exits } = host();
    const done = exitWhenFlushed(3, h);
    expect([...pending.keys()].sort()).toEqual(['stderr', 'stdout']);
    pending.get('stdout')?.();
    expect(exits).toEqual([]);
    pending.get('stderr')?.();
    await done;
    expect(exits).toEqual([3]);
  });

  it('flushes in either order', async () => {
    const { h, pending, exits } = host();
    const done = exitWhenFlushed(0, h);
    pending.get('stderr')?.();
    expect(exits).toEqual([]);
    pending.get('stdout')?.();
    await done;
    expect(exits).toEqual([0]);
  });
});
