import type { Diagnostic } from '../../diagnostics/diagnostic.js';
import type { Locator } from '../../source/locator.js';
import type { Mesh } from '../types.js';

/** What a semantic check gets: the mesh, a locator for diagnostics and today's date (the clock stays outside). */
export interface CheckContext {
  mesh: Mesh;
  locator: Locator;
  /** Today as YYYY-MM-DD (UTC), from the caller's clock. */
  today: string;
}

export type Check = (ctx: CheckContext) => Diagnostic[];
