/**
 * The one redaction of secrets from text meshgov writes anywhere: stdout, stderr, the apply log, a saved plan, a
 * GitHub comment, issue or job summary. An endpoint (or a proxy in front of it) may echo the request's headers in
 * its error text, so AWS SigV4 credentials, signatures and session tokens are removed by shape and by name; GitHub
 * tokens by shape; and any secret the caller knows (a token, the environment's AWS secret key) exactly.
 */

/** What a redacted secret is replaced with. */
export const REDACTED = '***';

/** Secrets found by shape, replaced whole. */
export const SHAPES: readonly RegExp[] = [
  // GitHub classic PATs and OAuth/app/server/refresh tokens, and fine-grained PATs.
  /(?<![A-Za-z0-9])gh[pousr]_[A-Za-z0-9]{20,255}(?![A-Za-z0-9])/g,
  /(?<![A-Za-z0-9])github_pat_[A-Za-z0-9_]{20,255}/g,
  // AWS access key ids: long-term (AKIA), temporary (ASIA), and the other credential-bearing prefixes.
  // https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_identifiers.html#identifiers-unique-ids
  /(?<![A-Za-z0-9])(?:AKIA|ASIA|ABIA|ACCA)[A-Z0-9]{16}(?![A-Za-z0-9])/g,
  // STS session tokens start with these base64 prefixes (the token's serialised header).
  /\b(?:IQoJb3JpZ2luX2Vj|FwoGZXIvYXdzE|AQoDYXdzE)[A-Za-z0-9+/=%]*/g,
  // Bearer credentials in any header or message.
  /\bBearer\s+[A-Za-z0-9._~+/=-]{8,}/g,
];

/** Secrets found by the name before them: the value after `name: `, `name=` or `"name":"` is replaced. */
export const NAMED: readonly RegExp[] = [
  // The `Authorization` header's value: SigV4 (up to the end of its signature) or a one-word credential.
  /(\bauthorization["']?\s*[:=]\s*["']?)(?:AWS4-HMAC-SHA256\s[^"'\r\n]*?Signature=[0-9a-fA-F]+|(?:AWS|Basic|Bearer|token)\s+(?!\*\*\*)[^\s"',;)]+)/gi,
  // SigV4 parts in headers and in presigned query strings (`X-Amz-Credential=...`, `X-Amz-Signature=...`).
  /(\b(?:X-Amz-)?(?:Credential|Signature)=)[^\s,"'&;<]+/gi,
  // Session tokens and secret keys by any of their names (headers, env files, SDK fields, JSON).
  /(\b(?:x-amz-security-token|aws_session_token|aws_secret_access_key|secret_?access_?key|session_?token)["']?\s*[:=]\s*["']?)[^\s"',&;<]+/gi,
  // The same in XML (an STS response or error echoed back).
  /(<(?:SessionToken|SecretAccessKey)>)[^<]*/gi,
];

/**
 * Text every match of SHAPES and NAMED contains (case-insensitively, after the same boundary the pattern needs, so
 * `iam:GetAccountAuthorizationDetails` in a rendered policy is no anchor): text without any of it has nothing to
 * redact by shape or name, so the nine passes are skipped. One pass of this instead of nine matters for large output
 * (`render --format json` of a big mesh prints ~90 MB). Keep it a superset: a pattern added above needs its
 * anchor here (test/redact.test.ts checks each pattern's matches against it).
 */
export const ANCHORS =
  /(?<![A-Za-z0-9])(?:gh[pousr]_|github_pat_|A[KSBC][IC]A)|\b(?:IQoJb3JpZ2luX2Vj|FwoGZXIvYXdzE|AQoDYXdzE|bearer|authorization|credential=|signature=|x-amz-security-token|aws_session_token|aws_secret_access_key|secret_?access_?key|session_?token)/i;

/** Shortest value redacted by exact match: shorter ones (`test` in a LocalStack setup) would blank common words. */
const MIN_EXACT = 8;

/**
 * Remove secrets from text: every exact occurrence of each given secret (and its base64 forms, which is how a token
 * appears in a Basic auth header), then anything shaped or named like a GitHub token or an AWS credential.
 */
export function redact(text: string, secrets: readonly (string | undefined)[] = []): string {
  let out = text;
  for (const secret of secrets) {
    if (secret === undefined || secret.length < MIN_EXACT) continue;
    for (const form of [
      secret,
      Buffer.from(secret).toString('base64'),
      Buffer.from(`x-access-token:${secret}`).toString('base64'),
    ]) {
      if (out.includes(form)) out = out.split(form).join(REDACTED);
    }
  }
  if (!ANCHORS.test(out)) return out;
  for (const pattern of SHAPES) out = out.replace(pattern, REDACTED);
  for (const pattern of NAMED) out = out.replace(pattern, `$1${REDACTED}`);
  return out;
}

/** Environment variables whose values are secrets meshgov may see echoed back. */
const SECRET_ENV = [
  'GITHUB_TOKEN',
  'GH_TOKEN',
  'AWS_SECRET_ACCESS_KEY',
  'AWS_SESSION_TOKEN',
  'AWS_SECURITY_TOKEN',
] as const;

/** The secret values of an environment, for {@link redact}. */
export function secretsOf(env: Readonly<Record<string, string | undefined>>): string[] {
  return SECRET_ENV.map((k) => env[k]).filter((v): v is string => v !== undefined && v !== '');
}
