/**
 * An endpoint that echoes the signed request's headers in its error text: plan, audit and apply (built CLI, real
 * SDK signing, base credentials from the environment) must print none of the credentials, signatures or session
 * tokens, on stdout, stderr, in the saved plan or in the apply log.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ASSUMED, startEchoEndpoint } from '../support/echo-endpoint.js';
import type { EchoEndpoint } from '../support/echo-endpoint.js';

const BIN = resolve('bin/meshgov.js');
const MESH = resolve('mesh.yaml');
const BASE = {
  accessKeyId: 'AKIAIOSFODNN7EXAMPLE',
  secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
  sessionToken: `IQoJb3JpZ2luX2VjEBaseSessionToken${'cXV4'.repeat(30)}`,
};
/** A shared-config profile's credentials (`[src]` in the credentials file), never in the environment. */
const SOURCE = {
  accessKeyId: 'AKIAZZZZSOURCEPROFIL',
  secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYSOURCEKEY',
  sessionToken: `IQoJb3JpZ2luX2VjESourceProfileToken${'cXV4'.repeat(30)}`,
};
/** Values that must never be printed (the endpoint's received signatures are added per run). */
const SECRETS = [
  SOURCE.accessKeyId,
  SOURCE.secretAccessKey,
  SOURCE.sessionToken,
  BASE.accessKeyId,
  BASE.secretAccessKey,
  BASE.sessionToken,
  ASSUMED.accessKeyId,
  ASSUMED.secretAccessKey,
  ASSUMED.sessionToken,
];

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'meshgov-reflect-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Run the built CLI asynchronously (the endpoint stand-in lives in this process). */
function run(
  args: string[],
  env: Record<string, string> = {},
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((done) => {
    const child = spawn(process.execPath, [BIN, ...args], {
      cwd: dir,
      env: {
        PATH: process.env['PATH'] ?? '',
        HOME: dir,
        NO_COLOR: '1',
        AWS_ACCESS_KEY_ID: BASE.accessKeyId,
        AWS_SECRET_ACCESS_KEY: BASE.secretAccessKey,
        AWS_SESSION_TOKEN: BASE.sessionToken,
        AWS_EC2_METADATA_DISABLED: 'true',
        AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
        MESHGOV_LOCAL_DIR: join(dir, 'local'),
        ...env,
      },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => void (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => void (stderr += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 120_000);
    child.on('close', (code) => {
      clearTimeout(timer);
      done({ code, stdout, stderr });
    });
  });
}

/** Every secret (and every signature the endpoint received) that appears in `text`. */
function leaked(text: string, ep: EchoEndpoint): string[] {
  const all = [...SECRETS, ...ep.received];
  // Also percent-encoded, as an echo inside a URL carries them.
  const found = all.filter((s) => text.includes(s) || text.includes(encodeURIComponent(s)));
  // Also the shapes, in case a value is printed in part or re-encoded.
  for (const m of text.matchAll(/Signature=(?!\*\*\*)\S{8,}|(?:AKIA|ASIA)[A-Z0-9]{16}|IQoJb3JpZ2luX2Vj/g))
    found.push(m[0]);
  return found;
}

/**
 * Every secret (and signature or token received) of which 8 bytes in a row appear base64-encoded in `text`: each run
 * of base64 characters decoded from each of its first four characters, as a reader would decode what was left.
 * Whole authorization headers are left out: their header names and dates are not secret, and their signatures and
 * key ids are checked on their own.
 */
function leakedInBase64(text: string, ep: EchoEndpoint): string[] {
  const all = [...SECRETS, ...[...ep.received].filter((value) => !value.startsWith('AWS4-HMAC-SHA256 '))];
  const decoded = [...text.matchAll(/[A-Za-z0-9+/]{8,}/g)].flatMap(([run]) =>
    [0, 1, 2, 3].map((skip) => Buffer.from(run.slice(skip), 'base64').toString('latin1')),
  );
  return all.filter((secret) => {
    for (let at = 0; at + 8 <= secret.length; at++) {
      const piece = secret.slice(at, at + 8);
      if (decoded.some((d) => d.includes(piece))) return true;
    }
    return false;
  });
}

describe('credentials echoed back by an endpoint are never printed', { timeout: 300_000 }, () => {
  it('plan: STS echoes the base credentials in its error', async () => {
    const ep = await startEchoEndpoint({ stsFails: true });
    try {
      const r = await run(['plan', MESH, '--endpoint', ep.endpoint]);
      expect(r.code).toBe(1);
      expect(r.stderr).toContain('InvalidClientTokenId');
      // Redacted where the secrets were, the rest of the message kept.
      expect(r.stderr).toContain('authorization: ***; x-amz-security-token: ***; x-amz-date: 20');
      expect(ep.received.size).toBeGreaterThan(0);
      expect(leaked(r.stdout + r.stderr, ep)).toEqual([]);
    } finally {
      await ep.close();
    }
  });

  it('plan and audit: the echo percent-encoded inside a URL', async () => {
    const ep = await startEchoEndpoint({ encoding: 'url' });
    try {
      const plan = await run(['plan', MESH, '--endpoint', ep.endpoint, '--format', 'markdown']);
      const audit = await run(['audit', MESH, '--endpoint', ep.endpoint]);
      const out = plan.stdout + plan.stderr + audit.stdout + audit.stderr;
      // The echo reached the output, with its secrets replaced.
      expect(out).toContain('sso.example');
      expect(out).toContain('X-Amz-Credential%3D***');
      expect(ep.received.size).toBeGreaterThan(0);
      expect(leaked(out, ep)).toEqual([]);
      // And decoded, nothing of them either (a reader may decode what it copies).
      expect(leaked(decodeURIComponent(out.replace(/%(?![0-9A-Fa-f]{2})/g, '%25')), ep)).toEqual([]);
    } finally {
      await ep.close();
    }
  });

  it('plan, audit and apply: the echo a base64 dump of the headers (the assumed session’s and the base ones)', async () => {
    const ep = await startEchoEndpoint({ encoding: 'base64' });
    try {
      const plan = await run(['plan', MESH, '--endpoint', ep.endpoint, '--out', 'plan-b64.json']);
      const audit = await run(['audit', MESH, '--endpoint', ep.endpoint, '--format', 'markdown']);
      const log = join(dir, 'apply-b64.jsonl');
      const apply = await run(['apply', MESH, '--endpoint', ep.endpoint, '--auto-approve', '--log', log]);
      const out = [plan, audit, apply].map((r) => r.stdout + r.stderr).join('') + readFileSync(log, 'utf8');
      const saved = readFileSync(join(dir, 'plan-b64.json'), 'utf8');
      // The echo reached the output: its trace field, with what is left of the dump around the redactions.
      expect(out).toMatch(/trace=[A-Za-z0-9+/]{8,}\*\*\*/);
      expect(ep.operations).toContain('query:AssumeRole');
      expect(ep.received.size).toBeGreaterThan(0);
      expect(leaked(out + saved, ep)).toEqual([]);
      expect(leakedInBase64(out + saved, ep)).toEqual([]);
    } finally {
      await ep.close();
    }
  });

  it('plan --profile: the SDK’s own STS client (a profile’s role_arn) echoes the source profile’s credentials in base64', async () => {
    const ep = await startEchoEndpoint({ encoding: 'base64', stsFails: true });
    const aws = join(dir, 'profile-aws');
    mkdirSync(aws, { recursive: true });
    writeFileSync(
      join(aws, 'config'),
      '[profile gov]\nrole_arn = arn:aws:iam::222222222222:role/ci\nsource_profile = src\nregion = eu-west-1\n[profile src]\nregion = eu-west-1\n',
    );
    writeFileSync(
      join(aws, 'credentials'),
      `[src]\naws_access_key_id = ${SOURCE.accessKeyId}\naws_secret_access_key = ${SOURCE.secretAccessKey}\naws_session_token = ${SOURCE.sessionToken}\n`,
    );
    try {
      // Only the profile's credentials: none in the environment. AWS_ENDPOINT_URL sends the SDK's own STS client to
      // the stand-in too.
      const r = await run(['plan', MESH, '--profile', 'gov', '--endpoint', ep.endpoint], {
        AWS_ACCESS_KEY_ID: '',
        AWS_SECRET_ACCESS_KEY: '',
        AWS_SESSION_TOKEN: '',
        AWS_CONFIG_FILE: join(aws, 'config'),
        AWS_SHARED_CREDENTIALS_FILE: join(aws, 'credentials'),
        AWS_ENDPOINT_URL: ep.endpoint,
      });
      const out = r.stdout + r.stderr;
      expect(r.code).toBe(1);
      expect(out).toMatch(/trace=[A-Za-z0-9+/]*\*\*\*/);
      // The source profile's key signed what the stand-in received.
      expect([...ep.received].some((v) => v.includes(SOURCE.accessKeyId))).toBe(true);
      expect(leaked(out, ep)).toEqual([]);
      expect(leakedInBase64(out, ep)).toEqual([]);
    } finally {
      await ep.close();
    }
  });

  it('plan (text and markdown, and the saved plan): IAM echoes the assumed credentials in the not-checked notes', async () => {
    const ep = await startEchoEndpoint();
    try {
      const text = await run(['plan', MESH, '--endpoint', ep.endpoint, '--out', 'plan.json']);
      expect(text.stdout).toContain('IAM could not be read');
      const md = await run(['plan', MESH, '--endpoint', ep.endpoint, '--format', 'markdown']);
      expect(md.stdout).toContain('IAM could not be read');
      const saved = readFileSync(join(dir, 'plan.json'), 'utf8');
      expect(saved).toContain('IAM could not be read');
      expect(leaked(text.stdout + text.stderr + md.stdout + md.stderr + saved, ep)).toEqual([]);
    } finally {
      await ep.close();
    }
  });

  it('audit: the echo in errors and not-run checks', async () => {
    const ep = await startEchoEndpoint();
    try {
      const r = await run(['audit', MESH, '--endpoint', ep.endpoint, '--format', 'markdown']);
      expect(r.stdout + r.stderr).toMatch(/AccessDenied/);
      expect(leaked(r.stdout + r.stderr, ep)).toEqual([]);
    } finally {
      await ep.close();
    }
  });

  it('apply: failed CreateStream calls in progress lines, the summary and the apply log', async () => {
    const ep = await startEchoEndpoint();
    try {
      const log = join(dir, 'apply.jsonl');
      const r = await run(['apply', MESH, '--endpoint', ep.endpoint, '--auto-approve', '--log', log]);
      expect(r.code).toBe(1);
      expect(ep.operations).toContain('Kinesis_20131202.CreateStream');
      expect(r.stdout).toContain('CreateStream');
      expect(existsSync(log)).toBe(true);
      const logged = readFileSync(log, 'utf8');
      expect(logged).toContain('"result":"error"');
      expect(leaked(r.stdout + r.stderr + logged, ep)).toEqual([]);
    } finally {
      await ep.close();
    }
  });
});
