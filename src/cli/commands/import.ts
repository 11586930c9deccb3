/**
 * `meshgov import`: read the mesh accounts (read-only) and write mesh.yaml stanzas for the streams meshgov does
 * not manage yet. The new document goes to stdout, `--out FILE` or (with `--write`) back into FILE; notes go to
 * stderr. The result is validated before it is written, and a preview plan of the imported streams tells what the
 * first `meshgov plan` will show for them besides the governance tags.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import type { Command } from 'commander';
import { AdapterError } from '../../adapters/aws/errors.js';
import { openTarget } from '../../adapters/aws/target.js';
import type { OpenTarget } from '../../adapters/aws/target.js';
import { fsReader } from '../../adapters/fs/reader.js';
import type { Diagnostic } from '../../core/diagnostics/diagnostic.js';
import { compareDiagnostics, hasErrors } from '../../core/diagnostics/diagnostic.js';
import { importMesh } from '../../core/import/index.js';
import type { ImportNote, ImportResult } from '../../core/import/index.js';
import type { Mesh } from '../../core/model/types.js';
import { computePlan } from '../../core/plan/index.js';
import type { Change, LiveState, LiveStream } from '../../core/plan/index.js';
import { renderMesh } from '../../core/render/index.js';
import { runRules } from '../../core/rules/index.js';
import { validateMesh } from '../../core/validate.js';
import type { CliIO } from '../io.js';
import { awsFlags, profileOption, regionOption } from '../target-flags.js';
import type { AwsFlags } from '../target-flags.js';
import { EXIT_FINDINGS, EXIT_OK, EXIT_USAGE, ExitError, today } from '../io.js';
import { formatDiagnostics, loadPolicies, runValidation } from '../validation.js';
import { checkEndpoint, displayDir, localDir, scopeFrom } from './plan.js';

export interface ImportCommandOptions extends AwsFlags {
  account: string[];
  local?: boolean;
  endpoint?: string;
  out?: string;
  write?: boolean;
  domainFromTag?: string;
  color: boolean;
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

/** Validation of a candidate root text (includes read from disk), with the guardrail rules. */
function checker(file: string, io: CliIO): (text: string) => Diagnostic[] {
  const rules = loadPolicies(io).rules;
  const rootPath = resolve(io.cwd, file);
  const reader = { read: (f: string) => (resolve(io.cwd, f) === rootPath ? textHolder.text : fsReader.read(resolve(io.cwd, f))) };
  const textHolder = { text: '' };
  return (text: string) => {
    textHolder.text = text;
    const day = today(io);
    const v = validateMesh(file, reader, { today: day });
    const out = [...v.diagnostics];
    if (v.mesh) out.push(...runRules({ mesh: v.mesh, locator: v.locator, today: day, rules }));
    return out.sort(compareDiagnostics);
  };
}

/** Streams meshgov does not manage yet, read in full: a listing read, then a full read of the candidates. */
async function readUnmanaged(target: OpenTarget, mesh: Mesh, accounts: string[]): Promise<{ streams: LiveStream[]; live: LiveState; skipped: ImportNote[] }> {
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
  const live = await target.reader.read({ ...req, declared: candidates });
  const streams: LiveStream[] = [];
  const skipped: ImportNote[] = [];
  for (const la of live.accounts) {
    const wanted = candidates.get(la.account) ?? new Set<string>();
    for (const s of la.streams) {
      if (!wanted.has(s.name)) continue;
      if (s.status === 'DELETING') skipped.push({ severity: 'info', subject: `${la.account}/stream/${s.name}`, message: 'being deleted; not imported' });
      else streams.push(s);
    }
    for (const u of la.unmanagedStreams ?? []) {
      if (wanted.has(u.name)) skipped.push({ severity: 'warning', subject: `${la.account}/stream/${u.name}`, message: `not imported: ${listedReason.get(`${la.account}/${u.name}`) ?? u.reason}` });
    }
  }
  return { streams, live, skipped };
}

/**
 * What the first plan will do to the imported streams: governance tag additions are expected; anything else is a
 * note, so the user learns before merging that e.g. a resource policy will be rewritten.
 */
