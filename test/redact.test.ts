/** The one redaction of secrets (src/core/redact.ts): GitHub tokens, AWS credentials by shape and by name. */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { ANCHORS, NAMED, redact, REDACTED, redactKnown, SHAPES, secretsOf } from '../src/core/redact.js';

const AKID = 'AKIAIOSFODNN7EXAMPLE';
const ASIA = 'ASIAQWERTYUIOPASDFGH';
const SECRET = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY';
const TOKEN = 'IQoJb3JpZ2luX2VjEBaSeSsIoNtOkEn+/abc=';
const SIG = 'a207351fc81f31c52ba95b4d96f79194692b323b3db81b70e7ab474955e02f20';
const SIGV4 = `AWS4-HMAC-SHA256 Credential=${AKID}/20261130/eu-west-1/kinesis/aws4_request, SignedHeaders=host;x-amz-date, Signature=${SIG}`;

describe('redact: GitHub tokens', () => {
  const token = 'ghs_16C7e42F292c6912E7710c838347Ae178B4a';
  it('removes the token, its base64 forms and anything shaped like a GitHub token', () => {
    const basic = Buffer.from(`x-access-token:${token}`).toString('base64');
    const text = `auth ${token} basic ${basic} pat ghp_abcdefghijklmnopqrstuvwxyz0123456789 fine github_pat_11ABCDEFG0123456789_abcdefghijklmnopqrstuvwxyz`;
    const out = redact(text, [token]);
    expect(out).not.toContain(token);
    expect(out).not.toContain(basic);
    expect(out).not.toMatch(/gh[pousr]_[A-Za-z0-9]{20}/);
    expect(out).not.toContain('github_pat_');
    expect(out.split(REDACTED)).toHaveLength(5);
  });

  it('removes tokens glued to underscores or other word characters (a word boundary does not end them)', () => {
    const pat = 'ghp_abcdefghijklmnopqrstuvwxyz0123456789';
    for (const text of [
      `${pat}_x`,
      `x_${pat}`,
      `id=${pat}_suffix`,
      'key AKIAIOSFODNN7EXAMPLE_backup',
      'env_AKIAIOSFODNN7EXAMPLE',
    ]) {
      const out = redact(text);
      expect(out, text).not.toMatch(/gh[pousr]_[A-Za-z0-9]{20}|AKIA[A-Z0-9]{16}/);
      expect(out, text).toContain(REDACTED);
    }
  });

  it('removes a token that is not GitHub-shaped when it is named', () => {
    expect(redact('Bearer s3cr3t-value!', ['s3cr3t-value'])).toBe(`Bearer ${REDACTED}!`);
  });
});

