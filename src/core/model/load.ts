import { posix as path } from 'node:path';
import type { Diagnostic } from '../diagnostics/diagnostic.js';
import { appendAll, compareDiagnostics } from '../diagnostics/diagnostic.js';
import { Locator } from '../source/locator.js';
import { countItems } from '../source/guards.js';
import { diagnostic, parseSource, rangeAt } from '../source/source.js';
import type { SourceFile } from '../source/source.js';
import { normalise } from './normalise.js';
import type { RawDomainFile, RawMeshFile } from './normalise.js';
import { checkSchema } from './schema-check.js';
import type { Mesh } from './types.js';

/** What the loader needs from the outside world: read a file by name. Adapters implement it with node:fs. */
export interface SourceReader {
  /**
   * The file's text, or an Error (not found, not readable, refused) that the loader turns into a diagnostic.
   * `within` is the mesh directory an include must stay below: the loader checks it lexically, the reader by real
   * path (a symbolic link inside the directory may point anywhere) and returns a SourceReadError 'outside' if not.
   */
  read(file: string, within?: string): string | Error;
}

/**
 * A file the reader refused. `outside`: its real path is outside the directory it must stay in; `too-large`: over
 * MAX_SOURCE_BYTES; `refused`: any other reason (not a regular file, unreadable). The message never carries any of
 * the file's content.
 */
export class SourceReadError extends Error {
  override name = 'SourceReadError';
  constructor(
    message: string,
    readonly reason: 'outside' | 'too-large' | 'refused',
  ) {
    super(message);
  }
}

export interface LoadResult {
  /** The normalised mesh; undefined when parsing or the schema failed (semantic checks need a valid shape). */
  mesh: Mesh | undefined;
  diagnostics: Diagnostic[];
  /** Every parsed file by name, for locating later diagnostics. */
  sources: Map<string, SourceFile>;
  locator: Locator;
}

/** At most this many files per mesh (root + includes). */
export const MAX_INCLUDES = 1000;
/** Lines plus commas across all files of a mesh (see MAX_ITEMS for one file): about 70,000 streams. */
export const MAX_TOTAL_ITEMS = 2_000_000;

/**
 * Load a mesh: parse the root file and its includes, check each against its schema and normalise.
 * Never throws for bad input.
 */
