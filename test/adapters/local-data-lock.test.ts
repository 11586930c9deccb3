/**
 * The local data directory lock: one holder at a time, a clear refusal naming the holder, waiting within a timeout,
 * and safe take-over of stale locks (holder and emulator both gone), including a reused pid and two runs breaking
 * the same stale lock at once.
 */
import { spawn, spawnSync } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import {
  breakStale,
  DataDirLocked,
  LOCK_FILE,
  lockDataDir,
  processAlive,
  processStart,
} from '../../src/adapters/local/data-lock.js';
import type { LockInfo } from '../../src/adapters/local/data-lock.js';

const dirOf = () => mkdtempSync(join(tmpdir(), 'meshgov-lock-'));

/** The pid of a process that has exited (and been reaped). */
function deadPid(): number {
  const r = spawnSync(process.execPath, ['-e', '']);
  return r.pid as number;
}

const children: ChildProcess[] = [];
function sleeper(): ChildProcess {
  const c = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60000)'], { stdio: 'ignore' });
  children.push(c);
  return c;
}

afterEach(() => {
  for (const c of children.splice(0)) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
});

function writeLock(dir: string, info: Partial<LockInfo>, ageMs = 60_000): void {
  const full: LockInfo = {
    formatVersion: 1,
    pid: 1,
    host: hostname(),
    command: 'meshgov apply',
    since: '2026-12-01T10:00:00.000Z',
    token: 'other',
    ...info,
  };
  writeFileSync(join(dir, LOCK_FILE), JSON.stringify(full));
  // An old lock unless told otherwise (a fresh one without an emulator gets a start-up grace).
  const t = new Date(Date.now() - ageMs);
  spawnSync('touch', ['-d', t.toISOString(), join(dir, LOCK_FILE)]);
}

