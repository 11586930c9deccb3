import type { Diagnostic, DocPath, Severity } from '../diagnostics/diagnostic.js';
import type { SourceRef } from '../model/types.js';
import { diagnostic, keyRangeAt, rangeAt } from './source.js';
import type { SourceFile } from './source.js';

/** Maps a SourceRef (+ a sub-path) to a located Diagnostic, for any stage after loading. */
export class Locator {
  constructor(private readonly sources: ReadonlyMap<string, SourceFile>) {}

  source(file: string): SourceFile | undefined {
    return this.sources.get(file);
  }

  /** A diagnostic at the node `ref.path + sub` (or its nearest existing ancestor). */
  at(ref: SourceRef, sub: DocPath, code: string, severity: Severity, message: string, help?: string): Diagnostic {
    const path = [...ref.path, ...sub];
    const src = this.sources.get(ref.file);
    const range = src ? rangeAt(src, path) : { start: { line: 1, column: 1 }, end: { line: 1, column: 1 } };
    return diagnostic(ref.file, range, path, code, severity, message, help);
  }

  /** A diagnostic at the key of `ref.path + sub` (for misplaced or reserved keys). */
  atKey(ref: SourceRef, sub: DocPath, code: string, severity: Severity, message: string, help?: string): Diagnostic {
    const path = [...ref.path, ...sub];
    const src = this.sources.get(ref.file);
    const range = src ? keyRangeAt(src, path) : { start: { line: 1, column: 1 }, end: { line: 1, column: 1 } };
    return diagnostic(ref.file, range, path, code, severity, message, help);
  }
}
