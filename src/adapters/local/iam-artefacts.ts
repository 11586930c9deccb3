/**
 * IAM has no local emulator: on the local target the rendered IAM artefacts are written as files under
 * `<local dir>/iam/<account>/<kind>/<name>.json` so they can be inspected, and the plan says they were not
 * checked against a live service.
 */
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { DesiredState } from '../../core/render/types.js';

function safe(name: string): string {
  return name.replace(/[^\w.@=+-]/g, '_');
}

/** Replace `<dir>/iam` with the artefacts of `desired`; returns the number of files written. */
export function writeLocalIam(dir: string, desired: DesiredState): number {
  const root = join(dir, 'iam');
  rmSync(root, { recursive: true, force: true });
  let n = 0;
  for (const a of desired.accounts) {
    for (const art of a.iam) {
      const folder = join(root, a.account, art.kind);
      mkdirSync(folder, { recursive: true });
      const file = join(folder, `${safe(art.roleName ? `${art.roleName}.${art.name}` : art.name)}.json`);
      writeFileSync(file, `${JSON.stringify(art, null, 2)}\n`);
      n++;
    }
  }
  return n;
}

/** The `notChecked` lines of the local target (or of another emulator endpoint, named by `where`). */
export function localNotChecked(iamDir: string, where = 'the local target'): string[] {
  return [
    `IAM: no emulator on ${where}; rendered IAM artefacts were written to ${iamDir} ` +
      'and not checked against a live service',
    `Organizations: no emulator on ${where}; organisation membership was not checked`,
    `CloudWatch: no emulator on ${where}; metrics were not read`,
    `STS: no emulator on ${where}; the governance role was not assumed ` +
      '(each account is selected by its id as access key id)',
  ];
}
