/**
 * The ports of the use cases: what they need from the world, as small interfaces. The CLI wires the real adapters
 * (see workspace.ts and open-target.ts for the default factories); tests pass in-memory fakes. No port sees argv,
 * stdout or exit codes.
 */
import type { Diagnostic } from '../core/diagnostics/diagnostic.js';
import type { SourceReader } from '../core/model/load.js';
import type { Rule } from '../core/rules/index.js';

export type { Clock } from '../core/ports.js';

/** A problem with how the use case was asked (an unknown `--domain`, a `--policies` that is no directory). */
export interface UsageProblem {
  kind: 'usage';
  /** One sentence naming the option and what is wrong with it. */
  message: string;
}

/** The guardrail rules in effect, or why the extra rule directory cannot be used. */
export type RulePack =
  { kind: 'loaded'; rules: Rule[]; diagnostics: Diagnostic[] } | { kind: 'not-a-directory'; dir: string };

/** Where the mesh and its rule pack come from. */
export interface MeshSources {
  /** Reads the mesh file and its includes by the names the user gave. */
  reader: SourceReader;
  /** The rule pack: the built-in rules, the workspace's `policies/`, then `extraDir` (`--policies`) when given. */
  rules(extraDir?: string): RulePack;
}

/** Why a file could not be written, as a sentence (`x is a file, not a directory`). */
export interface WriteFailure {
  kind: 'write-failed';
  /** The path as the caller gave it. */
  path: string;
  problem: string;
}

/** Writes the files a use case produces (the saved plan, import's extended mesh). */
export interface FileSink {
  /** Write `text` to `path` (parents created); a failure comes back as a value. */
  write(path: string, text: string): WriteFailure | undefined;
}

/** A text file read (bounded), or why not. */
export type TextRead =
  | { kind: 'text'; text: string }
  | { kind: 'not-found' }
  /** `path` names the file as messages show it; `reason` says why in words. */
  | { kind: 'refused'; path: string; reason: string };

/** Reads the inputs a use case names besides the mesh (apply's saved plan). */
export interface FileSource {
  /** At most `maxBytes` of a regular file. */
  read(path: string, maxBytes: number): TextRead;
  /** Whether anything exists at `path`. */
  exists(path: string): boolean;
}
