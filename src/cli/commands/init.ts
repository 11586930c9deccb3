import { resolve } from 'node:path';
import type { Command } from 'commander';
import { inspectTargets, readTemplates, writeFiles } from '../../adapters/scaffold/files.js';
import { actionRef, scaffoldFiles, TEMPLATE_FILES } from '../../core/scaffold/scaffold.js';
import type { CliIO } from '../io.js';
import { EXIT_FINDINGS, EXIT_OK, ExitError } from '../io.js';
import { VERSION } from '../version.js';

export function registerInit(program: Command, io: CliIO, setExit: (code: number) => void): void {
  program
    .command('init')
    .description('Start a governance repository: mesh.yaml, policies/, CODEOWNERS and the GitHub workflows.')
    .argument('[dir]', 'directory of the new repository (created when missing)', '.')
    .option('--force', 'overwrite files that exist already (never through a symbolic link)')
    .addHelpText(
      'after',
      [
        '',
        'Writes mesh.yaml with one example domain in domains/example.yaml, schema/ for editors, policies/README.md,',
        `.github/CODEOWNERS, the plan, apply, audit and ci workflows (using ${actionRef(VERSION)}), README.md and`,
        '.gitignore. Existing files are left alone unless --force: then nothing is written and the command says which.',
        'Exit codes: 0 written, 1 files exist or cannot be written, 2 usage error.',
      ].join('\n'),
    )
    .action((dir: string, opts: { force?: boolean }) => {
      const root = resolve(io.cwd, dir);
      const files = scaffoldFiles(templates(), { version: VERSION });
      const state = inspectTargets(
        root,
        files.map((f) => f.path),
      );
      if (state.blocked.length > 0) {
        const lines = state.blocked.map((b) => `  ${b.path} ${b.reason}`);
        throw new ExitError(`init ${dir}: cannot write there:\n${lines.join('\n')}`, EXIT_FINDINGS);
      }
      if (state.existing.length > 0 && opts.force !== true) {
        const lines = state.existing.map((p) => `  ${p}`);
        throw new ExitError(
          `init ${dir}: these files exist already; nothing was written (--force overwrites them):\n${lines.join('\n')}`,
          EXIT_FINDINGS,
        );
      }
      let written: string[];
      try {
        written = writeFiles(root, files, opts.force === true);
      } catch (e) {
        const err = e as NodeJS.ErrnoException;
        const what = err.code === 'EEXIST' ? 'a file appeared while writing' : err.message;
        throw new ExitError(`init ${dir}: ${what} (${err.path ?? root}).`, EXIT_FINDINGS);
      }
      io.stdout.write(nextSteps(dir, written));
      setExit(EXIT_OK);
    });
}

function templates(): Map<string, string> {
  try {
    return readTemplates(TEMPLATE_FILES.map((t) => t.template));
  } catch (e) {
    throw new ExitError(
      `this meshgov installation is incomplete (its templates/ directory): ${(e as Error).message}`,
      EXIT_FINDINGS,
    );
  }
}

function nextSteps(dir: string, written: readonly string[]): string {
  const cd = dir === '.' ? '' : `cd ${dir}\n  `;
  return [
    `Created ${written.length} files:`,
    ...written.map((p) => `  ${p}`),
    '',
    'Next:',
    `  ${cd}meshgov validate && meshgov plan --local`,
    '  Edit mesh.yaml and domains/example.yaml (accounts, organisation, teams), and the teams in .github/CODEOWNERS.',
    '  Set up AWS (OIDC, CI roles, governance roles) as README.md describes, then push to GitHub.',
    '',
  ].join('\n');
}
