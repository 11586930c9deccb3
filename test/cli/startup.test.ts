/**
 * Startup: the launcher (built dist/, as `npx meshgov` runs it) loads no command module for --help, --version, no
 * arguments or an unknown command, and only the one module of the command being run; the top-level help built
 * from the catalog is exactly the help of the program with every command loaded; a closed stdout pipe is not a
 * crash. Module loads are recorded with a Node module-resolution hook in the child process.
 */
import { spawn, spawnSync } from 'node:child_process';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { generateMesh } from '../../bench/generate-mesh.js';
import { CATALOG, STUBS } from '../../src/cli/catalog.js';
import { COMMANDS } from '../../src/cli/commands/index.js';
import type { CliIO } from '../../src/cli/io.js';
import { buildProgram } from '../../src/cli/main.js';
import { buildProgram as buildWith } from '../../src/cli/program.js';

const REPO = fileURLToPath(new URL('../..', import.meta.url));
const RUN = pathToFileURL(join(REPO, 'dist', 'cli', 'run.js')).href;

const dir = mkdtempSync(join(tmpdir(), 'meshgov-startup-'));
/** Resolve hook: report every resolved module URL to the main thread. */
writeFileSync(
  join(dir, 'hook.mjs'),
  `
let port;
export function initialize(data) { port = data.port; }
export async function resolve(specifier, context, next) {
  const r = await next(specifier, context);
  port.postMessage(r.url);
  return r;
}
`,
);
/** Run the launcher in-process with the hook registered, then print the loaded URLs to stderr as JSON. */
writeFileSync(
  join(dir, 'probe.mjs'),
  `
import { register } from 'node:module';
import { MessageChannel } from 'node:worker_threads';
const { port1, port2 } = new MessageChannel();
const urls = [];
port1.on('message', (u) => urls.push(u));
port1.unref();
register(${JSON.stringify(pathToFileURL(join(dir, 'hook.mjs')).href)}, { data: { port: port2 }, transferList: [port2] });
const { run } = await import(${JSON.stringify(RUN)});
const code = await run(process.argv.slice(2));
await new Promise((r) => setTimeout(r, 50));
const { createRequire } = await import('node:module');
// CommonJS modules (the SDK's packages, also when a module requires them lazily) are in require's cache.
const required = Object.keys(createRequire(import.meta.url).cache);
process.stderr.write('\\n@@' + JSON.stringify({ code, urls, required }));
`,
);

