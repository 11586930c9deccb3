/**
 * Peak RSS of one validate + render of a mesh file by the built code (dist/, the code `meshgov` runs), in plain node:
 * the TypeScript workers run under the tsx loader, which holds ~35 MiB of its own (its hooks thread and compiled
 * sources). Prints the RssResult of bench/sizes.ts (`rss` mode): dist/ must be built (bench/build-dist.ts).
 *
 *   node bench/sizes-rss.mjs <mesh.yaml>
 */
import { basename, dirname } from 'node:path';
import { runValidation } from '../dist/cli/validation.js';
import { renderMesh } from '../dist/core/render/index.js';

/** The day bench/sizes.ts validates as (grants expire by it). */
const TODAY = '2026-01-01';
const file = process.argv[2];
if (!file) throw new Error('usage: sizes-rss.mjs <mesh.yaml>');
const baseline = process.memoryUsage().rss;
const quiet = { write: () => undefined };
const io = { stdout: quiet, stderr: quiet, env: {}, cwd: dirname(file), now: () => new Date(`${TODAY}T12:00:00Z`) };
const validated = runValidation(basename(file), io);
if (!validated.mesh) throw new Error('the mesh did not load');
renderMesh(validated.mesh, { today: TODAY, locator: validated.locator });
const out = {
  mode: 'rss',
  baselineRssMiB: baseline / 1024 / 1024,
  peakRssMiB: process.resourceUsage().maxRSS / 1024,
  heapUsedAfterMiB: process.memoryUsage().heapUsed / 1024 / 1024,
};
process.stdout.write(`${JSON.stringify(out)}\n`);