describe('redact: AWS credentials echoed by an endpoint', () => {
  it.each([
    [
      'a plain header line',
      `Headers: authorization: ${SIGV4}; x-amz-security-token: ${TOKEN}; x-amz-date: 20261130T000000Z`,
      `Headers: authorization: ${REDACTED}; x-amz-security-token: ${REDACTED}; x-amz-date: 20261130T000000Z`,
    ],
    [
      'headers as JSON',
      JSON.stringify({ authorization: SIGV4, 'x-amz-security-token': TOKEN, host: 'h' }),
      `{"authorization":"${REDACTED}","x-amz-security-token":"${REDACTED}","host":"h"}`,
    ],
    [
      'a presigned URL',
      `GET /?X-Amz-Credential=${AKID}%2F20261130%2Feu-west-1%2Fs3%2Faws4_request&X-Amz-Security-Token=${encodeURIComponent(TOKEN)}&X-Amz-Signature=${SIG}&x=1`,
      `GET /?X-Amz-Credential=${REDACTED}&X-Amz-Security-Token=${REDACTED}&X-Amz-Signature=${REDACTED}&x=1`,
    ],
    [
      'an STS answer in XML',
      `<Credentials><AccessKeyId>${ASIA}</AccessKeyId><SecretAccessKey>${SECRET}</SecretAccessKey><SessionToken>${TOKEN}</SessionToken></Credentials>`,
      `<Credentials><AccessKeyId>${REDACTED}</AccessKeyId><SecretAccessKey>${REDACTED}</SecretAccessKey><SessionToken>${REDACTED}</SessionToken></Credentials>`,
    ],
    [
      'an env file',
      `AWS_ACCESS_KEY_ID=${AKID}\nAWS_SECRET_ACCESS_KEY=${SECRET}\nAWS_SESSION_TOKEN=${TOKEN}`,
      `AWS_ACCESS_KEY_ID=${REDACTED}\nAWS_SECRET_ACCESS_KEY=${REDACTED}\nAWS_SESSION_TOKEN=${REDACTED}`,
    ],
    [
      'bare key ids and a bare session token',
      `key ${AKID} and ${ASIA}, token ${TOKEN} end`,
      `key ${REDACTED} and ${REDACTED}, token ${REDACTED} end`,
    ],
    [
      'a presigned URL percent-encoded inside another URL (every boundary is a hex digit of an escape)',
      `redirect=https%3A%2F%2Fh%2F%3FX-Amz-Credential%3D${AKID}%252F2026&next=1`,
      `redirect=https%3A%2F%2Fh%2F%3FX-Amz-Credential%3D${REDACTED}&next=1`,
    ],
    [
      'a percent-encoded session token named by its header',
      `X-Amz-Security-Token%3D${encodeURIComponent(TOKEN)}`,
      `X-Amz-Security-Token%3D${REDACTED}`,
    ],
    ['a percent-encoded key id after a percent-encoded separator', `key%3D${ASIA}%26x`, `key%3D${REDACTED}%26x`],
    [
      'a session token inside a JSON string, its slashes escaped',
      JSON.stringify({ message: `The security token ${TOKEN} is invalid` }).replaceAll('/', '\\/'),
      `{"message":"The security token ${REDACTED} is invalid"}`,
    ],
    [
      'headers as JSON inside a JSON string',
      JSON.stringify(JSON.stringify({ SecretAccessKey: SECRET, Authorization: SIGV4 })),
      `"{\\"SecretAccessKey\\":\\"${REDACTED}\\",\\"Authorization\\":\\"${REDACTED}\\"}"`,
    ],
    [
      'a header whose values are a list',
      JSON.stringify({ 'X-Amz-Security-Token': ['opaque-token-value-1234'] }),
      `{"X-Amz-Security-Token":["${REDACTED}"]}`,
    ],
    [
      'signature headers and a value on the next line',
      `x-amz-signature: ${SIG}\nsignature: ${SIG}\nSignature=\n${SIG}`,
      `x-amz-signature: ${REDACTED}\nsignature: ${REDACTED}\nSignature=\n${REDACTED}`,
    ],
    [
      'a secret key by its hyphenated name',
      `aws-secret-access-key: ${SECRET}; credential ${AKID} is not valid`,
      `aws-secret-access-key: ${REDACTED}; credential ${REDACTED} is not valid`,
    ],
    [
      'a signature and credential outside a header',
      `Credential=${AKID}/x/y, Signature=${SIG}`,
      `Credential=${REDACTED}, Signature=${REDACTED}`,
    ],
  ])('%s', (_what, text, expected) => {
    expect(redact(text)).toBe(expected);
  });

  it('removes a secret the caller knows, however it is labelled, and its base64 form', () => {
    const out = redact(`echo: ${SECRET} / ${Buffer.from(SECRET).toString('base64')}`, [SECRET]);
    expect(out).toBe(`echo: ${REDACTED} / ${REDACTED}`);
  });

  it('removes a secret the caller knows percent-encoded and JSON-escaped', () => {
    const token = 'opaque+session/token=value==';
    const out = redact(`q=${encodeURIComponent(token)} j="${token.replaceAll('/', '\\/')}"`, [token]);
    expect(out).toBe(`q=${REDACTED} j="${REDACTED}"`);
  });

  it('leaves mesh text that only looks like a name or a key id alone (a role, a justification)', () => {
    for (const text of [
      'arn:aws:iam::333333333333:role/AsiaPacificAnalytics',
      '"roleName": "AkiaSupportTeamReader"',
      'justification: Signature: countersigned by legal; credential: none, read via role',
      'signature: pending',
    ])
      expect(redact(text)).toBe(text);
  });

  it('removes a known secret decoded as a form (`+` as a space) and HTML-escaped', () => {
    const token = 'abc+def/ghi+jkl/mno==';
    const out = redact(`q=abc def/ghi jkl/mno== h=abc&#x2B;def&#x2F;ghi&#x2B;jkl&#x2F;mno==`, [token]);
    expect(out).toBe(`q=${REDACTED} h=${REDACTED}`);
  });

  it('leaves ordinary messages and identifiers alone', () => {
    const text =
      'kinesis:CreateStream in account 111111111111 failed: AccessDeniedException: User arn:aws:sts::111111111111:assumed-role/AROAEXAMPLEID/x is not authorized; test the signature of payments.orders.v1';
    expect(redact(text, ['test', 'short'])).toBe(text);
  });

  it('takes the secret values of an environment, ignoring empty ones', () => {
    expect(
      secretsOf({
        GITHUB_TOKEN: 'ghs_x',
        AWS_SECRET_ACCESS_KEY: SECRET,
        AWS_SESSION_TOKEN: '',
        AWS_ACCESS_KEY_ID: AKID,
        HOME: '/root',
      }),
    ).toEqual(['ghs_x', SECRET]);
  });
});

