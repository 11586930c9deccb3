/**
 * Every command by name, with what the top-level help shows of it and how to load its module. The launcher
 * (run.ts) loads only the module of the command being run; `--help`, `--version`, no arguments and unknown
 * commands load none, so they start without the AWS SDK or Octokit. The terms and descriptions repeat what each
 * command file registers; test/cli/startup.test.ts checks that the help built from this table is byte for byte
 * the help of the program with every command loaded.
 */
import type { Register } from './commands/index.js';

export interface CatalogEntry {
  name: string;
  /** The command as the top-level help lists it: name, `[options]` when it has any, arguments. */
  term: string;
  description: string;
  load: () => Promise<Register>;
}

export const CATALOG: readonly CatalogEntry[] = [
  {
    name: 'init',
    term: 'init [options] [dir]',
    description: 'Start a governance repository: mesh.yaml, policies/, CODEOWNERS and the GitHub workflows.',
    load: async () => (await import('./commands/init.js')).registerInit,
  },
  {
    name: 'validate',
    term: 'validate [options] [file]',
    description: 'Check a mesh file: YAML, JSON Schema, semantic checks and guardrail rules.',
    load: async () => (await import('./commands/validate.js')).registerValidate,
  },
  {
    name: 'render',
    term: 'render [options] [file]',
    description: 'Render the desired state (tags, resource, identity, trust and guard policies) as JSON artefacts.',
    load: async () => (await import('./commands/render.js')).registerRender,
  },
  {
    name: 'plan',
    term: 'plan [options] [file]',
    description: 'Read the live accounts and show what apply would change: typed changes, risk, access diff.',
    load: async () => (await import('./commands/plan.js')).registerPlan,
  },
  {
    name: 'apply',
    term: 'apply [options] [file]',
    description: 'Apply a saved plan exactly (refusing a stale one), or plan and apply after confirmation.',
    load: async () => (await import('./commands/apply.js')).registerApply,
  },
  {
    name: 'audit',
    term: 'audit [options] [file]',
    description: 'Read-only audit of the live mesh: hot shards, drift and unauthorized access.',
    load: async () => (await import('./commands/audit.js')).registerAudit,
  },
  {
    name: 'import',
    term: 'import [options] [file]',
    description:
      'Adopt existing streams and EFO consumers: read the accounts (read-only), write mesh.yaml stanzas for them and their grants, and preview the next plan.',
    load: async () => (await import('./commands/import.js')).registerImport,
  },
  {
    name: 'report',
    term: 'report',
    description: 'Publish reports: the sticky plan comment on a pull request, the audit issue, the job summary.',
    load: async () => (await import('./commands/report.js')).registerReport,
  },
  {
    name: 'reviewed-plan',
    term: 'reviewed-plan [options]',
    description: 'After a push to main: find the merged pull request and the plan reviewed on it for its final commit.',
    load: async () => (await import('./commands/reviewed-plan.js')).registerReviewedPlan,
  },
  {
    name: 'schema',
    term: 'schema [options]',
    description: 'Print the JSON Schema (draft 2020-12) of mesh files, for editors and other tools.',
    load: async () => (await import('./commands/schema.js')).registerSchema,
  },
  {
    name: 'rules',
    term: 'rules',
    description: 'Document the active guardrail rules (built-in policies/ plus your own) and the audit checks.',
    load: async () => (await import('./commands/rules.js')).registerRules,
  },
];

const BY_NAME = new Map(CATALOG.map((c) => [c.name, c]));

export function catalogEntry(name: string | undefined): CatalogEntry | undefined {
  return name === undefined ? undefined : BY_NAME.get(name);
}

/**
 * Stand-ins for the top-level help and for commander's "unknown command" suggestions: name, term and description,
 * no module loaded. Never run: run.ts routes every catalogued name to the real command first.
 */
export const STUBS: Register = (program) => {
  for (const c of CATALOG) program.command(c.name).description(c.description);
  const terms = new Map(CATALOG.map((c) => [c.name, c.term]));
  const help = program.createHelp();
  program.configureHelp({ subcommandTerm: (cmd) => terms.get(cmd.name()) ?? help.subcommandTerm(cmd) });
};
