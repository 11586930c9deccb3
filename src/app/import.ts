/**
 * Use case `import`: read the mesh accounts (read-only) and extend the mesh's root file with stanzas for the streams
 * meshgov does not manage yet (and grants for their consumers). The result is validated with the rule pack, and a
 * preview lists every change the next plan of the extended mesh will make (core/import/preview.ts).
 */
import type { Diagnostic } from '../core/diagnostics/diagnostic.js';
import { appendAll, compareDiagnostics } from '../core/diagnostics/diagnostic.js';
import { importMesh } from '../core/import/index.js';
import type { ImportNote, ImportResult } from '../core/import/index.js';
import { previewPlan } from '../core/import/preview.js';
import type { Mesh } from '../core/model/types.js';
import type { LiveState, LiveStream, PlanScope } from '../core/plan/index.js';
import type { Clock } from '../core/ports.js';
import { renderMesh } from '../core/render/index.js';
import { runRules } from '../core/rules/index.js';
import type { Rule } from '../core/rules/index.js';
import { validateMesh } from '../core/validate.js';
import { todayOn } from './events.js';
import type { FileSink, MeshSources, UsageProblem, WriteFailure } from './ports.js';
import { scopeOf } from './prepare.js';
import { readLive } from './read-live.js';
import type { ReadEvent } from './read-live.js';
import type { Target, TargetFailure, TargetOpener, TargetSpec } from './target.js';
import { validate } from './validate.js';
import { AdapterError } from '../adapters/aws/errors.js';

export interface ImportOptions {
  /** Account ids or aliases to read (empty: every account of the mesh). */
  account: readonly string[];
  policies?: string;
  target: TargetSpec;
  /** Tag keys naming a stream's domain, tried in order. */
  domainTags: readonly string[];
  /** Write the extended mesh here (the mesh file itself for `--write`); otherwise it is only returned. */
  out?: string;
  clock: Clock;
  onEvent?: (e: ReadEvent) => void;
}

export interface ImportPorts {
  sources: MeshSources;
  openTarget: TargetOpener;
  files: FileSink;
}

export type ImportOutcome =
  | UsageProblem
  /** The mesh does not validate: import extends a valid mesh. */
  | { kind: 'invalid'; diagnostics: Diagnostic[]; rules: Rule[] }
  | { kind: 'refused'; message: string }
  | TargetFailure
  | { kind: 'read-failed'; message: string }
  | WriteFailure
  | {
      kind: 'imported';
      /** The extended root file. */
      text: string;
      result: ImportResult;
      /** What was skipped, what import decided, and the preview of the next plan. */
      notes: ImportNote[];
      /** Accounts read. */
      accounts: number;
      /** Errors of the extended mesh (it is returned, and written, anyway so it can be fixed). */
      errors: Diagnostic[];
      rules: Rule[];
    };

/** Validation of a candidate root text (includes read as usual), with the guardrail rules. */
function checker(file: string, sources: MeshSources, rules: Rule[], today: string): (text: string) => Diagnostic[] {
  return (text: string) => {
    const reader = { read: (f: string, within?: string) => (f === file ? text : sources.reader.read(f, within)) };
    const v = validateMesh(file, reader, { today });
    const out = [...v.diagnostics];
    if (v.mesh) appendAll(out, runRules({ mesh: v.mesh, locator: v.locator, today, rules }));
    return out.sort(compareDiagnostics);
  };
}

/** What import read: streams to import, declared streams (for their consumers), the live state, what was skipped. */
interface ImportRead {
  streams: LiveStream[];
  managed: LiveStream[];
  live: LiveState;
  skipped: ImportNote[];
}

/**
 * Streams meshgov does not manage yet, and the streams the mesh declares, read in full: a listing read, then a full
 * read of the candidates and the declared streams (whose undeclared EFO consumers import adopts).
 */
