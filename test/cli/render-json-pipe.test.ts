/**
 * `meshgov render --format json` of a mesh whose document is several MiB, printed into a pipe by the built CLI: a
 * reader that takes its time gets every byte, and a reader that goes away early (`| head -c 100`) ends the run
 * at once, exit 0, with no stack trace, instead of leaving meshgov waiting for the pipe to drain.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateMeshFiles } from '../../bench/generate-mesh.js';

const BIN = resolve('bin/meshgov.js');
const STACK = /^\s+at /m;
let dir: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'meshgov-render-pipe-'));
  const files = generateMeshFiles(
    { domains: 20, streamsPerDomain: 30, grantsPerStream: 4, domainsPerAccount: 2, clean: true },
    false,
  );
  writeFileSync(join(dir, 'mesh.yaml'), files.get('mesh.yaml') as string);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The CLI with stdout a pipe to this process; `reader` decides how the pipe is read. */
function renderInto(
  reader: (stdout: NodeJS.ReadableStream, done: () => void) => void,
): Promise<{ code: number | null; stderr: string }> {
  return new Promise((res) => {
    const child = spawn(process.execPath, [BIN, 'render', '--format', 'json', 'mesh.yaml'], {
      cwd: dir,
      env: { ...process.env, NO_COLOR: '1', MESHGOV_DEBUG: '', MESHGOV_LOCAL_DIR: join(dir, 'local') },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (b: Buffer) => void (stderr += b.toString('utf8')));
    reader(child.stdout, () => child.stdout.destroy());
    child.on('close', (code) => res({ code, stderr }));
  });
}

describe('render --format json into a pipe', () => {
  it('a slow reader gets the whole document', async () => {
    let text = '';
    const r = await renderInto((stdout) => {
      stdout.pause();
      // Read in small sips with pauses: the pipe is full most of the time.
      const sip = () => {
        let chunk: Buffer | null;
        let n = 0;
        while (n < 8 && (chunk = stdout.read() as Buffer | null) !== null) {
          text += chunk.toString('utf8');
          n++;
        }
        setTimeout(sip, 2);
      };
      stdout.on('readable', () => undefined);
      sip();
    });
    expect(r.code, r.stderr).toBe(0);
    expect(text.length).toBeGreaterThan(3 * (1 << 20));
    const doc = JSON.parse(text) as { accounts: unknown[] };
    expect(doc.accounts).toHaveLength(10);
  });

  it('a reader that goes away after 100 bytes ends the run: exit 0, no stack trace', async () => {
    const r = await renderInto((stdout, done) => {
      let got = 0;
      stdout.on('data', (b: Buffer) => {
        got += b.length;
        if (got >= 100) done();
      });
    });
    expect(r.code).toBe(0);
    expect(r.stderr).not.toMatch(STACK);
    expect(r.stderr).not.toMatch(/EPIPE|Error/);
  });
});
