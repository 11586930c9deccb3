/** SIGINT/SIGTERM handling: the first signal calls the current handler, the second exits at once with its code. */
import { describe, expect, it } from 'vitest';
import type { CliIO } from '../../src/cli/io.js';
import { watchInterrupts } from '../../src/cli/interrupts.js';
import type { SignalHost, StopSignal } from '../../src/cli/interrupts.js';

function fakeHost() {
  const listeners = new Map<StopSignal, Set<() => void>>();
  const exits: number[] = [];
  const host: SignalHost = {
    on: (s, l) => void (listeners.get(s) ?? listeners.set(s, new Set()).get(s))?.add(l),
    off: (s, l) => void listeners.get(s)?.delete(l),
    exit: (code) => void exits.push(code),
  };
  const send = (s: StopSignal) => {
    for (const l of [...(listeners.get(s) ?? [])]) l();
  };
  return { host, send, exits, count: () => [...listeners.values()].reduce((n, s) => n + s.size, 0) };
}

function io() {
  let stderr = '';
  const value: CliIO = {
    stdout: { write: () => undefined },
    stderr: { write: (s) => void (stderr += s) },
    env: {},
    cwd: '/',
    now: () => new Date(0),
  };
  return { io: value, stderr: () => stderr };
}

describe('watchInterrupts', () => {
  it('runs the current first-signal handler once, then exits at once on the second signal with its code', () => {
    const h = fakeHost();
    const o = io();
    const seen: string[] = [];
    const w = watchInterrupts(o.io, h.host, 'Check the log.');
    w.onFirst((s) => seen.push(`early ${s}`));
    w.onFirst((s) => seen.push(`late ${s}`));
    expect(w.signal).toBeUndefined();
    h.send('SIGTERM');
    expect(seen).toEqual(['late SIGTERM']);
    expect(w.signal).toBe('SIGTERM');
    expect(h.exits).toEqual([]);
    h.send('SIGINT');
    expect(h.exits).toEqual([130]);
    expect(o.stderr()).toContain('second interrupt (SIGINT): exiting at once. Check the log.');
    expect(seen).toHaveLength(1);
  });

  it('exits 143 on a second SIGTERM, and stops listening when disposed', () => {
    const h = fakeHost();
    const w = watchInterrupts(io().io, h.host);
    expect(h.count()).toBe(2);
    h.send('SIGINT');
    h.send('SIGTERM');
    expect(h.exits).toEqual([143]);
    w.dispose();
    expect(h.count()).toBe(0);
  });
});
