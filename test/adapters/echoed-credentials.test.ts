/**
 * An endpoint may echo the signed request re-encoded in its error (a base64 dump of the headers): the error loses the
 * credential values that request was sent with, in every field, before the retry layer or meshgov reads it
 * (src/adapters/aws/errors.ts). The built CLI against such an endpoint: test/integration/reflected-credentials.test.ts.
 */
import { KinesisClient, ListStreamsCommand } from '@aws-sdk/client-kinesis';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { STSClient, GetCallerIdentityCommand } from '@aws-sdk/client-sts';
import type { Server } from 'node:http';
import { awsPolicyAnalyzer } from '../../src/adapters/aws/access-analyzer.js';
import { ClientPool } from '../../src/adapters/aws/client-pool.js';
import { guardEchoedCredentials, redactSentCredentials, toAdapterError } from '../../src/adapters/aws/errors.js';
import { createPricingClient, getAllProducts } from '../../src/adapters/aws/pricing.js';

const KEY_ID = 'ASIAQWERTYUIOPASDFGH';
const TOKEN = `IQoJb3JpZ2luX2VjEAssumedSessionToken${'Zm9vYmFy'.repeat(20)}`;
const AUTHORIZATION = `AWS4-HMAC-SHA256 Credential=${KEY_ID}/20261202/eu-west-1/kinesis/aws4_request, SignedHeaders=host;x-amz-date;x-amz-security-token, Signature=${'ab12'.repeat(16)}`;
const b64 = (text: string) => Buffer.from(text).toString('base64');
const decodedRuns = (text: string) =>
  [...text.matchAll(/[A-Za-z0-9+/]{8,}/g)]
    .flatMap(([run]) => [0, 1, 2, 3].map((skip) => Buffer.from(run.slice(skip), 'base64').toString('latin1')))
    .join('\n');

describe('redactSentCredentials', () => {
  it('cleans every string field of the error of the request’s authorization, key id and session token', () => {
    const dump = `trace=${b64(JSON.stringify({ authorization: AUTHORIZATION, 'x-amz-security-token': TOKEN }))}`;
    const keyIdOnly = `caller ${b64(`{"caller":"${KEY_ID}"}`)}`;
    const error = Object.assign(new Error(dump), { name: 'AccessDeniedException', Message: dump, Caller: keyIdOnly });
    redactSentCredentials(error, { headers: { Authorization: AUTHORIZATION, 'X-Amz-Security-Token': TOKEN } });
    for (const field of [error.message, error.Message, error.Caller]) {
      expect(field).toContain('***');
      const decoded = decodedRuns(field);
      for (const secret of [TOKEN.slice(20, 40), KEY_ID.slice(4, 14), 'ab12ab12ab12'])
        expect(decoded).not.toContain(secret);
    }
  });

  it('cleans nested errors and plain objects (the query protocol’s `Error`), and survives a cycle', () => {
    const dump = `trace=${b64(JSON.stringify({ 'x-amz-security-token': TOKEN }))}`;
    const error = Object.assign(new Error('AccessDenied'), {
      Error: { Code: 'AccessDenied', Message: dump, Detail: { deeper: dump } },
      cause: new Error(dump),
    });
    Object.assign(error.Error.Detail, { back: error });
    redactSentCredentials(error, { headers: { 'x-amz-security-token': TOKEN } });
    for (const field of [error.Error.Message, error.Error.Detail.deeper, error.cause.message]) {
      expect(field).toContain('***');
      expect(decodedRuns(field)).not.toContain(TOKEN.slice(20, 40));
    }
  });

  it('a signature or key id echoed apart from the Authorization header is removed too', () => {
    const error = new Error(`sig ${b64(`{"signature":"${'ab12'.repeat(16)}"}`)} key ${b64(`{"k":"${KEY_ID}"}`)}`);
    redactSentCredentials(error, { headers: { authorization: AUTHORIZATION } });
    expect(decodedRuns(error.message)).not.toContain('ab12ab12ab12');
    expect(decodedRuns(error.message)).not.toContain(KEY_ID.slice(4, 14));
  });

  it('a field the SDK made read-only is redefined when it may be, else left; the error always comes through', () => {
    const dump = `trace=${b64(TOKEN)}`;
    const error = new Error(dump);
    Object.defineProperty(error, '$responseBodyText', {
      value: dump,
      writable: false,
      configurable: true,
      enumerable: true,
    });
    Object.defineProperty(error, 'frozen', { value: dump, writable: false, configurable: false, enumerable: true });
    Object.defineProperty(error, 'computed', { get: () => dump, enumerable: true });
    expect(() => redactSentCredentials(error, { headers: { 'x-amz-security-token': TOKEN } })).not.toThrow();
    expect(error.message).toContain('***');
    expect((error as unknown as Record<string, string>)['$responseBodyText']).toContain('***');
    expect((error as unknown as Record<string, string>)['frozen']).toBe(dump);
  });

  it('leaves an error alone when the request carried no credentials, and anything that is not an object', () => {
    const error = new Error(`trace=${b64(TOKEN)}`);
    redactSentCredentials(error, { headers: { host: 'kinesis' } });
    expect(error.message).toBe(`trace=${b64(TOKEN)}`);
    expect(() => redactSentCredentials('text', { headers: { authorization: AUTHORIZATION } })).not.toThrow();
    expect(() => redactSentCredentials(error, undefined)).not.toThrow();
  });
});

