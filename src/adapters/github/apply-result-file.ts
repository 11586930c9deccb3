/** The apply result file (`apply --result`), written by apply and read back by `report github --kind apply`. */
import type { ApplyResult } from '../../core/github/apply-result.js';
import { WriteRefused, writeNamedFile } from '../fs/write.js';

/** Throws WriteRefused, naming the file, for a link or a file that is not regular at `path` (never written through). */
export function writeApplyResult(path: string, result: ApplyResult, cwd = process.cwd()): void {
  try {
    writeNamedFile(cwd, path, `${JSON.stringify(result, null, 2)}\n`);
  } catch (e) {
    if (e instanceof WriteRefused) throw new WriteRefused(`cannot write the apply result ${path}: ${e.message}`);
    throw e;
  }
}