describe('redact: the anchor pre-check skips no secret', () => {
  // Pieces of every shape and name the patterns look for, in both cases, glued at random with filler: the
  // generated text hits the patterns' edges (boundaries, lengths, separators) far more often than prose would.
  const PIECES = [
    'ghp_',
    'gho_',
    'GHS_',
    'ghs_',
    'ghr_',
    'github_pat_',
    'AKIA',
    'ASIA',
    'ABIA',
    'ACCA',
    'akia',
    'IQoJb3JpZ2luX2Vj',
    'FwoGZXIvYXdzE',
    'AQoDYXdzE',
    'Bearer ',
    'bearer ',
    'Authorization: ',
    'authorization=',
    '"Authorization":"',
    'AWS4-HMAC-SHA256 ',
    'Signature=',
    'X-Amz-Credential=',
    'credential=',
    'x-amz-security-token: ',
    'AWS_SESSION_TOKEN=',
    'aws_secret_access_key = ',
    'secretAccessKey":"',
    'SessionToken',
    '<SessionToken>',
    '<SecretAccessKey>',
    'token ',
    'Basic ',
    'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789',
    // Exactly the 16 characters an access key id has after its prefix, and whole secrets of each shape.
    'QWERTYUIOP123456',
    'AKIAQWERTYUIOP123456',
    'ASIAQWERTYUIOP123456',
    'ABIAQWERTYUIOP123456',
    'ACCAQWERTYUIOP123456',
    'ghu_abcdefghijklmnopqrstuvwxyz0123456789',
    'github_pat_abcdefghijklmnopqrstuvwxyz_0123',
    'session_token=',
    'secret_access_key: ',
    'aws-secret-access-key: ',
    'x-amz-signature: ',
    'signature: ',
    '%3D',
    '%2F',
    '%3F',
    '\\"',
    '\\/',
    '["',
    'SECRETACCESSKEY=',
    'abcdef0123456789',
    '0123456789abcdef0123',
    'Xyz',
    ' ',
    '"',
    "'",
    '=',
    ':',
    '/',
    '+',
    '_',
    '-',
    '\n',
    ',',
  ];
  const text = fc
    .array(fc.constantFrom(...PIECES), { minLength: 1, maxLength: 40, size: 'max' })
    .map((xs) => xs.join(''));

  it('every match of every shape and name contains an anchor', () => {
    fc.assert(
      fc.property(text, (t) => {
        for (const pattern of [...SHAPES, ...NAMED])
          for (const m of t.matchAll(new RegExp(pattern.source, pattern.flags)))
            if (!ANCHORS.test(m[0])) throw new Error(`${pattern} matched ${JSON.stringify(m[0])} without an anchor`);
      }),
      { numRuns: 3000 },
    );
  });

  it('redacts exactly what the ten passes without the pre-check redact', () => {
    // The reference: every pattern applied, no pre-check (the passes redact() runs when an anchor is present).
    const everyPass = (t: string) => {
      let out = t;
      for (const p of SHAPES) out = out.replace(p, REDACTED);
      for (const p of NAMED) out = out.replace(p, `$1${REDACTED}`);
      return out;
    };
    fc.assert(
      fc.property(text, (t) => redact(t) === everyPass(t)),
      { numRuns: 3000 },
    );
    expect(redact(`x ${AKID} y`)).toBe(`x ${REDACTED} y`);
  });

  it('leaves large text without an anchor as it is (the same string)', () => {
    // A rendered governance policy names iam:GetAccountAuthorizationDetails: no anchor (no boundary before it).
    const big = `{"Effect": "Allow", "Action": ["kinesis:PutRecord", "iam:GetAccountAuthorizationDetails"]}\n`.repeat(
      10_000,
    );
    expect(ANCHORS.test(big)).toBe(false);
    expect(redact(big)).toBe(big);
    expect(redact(`${big}Bearer abcdefgh12345`)).toBe(`${big}${REDACTED}`);
  });
});

