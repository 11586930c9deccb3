/**
 * IAM has no local emulator: on the local target the rendered IAM artefacts are written as files under
 * `<local dir>/iam/<account>/<kind>/<name>.json` so they can be inspected, and the plan says they were not
 * checked against a live service.
 */
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { DesiredState, IamArtefact } from '../../core/render/types.js';
import { mapLimit } from '../aws/concurrency.js';

function safe(name: string): string {
  return name.replace(/[^\w.@=+-]/g, '_');
}

/** Files written at once: enough to keep the file system busy, few enough to leave the event loop to the reads. */
const WRITES_AT_ONCE = 8;

/**
 * Replace `<dir>/iam` with the artefacts of `desired`; resolves to the number of files written. Asynchronous, so a
 * plan writes them while it reads the live state (on a large mesh they are thousands of files).
 */
export async function writeLocalIam(dir: string, desired: DesiredState): Promise<number> {
  const root = join(dir, 'iam');
  await rm(root, { recursive: true, force: true });
  const files: { folder: string; file: string; art: IamArtefact }[] = [];
  for (const a of desired.accounts)
    for (const art of a.iam) {
      const folder = join(root, a.account, art.kind);
      files.push({
        folder,
        file: join(folder, `${safe(art.roleName ? `${art.roleName}.${art.name}` : art.name)}.json`),
        art,
      });
    }
  for (const folder of new Set(files.map((f) => f.folder))) await mkdir(folder, { recursive: true });
  await mapLimit(files, WRITES_AT_ONCE, ({ file, art }) => writeFile(file, `${JSON.stringify(art, null, 2)}\n`));
  return files.length;
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
