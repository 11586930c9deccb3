/** Load a mesh for tests: from disk (the example) or from generated text, through the real validator. */
import { readFileSync } from 'node:fs';
import type { Mesh } from '../../src/core/model/types.js';
import { validateMesh } from '../../src/core/validate.js';
import type { Locator } from '../../src/core/source/locator.js';

export interface Loaded {
  mesh: Mesh;
  locator: Locator;
}

export function loadText(name: string, text: string, today: string): Loaded {
  const v = validateMesh(name, { read: (f) => (f === name ? text : new Error('no such file')) }, { today });
  if (!v.ok || v.mesh === undefined)
    throw new Error(
      `test mesh ${name} is invalid: ${v.diagnostics
        .filter((d) => d.severity === 'error')
        .map((d) => `${d.line}:${d.column} ${d.message}`)
        .join('; ')}`,
    );
  return { mesh: v.mesh, locator: v.locator };
}

export function loadFile(path: string, today: string): Loaded {
  return loadText(path, readFileSync(path, 'utf8'), today);
}
