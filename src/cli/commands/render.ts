import { existsSync, mkdirSync, readFileSync, readdirSync, rmdirSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import type { Command } from 'commander';
import { Option } from 'commander';
import { hasErrors } from '../../core/diagnostics/diagnostic.js';
import { renderMesh } from '../../core/render/index.js';
import { RENDER_MARKER, renderFiles, renderJson } from '../../output/render/files.js';
import type { RenderedFile } from '../../output/render/files.js';
import type { CliIO } from '../io.js';
import { EXIT_ERROR, EXIT_OK, EXIT_USAGE, ExitError, today } from '../io.js';
import { fsProblem } from '../../adapters/fs/problems.js';
import { formatDiagnostics, runValidation } from '../validation.js';

const FORMATS = ['files', 'json'] as const;
type RenderFormat = (typeof FORMATS)[number];

export function registerRender(program: Command, io: CliIO, setExit: (code: number) => void): void {
  program
    .command('render')
    .description('Render the desired state (tags, resource, identity, trust and guard policies) as JSON artefacts.')
    .argument('[file]', 'mesh file', 'mesh.yaml')
    .option('-o, --out <dir>', 'directory to write one JSON file per artefact into')
    .addOption(new Option('-f, --format <format>', '`files` writes --out DIR; `json` prints one document').choices(FORMATS).default('files'))
    .option('--policies <dir>', 'additional directory of guardrail rule files')
    .option('--no-color', 'disable colour')
    .addHelpText('after', [
      '',
      'The output directory must be new, empty, or a previous render output (it holds a .meshgov-render marker);',
      'files a previous render wrote and this one does not are removed, nothing else is touched.',
      'Exit codes: 0 rendered, 1 validation or render errors (nothing written), 64 usage error.',
    ].join('\n'))
    .action((file: string, opts: { out?: string; format: RenderFormat; policies?: string; color: boolean }) => {
      if (opts.format === 'files' && opts.out === undefined) throw new ExitError('`meshgov render` needs --out DIR (or --format json to print to stdout).', EXIT_USAGE);
      const diagFormat = opts.format === 'json' ? 'json' : 'text';
      const validation = runValidation(file, io, opts.policies === undefined ? {} : { policies: opts.policies });
      if (!validation.ok || validation.mesh === undefined) {
        io.stdout.write(formatDiagnostics(validation.diagnostics, diagFormat, io, validation.ruleMeta, !opts.color));
        setExit(EXIT_ERROR);
        return;
      }
      const rendered = renderMesh(validation.mesh, { today: today(io), locator: validation.locator });
      const diagnostics = [...validation.diagnostics, ...rendered.diagnostics];
      if (hasErrors(rendered.diagnostics)) {
        io.stdout.write(formatDiagnostics(diagnostics, diagFormat, io, validation.ruleMeta, !opts.color));
        setExit(EXIT_ERROR);
        return;
      }
      if (diagnostics.some((d) => d.severity !== 'info')) io.stderr.write(formatDiagnostics(diagnostics, 'text', io, validation.ruleMeta, !opts.color));
      if (opts.format === 'json') {
        io.stdout.write(renderJson(rendered.value));
      } else {
        const files = renderFiles(rendered.value);
        const dir = resolve(io.cwd, opts.out as string);
        try {
          writeRenderDir(dir, files);
        } catch (e) {
          if (e instanceof ExitError) throw e;
          throw new ExitError(`cannot write --out ${opts.out as string}: ${fsProblem(e, dir, io.cwd)}.`, EXIT_ERROR);
        }
        io.stderr.write(`Wrote ${files.length} files to ${opts.out as string}\n`);
      }
      setExit(EXIT_OK);
    });
}

/** Files listed by a previous render's marker, or undefined when `dir` is not a render output directory. */
function previousFiles(dir: string): string[] | undefined {
  const marker = join(dir, RENDER_MARKER);
  if (!existsSync(marker)) return undefined;
  return readFileSync(marker, 'utf8').split('\n').filter((l) => l !== '' && !l.startsWith('#'));
}

/**
 * Write the files into `dir`. Refuses a non-empty directory without the marker; removes files the previous render
 * wrote (per its marker) that this one does not, and directories that became empty; writes the marker last.
 */
export function writeRenderDir(dir: string, files: readonly RenderedFile[]): void {
  if (existsSync(dir)) {
    if (!statSync(dir).isDirectory()) throw new ExitError(`--out ${dir} exists and is not a directory.`, EXIT_USAGE);
    const previous = previousFiles(dir);
    if (previous === undefined && readdirSync(dir).length > 0) {
      throw new ExitError(`--out ${dir} is not empty and was not written by \`meshgov render\` (no ${RENDER_MARKER} marker); choose a new or empty directory.`, EXIT_USAGE);
    }
    const keep = new Set(files.map((f) => f.path));
    for (const old of previous ?? []) {
      if (keep.has(old) || old.split('/').some((s) => s === '..' || s === '') ) continue;
      const path = join(dir, old);
      if (existsSync(path) && statSync(path).isFile()) {
        unlinkSync(path);
        removeEmptyParents(dir, dirname(path));
      }
    }
  }
  mkdirSync(dir, { recursive: true });
  for (const f of files) {
    const path = join(dir, f.path);
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, f.content);
  }
  const marker = ['# Written by `meshgov render`; lists the files it owns in this directory.', ...files.map((f) => f.path), ''].join('\n');
  writeFileSync(join(dir, RENDER_MARKER), marker);
}

function removeEmptyParents(root: string, from: string): void {
  let d = from;
  while (d.startsWith(root) && d !== root && readdirSync(d).length === 0) {
    rmdirSync(d);
    d = dirname(d);
  }
}
