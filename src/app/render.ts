/**
 * Use case `render`: validate the mesh (with the rule pack) and render the desired state: stream settings and tags,
 * resource, identity, trust and guard policies. With `out`, the artefacts are written as one JSON file each.
 */
import type { Diagnostic } from '../core/diagnostics/diagnostic.js';
import { hasErrors } from '../core/diagnostics/diagnostic.js';
import type { AccountId } from '../core/model/types.js';
import type { Clock } from '../core/ports.js';
import { driftEventTemplates } from '../core/render/drift-events.js';
import type { DriftEventTemplate, GitHubRepository } from '../core/render/drift-events.js';
import { homeAccount } from '../core/render/governance-policy.js';
import { renderMesh } from '../core/render/index.js';
import type { DesiredState } from '../core/render/types.js';
import type { Rule } from '../core/rules/index.js';
import { renderFiles } from '../output/render/files.js';
import type { RenderedFile } from '../output/render/files.js';
import { todayOn } from './events.js';
import type { MeshSources, UsageProblem, WriteFailure } from './ports.js';
import { validate } from './validate.js';

export interface RenderOptions {
  policies?: string;
  /** Write one JSON file per artefact into this directory (new, empty, or a previous render's). */
  out?: string;
  /**
   * The repository whose audit workflow receives drift events (`--github-repo`): with it, the EventBridge
   * CloudFormation templates of docs/events.md are rendered too; without it they are not.
   */
  githubRepo?: GitHubRepository;
  /**
   * The drift-event hub (`--events-account`, 12 digits): the one account holding the event bus, the GitHub
   * delivery and its token. Default: the home account (the first declared, which hosts the role CI assumes).
   */
  eventsAccount?: AccountId;
  clock: Clock;
}

/** Writes a render output directory; a directory it must not touch is a usage problem. */
export interface RenderDirSink {
  write(dir: string, files: readonly RenderedFile[]): UsageProblem | WriteFailure | undefined;
}

export interface RenderPorts {
  sources: MeshSources;
  dirs: RenderDirSink;
}

export type RenderOutcome =
  | UsageProblem
  | { kind: 'invalid'; diagnostics: Diagnostic[]; rules: Rule[] }
  | WriteFailure
  | {
      kind: 'rendered';
      desired: DesiredState;
      /** Every finding of validation and render (none is an error). */
      diagnostics: Diagnostic[];
      rules: Rule[];
      /** Files written to `out`, when given. */
      written?: number;
      /** Drift-event templates, per account, when `githubRepo` was given. */
      driftEvents?: DriftEventTemplate[];
    };

export function render(file: string, options: RenderOptions, ports: RenderPorts): RenderOutcome {
  const today = todayOn(options.clock);
  const v = validate(
    file,
    { today, ...(options.policies !== undefined ? { policies: options.policies } : {}) },
    ports.sources,
  );
  if (v.kind === 'usage') return v;
  if (v.kind === 'invalid') return { kind: 'invalid', diagnostics: v.diagnostics, rules: v.rules };
  const rendered = renderMesh(v.mesh, { today, locator: v.locator });
  const diagnostics = [...v.diagnostics, ...rendered.diagnostics];
  if (hasErrors(rendered.diagnostics)) return { kind: 'invalid', diagnostics, rules: v.rules };
  const hub = options.eventsAccount ?? homeAccount(v.mesh);
  const events =
    options.githubRepo !== undefined && hub !== undefined
      ? driftEventTemplates(v.mesh, rendered.value, options.githubRepo, hub)
      : undefined;
  const result = {
    kind: 'rendered' as const,
    desired: rendered.value,
    diagnostics,
    rules: v.rules,
    ...(events !== undefined ? { driftEvents: events } : {}),
  };
  if (options.out === undefined) return result;
  const files = renderFiles(rendered.value, events);
  const failed = ports.dirs.write(options.out, files);
  if (failed) return failed;
  return { ...result, written: files.length };
}
