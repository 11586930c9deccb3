/** The wall clock, for the limiter, the waits and the metrics reader (tests pass fake `Timer`s instead). */
import type { Timer } from '../../core/ports.js';

export const systemClock: Timer = {
  now: () => new Date(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
};
