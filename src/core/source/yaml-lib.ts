/**
 * The `yaml` package (the positioned parser), loaded on first use. meshgov reads YAML in its own subset with a faster
 * reader (plain-yaml.ts) and needs yaml's parse only to locate a finding or to read a file outside that subset; a run
 * with neither (a plan of a valid mesh) does not load it (~25 ms). Its `node` export is CommonJS, so `require` gives
 * the module an `import` would (one set of node classes: the `is*` checks hold across both).
 */
import { lazyModule } from '../lazy-module.js';

export const yamlLib = lazyModule<typeof import('yaml')>('yaml');
