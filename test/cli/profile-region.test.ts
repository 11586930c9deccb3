/**
 * `--profile` and `--region` end to end: plan, apply, audit and import against a local HTTP endpoint that records
 * how the first call (STS AssumeRole for the governance role) was signed. The access key id shows which profile of
 * a temporary AWS config the SDK read the base credentials from, the credential scope which region STS was called
 * in. The endpoint answers AccessDenied, so nothing goes further.
 */
import { mkdtempSync, writeFileSync, copyFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import { captureIO } from '../support/capture-io.js';
import { EXAMPLE_MESH_FILE } from '../support/example-mesh.js';

const dir = mkdtempSync(join(tmpdir(), 'meshgov-profile-'));
copyFileSync(EXAMPLE_MESH_FILE, join(dir, 'mesh.yaml'));
writeFileSync(
  join(dir, 'credentials'),
  [
    '[default]',
    'aws_access_key_id = AKIDDEFAULTPROFILE',
    'aws_secret_access_key = default-secret',
    '',
    '[governance]',
    'aws_access_key_id = AKIDGOVERNANCEPROFILE',
    'aws_secret_access_key = governance-secret',
    '',
  ].join('\n'),
);
writeFileSync(join(dir, 'config'), '[default]\nregion = ap-south-1\n\n[profile governance]\nregion = ap-south-1\n');

/** What the endpoint saw: the signing key id and region of each request, and the STS/Kinesis action. */
interface Seen {
  keyId: string;
  region: string;
  service: string;
  action: string;
}
const saved: Record<string, string | undefined> = {};

const ENV: Record<string, string | undefined> = {
  AWS_SHARED_CREDENTIALS_FILE: join(dir, 'credentials'),
  AWS_CONFIG_FILE: join(dir, 'config'),
  // Nothing else may supply credentials, and the SDK must never try the EC2 metadata address.
  AWS_PROFILE: undefined,
  AWS_ACCESS_KEY_ID: undefined,
  AWS_SECRET_ACCESS_KEY: undefined,
  AWS_SESSION_TOKEN: undefined,
  AWS_WEB_IDENTITY_TOKEN_FILE: undefined,
  AWS_ROLE_ARN: undefined,
  AWS_CONTAINER_CREDENTIALS_FULL_URI: undefined,
  AWS_CONTAINER_CREDENTIALS_RELATIVE_URI: undefined,
  AWS_EC2_METADATA_DISABLED: 'true',
  AWS_REGION: undefined,
  AWS_DEFAULT_REGION: undefined,
  AWS_ENDPOINT_URL: undefined,
  AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
};

beforeAll(() => {
  for (const [k, v] of Object.entries(ENV)) {
    saved[k] = process.env[k];
    if (v === undefined) delete process.env[k];
    else process.env[k] = v;
  }
});

afterAll(() => {
  for (const [k, v] of Object.entries(saved)) {
    if (v === undefined) delete process.env[k];
    else process.env[k] = v;
  }
});

/** A new endpoint per run (calls of a run still in flight when it ends never reach the next one's). */
async function endpoint(): Promise<{ url: string; seen: Seen[]; server: Server }> {
  const seen: Seen[] = [];
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (b: Buffer) => void (body += b.toString('utf8')));
    req.on('end', () => {
      const m = /Credential=([^/]+)\/\d{8}\/([^/]+)\/([^/]+)\//.exec(String(req.headers.authorization ?? ''));
      const action = /Action=(\w+)/.exec(body)?.[1] ?? String(req.headers['x-amz-target'] ?? '');
      seen.push({ keyId: m?.[1] ?? '', region: m?.[2] ?? '', service: m?.[3] ?? '', action });
      res.writeHead(403, { 'content-type': 'text/xml' });
      res.end(
        '<ErrorResponse><Error><Type>Sender</Type><Code>AccessDenied</Code><Message>denied by the test</Message></Error>' +
          '<RequestId>1</RequestId></ErrorResponse>',
      );
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, seen, server };
}

async function run(args: string[]): Promise<{ code: number; err: string; seen: Seen[] }> {
  const e = await endpoint();
  const t = captureIO(dir, {
    env: { ...process.env } as Record<string, string>,
    now: new Date('2026-12-01T09:00:00Z'),
  });
  try {
    const code = await main([...args, '--endpoint', e.url], t);
    return { code, err: t.err(), seen: e.seen };
  } finally {
    e.server.closeAllConnections();
    e.server.close();
  }
}

const COMMANDS: string[][] = [['plan'], ['apply', '--auto-approve'], ['audit'], ['import']];

describe('--profile and --region', { timeout: 60_000 }, () => {
  it.each(COMMANDS)("%s: STS is called with the named profile's credentials, in the --region given", async (...cmd) => {
    const r = await run([...cmd, 'mesh.yaml', '--profile', 'governance', '--region', 'eu-central-1']);
    expect(r.seen.length).toBeGreaterThan(0);
    expect(new Set(r.seen.map((s) => JSON.stringify(s)))).toEqual(
      new Set([
        JSON.stringify({
          keyId: 'AKIDGOVERNANCEPROFILE',
          region: 'eu-central-1',
          service: 'sts',
          action: 'AssumeRole',
        }),
      ]),
    );
    expect(r.code).toBe(1);
    expect(r.err).toContain('AccessDenied');
    expect(r.err).not.toMatch(/^\s+at /m);
  });

  it.each(COMMANDS)('%s: without them, the default profile and the mesh region', async (...cmd) => {
    const r = await run([...cmd, 'mesh.yaml']);
    expect(r.seen.length).toBeGreaterThan(0);
    expect(new Set(r.seen.map((s) => JSON.stringify(s)))).toEqual(
      new Set([
        JSON.stringify({ keyId: 'AKIDDEFAULTPROFILE', region: 'eu-west-1', service: 'sts', action: 'AssumeRole' }),
      ]),
    );
    expect(r.code).toBe(1);
  });

  it('a profile that does not exist is a clear error, not a stack trace', async () => {
    const r = await run(['plan', 'mesh.yaml', '--profile', 'nobody']);
    expect(r.code).toBe(1);
    expect(r.err).toContain('base credentials from profile nobody');
    expect(r.err).not.toMatch(/^\s+at /m);
    expect(r.seen).toEqual([]);
  });
});
