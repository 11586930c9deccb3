import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { validateMesh } from '../src/core/validate.js';
import { renderMesh } from '../src/core/render/index.js';
const file = process.argv[2]!;
const r = validateMesh(file, { read: (f) => readFileSync(f, 'utf8') }, { today: '2026-01-01' });
console.log(r.diagnostics.filter((d) => d.severity === 'error').map((d) => `${d.code}: ${d.message}`).slice(0, 3));
const { Session } = await import('node:inspector');
const prof = process.argv[3] === 'prof';
const s = new Session(); s.connect();
const post = (m: string, p?: object) => new Promise<any>((res, rej) => s.post(m, p ?? {}, (e, r) => (e ? rej(e) : res(r))));
if (prof) { await post('Profiler.enable'); await post('Profiler.start'); }
for (let i = 0; i < 2; i++) { const t = performance.now(); const d = renderMesh(r.mesh!, { today: '2026-01-01', locator: r.locator }); console.log('render', (performance.now() - t).toFixed(0), d.diagnostics.map((x) => x.code + ': ' + x.message).slice(0, 2)); }
if (prof) { const { profile } = await post('Profiler.stop'); (await import('node:fs')).writeFileSync('/tmp/bp/render.cpuprofile', JSON.stringify(profile)); }
