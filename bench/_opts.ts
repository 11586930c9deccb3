import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { LineCounter, Parser, parseDocument } from 'yaml';
const text = readFileSync(process.argv[2]!, 'utf8');
const variants: Record<string, () => unknown> = {
  ours: () => parseDocument(text, { lineCounter: new LineCounter(), uniqueKeys: true, strict: true, version: '1.2', logLevel: 'error', prettyErrors: false }),
  plain: () => parseDocument(text),
  noUnique: () => parseDocument(text, { uniqueKeys: false }),
  cstOnly: () => { let n = 0; for (const _t of new Parser().parse(text)) n++; return n; },
  json: () => JSON.parse(JSON.stringify(parseDocument(text).toJS())),
};
for (let r = 0; r < 3; r++) for (const [k, f] of Object.entries(variants)) { const t = performance.now(); f(); console.log(k, (performance.now() - t).toFixed(0)); }
