/** Adapter failures: typed, carrying the cause and where it happened (account, service, operation). */
import { redact, redactKnown } from '../../core/redact.js';

export class AdapterError extends Error {
  override name = 'AdapterError';
  constructor(
    message: string,
    readonly service: string,
    readonly operation: string,
    readonly account: string | undefined,
    override readonly cause: unknown,
    /** AWS error name (e.g. `AccessDeniedException`), when the service returned one. */
    readonly code?: string,
  ) {
    // An endpoint may echo the signed request (Authorization, x-amz-security-token) in its error text.
    super(redact(message));
  }
}

interface SdkErrorLike {
  name?: string;
  message?: string;
  $metadata?: { httpStatusCode?: number };
}

/** The AWS error name of an SDK error, if any. */
export function errorCode(e: unknown): string | undefined {
  return typeof e === 'object' && e !== null && typeof (e as SdkErrorLike).name === 'string'
    ? (e as SdkErrorLike).name
    : undefined;
}

export function isNotFound(e: unknown): boolean {
  const c = errorCode(e);
  return c === 'ResourceNotFoundException' || c === 'NoSuchEntityException' || c === 'NoSuchEntity';
}

/** The HTTP status of an SDK error's response, when it has one. */
export function httpStatus(e: unknown): number | undefined {
  return typeof e === 'object' && e !== null ? (e as SdkErrorLike).$metadata?.httpStatusCode : undefined;
}

export function isAccessDenied(e: unknown): boolean {
  const c = errorCode(e) ?? '';
  return (
    c === 'AccessDeniedException' ||
    c === 'AccessDenied' ||
    c === 'UnauthorizedOperation' ||
    c === 'AWSOrganizationsNotInUseException'
  );
}

/** A response the SDK could not parse (kinesis-local's first responses sometimes are): safe to retry a read. */
export function isDeserializationError(e: unknown): boolean {
  const m = typeof e === 'object' && e !== null ? String((e as SdkErrorLike).message ?? '') : '';
  return (m.includes('Deserialization error') || m.includes('Protocol error')) && !isForeignAnswer(e);
}

/**
 * An HTTP 4xx (not 429) answer the SDK could not parse: not the AWS API answering (an HTML 404 page of a proxy or a
 * wrong `--endpoint`). Retrying cannot help, so it fails at once with a hint instead of ~40 retries.
 */
export function isForeignAnswer(e: unknown): boolean {
  if (typeof e !== 'object' || e === null) return false;
  const m = String((e as SdkErrorLike).message ?? '');
  const status = httpStatus(e);
  return (
    (m.includes('Deserialization error') || m.includes('Protocol error')) &&
    status !== undefined &&
    status >= 400 &&
    status < 500 &&
    status !== 429
  );
}

/** The hint for a foreign answer, or empty. */
export function foreignAnswerHint(e: unknown): string {
  if (!isForeignAnswer(e)) return '';
  const status = httpStatus(e);
  return ` (the endpoint answered HTTP ${status} with a body that is not the AWS API's: check --endpoint / AWS_ENDPOINT_URL*; not retried)`;
}

/** Wrap any error from an SDK call into an AdapterError with a one-line message for the user. */
export function toAdapterError(
  e: unknown,
  service: string,
  operation: string,
  account: string | undefined,
): AdapterError {
  if (e instanceof AdapterError) return e;
  const code = errorCode(e);
  const msg = typeof e === 'object' && e !== null ? String((e as SdkErrorLike).message ?? e) : String(e);
  const where = account ? ` in account ${account}` : '';
  const hint = isAccessDenied(e)
    ? ' (the governance role lacks this permission; see docs/api-calls.md for the actions meshgov needs)'
    : foreignAnswerHint(e);
  return new AdapterError(
    `${service}:${operation}${where} failed: ${code && code !== 'Error' ? `${code}: ` : ''}${msg.split('\n')[0]}${hint}`,
    service,
    operation,
    account,
    e,
    code,
  );
}

/** The request headers whose values are credentials (SigV4's, as the SDK signs them), and the key id inside one. */
const CREDENTIAL_HEADERS = ['authorization', 'x-amz-security-token'];

/**
 * Remove the credentials a request was sent with from the error it got back, in every form redactKnown knows: an
 * endpoint may echo the signed request re-encoded (a base64 dump of its headers), which no pattern finds, and only
 * here are the exact values known (the governance role's session is never in the environment). Every string field
 * of the error is cleaned, before the SDK's retry layer or meshgov reads any of them.
 */
export function redactSentCredentials(e: unknown, request: unknown): void {
  if (typeof e !== 'object' || e === null) return;
  const headers = (request as { headers?: unknown } | undefined)?.headers;
  if (typeof headers !== 'object' || headers === null) return;
  const sent: string[] = [];
  for (const [name, value] of Object.entries(headers)) {
    if (typeof value !== 'string' || !CREDENTIAL_HEADERS.includes(name.toLowerCase())) continue;
    sent.push(value);
    const keyId = /Credential=([^/,\s]+)/.exec(value)?.[1];
    if (keyId !== undefined) sent.push(keyId);
  }
  if (sent.length === 0) return;
  const fields = e as Record<string, unknown>;
  for (const key of Object.getOwnPropertyNames(e)) {
    const value = fields[key];
    if (typeof value === 'string') {
      const clean = redactKnown(value, sent);
      if (clean !== value) fields[key] = clean;
    }
  }
}

/**
 * Clean every error a client gets back of the credentials its request was sent with ({@link redactSentCredentials}):
 * in the deserialize step, around the deserializer, where the request is the signed one and the error the parsed one.
 */
export function guardEchoedCredentials(client: { middlewareStack: unknown }): void {
  // The middleware stack types differ per client; the handler signature is the same for all of them.
  const stack = client.middlewareStack as { add(mw: unknown, opts: unknown): void };
  stack.add(
    (next: (args: unknown) => Promise<unknown>) => async (args: unknown) => {
      try {
        return await next(args);
      } catch (e) {
        redactSentCredentials(e, (args as { request?: unknown }).request);
        throw e;
      }
    },
    { step: 'deserialize', priority: 'high', name: 'meshgovEchoedCredentials', override: true },
  );
}
