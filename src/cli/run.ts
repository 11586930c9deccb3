/**
 * The launcher's entry: loads only the module of the command being run, so `meshgov validate` does not pay for
 * the AWS SDK and Octokit. Anything else (help, version, unknown commands) loads every command through main.ts.
 */
import type { Register } from './commands/index.js';
import type { CliIO } from './io.js';
import { processIO } from './io.js';
import { runProgram } from './program.js';

const LAZY: Record<string, () => Promise<Register>> = {
  validate: async () => (await import('./commands/validate.js')).registerValidate,
  render: async () => (await import('./commands/render.js')).registerRender,
  plan: async () => (await import('./commands/plan.js')).registerPlan,
  apply: async () => (await import('./commands/apply.js')).registerApply,
  audit: async () => (await import('./commands/audit.js')).registerAudit,
  import: async () => (await import('./commands/import.js')).registerImport,
  report: async () => (await import('./commands/report.js')).registerReport,
  schema: async () => (await import('./commands/schema.js')).registerSchema,
  rules: async () => (await import('./commands/rules.js')).registerRules,
};

export async function run(argv: string[], io: CliIO = processIO()): Promise<number> {
  const load = argv[0] === undefined ? undefined : LAZY[argv[0]];
  if (load) return runProgram(argv, io, [await load()]);
  const { main } = await import('./main.js');
  return main(argv, io);
}