async function readForImport(target: Target, mesh: Mesh, accounts: string[]): Promise<ImportRead> {
  const declared = new Map(
    accounts.map((a) => [a, new Set(mesh.streams.filter((s) => s.account === a).map((s) => s.name))]),
  );
  const req = { mesh: mesh.name, region: mesh.region, partition: mesh.partition, accounts };
  const listing = await target.reader.read({ ...req, declared: new Map(accounts.map((a) => [a, new Set<string>()])) });
  const candidates = new Map<string, Set<string>>();
  // Why the listing fenced a stream off: the full read sees every candidate as declared and would say so instead.
  const listedReason = new Map(
    listing.accounts.flatMap((la) =>
      (la.unmanagedStreams ?? []).map((u) => [`${la.account}/${u.name}`, u.reason] as const),
    ),
  );
  for (const la of listing.accounts) {
    const names = [...(la.unmanagedStreams ?? []).map((u) => u.name), ...la.streams.map((s) => s.name)].filter(
      (n) => !declared.get(la.account)?.has(n),
    );
    candidates.set(la.account, new Set(names));
  }
  const full = new Map(accounts.map((a) => [a, new Set([...(candidates.get(a) ?? []), ...(declared.get(a) ?? [])])]));
  const live = await target.reader.read({ ...req, declared: full });
  const read: ImportRead = { streams: [], managed: [], live, skipped: [] };
  for (const la of live.accounts) {
    const wanted = candidates.get(la.account) ?? new Set<string>();
    for (const s of la.streams) {
      if (declared.get(la.account)?.has(s.name)) read.managed.push(s);
      if (!wanted.has(s.name)) continue;
      const subject = `${la.account}/stream/${s.name}`;
      const deleting: ImportNote = { severity: 'info', subject, message: 'being deleted; not imported' };
      if (s.status === 'DELETING') read.skipped.push(deleting);
      else read.streams.push(s);
    }
    for (const u of la.unmanagedStreams ?? []) {
      if (!wanted.has(u.name)) continue;
      const message = `not imported: ${listedReason.get(`${la.account}/${u.name}`) ?? u.reason}`;
      read.skipped.push({ severity: 'warning', subject: `${la.account}/stream/${u.name}`, message });
    }
  }
  return read;
}

/**
 * The preview of the next plan. Its live state is the one `meshgov plan` reads for the extended mesh: on AWS that
 * is a fresh read through plan's own `readLive` (IAM of the roles the extended mesh renders policies for, which the
 * import read could not know); on the local target, where IAM is not read, the import read already holds every
 * declared and imported stream in full.
 */
async function preview(
  file: string,
  text: string,
  target: Target,
  read: ImportRead,
  scope: PlanScope,
  sources: MeshSources,
  options: ImportOptions,
): Promise<ImportNote[] | { kind: 'read-failed'; message: string }> {
  const today = todayOn(options.clock);
  const reader = { read: (f: string, within?: string) => (f === file ? text : sources.reader.read(f, within)) };
  const v = validateMesh(file, reader, { today });
  if (!v.mesh || !v.ok) {
    const message = 'the extended mesh does not validate, so the next plan cannot be previewed';
    return [{ severity: 'warning', subject: 'preview', message }];
  }
  let live = read.live;
  if (target.kind === 'aws') {
    const desired = renderMesh(v.mesh, { today }).value;
    const fresh = await readLive(target, { desired, scope }, options.onEvent);
    if (fresh.kind !== 'read') return fresh;
    live = fresh.live;
  } else {
    // The local target's IAM line speaks of the artefacts plan writes; import writes none (the preview says that
    // IAM was not read).
    live = { ...live, notChecked: live.notChecked.filter((n) => !n.startsWith('IAM: ')) };
  }
  return previewPlan({ mesh: v.mesh, live, today, clock: options.clock, scope, target: target.kind }).notes;
}

export async function importStreams(file: string, options: ImportOptions, ports: ImportPorts): Promise<ImportOutcome> {
  const today = todayOn(options.clock);
  const validation = validate(
    file,
    { today, ...(options.policies !== undefined ? { policies: options.policies } : {}) },
    ports.sources,
  );
  if (validation.kind === 'usage') return validation;
  if (validation.kind === 'invalid')
    return { kind: 'invalid', diagnostics: validation.diagnostics, rules: validation.rules };
  const { mesh, rules } = validation;
  const root = validation.sources.get(mesh.files[0] ?? file);
  if (!root) return { kind: 'refused', message: `cannot read ${file}.` };
  const scope = scopeOf(mesh, [], options.account);
  if ('kind' in scope) return scope;
  const accounts = scope.accounts.length ? scope.accounts : mesh.accounts.map((a) => a.id);
  const opening = await ports.openTarget(mesh, 'import', options.target);
  if (opening.kind !== 'open') return opening;
  const { target } = opening;
  let result: ImportResult;
  let notes: ImportNote[];
  try {
    const read = await readForImport(target, mesh, accounts);
    result = importMesh({
      text: root.text,
      mesh,
      streams: read.streams,
      managed: read.managed,
      domainTags: [...options.domainTags],
      today,
      check: checker(file, ports.sources, rules, today),
    });
    const previewed = await preview(
      file,
      result.text,
      target,
      read,
      { domains: [], accounts: scope.accounts },
      ports.sources,
      options,
    );
    if (!Array.isArray(previewed)) return previewed;
    notes = [...read.skipped, ...result.notes, ...previewed];
  } catch (e) {
    if (e instanceof AdapterError) return { kind: 'read-failed', message: e.message };
    throw e;
  } finally {
    await target.close();
  }
  const errors = result.diagnostics.filter((d) => d.severity === 'error');
  if (options.out !== undefined) {
    const failed = ports.files.write(options.out, result.text);
    if (failed) return failed;
  }
  return { kind: 'imported', text: result.text, result, notes, accounts: accounts.length, errors, rules };
}
