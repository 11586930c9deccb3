/** `meshgov audit --stream`: a name that is not a Kinesis stream name is a usage error before anything is read. */
import { describe, expect, it } from 'vitest';
import { checkStreamName } from '../../src/cli/commands/audit.js';
import { main } from '../../src/cli/main.js';
import { ExitError } from '../../src/cli/io.js';

async function run(...args: string[]) {
  const o = { out: '', err: '' };
  const code = await main(args, {
    stdout: { write: (s: string) => void (o.out += s), isTTY: false },
    stderr: { write: (s: string) => void (o.err += s), isTTY: false },
    env: { NO_COLOR: '1', MESHGOV_LOCAL_DIR: '/nonexistent/meshgov-test' },
    cwd: process.cwd(),
    now: () => new Date('2026-12-01T00:00:00Z'),
  });
  return { code, ...o };
}

describe('audit --stream', () => {
  it.each(['payments.transactions.v1', 'a', 'A_b-c.9', 'x'.repeat(128)])('accepts %s', (s) =>
    expect(() => checkStreamName(s)).not.toThrow(),
  );

  it.each(['', 'x'.repeat(129), 'a b', 'a;id', '$(id)', '`id`', 'a/b', '../x', 'a\nb', 'strëam'])(
    'refuses %j with exit 64',
    (s) => {
      expect(() => checkStreamName(s)).toThrow(ExitError);
    },
  );

  it('fails before reading anything', async () => {
    const r = await run('audit', 'mesh.yaml', '--local', '--stream', 'orders;id');
    expect(r.code).toBe(64);
    expect(r.err).toContain('--stream "orders;id": not a Kinesis stream name');
  });
});
