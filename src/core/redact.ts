/**
 * The one redaction of secrets from text meshgov writes anywhere: stdout, stderr, the apply log, a saved plan, a
 * GitHub comment, issue or job summary. An endpoint (or a proxy in front of it) may echo the request's headers in
 * its error text, so AWS SigV4 credentials, signatures and session tokens are removed by shape and by name; GitHub
 * tokens by shape; and any secret the caller knows (a token, the environment's AWS secret key) exactly.
 */

/** What a redacted secret is replaced with. */
export const REDACTED = '***';

/**
 * Where a shape or name may start: not inside a word, or right after a percent-escape. An echoed URL or query string
 * is often percent-encoded (`X-Amz-Credential%3DASIA...`), and there the character before the secret is the hex
 * digit of `%3D`.
 */
const AFTER_WORD = String.raw`(?:(?<![A-Za-z0-9])|(?<=%[0-9A-Fa-f]{2}))`;
const AT_WORD = String.raw`(?:\b|(?<=%[0-9A-Fa-f]{2}))`;
/** `=` or `:` between a name and its value, plain or percent-encoded, with the spaces or line break around it. */
const SEPARATOR = String.raw`\s*(?:[:=]|%3D)\s*`;
/** An optional quote around a name or value, also JSON-escaped (`\"`) when the echo is a string inside JSON. */
const QUOTE = String.raw`(?:\\?["'])?`;

/** Secrets found by shape, replaced whole. */
export const SHAPES: readonly RegExp[] = [
  // GitHub classic PATs and OAuth/app/server/refresh tokens, and fine-grained PATs.
  new RegExp(`${AFTER_WORD}gh[pousr]_[A-Za-z0-9]{20,255}(?![A-Za-z0-9])`, 'g'),
  new RegExp(`${AFTER_WORD}github_pat_[A-Za-z0-9_]{20,255}`, 'g'),
  // AWS access key ids: long-term (AKIA), temporary (ASIA), and the other credential-bearing prefixes. Upper case
  // only: in any case, every 20-letter word starting "Asia" (a role `AsiaPacificAnalytics`) would go too.
  // https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_identifiers.html#identifiers-unique-ids
  new RegExp(`${AFTER_WORD}(?:AKIA|ASIA|ABIA|ACCA)[A-Z0-9]{16}(?![A-Za-z0-9])`, 'g'),
  // STS session tokens start with these base64 prefixes (the token's serialised header), long enough to need no
  // boundary before them; the token runs on through base64, percent-escapes and JSON's escaped `\/`.
  // At most 8 KiB of it (real tokens are a few KiB): V8 keeps a backtrack entry per repetition of a group, and an
  // unbounded one overflowed the stack on a 10 MB echo.
  /(?:IQoJb3JpZ2luX2Vj|FwoGZXIvYXdzE|AQoDYXdzE)(?:[A-Za-z0-9+/=%]|\\\/){0,8192}/g,
  // Bearer credentials in any header or message.
  /\bBearer\s+[A-Za-z0-9._~+/=-]{8,}/g,
];

/** Secrets found by the name before them: the value after `name: `, `name=` or `"name":"` is replaced. */
export const NAMED: readonly RegExp[] = [
  // The `Authorization` header's value: SigV4 (up to the end of its signature) or a one-word credential.
  new RegExp(
    String.raw`(\bauthorization${QUOTE}\s*[:=]\s*${QUOTE})(?:AWS4-HMAC-SHA256\s[^"'\r\n]{0,4096}?Signature=[0-9a-fA-F]+|(?:AWS|Basic|Bearer|token)\s+(?!\*\*\*)[^\s"',;)\\]+)`,
    'gi',
  ),
  // SigV4 parts in presigned query strings (`X-Amz-Credential=...`), also percent-encoded: after `=` only, since
  // "Signature: countersigned by legal" is prose.
  new RegExp(String.raw`(${AT_WORD}(?:X-Amz-)?(?:Credential|Signature)\s*(?:=|%3D)\s*)[^\s,"'&;<\\]+`, 'gi'),
  // A signature header (`x-amz-signature: <hex>`): a colon, then hex as long as a signature's.
  new RegExp(String.raw`(${AT_WORD}(?:X-Amz-)?Signature\s*:\s*)[0-9a-fA-F]{16,}(?![0-9A-Za-z])`, 'gi'),
  // Session tokens and secret keys by any of their names (headers, env files, SDK fields, JSON, even JSON inside a
  // JSON string, and a header's values as a list); at most 8 KiB of the value, as for the token's shape above.
  new RegExp(
    String.raw`(${AT_WORD}(?:x-amz-security-token|aws[-_]session[-_]token|aws[-_]secret[-_]access[-_]key|secret[-_]?access[-_]?key|session[-_]?token)${QUOTE}${SEPARATOR}(?:\[\s*)?${QUOTE})(?:[^\s"',&;<\\\]]|\\\/){1,8192}`,
    'gi',
  ),
  // The same in XML (an STS response or error echoed back).
  /(<(?:SessionToken|SecretAccessKey)>)[^<]*/gi,
];

