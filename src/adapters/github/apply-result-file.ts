/** The apply result file (`apply --result`), written by apply and read back by `report github --kind apply`. */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { ApplyResult } from '../../core/github/apply-result.js';

export function writeApplyResult(path: string, result: ApplyResult): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, `${JSON.stringify(result, null, 2)}\n`, 'utf8');
}
