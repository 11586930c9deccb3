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

/** The request headers whose values are credentials: SigV4's as the SDK signs them, and SSO's bearer token. */
const CREDENTIAL_HEADERS = ['authorization', 'x-amz-security-token', 'x-amz-sso_bearer_token'];

/** How deep into an error's fields (`Error`, nested plain objects) the cleaning goes. */
const MAX_FIELD_DEPTH = 4;

/**
 * Remove the credentials a request was sent with from the error it got back, in every form redactKnown knows: an
 * endpoint may echo the signed request re-encoded (a base64 dump of its headers), which no pattern finds, and only
 * here are the exact values known (the governance role's session is never in the environment). The string fields of
 * the error, and of the errors and plain objects it holds (the query protocol's nested `Error`), are cleaned before
 * the SDK's retry layer or meshgov reads any of them. Never throws: the error it was given must reach the caller.
 */
export function redactSentCredentials(e: unknown, request: unknown): void {
  try {
    if (typeof e !== 'object' || e === null) return;
    const headers = (request as { headers?: unknown } | undefined)?.headers;
    if (typeof headers !== 'object' || headers === null) return;
    const sent: string[] = [];
    for (const [name, value] of Object.entries(headers)) {
      if (typeof value !== 'string' || !CREDENTIAL_HEADERS.includes(name.toLowerCase())) continue;
      sent.push(value);
      // The key id and the signature on their own too, as an echo may quote them apart from the header.
      for (const part of [/Credential=([^/,\s]+)/, /Signature=([0-9a-fA-F]+)/]) {
        const found = part.exec(value)?.[1];
        if (found !== undefined) sent.push(found);
      }
    }
    if (sent.length > 0) cleanFields(e, sent, MAX_FIELD_DEPTH, new WeakSet());
  } catch {
    // A field that cannot be read or written is left as it is.
  }
}

function cleanFields(target: object, sent: readonly string[], depth: number, seen: WeakSet<object>): void {
  if (seen.has(target)) return;
  seen.add(target);
  for (const key of Object.getOwnPropertyNames(target)) {
    const field = Object.getOwnPropertyDescriptor(target, key);
    // Accessors are not called: a getter could do anything.
    if (field === undefined || !('value' in field)) continue;
    const value: unknown = field.value;
    if (typeof value === 'string') {
      const clean = redactKnown(value, sent);
      if (clean === value) continue;
      // The SDK attaches some fields read-only (`$responseBodyText`): redefined when it allows, else left.
      if (field.writable === true) (target as Record<string, unknown>)[key] = clean;
      else if (field.configurable === true) Object.defineProperty(target, key, { ...field, value: clean });
    } else if (depth > 1 && typeof value === 'object' && value !== null && isPlainOrError(value)) {
      cleanFields(value, sent, depth - 1, seen);
    }
  }
}

/** Plain objects and errors only: never a response stream, a socket or anything else with its own behaviour. */
function isPlainOrError(value: object): boolean {
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null || value instanceof Error;
}

/**
 * A client plugin that cleans every error the client gets back of the credentials its request was sent with
 * ({@link redactSentCredentials}): in the deserialize step, around the deserializer, where the request is the signed
 * one and the error the parsed one. Also given to the SDK's own credential clients (see
 * {@link guardedCredentialDefaultProvider}).
 */
export const echoedCredentialsPlugin = {
  applyToStack(stack: unknown): void {
    // The middleware stack types differ per client; the handler signature is the same for all of them.
    (stack as { add(mw: unknown, opts: unknown): void }).add(
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
  },
};

/** {@link echoedCredentialsPlugin} on a client meshgov made. */
export function guardEchoedCredentials(client: { middlewareStack: unknown }): void {
  echoedCredentialsPlugin.applyToStack(client.middlewareStack);
}
