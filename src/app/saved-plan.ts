/**
 * `apply plan.json` checks the plan against the mesh files it was made from (`--mesh`, default mesh.yaml). When
 * those are missing, another mesh, or the default file while the plan came from another one, "the plan is stale"
 * sends the user to re-plan when the fix is to name the right file: these messages say which case it is and name
 * `--mesh`. Also: reading a saved plan, and the check that it was not edited (whether it is the reviewed one: core/github/review-gate.ts).
 */
import { changeSetDigest, parsePlan } from '../core/plan/index.js';
import type { Plan } from '../core/plan/index.js';
import { MAX_PLAN_BYTES } from '../core/plan/types.js';
import type { FileSource } from './ports.js';

/** Why the mesh file given for a saved plan cannot be read at all. */
export function missingMeshFile(meshFile: string): string {
  return (
    'the saved plan is checked against the mesh files it was made from, ' +
    `and the mesh file ${meshFile} does not exist. ` +
    'Pass the mesh file the plan was made from with --mesh FILE. Nothing was applied.'
  );
}

/**
 * The message when the mesh files' digest differs from the saved plan's: another mesh (by name), or the same mesh
 * changed since the plan (stale, or --mesh names another copy of it).
 */
export function meshMismatch(saved: { mesh: string }, prepared: { mesh: { name: string } }, meshFile: string): string {
  if (saved.mesh !== prepared.mesh.name) {
    return (
      `the saved plan is for mesh "${saved.mesh}", but ${meshFile} is mesh "${prepared.mesh.name}". ` +
      'Pass the mesh file the plan was made from with --mesh FILE. Nothing was applied.'
    );
  }
  return (
    `the plan is stale: the mesh files (${meshFile} and its includes) differ from those the plan was made from. ` +
    'If the plan was made from another file, pass it with --mesh FILE; ' +
    'otherwise the mesh changed since: run plan again. ' +
    'Nothing was applied.'
  );
}

/** What apply was given: a saved plan, a mesh file (not JSON, or no such file), or a file it cannot use. */
export type SavedPlanRead =
  | { kind: 'plan'; plan: Plan }
  | { kind: 'mesh-file' }
  /** Exit 1: the file cannot be read. */
  | { kind: 'refused'; message: string }
  /** Exit 64: JSON that is not a meshgov plan. */
  | { kind: 'usage'; message: string };

export function readSavedPlan(path: string, files: FileSource): SavedPlanRead {
  const read = files.read(path, MAX_PLAN_BYTES);
  if (read.kind === 'not-found') return { kind: 'mesh-file' };
  if (read.kind === 'refused') {
    return {
      kind: 'refused',
      message: `cannot read ${read.path}: ${read.reason}; give a saved plan (plan.json) or a mesh file.`,
    };
  }
  if (!/^\s*\{/.test(read.text)) return { kind: 'mesh-file' };
  const r = parsePlan(read.text);
  if (!r.plan) return { kind: 'usage', message: `${path}: not a meshgov plan: ${r.error ?? 'unreadable'}` };
  return { kind: 'plan', plan: r.plan };
}

/** An edited file is named as such (before anything is read from AWS) rather than reported as drift later. */
export function editedPlan(saved: Plan): string | undefined {
  if (changeSetDigest(saved.changes, saved.accessDiff) === saved.changeSetDigest) return undefined;
  return (
    'the saved plan was edited after `meshgov plan` wrote it: its changes do not match its changeSetDigest. ' +
    'Nothing was applied; run plan again and review its output.'
  );
}
