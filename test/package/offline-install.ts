/**
 * Pack meshgov and install the tarball into an empty project without the network.
 *
 * A plain `npm install --offline <tarball>` needs the registry's package documents (packuments) to resolve the
 * dependency ranges, and `npm ci` only caches tarballs, so it fails on a machine whose cache was filled by
 * `npm ci` (ENOTCACHED). The project therefore gets a lockfile: meshgov from the tarball, and its runtime
 * dependencies at exactly the versions (and integrity) of this repository's package-lock.json, each with its
 * registry URL so npm finds the tarball in its cache. That is also what a governance repository with a lockfile
 * installs. https://docs.npmjs.com/cli/v11/configuring-npm/package-lock-json
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO = fileURLToPath(new URL('../..', import.meta.url));
const REGISTRY = 'https://registry.npmjs.org';

interface LockEntry {
  name?: string;
  version?: string;
  resolved?: string;
  integrity?: string;
  dev?: boolean;
  link?: boolean;
  [key: string]: unknown;
}

interface PackageJson {
  name: string;
  version: string;
  license: string;
  dependencies: Record<string, string>;
  bin: Record<string, string>;
  engines: Record<string, string>;
}

export interface Packed {
  tarball: string;
  /** Paths inside the tarball (without the `package/` prefix). */
  files: string[];
}

/** Run npm with a clean npm environment (no inherited npm_config_* from a parent `npm test`). */
export function npm(args: string[], cwd: string, env: Record<string, string> = {}): string {
  const clean = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^npm_/i.test(k)));
  return execFileSync('npm', args, {
    cwd,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...clean, ...env },
    timeout: 240_000,
  });
}

/** `npm pack` of the repository as built (dist/ must be current: `npm test` builds first). */
export function pack(into: string): Packed {
  const out = npm(['pack', '--json', '--ignore-scripts', '--pack-destination', into], REPO);
  const [info] = JSON.parse(out) as { filename: string; files: { path: string }[] }[];
  if (info === undefined) throw new Error(`npm pack printed no result: ${out}`);
  return { tarball: join(into, info.filename), files: info.files.map((f) => f.path).sort() };
}

/** A lockfile entry's registry tarball URL: `<registry>/<name>/-/<basename>-<version>.tgz`. */
export function registryUrl(name: string, version: string): string {
  const base = name.split('/').pop() as string;
  return `${REGISTRY}/${name}/-/${base}-${version}.tgz`;
}

/** Write package.json and package-lock.json of a project depending only on the packed tarball. */
export function writeProject(dir: string, tarball: string): void {
  mkdirSync(dir, { recursive: true });
  const pkg = JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')) as PackageJson;
  const lock = JSON.parse(readFileSync(join(REPO, 'package-lock.json'), 'utf8')) as {
    packages: Record<string, LockEntry>;
  };
  const spec = `file:${tarball}`;
  const integrity = `sha512-${createHash('sha512').update(readFileSync(tarball)).digest('base64')}`;
  const packages: Record<string, LockEntry> = {
    '': { name: 'governance', version: '1.0.0', dependencies: { meshgov: spec } },
    'node_modules/meshgov': {
      version: pkg.version,
      resolved: spec,
      integrity,
      license: pkg.license,
      dependencies: pkg.dependencies,
      bin: pkg.bin,
      engines: pkg.engines,
    },
  };
  for (const [path, entry] of Object.entries(lock.packages)) {
    if (path === '' || entry.dev === true || entry.link === true || entry.version === undefined) continue;
    const name = entry.name ?? path.slice(path.lastIndexOf('node_modules/') + 'node_modules/'.length);
    packages[path] = { resolved: registryUrl(name, entry.version), ...entry };
  }
  const project = {
    name: 'governance',
    version: '1.0.0',
    private: true,
    type: 'module',
    dependencies: { meshgov: spec },
  };
  writeFileSync(join(dir, 'package.json'), `${JSON.stringify(project, null, 2)}\n`);
  const lockfile = { name: 'governance', version: '1.0.0', lockfileVersion: 3, requires: true, packages };
  writeFileSync(join(dir, 'package-lock.json'), `${JSON.stringify(lockfile, null, 2)}\n`);
}

/** Install the project from its lockfile, from the npm cache only (`--offline`: any network fetch fails). */
export function installOffline(dir: string): void {
  npm(['ci', '--offline', '--no-audit', '--no-fund', '--ignore-scripts'], dir);
}
