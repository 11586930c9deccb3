import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseDocument } from 'yaml';
import { runValidation } from '../src/cli/validation.js';
import { renderMesh } from '../src/core/render/index.js';
import { generateMesh } from './generate-mesh.js';
const dir = mkdtempSync(join(tmpdir(), 'mg-'));
const text = generateMesh({ domains: 200, streamsPerDomain: 50, grantsPerStream: 5, domainsPerAccount: 1 });
writeFileSync(join(dir, 'mesh.yaml'), text);
const io = { stdout: { write() {} }, stderr: { write() {} }, env: {}, cwd: dir, now: () => new Date('2026-01-01T00:00:00Z') };
for (let i = 0; i < 3; i++) {
  let t = performance.now(); parseDocument(text); const p = performance.now() - t;
  t = performance.now(); const r = runValidation('mesh.yaml', io as never); const v = performance.now() - t;
  t = performance.now(); const d = renderMesh(r.mesh!, { today: '2026-01-01', locator: r.locator }); const rr = performance.now() - t;
  console.log({ bytes: text.length, parse: p|0, validate: v|0, render: rr|0, diags: r.diagnostics.length, errs: r.diagnostics.filter(x=>x.severity==='error').length, first: r.diagnostics.slice(0,3).map(x=>x.code), rd: d.diagnostics.length });
}
console.log(process.resourceUsage().maxRSS/1024);
