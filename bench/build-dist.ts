/** dist/ built from the working tree (`tsc -p tsconfig.build.json`): the code `meshgov` runs, for the benchmarks. */
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = dirname(dirname(fileURLToPath(import.meta.url)));

/** Build dist/ once per benchmark process; later calls find it built. */
let built = false;
export function buildDist(log: (line: string) => void): void {
  if (built) return;
  log('building dist/ (tsc -p tsconfig.build.json)');
  const b = spawnSync(
    process.execPath,
    [join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', join(ROOT, 'tsconfig.build.json')],
    { cwd: ROOT, stdio: 'inherit' },
  );
  if (b.status !== 0) throw new Error(`tsc -p tsconfig.build.json exited with ${b.status ?? b.signal}`);
  built = true;
}
