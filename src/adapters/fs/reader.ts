import { resolve } from 'node:path';
import type { SourceReader } from '../../core/model/load.js';
import { SourceReadError } from '../../core/model/load.js';
import { MAX_SOURCE_BYTES } from '../../core/source/source.js';
import { describeRefusal, readRegularFile } from './bounded-read.js';
import type { Confinement } from './bounded-read.js';

export interface FileReaderOptions {
  /** Directory relative names are resolved against (the command's working directory); the process's by default. */
  cwd?: string;
  /**
   * The repository every file must stay in by real path (root mesh file and includes alike): set in CI, where the
   * files come from a pull request and a symbolic link could point at the runner's secrets.
   */
  repoRoot?: string;
}

/**
 * Reads mesh sources from the file system: regular files of at most MAX_SOURCE_BYTES only, and an include only when
 * its real path stays below the mesh directory (and the repository, when set). A refusal never carries content.
 */
export function fileReader(options: FileReaderOptions = {}): SourceReader {
  const cwd = options.cwd ?? process.cwd();
  return {
    read(file: string, within?: string): string | Error {
      const confine: Confinement[] = [];
      if (within !== undefined) confine.push({ dir: resolve(cwd, within), name: 'the mesh directory' });
      if (options.repoRoot !== undefined)
        confine.push({ dir: resolve(cwd, options.repoRoot), name: 'the repository (GITHUB_WORKSPACE)' });
      const r = readRegularFile(resolve(cwd, file), { maxBytes: MAX_SOURCE_BYTES, within: confine });
      if (r.ok) return r.text;
      const reason = r.refusal.kind === 'outside' || r.refusal.kind === 'too-large' ? r.refusal.kind : 'refused';
      const advice = reason === 'too-large' ? '. Split the mesh into per-domain files with include:' : '';
      return new SourceReadError(`${describeRefusal(r.refusal)}${advice}`, reason);
    },
  };
}

/** A reader of the process's working directory without a repository confinement (tests, the programmatic API). */
export const fsReader: SourceReader = fileReader();