describe('local data directory lock', () => {
  it('refuses a second holder at once, naming the holder, and frees the directory on release', async () => {
    const dir = dirOf();
    const first = await lockDataDir(dir, { command: 'meshgov apply', timeoutMs: 0, display: '.meshgov/local' });
    const err = await lockDataDir(dir, { command: 'meshgov plan', timeoutMs: 0, display: '.meshgov/local' }).catch(
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(DataDirLocked);
    expect((err as Error).message).toContain(
      `the local target's data directory .meshgov/local is locked by pid ${process.pid} (meshgov apply) since ${first.info.since}`,
    );
    expect((err as Error).message).toContain('two runs would overwrite each other');
    first.release();
    expect(existsSync(join(dir, LOCK_FILE))).toBe(false);
    const second = await lockDataDir(dir, { command: 'meshgov plan', timeoutMs: 0 });
    expect(second.info.command).toBe('meshgov plan');
    second.release();
  });

  it('waits within the timeout for a live holder, then takes the lock', async () => {
    const dir = dirOf();
    const first = await lockDataDir(dir, { command: 'meshgov apply', timeoutMs: 0 });
    const waits: string[] = [];
    setTimeout(() => first.release(), 400);
    const second = await lockDataDir(dir, { command: 'meshgov plan', timeoutMs: 10_000, onWait: (m) => waits.push(m) });
    expect(waits).toHaveLength(1);
    expect(waits[0]).toContain(`locked by pid ${process.pid} (meshgov apply)`);
    expect(waits[0]).toContain('waiting up to 10 s');
    second.release();
  });

  it('takes over a lock whose holder and emulator are gone', async () => {
    const dir = dirOf();
    writeLock(dir, { pid: deadPid(), emulator: { pid: deadPid() } });
    const l = await lockDataDir(dir, { command: 'meshgov apply', timeoutMs: 0 });
    expect(JSON.parse(readFileSync(join(dir, LOCK_FILE), 'utf8')).pid).toBe(process.pid);
    l.release();
  });

  it('waits for the emulator of a dead holder (it may still be writing), and takes over once it is gone', async () => {
    const dir = dirOf();
    const emulator = sleeper();
    writeLock(dir, { pid: deadPid(), emulator: { pid: emulator.pid as number } });
    let taken = false;
    const pending = lockDataDir(dir, { command: 'meshgov apply', timeoutMs: 0 }).then((l) => {
      taken = true;
      return l;
    });
    await new Promise((r) => setTimeout(r, 600));
    expect(taken).toBe(false);
    emulator.kill('SIGKILL');
    const l = await pending;
    expect(taken).toBe(true);
    l.release();
  });

  it("refuses, naming the emulator, when a dead holder's emulator does not exit in time", async () => {
    const dir = dirOf();
    const emulator = sleeper();
    writeLock(dir, { pid: deadPid(), emulator: { pid: emulator.pid as number } });
    let now = Date.now();
    const fakeTime = { now: () => new Date(now), sleep: async () => void (now += 10_000) };
    const err = await lockDataDir(dir, { command: 'meshgov apply', timeoutMs: 0, ...fakeTime }).catch(
      (e: unknown) => e,
    );
    expect((err as Error).message).toContain(`its kinesis-local (pid ${emulator.pid}) is still running`);
    expect(existsSync(join(dir, LOCK_FILE))).toBe(true);
  });

  const linux = processStart(process.pid) !== undefined;
  it.runIf(linux)('treats a reused pid (same pid, other start time) as gone', async () => {
    const dir = dirOf();
    // This very process, but "started" at another time: the lock's holder was an earlier process with this pid.
    writeLock(dir, { pid: process.pid, pidStart: '1', emulator: { pid: deadPid() } });
    expect(processAlive(process.pid, '1')).toBe(false);
    expect(processAlive(process.pid, processStart(process.pid))).toBe(true);
    const l = await lockDataDir(dir, { command: 'meshgov apply', timeoutMs: 0 });
    l.release();
  });

  it('gives a holder that died before recording its emulator a start-up grace', async () => {
    const dir = dirOf();
    writeLock(dir, { pid: deadPid() }, 0);
    let now = Date.now();
    const slept: number[] = [];
    const sleep = async (ms: number) => {
      slept.push(ms);
      now += 1_000;
    };
    const l = await lockDataDir(dir, { command: 'meshgov apply', timeoutMs: 0, now: () => new Date(now), sleep });
    // About five seconds of (simulated) waiting before the lock counts as stale.
    expect(slept.length).toBeGreaterThanOrEqual(4);
    expect(slept.length).toBeLessThanOrEqual(6);
    l.release();
  });

  it('lets exactly one of several processes take over the same stale lock', async () => {
    // Real processes (in one process the calls would not interleave): each waits for a common start time and tries
    // once; a winner holds the lock until every process has answered (the test then creates `release`), so a late
    // starter on a loaded machine finds a live lock, never a released one.
    const script = [
      "import { existsSync } from 'node:fs';",
      `import { lockDataDir } from ${JSON.stringify(fileURLToPath(new URL('../../src/adapters/local/data-lock.ts', import.meta.url)))};`,
      'const [dir, at] = process.argv.slice(1);',
      'while (Date.now() < Number(at)) {}',
      "try { const l = await lockDataDir(dir, { command: 'race', timeoutMs: 0 });",
      "  console.log('won');",
      "  const t = setInterval(() => { if (existsSync(dir + '/release')) { clearInterval(t); l.release(); } }, 20); }",
      "catch (e) { console.log(e.name === 'DataDirLocked' ? 'refused' : `error ${e.message}`); }",
    ].join('\n');
    for (let round = 0; round < 4; round++) {
      const dir = dirOf();
      writeLock(dir, { pid: deadPid(), emulator: { pid: deadPid() } });
      const at = Date.now() + 1_500;
      const children = [0, 1, 2, 3].map(() =>
        spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script, dir, String(at)], {
          stdio: ['ignore', 'pipe', 'inherit'],
        }),
      );
      const outs = await Promise.all(
        children.map(
          (c) =>
            new Promise<string>((res) => {
              let out = '';
              c.stdout?.on('data', (b: Buffer) => {
                out += b.toString();
                if (out.includes('\n')) res(out.trim());
              });
              c.on('exit', () => res(out.trim()));
            }),
        ),
      );
      writeFileSync(join(dir, 'release'), '');
      await Promise.all(children.map((c) => new Promise((res) => (c.exitCode !== null ? res(0) : c.on('exit', res)))));
      expect(
        outs.filter((o) => o === 'won'),
        outs.join(','),
      ).toHaveLength(1);
      expect(outs.filter((o) => o === 'refused')).toHaveLength(3);
    }
  }, 60_000);

  it('breaks a stale lock only if it still reads as it did, and never while another breaker is at it', async () => {
    const dir = dirOf();
    const file = join(dir, LOCK_FILE);
    writeLock(dir, { pid: deadPid(), emulator: { pid: deadPid() } });
    const staleRaw = readFileSync(file, 'utf8');
    // Someone else broke it and took the directory since this breaker read it: their fresh lock stays.
    const fresh = await (async () => {
      breakStale(file, staleRaw);
      return lockDataDir(dir, { command: 'meshgov apply', timeoutMs: 0 });
    })();
    breakStale(file, staleRaw);
    expect(JSON.parse(readFileSync(file, 'utf8')).token).toBe(fresh.info.token);
    fresh.release();
    // A live breaker holds the break lock: a second breaker leaves the stale lock alone (and the break lock too).
    writeLock(dir, { pid: deadPid(), emulator: { pid: deadPid() } });
    const raw = readFileSync(file, 'utf8');
    const me = { pid: process.pid, pidStart: processStart(process.pid), host: hostname() };
    writeFileSync(`${file}.break`, JSON.stringify(me));
    breakStale(file, raw);
    expect(readFileSync(file, 'utf8')).toBe(raw);
    expect(existsSync(`${file}.break`)).toBe(true);
    // A breaker that died holding the break lock does not block the directory for ever.
    writeFileSync(`${file}.break`, JSON.stringify({ pid: deadPid(), host: hostname() }));
    const l = await lockDataDir(dir, { command: 'meshgov apply', timeoutMs: 0 });
    expect(existsSync(`${file}.break`)).toBe(false);
    l.release();
  });

  it('treats a lock from another host as held, and a file that is not a lock as a reason to stop', async () => {
    const dir = dirOf();
    writeLock(dir, { pid: deadPid(), host: 'build-agent-7' });
    const opts = { command: 'meshgov apply', timeoutMs: 0, display: 'd' };
    const err = await lockDataDir(dir, opts).catch((e: unknown) => e);
    expect((err as Error).message).toContain('on host build-agent-7');

    const other = dirOf();
    writeFileSync(join(other, LOCK_FILE), 'not json');
    spawnSync('touch', ['-d', new Date(Date.now() - 60_000).toISOString(), join(other, LOCK_FILE)]);
    const bad = await lockDataDir(other, opts).catch((e: unknown) => e);
    expect((bad as Error).message).toContain('has a lock file that is not a meshgov lock');
  });

  it('release removes only its own lock', async () => {
    const dir = dirOf();
    const l = await lockDataDir(dir, { command: 'meshgov apply', timeoutMs: 0 });
    writeLock(dir, { pid: process.pid, token: 'someone-else' });
    l.release();
    expect(existsSync(join(dir, LOCK_FILE))).toBe(true);
  });

  it('records the emulator, replacing the file whole', async () => {
    const dir = dirOf();
    const l = await lockDataDir(dir, { command: 'meshgov apply', timeoutMs: 0 });
    const e = sleeper();
    l.setEmulator(e.pid as number);
    const info = JSON.parse(readFileSync(join(dir, LOCK_FILE), 'utf8')) as LockInfo;
    expect(info.emulator?.pid).toBe(e.pid);
    expect(info.token).toBe(l.info.token);
    l.release();
  });
});
