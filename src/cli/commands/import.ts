/**
 * `meshgov import`: read the mesh accounts (read-only) and write mesh.yaml stanzas for the streams meshgov does
 * not manage yet. The new document goes to stdout, `--out FILE` or (with `--write`) back into FILE; notes go to
 * stderr. The result is validated before it is written, and a preview lists every change the next `meshgov plan`
 * of the extended mesh will make (src/core/import/preview.ts).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import type { Command } from 'commander';
import { AdapterError } from '../../adapters/aws/errors.js';
import { openTarget } from '../../adapters/aws/target.js';
import type { OpenTarget } from '../../adapters/aws/target.js';
import type { Diagnostic } from '../../core/diagnostics/diagnostic.js';
import { appendAll, compareDiagnostics, hasErrors } from '../../core/diagnostics/diagnostic.js';
import { importMesh } from '../../core/import/index.js';
import type { ImportNote, ImportResult } from '../../core/import/index.js';
import { previewPlan } from '../../core/import/preview.js';
import type { Mesh } from '../../core/model/types.js';
import type { LiveState, LiveStream, PlanScope } from '../../core/plan/index.js';
import { renderMesh } from '../../core/render/index.js';
import { runRules } from '../../core/rules/index.js';
import { validateMesh } from '../../core/validate.js';
import type { CliIO } from '../io.js';
import { awsFlags, profileOption, regionOption } from '../target-flags.js';
import type { AwsFlags } from '../target-flags.js';
import { EXIT_FINDINGS, EXIT_OK, EXIT_USAGE, ExitError, today } from '../io.js';
import { formatDiagnostics, loadPolicies, meshReader, runValidation } from '../validation.js';
import { checkEndpoint, displayDir, localDir, readLive, scopeFrom } from './plan.js';

export interface ImportCommandOptions extends AwsFlags {
  account: string[];
  local?: boolean;
  endpoint?: string;
  out?: string;
  write?: boolean;
  domainFromTag?: string;
  color: boolean;
  policies?: string;
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

/** Validation of a candidate root text (includes read from disk), with the guardrail rules. */
function checker(file: string, io: CliIO, policies: string | undefined): (text: string) => Diagnostic[] {
  const rules = loadPolicies(io, policies === undefined ? {} : { policies }).rules;
  const rootPath = resolve(io.cwd, file);
  const files = meshReader(io);
  const reader = { read: (f: string, within?: string) => (resolve(io.cwd, f) === rootPath ? textHolder.text : files.read(f, within)) };
  const textHolder = { text: '' };
  return (text: string) => {
    textHolder.text = text;
    const day = today(io);
    const v = validateMesh(file, reader, { today: day });
    const out = [...v.diagnostics];
    if (v.mesh) appendAll(out, runRules({ mesh: v.mesh, locator: v.locator, today: day, rules }));
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
async function readForImport(target: OpenTarget, mesh: Mesh, accounts: string[]): Promise<ImportRead> {
  const declared = new Map(accounts.map((a) => [a, new Set(mesh.streams.filter((s) => s.account === a).map((s) => s.name))]));
  const req = { mesh: mesh.name, region: mesh.region, partition: mesh.partition, accounts };
  const listing = await target.reader.read({ ...req, declared: new Map(accounts.map((a) => [a, new Set<string>()])) });
  const candidates = new Map<string, Set<string>>();
  // Why the listing fenced a stream off: the full read sees every candidate as declared and would say so instead.
  const listedReason = new Map(listing.accounts.flatMap((la) => (la.unmanagedStreams ?? []).map((u) => [`${la.account}/${u.name}`, u.reason] as const)));
  for (const la of listing.accounts) {
    const names = [...(la.unmanagedStreams ?? []).map((u) => u.name), ...la.streams.map((s) => s.name)].filter((n) => !declared.get(la.account)?.has(n));
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
 * The preview of the next plan (src/core/import/preview.ts). Its live state is the one `meshgov plan` reads for the
 * extended mesh: on AWS that is a fresh read through plan's own `readLive` (IAM of the roles the extended mesh
 * renders policies for, which the import read could not know); on the local target, where IAM is not read, the
 * import read already holds every declared and imported stream in full.
 */
async function preview(
  file: string, text: string, target: OpenTarget, read: ImportRead, scope: PlanScope, io: CliIO,
): Promise<ImportNote[]> {
  const rootPath = resolve(io.cwd, file);
  const files = meshReader(io);
  const reader = { read: (f: string, within?: string) => (resolve(io.cwd, f) === rootPath ? text : files.read(f, within)) };
  const v = validateMesh(file, reader, { today: today(io) });
  if (!v.mesh || !v.ok) {
    const message = 'the extended mesh does not validate, so the next plan cannot be previewed';
    return [{ severity: 'warning', subject: 'preview', message }];
  }
  let live = read.live;
  if (target.kind === 'aws') {
    const desired = renderMesh(v.mesh, { today: today(io) }).value;
    live = await readLive(target, { mesh: v.mesh, desired, scope, meshDigest: '' }, io);
  } else {
    // The local target's IAM line speaks of the artefacts plan writes; import writes none (the preview says that
    // IAM was not read).
    live = { ...live, notChecked: live.notChecked.filter((n) => !n.startsWith('IAM: ')) };
  }
  const clock = { now: () => io.now() };
  return previewPlan({ mesh: v.mesh, live, today: today(io), clock, scope, target: target.kind }).notes;
}

function formatNotes(notes: readonly ImportNote[]): string {
  return notes.map((n) => `${n.severity}: ${n.subject}: ${n.message}\n`).join('');
}

export async function runImport(file: string, opts: ImportCommandOptions, io: CliIO): Promise<number> {
  checkEndpoint(opts.endpoint);
  if (opts.local && opts.endpoint) throw new ExitError('--local and --endpoint cannot be combined: --local starts its own endpoint.', EXIT_USAGE);
  const aws = awsFlags(opts);
  if (opts.write && opts.out) throw new ExitError('--write and --out cannot be combined: --write rewrites FILE in place.', EXIT_USAGE);
  if (opts.domainFromTag !== undefined && !/^[\p{L}\p{N}_.:/=+\-@]{1,128}$/u.test(opts.domainFromTag)) throw new ExitError(`--domain-from-tag ${opts.domainFromTag}: not a tag key.`, EXIT_USAGE);
  const validation = runValidation(file, io, opts.policies === undefined ? {} : { policies: opts.policies });
  if (!validation.ok || validation.mesh === undefined) {
    io.stderr.write(formatDiagnostics(validation.diagnostics, 'text', io, validation.ruleMeta, !opts.color));
    io.stderr.write(`import extends a valid mesh: fix ${file} first.\n`);
    return EXIT_FINDINGS;
  }
  const mesh = validation.mesh;
  const root = validation.sources.get(mesh.files[0] ?? file);
  if (!root) throw new ExitError(`cannot read ${file}.`, EXIT_FINDINGS);
  const scope = scopeFrom(mesh, [], opts.account);
  const accounts = scope.accounts.length ? scope.accounts : mesh.accounts.map((a) => a.id);
  io.env['AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED'] ??= 'true';
  let target: OpenTarget;
  try {
    target = await openTarget(mesh, { local: opts.local === true, localDir: localDir(io), displayLocalDir: displayDir(io, localDir(io)), command: 'import', ...(opts.endpoint ? { endpoint: opts.endpoint } : {}), ...aws });
  } catch (e) {
    throw new ExitError(`cannot start the local target: ${(e as Error).message}`, EXIT_FINDINGS);
  }
  const domainTags = [...(opts.domainFromTag ? [opts.domainFromTag] : []), 'meshgov:domain', 'domain'];
  let result: ImportResult;
  let notes: ImportNote[];
  try {
    const read = await readForImport(target, mesh, accounts);
    result = importMesh({
      text: root.text, mesh, streams: read.streams, managed: read.managed, domainTags, today: today(io),
      check: checker(file, io, opts.policies),
    });
    const previewed = await preview(file, result.text, target, read, { domains: [], accounts: scope.accounts }, io);
    notes = [...read.skipped, ...result.notes, ...previewed];
  } catch (e) {
    if (e instanceof AdapterError) throw new ExitError(e.message, EXIT_FINDINGS);
    throw e;
  } finally {
    await target.close();
  }
  io.stderr.write(formatNotes(notes));
  const adopted = result.adopted.length ? ` (${result.adopted.length} of them for consumers of declared streams)` : '';
  io.stderr.write(`imported ${result.imported.length} stream(s) and ${result.grants.length} grant(s)${adopted} ` +
    `from ${accounts.length} account(s); nothing was changed in AWS.\n`);
  const errors = result.diagnostics.filter((d) => d.severity === 'error');
  if (hasErrors(errors)) {
    io.stderr.write(formatDiagnostics(errors, 'text', io, validation.ruleMeta, !opts.color));
    io.stderr.write('the imported mesh does not validate (see above); it is written anyway so you can fix it.\n');
  }
  if (opts.write || opts.out) {
    const out = resolve(io.cwd, opts.write ? file : (opts.out as string));
    mkdirSync(dirname(out), { recursive: true });
    writeFileSync(out, result.text);
  } else io.stdout.write(result.text);
  return hasErrors(errors) ? EXIT_FINDINGS : EXIT_OK;
}

export function registerImport(program: Command, io: CliIO, setExit: (code: number) => void): void {
  program
    .command('import')
    .description('Adopt existing streams and EFO consumers: read the accounts (read-only), write mesh.yaml stanzas ' +
      'for them and their grants, and preview the next plan.')
    .argument('[file]', 'mesh file to extend', 'mesh.yaml')
    .option('--account <id>', 'read only this account id or alias (repeatable; default all mesh accounts)', collect, [])
    .option('--local', 'read the embedded local target (kinesis-local; data in .meshgov/local or MESHGOV_LOCAL_DIR)')
    .option('--endpoint <url>', 'endpoint for every AWS service (LocalStack or another compatible endpoint)')
    .addOption(profileOption()).addOption(regionOption())
    .option('-o, --out <file>', 'write the extended mesh to this file instead of stdout')
    .option('--write', 'rewrite FILE in place')
    .option('--policies <dir>', 'additional directory of guardrail rule files (as validate; the rules decide whether the mesh may be planned)')
    .option('--domain-from-tag <key>', 'tag key naming a stream\'s domain (tried before meshgov:domain and domain)')
    .option('--no-color', 'disable colour')
    .addHelpText('after', [
      '',
      'Import never changes anything in AWS. Unknown owners, classifications and principals get defaults that validate',
      'and a `# TODO(meshgov import): ...` comment; resource-policy statements that no grant can express are reported',
      'on stderr and as `# meshgov import: could not express ...` comments. Every change the next `meshgov plan` makes',
      '(IAM included where IAM is read) is previewed on stderr. See docs/import.md.',
    ].join('\n'))
    .action(async (file: string, opts: ImportCommandOptions) => {
      setExit(await runImport(file, opts, io));
    });
}
