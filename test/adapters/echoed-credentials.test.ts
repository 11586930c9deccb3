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
import { guardEchoedCredentials, redactSentCredentials } from '../../src/adapters/aws/errors.js';

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

  it('leaves an error alone when the request carried no credentials, and anything that is not an object', () => {
    const error = new Error(`trace=${b64(TOKEN)}`);
    redactSentCredentials(error, { headers: { host: 'kinesis' } });
    expect(error.message).toBe(`trace=${b64(TOKEN)}`);
    expect(() => redactSentCredentials('text', { headers: { authorization: AUTHORIZATION } })).not.toThrow();
    expect(() => redactSentCredentials(error, undefined)).not.toThrow();
  });
});

describe('guardEchoedCredentials on an SDK client', () => {
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
