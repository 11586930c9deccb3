/**
 * The on-disk layout of `meshgov render --out DIR`, as pure data: one pretty JSON file per artefact, grouped by
 * account and then kind so a reviewer reads a pull request diff per account:
 *
 *   DIR/meshgov-render.json                        what was rendered (mesh, region, partition, files)
 *   DIR/<account>/streams/<stream>.json            configuration, tags and resource policy of one stream
 *   DIR/<account>/consumers/<stream>/<name>.json   one enhanced fan-out consumer
 *   DIR/<account>/iam/<kind>/<name>.json           identity, governance, trust, boundary, fanout policies, ESMs
 *   DIR/organization/guard-scp.json                the tag-tampering guard SCP
 *   DIR/<account>/events/<name>.template.json      drift-event CloudFormation templates (--github-repo, hub included)
 *
 * Content is byte-for-byte deterministic: the desired state is built in a fixed order (tag keys sorted), printed
 * with two-space indentation and a trailing newline.
 */
import type { DriftEventTemplate } from '../../core/render/drift-events.js';
import type { DesiredState, IamArtefact } from '../../core/render/types.js';
import { prettyJsonChunks } from '../pretty-json-chunks.js';

/** Name of the marker file that says a directory holds meshgov render output (and lists the files in it). */
export const RENDER_MARKER = '.meshgov-render';
/** Bumped when the layout or the JSON shape changes incompatibly. */
export const RENDER_FORMAT_VERSION = 1;

export interface RenderedFile {
  /** Path relative to the output directory, `/`-separated. */
  path: string;
  /** The file's text. {@link renderFiles} makes it when it is read (the same bytes each time). */
  content: string;
}

/**
 * A file whose text is made when it is read: a writer going through the files then holds one file's text at a time,
 * not all of them (the 10,000-stream mesh renders 43,000 files, 71 MiB of text).
 */
function lazyFile(path: string, value: unknown): RenderedFile {
  return {
    path,
    get content() {
      return prettyJson(value);
    },
  };
}

/** Pretty JSON with a trailing newline. */
export function prettyJson(value: unknown): string {
  return `${JSON.stringify(value, null, 2)}\n`;
}

/** A path segment that cannot escape its directory (`.`/`..`) or contain a separator. */
export function safeSegment(name: string): string {
  const s = name.split('\u0000').join('_').replace(/[/\\]/g, '_');
  return s === '' || /^\.+$/.test(s) ? `_${s}` : s;
}

function artefactPath(a: IamArtefact): string {
  if (a.kind === 'guard-scp') return `organization/${safeSegment(a.name)}.json`;
  return `${safeSegment(a.account)}/iam/${a.kind}/${safeSegment(a.name)}.json`;
}

/** Every artefact file of a desired state (and drift-event templates), sorted by path, and the manifest. */
export function renderFiles(state: DesiredState, driftEvents: readonly DriftEventTemplate[] = []): RenderedFile[] {
  const files: RenderedFile[] = [];
  for (const acct of state.accounts) {
    const dir = safeSegment(acct.account);
    for (const s of acct.streams) files.push(lazyFile(`${dir}/streams/${safeSegment(s.name)}.json`, s));
    for (const c of acct.consumers)
      files.push(lazyFile(`${dir}/consumers/${safeSegment(c.stream)}/${safeSegment(c.name)}.json`, c));
    for (const a of acct.iam) files.push(lazyFile(artefactPath(a), a));
  }
  for (const t of driftEvents)
    files.push(lazyFile(`${safeSegment(t.account)}/events/${safeSegment(t.name)}.template.json`, t.template));
  files.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  const manifest: Record<string, unknown> = {
    formatVersion: RENDER_FORMAT_VERSION,
    mesh: state.mesh,
    region: state.region,
    partition: state.partition,
  };
  if (state.organizationId !== undefined) manifest['organizationId'] = state.organizationId;
  manifest['files'] = files.map((f) => f.path);
  return [{ path: 'meshgov-render.json', content: prettyJson(manifest) }, ...files];
}

/** `--format json`: the whole desired state as one document (with `driftEvents` when they were rendered). */
export function renderJson(state: DesiredState, driftEvents?: readonly DriftEventTemplate[]): string {
  return prettyJson(jsonDocument(state, driftEvents));
}

/** {@link renderJson}'s bytes in chunks of whole lines: a big mesh's document is never one string in memory. */
export function renderJsonChunks(state: DesiredState, driftEvents?: readonly DriftEventTemplate[]): Iterable<string> {
  return prettyJsonChunks(jsonDocument(state, driftEvents));
}

function jsonDocument(state: DesiredState, driftEvents?: readonly DriftEventTemplate[]): object {
  return { formatVersion: RENDER_FORMAT_VERSION, ...state, ...(driftEvents ? { driftEvents } : {}) };
}
