import { readdirSync } from 'node:fs';
import { fsReader } from '../src/adapters/fs/reader.js';
import { validateMesh } from '../src/core/validate.js';
const dir = 'test/fixtures/malformed';
for (const f of readdirSync(dir).filter((n) => n.endsWith('.yaml')).sort()) {
  try {
    const r = validateMesh(`${dir}/${f}`, fsReader, { today: '2026-06-01' });
    console.log(`== ${f}`);
    for (const d of r.diagnostics) console.log(`   ${d.file === dir + '/' + f ? '' : d.file + ' '}${d.line}:${d.column} ${d.severity} ${d.code} | ${d.message.slice(0, 230)}`);
  } catch (e) { console.log(`== ${f} THREW ${(e as Error).stack}`); }
}
