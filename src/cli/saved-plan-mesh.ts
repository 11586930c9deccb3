/**
 * `apply plan.json` checks the plan against the mesh files it was made from (`--mesh`, default mesh.yaml). When
 * those are missing, another mesh, or the default file while the plan came from another one, "the plan is stale"
 * sends the user to re-plan when the fix is to name the right file: these messages say which case it is and name
 * `--mesh`.
 */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';

/** Why the mesh file given for a saved plan cannot be read at all, or undefined when it exists. */
export function missingMeshFile(meshFile: string, cwd: string): string | undefined {
  if (existsSync(resolve(cwd, meshFile))) return undefined;
  return 'the saved plan is checked against the mesh files it was made from, '
    + `and the mesh file ${meshFile} does not exist. `
    + 'Pass the mesh file the plan was made from with --mesh FILE. Nothing was applied.';
}

/**
 * The message when the mesh files' digest differs from the saved plan's: another mesh (by name), or the same mesh
 * changed since the plan (stale, or --mesh names another copy of it).
 */
export function meshMismatch(saved: { mesh: string }, prepared: { mesh: { name: string } }, meshFile: string): string {
  if (saved.mesh !== prepared.mesh.name) {
    return `the saved plan is for mesh "${saved.mesh}", but ${meshFile} is mesh "${prepared.mesh.name}". `
      + 'Pass the mesh file the plan was made from with --mesh FILE. Nothing was applied.';
  }
  return `the plan is stale: the mesh files (${meshFile} and its includes) differ from those the plan was made from. `
    + 'If the plan was made from another file, pass it with --mesh FILE; '
    + 'otherwise the mesh changed since: run plan again. '
    + 'Nothing was applied.';
}
