/** The example mesh (mesh.yaml at the repository root), validated and rendered for a fixed day. */
import { fileURLToPath } from 'node:url';
import { fsReader } from '../../src/adapters/fs/reader.js';
import type { Mesh } from '../../src/core/model/types.js';
import { renderMesh } from '../../src/core/render/index.js';
import type { DesiredState } from '../../src/core/render/types.js';
import { validateMesh } from '../../src/core/validate.js';

export const EXAMPLE_MESH_FILE = fileURLToPath(new URL('../../mesh.yaml', import.meta.url));
/** A fixed day before every grant of the example expires. */
export const EXAMPLE_TODAY = '2026-12-01';

export function exampleMesh(): { mesh: Mesh; desired: DesiredState; sources: { file: string; text: string }[] } {
  const v = validateMesh(EXAMPLE_MESH_FILE, fsReader, { today: EXAMPLE_TODAY });
  if (!v.mesh || !v.ok)
    throw new Error(`example mesh does not validate: ${v.diagnostics.map((d) => d.message).join('; ')}`);
  const r = renderMesh(v.mesh, { today: EXAMPLE_TODAY });
  if (r.diagnostics.some((d) => d.severity === 'error')) throw new Error('example mesh does not render');
  return {
    mesh: v.mesh,
    desired: r.value,
    sources: [...v.sources.values()].map((s) => ({ file: s.file, text: s.text })),
  };
}
