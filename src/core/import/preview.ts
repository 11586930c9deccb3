/**
 * The import preview: the plan the next `meshgov plan` makes for the extended mesh, computed the way plan computes
 * it (render the whole mesh, `computePlan` against the live state, the same scope), and every change of it as a
 * note. Nothing is filtered out: changes to streams the mesh already declared, IAM role policies and the guard
 * boundary are listed like the governance tags of the imported streams. What the live state lacks (IAM on the
 * local target) is said, never silently left out.
 */
import type { Mesh } from '../model/types.js';
import { computePlan } from '../plan/diff.js';
import type { LiveState } from '../plan/live.js';
import type { Change, Plan, PlanScope } from '../plan/types.js';
import { renderMesh } from '../render/index.js';
import type { ImportNote } from './notes.js';

export interface PreviewInput {
  /** The extended mesh (the import result, validated). */
  mesh: Mesh;
  /**
   * The live state as `meshgov plan` reads it for the extended mesh: every declared and imported stream in full,
   * and IAM (where the target reads it) for the roles the extended mesh renders policies for.
   */
  live: LiveState;
  /** Today, YYYY-MM-DD (grant expiry in render). */
  today: string;
  clock: { now(): Date };
  /** The accounts read (empty: all); domains are never limited by import. */
  scope: PlanScope;
  /** `aws` or `local`. */
  target: string;
}

export interface Preview {
  /** The next plan, as `meshgov plan` would compute it from the same inputs. */
  plan: Plan;
  /** A summary, one note per pending or blocked change (its subject is the change id), then what was not checked. */
  notes: ImportNote[];
}

/** A tag change that only adds `meshgov:` keys, or the mesh-wide tags (`mesh.tags`) every managed resource carries. */
export function isGovernanceTagAddition(c: Change, meshTags: Record<string, string> = {}): boolean {
  if (c.resourceType !== 'stream-tags' && c.resourceType !== 'consumer-tags') return false;
  const before = (c.before as { tags?: Record<string, string> } | null)?.tags ?? {};
  const after = (c.after as { tags?: Record<string, string> } | null)?.tags ?? {};
  const added = Object.entries(after);
  const governance = ([k, v]: [string, string]) => k.startsWith('meshgov:') || meshTags[k] === v;
  return Object.keys(before).length === 0 && added.length > 0 && added.every(governance);
}

function changeNote(c: Change, meshTags: Record<string, string>): ImportNote {
  const what = `${c.action} ${c.resourceType} (${c.risk})`;
  if (c.blocked) {
    const message = `the next plan will show ${what} as blocked: ${c.blocked.message}`;
    return { severity: 'warning', subject: c.id, message };
  }
  if (isGovernanceTagAddition(c, meshTags)) {
    const keys = Object.keys((c.after as { tags: Record<string, string> }).tags);
    return { severity: 'info', subject: c.id, message: `the next plan adds governance tags: ${keys.join(', ')}` };
  }
  return { severity: 'warning', subject: c.id, message: `the next plan will ${what}: ${c.reasons.join('; ')}` };
}

/** Accounts of the live state whose IAM was not read (the local target, or IAM reads denied). */
function iamNotRead(live: LiveState): string[] {
  return live.accounts.filter((a) => a.iam === undefined).map((a) => a.account);
}

/** Render the extended mesh and plan it against the live state; see the module comment. */
export function previewPlan(input: PreviewInput): Preview {
  const rendered = renderMesh(input.mesh, { today: input.today });
  const plan = computePlan({
    desired: rendered.value,
    live: input.live,
    meshDigest: '',
    clock: input.clock,
    scope: input.scope,
    target: input.target,
  });
  const s = plan.summary;
  const pending = plan.changes.filter((c) => c.action !== 'no-op' && !c.blocked).length;
  const notes: ImportNote[] = [
    {
      severity: 'info',
      subject: 'preview',
      message:
        `the next \`meshgov plan\` of the extended mesh: ${pending} change(s) (${s.destructive} destructive, ` +
        `${s.disruptive} disruptive), ${s.blocked} blocked, ${s.unmanaged} unmanaged resource(s)`,
    },
  ];
  for (const d of rendered.diagnostics.filter((x) => x.severity === 'error')) {
    const message = `the extended mesh does not render (${d.code}: ${d.message}); the next plan stops there`;
    notes.push({ severity: 'warning', subject: 'preview', message });
  }
  notes.push(...plan.changes.filter((c) => c.action !== 'no-op').map((c) => changeNote(c, input.mesh.tags)));
  const missing = iamNotRead(input.live);
  if (missing.length > 0) {
    notes.push({
      severity: 'warning',
      subject: 'preview',
      message:
        `IAM was not read in account(s) ${missing.join(', ')}: the IAM changes the next plan makes there ` +
        '(iam-policy, iam-boundary) are not in this preview',
    });
  }
  for (const n of plan.notChecked) notes.push({ severity: 'info', subject: 'preview', message: `not checked: ${n}` });
  return { plan, notes };
}
