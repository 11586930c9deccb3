/**
 * IAM has no local emulator: on the local target the rendered IAM artefacts are written as files under
 * `<local dir>/iam/<account>/<kind>/<name>.json` so they can be inspected, and the plan says they were not
 * checked against a live service.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, readdir, rename, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { DesiredState, IamArtefact } from '../../core/render/types.js';
import { mapLimit } from '../aws/concurrency.js';
import { processAlive } from './data-lock.js';

function safe(name: string): string {
  return name.replace(/[^\w.@=+-]/g, '_');
}

/** Files written at once: enough to keep the file system busy, few enough to leave the event loop to the reads. */
const WRITES_AT_ONCE = 8;

/** Artefacts written to a staging directory, not yet in place. */
export interface StagedIam {
  /** Files written (one per path: artefacts whose names map to the same file keep the last, as before). */
  readonly files: number;
  /** Replace `<dir>/iam` with the staged files. */
  commit(): Promise<void>;
  /** Remove the staged files; `<dir>/iam` stays as it was. */
  discard(): Promise<void>;
}

const STAGING = /^iam\.staging-(\d+)-[0-9a-f]+(?:\.old)?$/;

/**
 * Write the artefacts of `desired` to a staging directory beside `<dir>/iam`, asynchronously (a plan writes them
 * while it reads the live state: on a large mesh they are thousands of files), and leave `<dir>/iam` alone until
 * `commit`: a plan whose read fails, or a run interrupted meanwhile, never leaves it half written. Staging
 * directories of runs that died are removed first.
 */
export async function stageLocalIam(dir: string, desired: DesiredState): Promise<StagedIam> {
  await mkdir(dir, { recursive: true });
  for (const name of await readdir(dir)) {
    const pid = STAGING.exec(name)?.[1];
    if (pid !== undefined && Number(pid) !== process.pid && !processAlive(Number(pid)))
      await rm(join(dir, name), { recursive: true, force: true });
  }
  const staging = join(dir, `iam.staging-${process.pid}-${randomBytes(4).toString('hex')}`);
  // By path, the last artefact for a path winning: two writes to one file at once would interleave their bytes.
  const byPath = new Map<string, IamArtefact>();
  for (const a of desired.accounts)
    for (const art of a.iam)
      byPath.set(
        join(staging, a.account, art.kind, `${safe(art.roleName ? `${art.roleName}.${art.name}` : art.name)}.json`),
        art,
      );
  try {
    await mkdir(staging);
    for (const folder of new Set([...byPath.keys()].map((file) => dirname(file))))
      await mkdir(folder, { recursive: true });
    await mapLimit([...byPath], WRITES_AT_ONCE, ([file, art]) => writeFile(file, `${JSON.stringify(art, null, 2)}\n`));
  } catch (e) {
    await rm(staging, { recursive: true, force: true });
    throw e;
  }
  const root = join(dir, 'iam');
  return {
    files: byPath.size,
    commit: async () => {
      const old = `${staging}.old`;
      await rename(root, old).catch((e: NodeJS.ErrnoException) => {
        if (e.code !== 'ENOENT') throw e;
      });
      await rename(staging, root);
      await rm(old, { recursive: true, force: true });
    },
    discard: () => rm(staging, { recursive: true, force: true }),
  };
}

/** Replace `<dir>/iam` with the artefacts of `desired`; resolves to the number of files written. */
export async function writeLocalIam(dir: string, desired: DesiredState): Promise<number> {
  const staged = await stageLocalIam(dir, desired);
  await staged.commit();
  return staged.files;
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
