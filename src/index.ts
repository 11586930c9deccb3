/**
 * meshgov's programmatic API (`import { validateMesh } from 'meshgov'`): the mesh model and its JSON Schemas,
 * validation with the guardrail rules, rendering of the desired state, and plans (compute, parse, render).
 * The use cases (validate, render, plan, apply, audit, importStreams) run what the commands run, over ports.
 * Everything else here is pure except `fsReader` and `builtinRules`, which read files. See docs/library.md.
 *
 * The CLI is built on the same functions; what is not exported here is internal and may change in any release.
 */
import { fileURLToPath } from 'node:url';
import { readPolicyDir } from './adapters/fs/policies.js';
import type { Diagnostic, Result } from './core/diagnostics/diagnostic.js';
import { diagnostic } from './core/source/source.js';
import { loadRules } from './core/rules/index.js';
import type { Rule } from './core/rules/index.js';

// The mesh model: the normalised `mesh.yaml`, as `validateMesh` returns it.
export type {
  Access,
  Account,
  AccountId,
  Capacity,
  CapacityMode,
  Classification,
  Domain,
  Encryption,
  EncryptionRequirement,
  Environment,
  FanoutSettings,
  FilterSettings,
  GovernanceRole,
  Grant,
  Mesh,
  Owner,
  Pattern,
  Principal,
  RuleSetting,
  SourceRef,
  Stream,
  Waiver,
} from './core/model/types.js';

// Diagnostics: every problem with a mesh, a rule file or a render comes back as one of these, located.
export type { Diagnostic, DocPath, Position, Range, Result, Severity } from './core/diagnostics/diagnostic.js';
export { compareDiagnostics, hasErrors, InternalError } from './core/diagnostics/diagnostic.js';
// The one finding type of validate (source findings) and audit (resource findings), and its fingerprints.
export type {
  Finding,
  FindingCore,
  Fingerprint,
  ResourceFinding,
  SourceFinding,
  SourceLocation,
} from './core/findings/finding.js';
export { fingerprints, isResourceFinding } from './core/findings/finding.js';

// Loading and validating a mesh.
export { loadMesh } from './core/model/load.js';
export type { LoadResult, SourceReader } from './core/model/load.js';
export { validateMesh } from './core/validate.js';
export type { ValidateOptions, ValidateResult } from './core/validate.js';
export { fsReader } from './adapters/fs/reader.js';

// Guardrail rules (policies/*.yaml): load rule files, run them, or validate with them in one call.
export { loadRules, parseRuleFile, runRules, validateWithRules } from './core/rules/index.js';
export type { EntityKind, Rule, RuleDefinition, RuleParam, RulesValidateOptions } from './core/rules/index.js';

// Rendering the desired state (stream settings, tags, identity/resource/trust policies, the tag guard).
export { renderMesh } from './core/render/index.js';
export type { RenderOptions } from './core/render/index.js';
export type {
  DesiredAccount,
  DesiredConsumer,
  DesiredState,
  DesiredStream,
  IamArtefact,
  IamArtefactKind,
  PolicyDocument,
  PolicyStatement,
} from './core/render/types.js';

// Plans: typed changes computed from desired and live state, saved as JSON and read back strictly.
export type * from './core/plan/types.js';
export type * from './core/plan/live.js';
export { PLAN_FORMAT_VERSION } from './core/plan/types.js';
export { changeSetDigest, computePlan, declaredStreams, meshDigest, parsePlan } from './core/plan/index.js';
export type { PlanInput } from './core/plan/index.js';
export type { Clock, LiveReader, ReadRequest } from './core/ports.js';
export { PLAN_FORMATS, renderPlan, renderPlanJson, renderPlanMarkdown, renderPlanText } from './output/plan/index.js';
export type { PlanFormat } from './output/plan/index.js';
// The one formatter registry: (result kind, format) -> renderer, for every command.
export { OUTPUT_FORMATS, UnsupportedFormat, formatResult, formatsOf } from './output/formats.js';
export type { FormatContext, OutputFormat, ResultKind, Subjects } from './output/formats.js';
export { colourStyle, plainStyle } from './output/style.js';
export type { Style } from './output/style.js';

// JSON Schemas: mesh.yaml, per-domain include files (draft 2020-12) and saved plans (draft-07).
export { DOMAIN_SCHEMA_ID, domainFileSchema, meshSchema, SCHEMA_ID } from './core/model/schema.js';
export { PLAN_SCHEMA } from './core/plan/plan-schema.generated.js';

