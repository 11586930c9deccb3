/** Progress lines: timestamped and steady off a terminal, the live line on one; apply's waits named with their age. */
import { describe, expect, it } from 'vitest';
import { HEARTBEAT_MS, Progress, applyProgress } from '../../src/cli/progress.js';

/** A clock and an interval timer the test drives by hand. */
function manual(tty = false) {
  let now = Date.parse('2026-12-01T09:00:00.000Z');
  let tick: (() => void) | undefined;
  let err = '';
  const io = { stderr: { write: (s: string) => void (err += s), isTTY: tty }, now: () => new Date(now) };
  const timers = { setInterval: (fn: () => void) => ((tick = fn), 1), clearInterval: () => void (tick = undefined) };
  const advance = (ms: number) => {
    for (let t = 0; t < ms; t += 1000) {
      now += 1000;
      tick?.();
    }
  };
  return { progress: new Progress(io, timers), advance, err: () => err, running: () => tick !== undefined };
}

describe('Progress', () => {
  it('off a terminal: timestamped lines, and a heartbeat after 5 s of silence naming the step and its age', () => {
    const m = manual();
    m.progress.note('reading 3 accounts');
    m.progress.begin(() => 'reading accounts: 1/3 done; waiting for 111111111111');
    m.advance(4_000);
    expect(m.err()).toBe('2026-12-01T09:00:00.000Z meshgov: reading 3 accounts\n');
    m.advance(1_000);
    m.advance(HEARTBEAT_MS);
    expect(
      m
        .err()
        .split('\n')
        .filter((l) => l !== ''),
    ).toEqual([
      '2026-12-01T09:00:00.000Z meshgov: reading 3 accounts',
      '2026-12-01T09:00:05.000Z meshgov: reading accounts: 1/3 done; waiting for 111111111111 (5.0 s so far)',
      '2026-12-01T09:00:10.000Z meshgov: reading accounts: 1/3 done; waiting for 111111111111 (10.0 s so far)',
    ]);
    m.progress.end();
    m.advance(20_000);
    expect(
      m
        .err()
        .split('\n')
        .filter((l) => l !== ''),
    ).toHaveLength(3);
    m.progress.done();
    expect(m.running()).toBe(false);
  });

  it('on a terminal: only the live line (rewritten in place) and the notes meant for it, no heartbeat', () => {
    const m = manual(true);
    m.progress.note('not for a terminal');
    m.progress.begin(() => 'waiting');
    m.progress.liveLine('read account 1 (1/2)');
    m.progress.liveLine('read account 2 (2/2)');
    m.advance(30_000);
    m.progress.note('planning x', true);
    m.progress.done();
    expect(m.err()).toBe('\r\u001b[2Kread account 1 (1/2)\r\u001b[2Kread account 2 (2/2)\nplanning x\n');
  });

  it('apply: each change as it ends, and what it waits for and for how long while changes run', () => {
    const m = manual();
    const p = applyProgress(m.progress, 2);
    p.onStart({ id: 'a', change: { action: 'create', resourceType: 'stream', address: '1/stream/orders' } });
    m.advance(2_000);
    p.onStart({ id: 'b', change: { action: 'update', resourceType: 'stream-capacity', address: '1/stream/busy' } });
    m.advance(10_000);
    p.onStep({ id: 'a', status: 'done' });
    const lines = m
      .err()
      .split('\n')
      .filter((l) => l !== '');
    expect(lines.slice(0, 2)).toEqual([
      '2026-12-01T09:00:00.000Z meshgov: started create stream 1/stream/orders',
      '2026-12-01T09:00:02.000Z meshgov: started update stream-capacity 1/stream/busy',
    ]);
    // The heartbeat comes HEARTBEAT_MS after the last line (the second start).
    expect(lines).toContain(
      '2026-12-01T09:00:07.000Z meshgov: applying: 0/2 done; waiting for create stream 1/stream/orders (7.0 s), ' +
        'update stream-capacity 1/stream/busy (5.0 s)',
    );
    expect(lines.at(-1)).toBe(
      '2026-12-01T09:00:12.000Z meshgov: done create stream 1/stream/orders after 12.0 s (1/2)',
    );
    m.progress.done();
  });
});