export function loadMesh(rootFile: string, reader: SourceReader): LoadResult {
  const sources = new Map<string, SourceFile>();
  const diagnostics: Diagnostic[] = [];
  const locator = new Locator(sources);
  const done = (mesh: Mesh | undefined): LoadResult => ({
    mesh,
    diagnostics: diagnostics.sort(compareDiagnostics),
    sources,
    locator,
  });

  const budget = { items: MAX_TOTAL_ITEMS };
  const root = readAndParse(rootFile, reader, diagnostics, budget);
  if (!root) return done(undefined);
  sources.set(rootFile, root);
  if (diagnostics.some((d) => d.severity === 'error')) return done(undefined);
  if (root.data === null || typeof root.data !== 'object' || Array.isArray(root.data)) {
    diagnostics.push(
      diagnostic(
        rootFile,
        rangeAt(root, []),
        [],
        'schema-type',
        'error',
        `${rootFile} must be a mapping with apiVersion, mesh, accounts, classifications and domains; it is ${shapeOf(root.data)}.`,
      ),
    );
    return done(undefined);
  }
  appendAll(diagnostics, checkSchema(root, 'mesh'));
  const rootData = root.data as RawMeshFile;

  const domainFiles: { file: string; data: RawDomainFile }[] = [];
  const baseDir = path.dirname(toPosix(rootFile));
  const includes = Array.isArray(rootData.include) ? rootData.include : [];
  const seen = new Set<string>([path.normalize(toPosix(rootFile))]);
  includes.slice(0, MAX_INCLUDES).forEach((inc, i) => {
    if (typeof inc !== 'string') return;
    const incPath = ['include', i];
    const target = path.normalize(path.join(baseDir, toPosix(inc)));
    const rel = path.relative(baseDir, target);
    if (path.isAbsolute(toPosix(inc)) || rel === '..' || rel.startsWith('../')) {
      diagnostics.push(
        diagnostic(
          rootFile,
          rangeAt(root, incPath),
          incPath,
          'include-outside',
          'error',
          `include ${JSON.stringify(inc)} points outside the mesh directory; includes must be relative paths below ${baseDir === '.' ? 'the mesh file' : baseDir}.`,
        ),
      );
      return;
    }
    if (seen.has(target)) {
      diagnostics.push(
        diagnostic(
          rootFile,
          rangeAt(root, incPath),
          incPath,
          'include-duplicate',
          'error',
          `${JSON.stringify(inc)} is included twice; remove this entry.`,
        ),
      );
      return;
    }
    seen.add(target);
    const before = diagnostics.length;
    const src = readAndParse(target, reader, diagnostics, budget, {
      file: rootFile,
      src: root,
      path: incPath,
      within: baseDir,
    });
    if (!src) return;
    sources.set(target, src);
    if (diagnostics.slice(before).some((d) => d.severity === 'error')) return;
    if (src.data === null || typeof src.data !== 'object' || Array.isArray(src.data)) {
      diagnostics.push(
        diagnostic(
          target,
          rangeAt(src, []),
          [],
          'schema-type',
          'error',
          `${target} must be a mapping with a \`domains\` list; it is ${shapeOf(src.data)}.`,
        ),
      );
      return;
    }
    const schemaDiags = checkSchema(src, 'domain');
    appendAll(diagnostics, schemaDiags);
    if (schemaDiags.length === 0) domainFiles.push({ file: target, data: src.data as RawDomainFile });
  });
  if (includes.length > MAX_INCLUDES) {
    diagnostics.push(
      diagnostic(
        rootFile,
        rangeAt(root, ['include']),
        ['include'],
        'include-too-many',
        'error',
        `At most ${MAX_INCLUDES} files may be included.`,
      ),
    );
  }
  if (diagnostics.some((d) => d.severity === 'error')) return done(undefined);

  const normalised = normalise({ file: rootFile, data: rootData }, domainFiles, locator);
  appendAll(diagnostics, normalised.diagnostics);
  // The plain data was only the way to the mesh; on a large mesh it is the biggest thing loading holds (~11 MiB of
  // 60 at 10,000 streams). Positions come from the text, which stays.
  for (const s of sources.values()) s.data = undefined;
  return done(normalised.value);
}

/** The shape of a document that is not a mapping. Never its content: the file may be anything (a key file). */
function shapeOf(data: unknown): string {
  if (data === null || data === undefined) return 'empty (null)';
  if (Array.isArray(data)) return 'a list';
  return `a ${typeof data}, not a mesh file`;
}

function toPosix(p: string): string {
  return p.replace(/\\/g, '/');
}

function readAndParse(
  file: string,
  reader: SourceReader,
  diagnostics: Diagnostic[],
  budget: { items: number },
  from?: { file: string; src: SourceFile; path: (string | number)[]; within: string },
): SourceFile | undefined {
  const text = from ? reader.read(file, from.within) : reader.read(file);
  if (text instanceof Error) {
    const reason = text instanceof SourceReadError ? text.reason : 'refused';
    const kind = reason === 'outside' ? 'outside' : reason === 'too-large' ? 'too-large' : 'unreadable';
    const msg = `Cannot read ${file}: ${text.message}`;
    if (from) {
      diagnostics.push(diagnostic(from.file, rangeAt(from.src, from.path), from.path, `include-${kind}`, 'error', msg));
    } else {
      diagnostics.push(
        diagnostic(
          file,
          { start: { line: 1, column: 1 }, end: { line: 1, column: 1 } },
          [],
          `file-${kind}`,
          'error',
          msg,
        ),
      );
    }
    return undefined;
  }
  // Parsing costs memory per node: stop before the files of one mesh together could exhaust the heap.
  const items = countItems(text);
  if (from && items > budget.items) {
    diagnostics.push(
      diagnostic(
        from.file,
        rangeAt(from.src, from.path),
        from.path,
        'include-too-large',
        'error',
        `Including ${file} would take the mesh over ${MAX_TOTAL_ITEMS} lines and list items in all files; meshgov stops reading includes here. Remove unused entries or split it into several meshes.`,
      ),
    );
    return undefined;
  }
  budget.items -= items;
  const parsed = parseSource(file, text);
  appendAll(diagnostics, parsed.diagnostics);
  return parsed.value;
}
