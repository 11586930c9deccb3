/**
 * IAM has no local emulator: on the local target the rendered IAM artefacts are written as files under
 * `<local dir>/iam/<account>/<kind>/<name>.json` so they can be inspected, and the plan says they were not
 * checked against a live service.
 */
import { randomBytes } from 'node:crypto';
import { constants } from 'node:fs';
import type { Stats } from 'node:fs';
import { lstat, mkdir, open, readdir, rename, rm, writeFile } from 'node:fs/promises';
import { dirname, join, relative } from 'node:path';
import type { DesiredState } from '../../core/render/types.js';
import { mapLimit } from '../aws/concurrency.js';
import { linkOnTheWay } from '../fs/bounded-read.js';
import { processAlive } from './data-lock.js';

function safe(name: string): string {
  return name.replace(/[^\w.@=+-]/g, '_');
}

/** Files written at once: enough to keep the file system busy, few enough to leave the event loop to the reads. */
const WRITES_AT_ONCE = 8;

/** Artefacts written to a staging directory, not yet in place. */
export interface StagedIam {
  /** Files the artefacts take (one per path: artefacts whose names map to the same file keep the last, as before). */
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
export async function stageLocalIam(dir: string, desired: DesiredState, cwd = process.cwd()): Promise<StagedIam> {
  // `<dir>/iam` is replaced whole at commit: reached through a link, a folder elsewhere would be removed.
  const link = linkOnTheWay(cwd, join(dir, 'iam'));
  if (link !== undefined)
    throw new Error(
      `${link} is a symbolic link: the local target's IAM artefacts in the working tree are not written through links (the folder they replace could be anywhere). Remove it, or set MESHGOV_LOCAL_DIR.`,
    );
  await mkdir(dir, { recursive: true });
  for (const name of await readdir(dir)) {
    const pid = STAGING.exec(name)?.[1];
    if (pid !== undefined && Number(pid) !== process.pid && !processAlive(Number(pid)))
      await rm(join(dir, name), { recursive: true, force: true });
  }
  // By path (relative to `<dir>/iam`), the last artefact for a path winning: two writes to one file at once would
  // interleave their bytes.
  const byPath = new Map<string, string>();
  for (const a of desired.accounts)
    for (const art of a.iam)
      byPath.set(
        join(a.account, art.kind, `${safe(art.roleName ? `${art.roleName}.${art.name}` : art.name)}.json`),
        `${JSON.stringify(art, null, 2)}\n`,
      );
  const root = join(dir, 'iam');
  // The usual case of a plan: the artefacts are those of the last run. Nothing to write, nothing to put in place.
  if (await holdsExactly(root, byPath))
    return { files: byPath.size, commit: async () => undefined, discard: async () => undefined };
  const staging = join(dir, `iam.staging-${process.pid}-${randomBytes(4).toString('hex')}`);
  try {
    await mkdir(staging);
    for (const folder of new Set([...byPath.keys()].map((file) => dirname(join(staging, file)))))
      await mkdir(folder, { recursive: true });
    await mapLimit([...byPath], WRITES_AT_ONCE, ([file, text]) => writeFile(join(staging, file), text));
  } catch (e) {
    await rm(staging, { recursive: true, force: true });
    throw e;
  }
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

/**
 * True when `root` holds exactly these files (path relative to it -> text): no other file, no link or other
 * non-regular entry, no folder that holds none of them, and nothing a fresh write would not give either: every file
 * with one link (a hard link would keep it the same file as one elsewhere), owned by this user, and no file or
 * folder writable by others or with a setuid or sticky bit, no file with a setgid bit (group-writable is what a umask
 * of 002 gives, a setgid folder what a setgid parent gives).
 */
async function holdsExactly(root: string, files: ReadonlyMap<string, string>): Promise<boolean> {
  let entries;
  try {
    // A folder itself: a link to one elsewhere is replaced, as before.
    const top = await lstat(root);
    if (!top.isDirectory() || !asWritten(top, FOLDER_BITS)) return false;
    entries = await readdir(root, { recursive: true, withFileTypes: true });
  } catch {
    return false;
  }
  const folders = new Set([...files.keys()].flatMap((f) => ancestors(f)));
  for (const e of entries) {
    // `parentPath` from Node 20.12; `path` before (the same value).
    const parent = (e as { parentPath?: string }).parentPath ?? (e as unknown as { path: string }).path;
    const path = relative(root, join(parent, e.name));
    if (e.isDirectory() ? !folders.has(path) : !e.isFile() || !files.has(path)) return false;
  }
  const sameFolders = await mapLimit([...folders], WRITES_AT_ONCE, async (folder) => {
    try {
      const st = await lstat(join(root, folder));
      return st.isDirectory() && asWritten(st, FOLDER_BITS);
    } catch {
      return false;
    }
  });
  if (!sameFolders.every(Boolean)) return false;
  // Each of them read: one missing fails the read.
  const same = await mapLimit([...files], WRITES_AT_ONCE, async ([path, text]) => {
    let handle;
    try {
      // O_NOFOLLOW and the handle's own stat: what is compared is what was checked. O_NONBLOCK: a FIFO put there
      // since the listing cannot hold the open.
      const flags = constants.O_RDONLY | (constants.O_NOFOLLOW ?? 0) | (constants.O_NONBLOCK ?? 0);
      handle = await open(join(root, path), flags);
      const st = await handle.stat();
      // Bytes, not decoded text: an invalid UTF-8 byte decodes to the U+FFFD a rendered text may hold. The size
      // first: a file of another length is not read at all.
      const bytes = Buffer.from(text, 'utf8');
      if (!st.isFile() || st.nlink !== 1 || !asWritten(st, FILE_BITS) || st.size !== bytes.length) return false;
      return (await handle.readFile()).equals(bytes);
    } catch {
      return false;
    } finally {
      await handle?.close();
    }
  });
  return same.every(Boolean);
}

/** Mode bits a fresh write never gives a file: setuid, setgid, sticky, writable by others. */
const FILE_BITS = 0o7002;
/** ... nor a folder: the same but setgid, which a folder made inside a setgid folder inherits on Linux. */
const FOLDER_BITS = 0o5002;

/**
 * Owned by this user and none of `bits` set. Writable by others is what a umask of 000 gives: such a tree is written
 * again on every run, which costs time, never correctness.
 */
function asWritten(st: Stats, bits: number): boolean {
  return (st.mode & bits) === 0 && (process.getuid === undefined || st.uid === process.getuid());
}

/** The folders above a relative path: `a/b/c.json` -> `a`, `a/b`. */
function ancestors(path: string): string[] {
  const out: string[] = [];
  for (let d = dirname(path); d !== '.' && d !== '/'; d = dirname(d)) out.push(d);
  return out;
}

/** Replace `<dir>/iam` with the artefacts of `desired`; resolves to the number of files they take there. */
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
