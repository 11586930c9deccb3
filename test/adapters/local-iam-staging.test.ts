/**
 * The local target's IAM artefacts (src/adapters/local/iam-artefacts.ts): written to a staging directory while a
 * plan reads, put in place only on commit, dropped on discard; artefacts whose names map to one file are written
 * once (two writes at once to one file would interleave); staging left by a run that died is removed; artefacts
 * already in place, exactly, are neither written nor moved.
 */
import {
  chmodSync,
  existsSync,
  linkSync,
  lstatSync,
  mkdirSync,
  renameSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  unlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { stageLocalIam, writeLocalIam } from '../../src/adapters/local/iam-artefacts.js';
import type { DesiredState, IamArtefact } from '../../src/core/render/types.js';

const tmp = mkdtempSync(join(tmpdir(), 'meshgov-iam-staging-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
let n = 0;
const freshDir = () => join(tmp, String(n++));

function policy(roleName: string, name: string, sid: string): IamArtefact {
  return {
    kind: 'identity-policy',
    account: '111111111111',
    name,
    roleName,
    grantIds: [],
    document: {
      Version: '2012-10-17',
      Statement: [{ Sid: sid, Effect: 'Allow', Action: ['kinesis:ListShards'], Resource: ['*'] }],
    },
  } as IamArtefact;
}

function desired(iam: IamArtefact[]): DesiredState {
  return {
    mesh: 'm',
    region: 'eu-west-1',
    partition: 'aws',
    accounts: [{ account: '111111111111', streams: [], consumers: [], iam }],
  };
}

const filesUnder = (dir: string): string[] =>
  existsSync(dir)
    ? readdirSync(dir, { recursive: true, withFileTypes: true })
        .filter((e) => e.isFile())
        .map((e) => join(e.parentPath, e.name).slice(dir.length + 1))
        .sort()
    : [];

describe('local IAM artefacts, staged', () => {
  it('leave <dir>/iam as it was until commit; discard drops the staging', async () => {
    const dir = freshDir();
    await writeLocalIam(dir, desired([policy('reader', 'meshgov-reader', 'Old')]));
    const before = filesUnder(join(dir, 'iam'));
    expect(before).toEqual(['111111111111/identity-policy/reader.meshgov-reader.json']);

    const dropped = await stageLocalIam(dir, desired([policy('writer', 'meshgov-writer', 'New')]));
    expect(filesUnder(join(dir, 'iam'))).toEqual(before);
    await dropped.discard();
    expect(readdirSync(dir)).toEqual(['iam']);
    expect(filesUnder(join(dir, 'iam'))).toEqual(before);

    const kept = await stageLocalIam(dir, desired([policy('writer', 'meshgov-writer', 'New')]));
    expect(kept.files).toBe(1);
    await kept.commit();
    expect(readdirSync(dir)).toEqual(['iam']);
    expect(filesUnder(join(dir, 'iam'))).toEqual(['111111111111/identity-policy/writer.meshgov-writer.json']);
  });

  it('writes one file, whole, for artefacts whose names map to the same path (the last one, as before)', async () => {
    // `,` is allowed in role names and maps to `_` in file names: `team,a` and `team_a` share a file.
    const dir = freshDir();
    const iam = [policy('team,a', 'meshgov-team_a', 'First'), policy('team_a', 'meshgov-team_a', 'Second')];
    for (let i = 0; i < 20; i++) {
      expect(await writeLocalIam(dir, desired(iam))).toBe(1);
      const file = join(dir, 'iam', '111111111111', 'identity-policy', 'team_a.meshgov-team_a.json');
      const art = JSON.parse(readFileSync(file, 'utf8')) as IamArtefact;
      expect(art.roleName).toBe('team_a');
    }
  });

  it('removes staging left by a run that died, and keeps that of a live one', async () => {
    const dir = freshDir();
    mkdirSync(dir, { recursive: true });
    // No process has this pid: Linux allocates pids below pid_max, which is at most 4,194,304 (PID_MAX_LIMIT).
    const deadPid = 4_194_304;
    for (const name of [
      `iam.staging-${deadPid}-0a1b`,
      `iam.staging-${deadPid}-0a1b.old`,
      `iam.staging-${process.ppid}-ff`,
    ]) {
      mkdirSync(join(dir, name));
      writeFileSync(join(dir, name, 'x.json'), '{}');
    }
    const staged = await stageLocalIam(dir, desired([policy('reader', 'meshgov-reader', 'S')]));
    await staged.commit();
    expect(readdirSync(dir).sort()).toEqual(['iam', `iam.staging-${process.ppid}-ff`]);
  });
});

describe('local IAM artefacts already in place', () => {
  const iam = [policy('reader', 'meshgov-reader', 'A'), policy('writer', 'meshgov-writer', 'B')];
  const file = (dir: string, role: string) =>
    join(dir, 'iam', '111111111111', 'identity-policy', `${role}.meshgov-${role}.json`);

  it('stages nothing and moves nothing when <dir>/iam holds exactly the artefacts', async () => {
    const dir = freshDir();
    await writeLocalIam(dir, desired(iam));
    const inode = statSync(file(dir, 'reader')).ino;
    const staged = await stageLocalIam(dir, desired(iam));
    expect(readdirSync(dir)).toEqual(['iam']);
    await staged.commit();
    expect(staged.files).toBe(2);
    // The same file, not a copy moved into place.
    expect(statSync(file(dir, 'reader')).ino).toBe(inode);
    expect(filesUnder(join(dir, 'iam'))).toHaveLength(2);
  });

  it('keeps the artefacts in place under a setgid local directory (its new folders inherit the bit)', async () => {
    const dir = freshDir();
    mkdirSync(dir);
    chmodSync(dir, 0o2755);
    await writeLocalIam(dir, desired(iam));
    // What a fresh write gives there: setgid folders (Linux).
    expect(lstatSync(join(dir, 'iam', '111111111111')).mode & 0o2000).toBe(0o2000);
    const inode = statSync(file(dir, 'reader')).ino;
    const staged = await stageLocalIam(dir, desired(iam));
    expect(readdirSync(dir)).toEqual(['iam']);
    await staged.commit();
    expect(statSync(file(dir, 'reader')).ino).toBe(inode);
  });

  const tampered: [string, (dir: string) => void][] = [
    ['a file with other content', (dir) => writeFileSync(file(dir, 'reader'), '{}\n')],
    ['a file more', (dir) => writeFileSync(join(dir, 'iam', '111111111111', 'identity-policy', 'x.json'), '{}\n')],
    ['a file less', (dir) => unlinkSync(file(dir, 'writer'))],
    ['an empty folder more', (dir) => mkdirSync(join(dir, 'iam', '111111111111', 'stray'))],
    [
      'a link to a file with the same content in place of the file',
      (dir) => {
        const text = readFileSync(file(dir, 'reader'));
        writeFileSync(join(dir, 'elsewhere.json'), text);
        unlinkSync(file(dir, 'reader'));
        symlinkSync(join(dir, 'elsewhere.json'), file(dir, 'reader'));
      },
    ],
    [
      'a file that is a hard link to one elsewhere',
      (dir) => linkSync(file(dir, 'reader'), join(dir, 'elsewhere-hard.json')),
    ],
    ['a file writable by others', (dir) => chmodSync(file(dir, 'reader'), 0o666)],
    ['a setuid file', (dir) => chmodSync(file(dir, 'writer'), 0o4644)],
    ['a folder writable by others', (dir) => chmodSync(join(dir, 'iam', '111111111111'), 0o777)],
    ['a sticky top folder', (dir) => chmodSync(join(dir, 'iam'), 0o1755)],
    [
      'nothing but a link to a folder holding the artefacts',
      (dir) => {
        renameSync(join(dir, 'iam'), join(dir, 'elsewhere'));
        symlinkSync(join(dir, 'elsewhere'), join(dir, 'iam'));
      },
    ],
  ];
  it.each(tampered)('writes and puts in place the artefacts when <dir>/iam holds %s', async (_, tamper) => {
    const dir = freshDir();
    await writeLocalIam(dir, desired(iam));
    const expected = filesUnder(join(dir, 'iam')).map((f) => [f, readFileSync(join(dir, 'iam', f), 'utf8')]);
    const modeOf = (p: string) => lstatSync(join(dir, 'iam', p)).mode;
    const modes = ['', '111111111111', ...expected.map(([f]) => f as string)].map(modeOf);
    tamper(dir);
    const staged = await stageLocalIam(dir, desired(iam));
    expect(readdirSync(dir).filter((f) => f.startsWith('iam.staging-'))).toHaveLength(1);
    await staged.commit();
    expect(readdirSync(join(dir, 'iam'), { recursive: true }).sort()).toEqual([
      '111111111111',
      '111111111111/identity-policy',
      ...expected.map(([f]) => f),
    ]);
    expect(lstatSync(join(dir, 'iam')).isDirectory()).toBe(true);
    for (const [f, text] of expected) {
      expect(readFileSync(join(dir, 'iam', f as string), 'utf8')).toBe(text);
      expect(lstatSync(join(dir, 'iam', f as string)).isFile()).toBe(true);
      expect(lstatSync(join(dir, 'iam', f as string)).nlink).toBe(1);
    }
    expect(['', '111111111111', ...expected.map(([f]) => f as string)].map(modeOf)).toEqual(modes);
  });

  it('compares bytes: an invalid UTF-8 byte where the artefact has U+FFFD is replaced', async () => {
    const dir = freshDir();
    const odd = [policy('reader', 'meshgov-reader', 'odd\uFFFDsid')];
    await writeLocalIam(dir, desired(odd));
    const path = file(dir, 'reader');
    const bytes = readFileSync(path);
    const at = bytes.indexOf(Buffer.from('\uFFFD', 'utf8'));
    expect(at).toBeGreaterThan(0);
    // 0xFF decodes to U+FFFD too: as text the two files are the same.
    writeFileSync(path, Buffer.concat([bytes.subarray(0, at), Buffer.from([0xff]), bytes.subarray(at + 3)]));
    expect(readFileSync(path, 'utf8')).toBe(bytes.toString('utf8'));
    const staged = await stageLocalIam(dir, desired(odd));
    await staged.commit();
    expect(readFileSync(path).equals(bytes)).toBe(true);
  });
});

describe('a folder of the working tree on the way to the local directory that is a link', () => {
  it('refuses to stage, and the folder it leads to keeps what it holds', async () => {
    const tree = mkdtempSync(join(tmpdir(), 'meshgov-tree-'));
    const victim = mkdtempSync(join(tmpdir(), 'meshgov-victim-'));
    mkdirSync(join(victim, 'iam'));
    writeFileSync(join(victim, 'iam', 'important.txt'), 'keep me');
    mkdirSync(join(tree, '.meshgov'));
    symlinkSync(victim, join(tree, '.meshgov', 'local'));
    await expect(
      stageLocalIam(join(tree, '.meshgov', 'local'), desired([policy('r', 'meshgov-r', 'S')]), tree),
    ).rejects.toThrow(`${join(tree, '.meshgov', 'local')} is a symbolic link`);
    expect(readFileSync(join(victim, 'iam', 'important.txt'), 'utf8')).toBe('keep me');
  });
});