function previewNotes(file: string, text: string, result: ImportResult, live: LiveState, io: CliIO): ImportNote[] {
  const rootPath = resolve(io.cwd, file);
  const reader = { read: (f: string) => (resolve(io.cwd, f) === rootPath ? text : fsReader.read(resolve(io.cwd, f))) };
  const v = validateMesh(file, reader, { today: today(io) });
  if (!v.mesh || !v.ok) return [];
  const rendered = renderMesh(v.mesh, { today: today(io) });
  const names = new Set(result.imported.map((s) => `${s.account}/${s.name}`));
  const desired = {
    ...rendered.value,
    accounts: rendered.value.accounts.map((a) => ({ ...a, streams: a.streams.filter((s) => names.has(`${a.account}/${s.name}`)), consumers: a.consumers.filter((c) => names.has(`${a.account}/${c.stream}`)), iam: [] })),
  };
  const plan = computePlan({ desired, live, meshDigest: '', clock: { now: () => io.now() } });
  const notes: ImportNote[] = [];
  for (const c of plan.changes) {
    if (c.stream === undefined || !names.has(`${c.account}/${c.stream}`) || c.action === 'no-op') continue;
    if (isGovernanceTagAddition(c, v.mesh.tags)) {
      notes.push({ severity: 'info', subject: c.address, message: `the first plan adds governance tags: ${Object.keys((c.after as { tags: Record<string, string> }).tags).join(', ')}` });
    } else {
      notes.push({ severity: 'warning', subject: c.address, message: `the first plan will also ${c.action} ${c.resourceType} (${c.risk}): ${c.reasons.join('; ')}` });
    }
  }
  return notes;
}

/** A tag change that only adds `meshgov:` keys, or the mesh-wide tags (`mesh.tags`) every managed resource carries. */
export function isGovernanceTagAddition(c: Change, meshTags: Record<string, string> = {}): boolean {
  if (c.resourceType !== 'stream-tags' && c.resourceType !== 'consumer-tags') return false;
  const before = (c.before as { tags?: Record<string, string> } | null)?.tags ?? {};
  const after = (c.after as { tags?: Record<string, string> } | null)?.tags ?? {};
  return Object.keys(before).length === 0 && Object.keys(after).length > 0 && Object.entries(after).every(([k, v]) => k.startsWith('meshgov:') || meshTags[k] === v);
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
  const validation = runValidation(file, io);
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
  let read: Awaited<ReturnType<typeof readUnmanaged>>;
  try {
    read = await readUnmanaged(target, mesh, accounts);
  } catch (e) {
    if (e instanceof AdapterError) throw new ExitError(e.message, EXIT_FINDINGS);
    throw e;
  } finally {
    await target.close();
  }
  const domainTags = [...(opts.domainFromTag ? [opts.domainFromTag] : []), 'meshgov:domain', 'domain'];
  const result = importMesh({ text: root.text, mesh, streams: read.streams, domainTags, today: today(io), check: checker(file, io) });
  const notes = [...read.skipped, ...result.notes, ...previewNotes(file, result.text, result, read.live, io)];
  io.stderr.write(formatNotes(notes));
  io.stderr.write(`imported ${result.imported.length} stream(s) and ${result.grants.length} grant(s) from ${accounts.length} account(s); nothing was changed in AWS.\n`);
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
    .description('Adopt existing streams: read the accounts (read-only) and write mesh.yaml stanzas for streams, EFO consumers and grants.')
    .argument('[file]', 'mesh file to extend', 'mesh.yaml')
    .option('--account <id>', 'read only this account id or alias (repeatable; default all mesh accounts)', collect, [])
    .option('--local', 'read the embedded local target (kinesis-local; data in .meshgov/local or MESHGOV_LOCAL_DIR)')
    .option('--endpoint <url>', 'endpoint for every AWS service (LocalStack or another compatible endpoint)')
    .addOption(profileOption()).addOption(regionOption())
    .option('-o, --out <file>', 'write the extended mesh to this file instead of stdout')
    .option('--write', 'rewrite FILE in place')
    .option('--domain-from-tag <key>', 'tag key naming a stream\'s domain (tried before meshgov:domain and domain)')
    .option('--no-color', 'disable colour')
    .addHelpText('after', [
      '',
      'Import never changes anything in AWS. Unknown owners, classifications and principals get defaults that validate',
      'and a `# TODO(meshgov import): ...` comment; resource-policy statements that no grant can express are reported',
      'on stderr and as `# meshgov import: could not express ...` comments. See docs/import.md.',
    ].join('\n'))
    .action(async (file: string, opts: ImportCommandOptions) => {
      setExit(await runImport(file, opts, io));
    });
}
