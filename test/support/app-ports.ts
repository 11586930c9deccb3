/** In-memory ports for the use cases (src/app/ports.ts): mesh files from a map, rules given, files captured. */
import { readFileSync } from 'node:fs';
import type { FileSink, FileSource, MeshSources, RulePack } from '../../src/app/ports.js';
import { SourceReadError } from '../../src/core/model/load.js';
import type { Rule } from '../../src/core/rules/index.js';
import { builtinRules } from '../../src/index.js';
import { EXAMPLE_MESH_FILE } from './example-mesh.js';

export const EXAMPLE_MESH_TEXT = readFileSync(EXAMPLE_MESH_FILE, 'utf8');

/** Mesh files by name; `rules` (the built-in pack by default) answers every rule pack; `asked` records each extra directory asked for. */
export function memorySources(
  files: Record<string, string>,
  rules: Rule[] = builtinRules().value,
): MeshSources & { asked: (string | undefined)[] } {
  const asked: (string | undefined)[] = [];
  return {
    asked,
    reader: { read: (f) => files[f] ?? new SourceReadError(`no such file: ${f}`, 'refused') },
    rules(extra): RulePack {
      asked.push(extra);
      if (extra === 'missing') return { kind: 'not-a-directory', dir: extra };
      return { kind: 'loaded', rules, diagnostics: [] };
    },
  };
}

/** A FileSink that keeps what is written. */
export function memoryFiles(): FileSink & { written: Map<string, string> } {
  const written = new Map<string, string>();
  return { written, write: (path, text) => void written.set(path, text) };
}

/** A FileSource over a map. */
export function memoryInputs(files: Record<string, string>): FileSource {
  return {
    read: (path) => (files[path] !== undefined ? { kind: 'text', text: files[path] } : { kind: 'not-found' }),
    exists: (path) => files[path] !== undefined,
  };
}