// Use cases: what each command does, without argv, stdout or exit codes. Typed options in, a discriminated union
// of outcomes out; progress as events; the world through small ports (the workspace* and nodeTargetOpener factories
// are the real ones).
export { validate } from './app/validate.js';
export type { Validation, ValidateRunOptions } from './app/validate.js';
export { render } from './app/render.js';
export type { RenderDirSink, RenderOptions as RenderRunOptions, RenderOutcome, RenderPorts } from './app/render.js';
export { plan } from './app/plan.js';
export type { PlanEvent, PlanOptions, PlanOutcome, PlanPorts } from './app/plan.js';
export { apply } from './app/apply.js';
export type { ApplyEvent, ApplyOptions, ApplyOutcome, ApplyPorts } from './app/apply.js';
export { audit, runAudit } from './app/audit.js';
export type { AuditEvent, AuditOutcome, AuditPorts, AuditRunOptions } from './app/audit.js';
export { importStreams } from './app/import.js';
export { report } from './app/report.js';
export type { GitHubPublisher, ReportKind, ReportOptions, ReportOutcome, ReportPorts } from './app/report.js';
export type { ImportOptions, ImportOutcome, ImportPorts } from './app/import.js';
export type { ReadEvent } from './app/read-live.js';
export type { WarningsEvent } from './app/events.js';
export type { FileSink, FileSource, MeshSources, RulePack, TextRead, UsageProblem, WriteFailure } from './app/ports.js';
export type {
  MetricsWindow,
  Target,
  TargetCommand,
  TargetExecution,
  TargetExecutionResult,
  TargetFailure,
  TargetOpener,
  TargetOpening,
  TargetSpec,
} from './app/target.js';
export { workspaceFiles, workspaceInputs, workspaceRenderDirs, workspaceSources } from './app/workspace.js';
export type { WorkspaceOptions } from './app/workspace.js';
export { nodeTargetOpener } from './app/node-target.js';
export type { NodeTargetOptions } from './app/node-target.js';

// Cost: the plan's monthly estimate and the audit's chargeback (docs/cost.md), from a shipped dated price table or
// the Price List API (the target's `prices`).
export { chargeback, planCost, shippedPriceTable, usageFromMesh, usageFromMetrics } from './core/cost/index.js';
export type { ChargebackReport, PlanCost, PriceTable } from './core/cost/index.js';

export { VERSION } from './cli/version.js';

/** The rule pack shipped with meshgov (`policies/` in the package), the one `meshgov validate` starts from. */
export const BUILTIN_POLICIES_DIR: string = fileURLToPath(new URL('../policies', import.meta.url));

/**
 * The guardrail rules in `dir` (its `*.yaml`/`*.yml` files, as `meshgov --policies` reads them), ready for
 * `runRules` / `validateWithRules`. A directory or file that cannot be read, or a rule that does not parse, comes
 * back as a diagnostic, never a throw.
 */
export function loadRuleDir(dir: string): Result<Rule[]> {
  const at = { start: { line: 1, column: 1 }, end: { line: 1, column: 1 } };
  let read: ReturnType<typeof readPolicyDir>;
  try {
    read = readPolicyDir(dir);
  } catch (e) {
    const message = `Cannot read the rule directory ${dir}: ${(e as Error).message}`;
    return { value: [], diagnostics: [diagnostic(dir, at, [], 'rule-file-unreadable', 'error', message)] };
  }
  const files: { file: string; text: string }[] = [];
  const diagnostics: Diagnostic[] = [];
  for (const f of read) {
    if (f.text instanceof Error) {
      diagnostics.push(
        diagnostic(f.file, at, [], 'rule-file-unreadable', 'error', `Cannot read ${f.file}: ${f.text.message}`),
      );
    } else files.push({ file: f.file, text: f.text });
  }
  const loaded = loadRules(files);
  return { value: loaded.value, diagnostics: [...diagnostics, ...loaded.diagnostics] };
}

/** The rule pack shipped with meshgov (`BUILTIN_POLICIES_DIR`), the one `meshgov validate` starts from. */
export function builtinRules(): Result<Rule[]> {
  return loadRuleDir(BUILTIN_POLICIES_DIR);
}
