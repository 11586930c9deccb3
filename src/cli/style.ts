import { colourStyle, plainStyle } from '../output/style.js';
import type { Style } from '../output/style.js';
import type { CliIO } from './io.js';

/** Colour only on a TTY, never with NO_COLOR (https://no-color.org) or --no-color; FORCE_COLOR forces it. */
export function styleFor(io: CliIO, stream: 'stdout' | 'stderr', noColor?: boolean): Style {
  if (noColor || (io.env['NO_COLOR'] !== undefined && io.env['NO_COLOR'] !== '')) return plainStyle;
  if (io.env['FORCE_COLOR'] !== undefined && io.env['FORCE_COLOR'] !== '0') return colourStyle;
  return io[stream].isTTY ? colourStyle : plainStyle;
}
