/**
 * An AWS-style endpoint stand-in on 127.0.0.1 whose errors echo the request's headers, the way some proxies and
 * mis-configured gateways do. STS AssumeRole succeeds with fixed temporary credentials (or fails with the echo, when
 * `stsFails`); Kinesis ListStreams answers an empty account and DescribeStreamSummary "not found"; every other call
 * fails with the headers in its message (AccessDenied, so plan goes on and apply reaches its mutating calls).
 * Every Signature= value and security token the endpoint received is collected, so a test can assert none leaked.
 */
import { createServer } from 'node:http';
import type { IncomingMessage, Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** The temporary credentials AssumeRole hands out (shaped like real ones). */
export const ASSUMED = {
  accessKeyId: 'ASIAQWERTYUIOPASDFGH',
  secretAccessKey: 'assumedSecret/K7MDENG+bPxRfiCYEXAMPLEKEY0',
  sessionToken: `IQoJb3JpZ2luX2VjEAssumedSessionToken${'Zm9vYmFy'.repeat(20)}`,
};

export interface EchoEndpoint {
  endpoint: string;
  /** Operations seen (`sts:AssumeRole`, `Kinesis_20131202.ListStreams`, `iam:ListRoles`), in order. */
  operations: string[];
  /** Every credential-bearing value the endpoint received: signatures, security tokens, authorization headers. */
  received: Set<string>;
  close(): Promise<void>;
}

function body(req: IncomingMessage): Promise<string> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
  });
}

const xmlEscape = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

export interface EchoOptions {
  stsFails?: boolean;
  /**
   * `url`: the echo is percent-encoded inside a URL, as a single sign-on gateway puts the original request in a
   * "return to" parameter (every secret's boundary is then a hex digit of an escape).
   * `base64`: the echo is a base64 dump of the request's headers (a gateway's trace field), which no pattern finds.
   */
  encoding?: 'plain' | 'url' | 'base64';
}

export async function startEchoEndpoint(options: EchoOptions = {}): Promise<EchoEndpoint> {
  const operations: string[] = [];
  const received = new Set<string>();
  const server: Server = createServer((req, res) => {
    void body(req).then((text) => {
      const auth = String(req.headers['authorization'] ?? '');
      const token = String(req.headers['x-amz-security-token'] ?? '');
      if (auth) received.add(auth);
      if (token) received.add(token);
      const sig = /Signature=([0-9a-f]+)/.exec(auth)?.[1];
      if (sig) received.add(sig);
      const target = String(req.headers['x-amz-target'] ?? '');
      const action = new URLSearchParams(text).get('Action') ?? '';
      const op = target || `query:${action}`;
      operations.push(op);
      // The echo: single-line, as a gateway would put it in its error text.
      const url = (headers: string) =>
        `Login required: https://sso.example/start?return=${encodeURIComponent(`https://gw/?${headers}`)}`;
      const trace = `Request rejected by gateway; trace=${Buffer.from(JSON.stringify(req.headers)).toString('base64')}`;
      const plain =
        options.encoding === 'base64'
          ? trace
          : options.encoding === 'url'
            ? url(
                `X-Amz-Credential=${/Credential=([^,]+)/.exec(auth)?.[1] ?? ''}&X-Amz-Security-Token=${token}&X-Amz-Signature=${sig ?? ''}`,
              )
            : `Request rejected. Headers: authorization: ${auth}; x-amz-security-token: ${token}; x-amz-date: ${String(req.headers['x-amz-date'] ?? '')}`;
      const json =
        options.encoding === 'url' || options.encoding === 'base64'
          ? plain
          : `Request rejected by gateway; headers were ${JSON.stringify(req.headers)}`;
      if (action === 'AssumeRole') {
        if (options.stsFails) {
          res.writeHead(403, { 'content-type': 'text/xml' });
          res.end(
            `<ErrorResponse><Error><Type>Sender</Type><Code>InvalidClientTokenId</Code><Message>${xmlEscape(plain)}</Message></Error><RequestId>r1</RequestId></ErrorResponse>`,
          );
          return;
        }
        res.writeHead(200, { 'content-type': 'text/xml' });
        res.end(`<AssumeRoleResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><AssumeRoleResult><Credentials>
<AccessKeyId>${ASSUMED.accessKeyId}</AccessKeyId><SecretAccessKey>${ASSUMED.secretAccessKey}</SecretAccessKey>
<SessionToken>${ASSUMED.sessionToken}</SessionToken><Expiration>2099-01-01T00:00:00Z</Expiration></Credentials>
<AssumedRoleUser><Arn>arn:aws:sts::111111111111:assumed-role/meshgov-governance/meshgov</Arn><AssumedRoleId>AROAEXAMPLE:meshgov</AssumedRoleId></AssumedRoleUser>
</AssumeRoleResult><ResponseMetadata><RequestId>r2</RequestId></ResponseMetadata></AssumeRoleResponse>`);
        return;
      }
      if (target === 'Kinesis_20131202.ListStreams') {
        res.writeHead(200, { 'content-type': 'application/x-amz-json-1.1' });
        res.end(JSON.stringify({ StreamNames: [], StreamSummaries: [], HasMoreStreams: false }));
        return;
      }
      if (target === 'Kinesis_20131202.DescribeStreamSummary') {
        // Not there yet: apply goes on to CreateStream, which fails with the echo (and is logged).
        res.writeHead(400, { 'content-type': 'application/x-amz-json-1.1' });
        res.end(JSON.stringify({ __type: 'ResourceNotFoundException', message: 'Stream not found' }));
        return;
      }
      if (target !== '') {
        // JSON protocols (Kinesis, Organizations, tagging, CloudWatch): the echo in the error message.
        res.writeHead(400, { 'content-type': 'application/x-amz-json-1.1' });
        res.end(JSON.stringify({ __type: 'AccessDeniedException', message: json }));
        return;
      }
      res.writeHead(403, { 'content-type': 'text/xml' });
      res.end(
        `<ErrorResponse><Error><Type>Sender</Type><Code>AccessDenied</Code><Message>${xmlEscape(plain)}</Message></Error><RequestId>r3</RequestId></ErrorResponse>`,
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    operations,
    received,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
