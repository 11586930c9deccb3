import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseDocument } from 'yaml';
import { runValidation } from '../src/cli/validation.js';
import { renderMesh } from '../src/core/render/index.js';
import { generateMesh } from './generate-mesh.js';
const dir = mkdtempSync(join(tmpdir(), 'mg-'));
const n = Number(process.argv[2] ?? 40);
const text = generateMesh({ domains: n, streamsPerDomain: 50, grantsPerStream: 5, domainsPerAccount: 1, clean: true });
writeFileSync(join(dir, 'mesh.yaml'), text);
const io = { stdout: { write() {} }, stderr: { write() {} }, env: {}, cwd: dir, now: () => new Date('2026-01-01T00:00:00Z') };
for (let i = 0; i < 2; i++) {
  let t = performance.now(); parseDocument(text); const p = performance.now() - t;
  let c = process.cpuUsage();
  t = performance.now(); const r = runValidation('mesh.yaml', io as never); const v = performance.now() - t; const vc = process.cpuUsage(c);
  c = process.cpuUsage();
  t = performance.now(); renderMesh(r.mesh!, { today: '2026-01-01', locator: r.locator }); const rr = performance.now() - t; const rc = process.cpuUsage(c);
  console.log({ bytes: text.length, parse: p|0, validate: v|0, vcpu: vc.user/1000|0, render: rr|0, rcpu: rc.user/1000|0 });
}
