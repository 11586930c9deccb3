import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { exitWhenFlushed } from '../../src/cli/exit.js';
import type { ExitHost } from '../../src/cli/exit.js';
import { pipeWriter } from '../../src/cli/io.js';
import type { OutputFailure } from '../../src/cli/io.js';

/** A host whose streams flush when the test says so. */
function host(failure?: OutputFailure) {
  const pending = new Map<string, () => void>();
  const exits: number[] = [];
  const said: string[] = [];
  const h: ExitHost = {
    flushed: (stream, done) => void pending.set(stream, done),
    outputFailure: () => failure,
    say: (line) => void said.push(line),
    exit: (code) => void exits.push(code),
  };
  return { h, pending, exits, said };
}

describe('exitWhenFlushed', () => {
  it('exits with the code only once stdout and stderr have both flushed', async () => {
    const { h, pending, exits, said } = host();
    const done = exitWhenFlushed(3, h);
    expect([...pending.keys()].sort()).toEqual(['stderr', 'stdout']);
    pending.get('stdout')?.();
    expect(exits).toEqual([]);
    pending.get('stderr')?.();
    await done;
    expect(exits).toEqual([3]);
    expect(said).toEqual([]);
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

  it.each([
    [0, 1],
    [2, 1],
    [64, 64],
    [130, 130],
  ])('turns %i into %i when output was lost, and says so', async (code, expected) => {
    const { h, pending, exits, said } = host({ stream: 'stdout', code: 'ENOSPC' });
    const done = exitWhenFlushed(code, h);
    for (const f of pending.values()) f();
    await done;
    expect(exits).toEqual([expected]);
    expect(said).toEqual(['meshgov: output was lost: writing to stdout failed (ENOSPC).']);
  });
});

describe('pipeWriter.failure', () => {
  it('keeps a write error and stops writing, without throwing', () => {
    const stream = new PassThrough();
    const w = pipeWriter(stream);
    stream.emit('error', Object.assign(new Error('no space left on device'), { code: 'ENOSPC' }));
    expect(w.failure()).toBe('ENOSPC');
    w.write('more');
    expect(stream.read()).toBeNull();
  });

  it('does not count a reader that went away (EPIPE) as a failure', () => {
    const stream = new PassThrough();
    const w = pipeWriter(stream);
    stream.emit('error', Object.assign(new Error('broken pipe'), { code: 'EPIPE' }));
    expect(w.failure()).toBeUndefined();
  });
});