describe('redactKnown: a known secret inside a base64 dump', () => {
  /** Every 6-byte piece of `secret` found by decoding what is left of each base64 run, from each of 4 offsets. */
  const piecesLeft = (text: string, secret: string): string[] => {
    const decoded = [...text.matchAll(/[A-Za-z0-9+/]{4,}/g)].flatMap(([run]) =>
      [0, 1, 2, 3].map((skip) => Buffer.from(run.slice(skip), 'base64').toString('latin1')),
    );
    const pieces: string[] = [];
    for (let at = 0; at + 6 <= secret.length; at++) {
      const piece = secret.slice(at, at + 6);
      if (decoded.some((d) => d.includes(piece))) pieces.push(piece);
    }
    return pieces;
  };

  it('at any offset, with any bytes around it: nothing of 6 bytes or more is left to decode', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ maxLength: 40 }),
        fc.uint8Array({ maxLength: 40 }),
        fc.constantFrom(SECRET, TOKEN, `{"x-amz-security-token":"${TOKEN}"}`, 'eight+/8'),
        (before, after, secret) => {
          const dump = Buffer.concat([before, Buffer.from(secret), after]).toString('base64');
          const out = redactKnown(`trace=${dump};`, [secret]);
          expect(out).toContain(REDACTED);
          expect(piecesLeft(out, secret)).toEqual([]);
        },
      ),
      { numRuns: 500 },
    );
  });

  it('the rest of the dump is kept: a reader still decodes the headers around it', () => {
    const headers = JSON.stringify({
      'x-amz-date': '20261202T120000Z',
      'x-amz-security-token': TOKEN,
      host: 'kinesis',
    });
    const out = redactKnown(Buffer.from(headers).toString('base64'), [TOKEN]);
    const [head = '', tail = ''] = out.split(REDACTED);
    expect(Buffer.from(head, 'base64').toString('latin1')).toContain('"x-amz-date":"20261202T120000Z"');
    expect(tail.length).toBeGreaterThan(8);
    expect(out.split(REDACTED)).toHaveLength(2);
  });

  it('text that only looks like base64 is unchanged when it holds no secret', () => {
    const digest = 'sha256:3fd46d80ed1dda8dc1dfd2fe2c9aaaa08e35c7b9c34fb8c62bfcc98d0b24e93c';
    const other = Buffer.from('{"x-amz-date":"20261202T120000Z","host":"kinesis"}').toString('base64');
    for (const text of [digest, other, 'arn:aws:kinesis:eu-west-1:111111111111:stream/orders/consumer/analytics'])
      expect(redactKnown(text, [SECRET, TOKEN])).toBe(text);
  });
});

describe('redact: a huge echo', () => {
  // V8 keeps a backtrack entry per repetition of a group: an unbounded one overflowed the stack around 8 M characters.
  it('10 MB after a token’s shape or a secret’s name: redacted, no stack overflow', () => {
    for (const [head, body] of [
      ['x IQoJb3JpZ2luX2Vj', 'A'.repeat(10_000_000)],
      ['x IQoJb3JpZ2luX2Vj', '\\/'.repeat(5_000_000)],
      ['x-amz-security-token: ', 'A'.repeat(10_000_000)],
      ['"SessionToken":"', `${'\\/'.repeat(5_000_000)}"`],
    ] as const) {
      const out = redact(`${head}${body}`);
      expect(out.slice(0, head.length + 20)).toContain(REDACTED);
    }
  });
});
