/** Colour only on a TTY, never with NO_COLOR or --no-color; FORCE_COLOR forces it (https://no-color.org). */
import { describe, expect, it } from 'vitest';
import type { CliIO } from '../../src/cli/io.js';
import { styleFor } from '../../src/cli/style.js';

function io(tty: boolean, env: Record<string, string> = {}): CliIO {
  return {
    stdout: { write: () => undefined, isTTY: tty },
    stderr: { write: () => undefined, isTTY: false },
    env,
    cwd: '/',
    now: () => new Date(0),
  };
}

const coloured = (s: string) => s.includes('\u001b[');

describe('styleFor', () => {
  it('colours a terminal', () => expect(coloured(styleFor(io(true), 'stdout').red('x'))).toBe(true));
  it('does not colour a pipe or file', () => expect(coloured(styleFor(io(false), 'stdout').red('x'))).toBe(false));
  it('looks at the stream it writes to', () => expect(coloured(styleFor(io(true), 'stderr').red('x'))).toBe(false));
  it('honours NO_COLOR on a terminal', () =>
    expect(coloured(styleFor(io(true, { NO_COLOR: '1' }), 'stdout').red('x'))).toBe(false));
  it('ignores an empty NO_COLOR', () =>
    expect(coloured(styleFor(io(true, { NO_COLOR: '' }), 'stdout').red('x'))).toBe(true));
  it('honours --no-color on a terminal', () =>
    expect(coloured(styleFor(io(true), 'stdout', true).red('x'))).toBe(false));
  it('FORCE_COLOR colours a pipe, but NO_COLOR still wins', () => {
    expect(coloured(styleFor(io(false, { FORCE_COLOR: '1' }), 'stdout').red('x'))).toBe(true);
    expect(coloured(styleFor(io(false, { FORCE_COLOR: '1', NO_COLOR: '1' }), 'stdout').red('x'))).toBe(false);
    expect(coloured(styleFor(io(false, { FORCE_COLOR: '0' }), 'stdout').red('x'))).toBe(false);
  });
});
