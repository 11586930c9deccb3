/**
 * Large output is written in chunks, each once the one before has drained: a pipe's slow reader holds meshgov's
 * output back instead of meshgov holding all of it in memory; a reader that went away never makes it wait.
 */
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { generateMeshFiles } from '../../bench/generate-mesh.js';
import { pipeWriter } from '../../src/cli/io.js';
import type { OutputStream } from '../../src/cli/io.js';
import { writeFormatted } from '../../src/cli/validation.js';
import { loadMesh } from '../../src/core/model/load.js';
import { renderMesh } from '../../src/core/render/index.js';
import { renderJson } from '../../src/output/render/files.js';
import { plainStyle } from '../../src/output/style.js';

const context = { style: plainStyle, version: '0.0.0', relativize: (f: string) => f };

function bigDesired() {
  const files = generateMeshFiles(
    { domains: 20, streamsPerDomain: 30, grantsPerStream: 4, domainsPerAccount: 2 },
    false,
  );
  const loaded = loadMesh('mesh.yaml', { read: (f) => files.get(f) ?? '' });
  return renderMesh(loaded.mesh!, { today: '2026-01-01' }).value;
}

describe('writeFormatted', () => {
  it('writes render json chunk by chunk, the next only once the last has drained, the same bytes', async () => {
    const desired = bigDesired();
    const expected = renderJson(desired);
    expect(expected.length).toBeGreaterThan(3 * (1 << 20)); // several chunks of about 1 MiB
    const writes: string[] = [];
    let release: (() => void) | undefined;
    const out: OutputStream = {
      write: (s) => void writes.push(s),
      drain: () => new Promise<void>((r) => (release = r)),
    };
    const done = writeFormatted(out, 'render', 'json', { desired }, context);
    // Nothing more is written until the reader has taken the first chunk.
    await new Promise((r) => setImmediate(r));
    expect(writes).toHaveLength(1);
    let rounds = 0;
    while (release !== undefined && rounds < 1000) {
      const r = release;
      release = undefined;
      const before = writes.length;
      r();
      await new Promise((resolve) => setImmediate(resolve));
      if (release !== undefined) expect(writes.length).toBe(before + 1);
      rounds++;
    }
    await done;
    expect(writes.length).toBeGreaterThan(3);
    expect(writes.join('')).toBe(expected);
  });

  it('writes a string renderer once, with or without drain', async () => {
    const writes: string[] = [];
    await writeFormatted({ write: (s) => void writes.push(s) }, 'rules', 'json', [], context);
    expect(writes).toHaveLength(1);
  });
});

describe('pipeWriter.drain', () => {
  /** A writable that takes nothing until `take()`: a reader that is slower than meshgov. */
  function slowReader() {
    const pending: (() => void)[] = [];
    const stream = new Writable({
      highWaterMark: 16,
      write: (_chunk, _enc, callback) => void pending.push(() => callback()),
    });
    return { stream, take: () => pending.splice(0).forEach((f) => f()) };
  }

  it('waits until what was written has been taken', async () => {
    const { stream, take } = slowReader();
    const w = pipeWriter(stream);
    w.write('x'.repeat(100));
    let drained = false;
    const d = w.drain().then(() => (drained = true));
    await new Promise((r) => setImmediate(r));
    expect(drained).toBe(false);
    take();
    await d;
    expect(drained).toBe(true);
  });

  it('does not wait when nothing is pending', async () => {
    const { stream } = slowReader();
    await expect(pipeWriter(stream).drain()).resolves.toBeUndefined();
  });

  it('settles when the reader goes away while it waits, and at once after', async () => {
    const { stream } = slowReader();
    const w = pipeWriter(stream);
    w.write('x'.repeat(100));
    const waiting = w.drain();
    stream.destroy(Object.assign(new Error('write EPIPE'), { code: 'EPIPE' }));
    await waiting;
    await w.drain();
    w.write('dropped');
  });
});