/**
 * Text every match of SHAPES and NAMED contains (case-insensitively, after the same boundary the pattern needs, so
 * `iam:GetAccountAuthorizationDetails` in a rendered policy is no anchor): text without any of it has nothing to
 * redact by shape or name, so the ten passes are skipped. One pass of this instead of ten matters for large output
 * (`render --format json` of a big mesh prints ~90 MB). Keep it a superset: a pattern added above needs its
 * anchor here (test/redact.test.ts checks each pattern's matches against it).
 */
const ANCHOR_SHAPES = 'gh[pousr]_|github_pat_|A[KSBC][IC]A';
const ANCHOR_NAMES =
  'bearer|authorization|credential|signature|x-amz-security-token|aws[-_]session[-_]token|aws[-_]secret[-_]access[-_]key|secret[-_]?access[-_]?key|session[-_]?token';
// The percent-escape case as its own branch, not a lookbehind alternation: V8 scans 90 MB ~15x slower with the latter.
export const ANCHORS = new RegExp(
  String.raw`(?<![A-Za-z0-9])(?:${ANCHOR_SHAPES})|IQoJb3JpZ2luX2Vj|FwoGZXIvYXdzE|AQoDYXdzE|\b(?:${ANCHOR_NAMES})|%[0-9A-Fa-f]{2}(?:${ANCHOR_SHAPES}|${ANCHOR_NAMES})`,
  'i',
);

/** Shortest value redacted by exact match: shorter ones (`test` in a LocalStack setup) would blank common words. */
const MIN_EXACT = 8;

/**
 * Only the exact secrets given, in each of their forms: for files meshgov reads back (a saved plan), where a pattern
 * could change text that is not a secret and with it the plan's digest.
 */
export function redactKnown(text: string, secrets: readonly (string | undefined)[]): string {
  let out = text;
  for (const secret of secrets) {
    if (secret === undefined || secret.length < MIN_EXACT) continue;
    for (const form of formsOf(secret)) {
      if (out.includes(form)) out = out.split(form).join(REDACTED);
    }
  }
  return out;
}

/** Each secret's forms, made once: stdout and stderr redact every write with the same few secrets. */
const FORMS = new Map<string, readonly string[]>();
const MAX_FORMS_KEPT = 1024;

function formsOf(secret: string): readonly string[] {
  let forms = FORMS.get(secret);
  if (forms !== undefined) return forms;
  forms = [
    secret,
    Buffer.from(secret).toString('base64'),
    Buffer.from(`x-access-token:${secret}`).toString('base64'),
    ...embeddedBase64(secret),
    // As an echoed URL or query string carries it (also decoded as a form, `+` read as a space), as a JSON
    // string that escapes `/`, and as HTML escapes it.
    encodeURIComponent(secret),
    secret.replaceAll('+', ' '),
    secret.replaceAll('/', '\\/'),
    secret.replaceAll('/', '&#x2F;').replaceAll('+', '&#x2B;'),
  ].filter((form, i, all) => all.indexOf(form) === i);
  if (FORMS.size >= MAX_FORMS_KEPT) FORMS.clear();
  FORMS.set(secret, forms);
  return forms;
}

/**
 * The base64 characters of `secret` wherever it sits inside a longer encoded text (a base64 dump of the request's
 * headers): base64 turns 3 bytes into 4 characters, so the secret starts at one of three offsets in a group, and the
 * characters that also carry a neighbour's bits differ with the neighbour. For each offset, only the characters made
 * of the secret's bits alone.
 */
function embeddedBase64(secret: string): string[] {
  const bytes = Buffer.from(secret);
  const forms: string[] = [];
  for (const offset of [0, 1, 2]) {
    const encoded = Buffer.concat([Buffer.alloc(offset), bytes]).toString('base64');
    const length = offset + bytes.length;
    // A first group shared with 1 (2) earlier bytes: its first 2 (3) characters carry their bits.
    const start = [0, 2, 3][offset] ?? 0;
    // A last group with 1 (2) of the secret's bytes: only its first 1 (2) characters are the secret's alone.
    const end = Math.floor(length / 3) * 4 + (length % 3);
    const form = encoded.slice(start, end);
    if (form.length >= MIN_EXACT) forms.push(form);
  }
  return forms;
}

/**
 * Remove secrets from text: every exact occurrence of each given secret (and its base64 forms, which is how a token
 * appears in a Basic auth header, its percent-encoded and its JSON-escaped form), then anything shaped or named like
 * a GitHub token or an AWS credential, also inside a base64 dump of the headers for the secrets given.
 */
export function redact(text: string, secrets: readonly (string | undefined)[] = []): string {
  let out = redactKnown(text, secrets);
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