/** A stand-in answering every request with `status` and `body(headers)`, on 127.0.0.1. */
async function echoing(status: number, contentType: string, body: (headers: string) => string): Promise<Server> {
  const server = createServer((req, res) => {
    res.writeHead(status, { 'content-type': contentType, 'x-amzn-errortype': 'AccessDeniedException' });
    res.end(body(JSON.stringify(req.headers)));
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  return server;
}
const urlOf = (server: Server) => `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
const credentials = { accessKeyId: KEY_ID, secretAccessKey: 'secret/K7MDENG+bPxRfiCYEXAMPLEKEY0', sessionToken: TOKEN };
const stop = (server: Server) => {
  server.closeAllConnections();
  server.close();
};

describe('guardEchoedCredentials on an SDK client', () => {
  it('a body the XML parser rejects (the SDK pins it read-only on the error): the parse error comes through', async () => {
    const server = await echoing(403, 'text/xml', (headers) => `<Error></Oops> trace=${b64(headers)}`);
    const client = new STSClient({
      region: 'eu-west-1',
      endpoint: urlOf(server),
      credentials,
      maxAttempts: 1,
      requestHandler: new NodeHttpHandler(),
    });
    guardEchoedCredentials(client);
    try {
      const e = await client.send(new GetCallerIdentityCommand({})).catch((x: unknown) => x);
      const message = toAdapterError(e, 'sts', 'GetCallerIdentity', undefined).message;
      expect(message).not.toContain('TypeError');
      expect(message).toMatch(/XML|not the AWS API/);
      expect(decodedRuns(message)).not.toContain(TOKEN.slice(20, 40));
    } finally {
      client.destroy();
      stop(server);
    }
  });

  it('the Price List client and the Access Analyzer client are guarded too', async () => {
    const json = (headers: string) =>
      JSON.stringify({ __type: 'AccessDeniedException', message: `trace=${b64(headers)}` });
    const server = await echoing(400, 'application/json', json);
    try {
      const pricing = createPricingClient({ credentials, endpoint: urlOf(server), maxAttempts: 1 });
      const priced = await getAllProducts(pricing, 'AmazonKinesis', 'eu-west-1').catch((e: Error) => e);
      pricing.destroy();
      const pool = new ClientPool(
        {
          target: 'aws',
          region: 'eu-west-1',
          partition: 'aws',
          endpoint: urlOf(server),
          command: 'plan',
          rateLimitScale: 0,
          maxAttempts: 1,
        },
        { credentials: new Map([['111111111111', credentials]]) },
      );
      const analyzed = await awsPolicyAnalyzer(pool, '111111111111').check([
        {
          check: 'no-public-access',
          policy: { kind: 'stream-policy', account: '111111111111', address: '111111111111/stream/orders/policy' },
          document: '{}',
          resourceType: 'AWS::Kinesis::Stream',
        },
      ]);
      pool.destroy();
      const messages = [(priced as Error).message, analyzed.kind === 'failed' ? analyzed.message : 'answered'];
      for (const message of messages) {
        expect(message).toMatch(/trace=[A-Za-z0-9+/]*\*\*\*/);
        expect(decodedRuns(message)).not.toContain(TOKEN.slice(20, 40));
      }
    } finally {
      stop(server);
    }
  });

  it('the parsed exception the caller gets has lost the session token it was signed with', async () => {
    const server = createServer((req, res) => {
      res.writeHead(400, { 'content-type': 'application/x-amz-json-1.1' });
      res.end(
        JSON.stringify({ __type: 'AccessDeniedException', message: `trace=${b64(JSON.stringify(req.headers))}` }),
      );
    });
    await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
    const client = new KinesisClient({
      region: 'eu-west-1',
      endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
      credentials: { accessKeyId: KEY_ID, secretAccessKey: 'secret/K7MDENG+bPxRfiCYEXAMPLEKEY0', sessionToken: TOKEN },
      maxAttempts: 1,
      // HTTP/1.1, as meshgov's clients (the Kinesis client's default is HTTP/2).
      requestHandler: new NodeHttpHandler(),
    });
    try {
      const unguarded = await client.send(new ListStreamsCommand({})).catch((e: Error) => e);
      // The stand-in does echo the token: without the guard, it decodes from the message.
      expect(decodedRuns(String((unguarded as Error).message))).toContain(TOKEN.slice(20, 40));
      guardEchoedCredentials(client);
      const guarded = await client.send(new ListStreamsCommand({})).catch((e: Error) => e);
      expect((guarded as Error).name).toBe('AccessDeniedException');
      expect((guarded as Error).message).toMatch(/^trace=[A-Za-z0-9+/]+\*\*\*/);
      expect(decodedRuns((guarded as Error).message)).not.toContain(TOKEN.slice(20, 40));
      expect(decodedRuns((guarded as Error).message)).not.toContain(KEY_ID.slice(4, 14));
    } finally {
      client.destroy();
      server.closeAllConnections();
      server.close();
    }
  });
});