/** The SDK client packages a run loaded (by ESM import or by require). */
const sdkClients = (r: { urls: string[]; required: string[] }) =>
  [...new Set([...r.urls, ...r.required].flatMap((u) => /@aws-sdk\/(client-[a-z-]+)\//.exec(u)?.[1] ?? []))].sort();

/** Modules of ajv's schema compiler (not its runtime helpers, which precompiled validators use) a run loaded. */
const ajvCompiler = (r: { urls: string[]; required: string[] }) =>
  [...new Set([...r.urls, ...r.required])].filter((u) =>
    /node_modules\/(ajv\/dist\/(?!runtime\/)|ajv-formats\/dist\/index)/.test(u),
  );

/** The probe in a child process without blocking this one (a stand-in endpoint here answers it). */
function probeAsync(
  args: string[],
  env: Record<string, string>,
): Promise<{ code: number; urls: string[]; required: string[] }> {
  return new Promise((res, rej) => {
    const child = spawn(process.execPath, [join(dir, 'probe.mjs'), ...args], {
      env: { ...process.env, NO_COLOR: '1', ...env },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let err = '';
    child.stderr.on('data', (b: Buffer) => void (err += b.toString('utf8')));
    child.on('close', () => {
      const marker = err.lastIndexOf('@@');
      if (marker < 0) rej(new Error(`probe failed: ${err}`));
      else res(JSON.parse(err.slice(marker + 2)) as { code: number; urls: string[]; required: string[] });
    });
  });
}

function probe(args: string[]): { code: number; urls: string[]; stdout: string } {
  const r = spawnSync(process.execPath, [join(dir, 'probe.mjs'), ...args], {
    encoding: 'utf8',
    env: { ...process.env, NO_COLOR: '1' },
  });
  const marker = r.stderr.lastIndexOf('@@');
  if (marker < 0) throw new Error(`probe failed: ${r.stderr}`);
  const { code, urls } = JSON.parse(r.stderr.slice(marker + 2)) as { code: number; urls: string[] };
  return { code, urls, stdout: r.stdout };
}

const commandModules = (urls: string[]) =>
  urls.filter((u) => u.includes('/dist/cli/commands/')).map((u) => u.slice(u.lastIndexOf('/') + 1));
const vendors = (urls: string[]) =>
  urls.filter((u) => /node_modules\/(@aws-sdk|@smithy|@octokit|ajv|yaml|js-yaml)\//.test(u));

const silent: CliIO = {
  stdout: { write: () => undefined },
  stderr: { write: () => undefined },
  env: {},
  cwd: '.',
  now: () => new Date(0),
};

describe('startup', () => {
  it('--help, --version, no arguments and unknown commands load no command module and no SDK', () => {
    for (const args of [['--help'], ['-V'], ['--version'], [], ['nope'], ['help']]) {
      const r = probe(args);
      expect(r.urls.length, args.join(' ')).toBeGreaterThan(3);
      expect(commandModules(r.urls), args.join(' ')).toEqual([]);
      expect(vendors(r.urls), args.join(' ')).toEqual([]);
    }
    expect(probe(['--version']).stdout.trim()).toMatch(/^\d+\.\d+\.\d+/);
  });

  it("a command loads its own module only; `help <command>` shows that command's options", () => {
    const v = probe(['validate', '--help']);
    expect(commandModules(v.urls)).toContain('validate.js');
    expect(
      commandModules(v.urls).filter((m) => ['plan.js', 'apply.js', 'audit.js', 'import.js', 'report.js'].includes(m)),
    ).toEqual([]);
    expect(vendors(v.urls).filter((u) => /@aws-sdk|@octokit/.test(u))).toEqual([]);
    const h = probe(['help', 'plan']);
    expect(h.code).toBe(0);
    expect(h.stdout).toContain('Usage: meshgov plan [options] [file]');
    expect(h.stdout).toContain('--detailed-exitcode');
  });

  it("the catalog lists every command in help order, and its help is the full program's help byte for byte", () => {
    const full = buildProgram(silent, () => undefined);
    expect(CATALOG.map((c) => c.name)).toEqual(full.commands.map((c) => c.name()));
    expect(CATALOG.length).toBe(COMMANDS.length);
    const stubbed = buildWith(silent, () => undefined, [STUBS]);
    expect(stubbed.helpInformation()).toBe(full.helpInformation());
  });

  it('every catalog entry loads the module that registers that command', async () => {
    for (const entry of CATALOG) {
      const program = buildWith(silent, () => undefined, [await entry.load()]);
      expect(program.commands.map((c) => c.name())).toEqual([entry.name]);
    }
  });

  it('a plan against a Kinesis-only endpoint loads no SDK package of a service it does not call', async () => {
    // A stand-in endpoint: every account is empty.
    const server = createServer((req, res) => {
      req.resume();
      req.on('end', () => {
        const target = String(req.headers['x-amz-target'] ?? '');
        res.writeHead(200, { 'content-type': 'application/x-amz-json-1.1' });
        res.end(
          target.endsWith('.ListStreams')
            ? '{"StreamNames":[],"HasMoreStreams":false,"StreamSummaries":[]}'
            : target.includes('GetResources')
              ? '{"ResourceTagMappingList":[],"PaginationToken":""}'
              : '{}',
        );
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    try {
      const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      const r = await probeAsync(
        ['plan', '--detailed-exitcode', '--endpoint', endpoint, '--endpoint-accounts-as-keys', join(REPO, 'mesh.yaml')],
        { MESHGOV_LOCAL_DIR: join(dir, 'local') },
      );
      expect(r.code).toBe(2); // changes pending: the endpoint has none of the mesh's streams
      const loaded = sdkClients(r);
      expect(loaded).toContain('client-kinesis');
      // No role is assumed, IAM, Organizations, Lambda and CloudWatch are not read there, and the Price List API is
      // not asked through --endpoint (the shipped table prices the plan).
      expect(loaded.filter((c) => /^client-(iam|organizations|cloudwatch|lambda|sts|pricing)$/.test(c))).toEqual([]);
      // The built-in rules at their default parameters are precompiled: ajv's compiler is not loaded.
      expect(ajvCompiler(r)).toEqual([]);
      // A mesh without findings needs no positions: the positioned YAML parser is not loaded (the example mesh has
      // findings to locate, and loads it).
      const positioned = (x: { urls: string[]; required: string[] }) =>
        [...x.urls, ...x.required].filter((u) => /node_modules\/yaml\//.test(u));
      expect(positioned(r)).not.toEqual([]);
      const clean = join(dir, 'clean.yaml');
      writeFileSync(clean, generateMesh({ domains: 2, streamsPerDomain: 2, grantsPerStream: 2, clean: true }));
      const c = await probeAsync(
        ['plan', '--detailed-exitcode', '--endpoint', endpoint, '--endpoint-accounts-as-keys', clean],
        { MESHGOV_LOCAL_DIR: join(dir, 'local-clean') },
      );
      expect(c.code).toBe(2);
      expect(positioned(c)).toEqual([]);
    } finally {
      server.close();
    }
  });

  it('a reader that closes the pipe early ends nothing with a stack trace', async () => {
    const child = spawn(process.execPath, [join(REPO, 'bin', 'meshgov.js'), 'schema'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout.destroy();
    let err = '';
    child.stderr.on('data', (b: Buffer) => void (err += b.toString('utf8')));
    const code = await new Promise<number | null>((res) => child.on('close', (c) => res(c)));
    expect(err).toBe('');
    expect(code).toBe(0);
  });
});
