/**
 * The one retry layer: the AWS SDK v3's standard retry strategy (its backoff, its retry quota, its error classes)
 * with meshgov's classification of Kinesis and IAM answers on top. Reads use it inside the SDK (the pool configures
 * every client with `retryStrategy`); apply's mutating calls run it in `withRetry`, one SDK attempt at a time, so
 * the audit log gets each attempt's intent before the request and its outcome after it.
 * https://docs.aws.amazon.com/sdkref/latest/guide/feature-retry-behavior.html
 *
 * Standard, not adaptive, mode: adaptive adds a client-side rate limiter per client that slows every API of the
 * account after one throttled answer; meshgov has its own limiter per (account, API) (rate-limit.ts).
 */
import { randomUUID } from 'node:crypto';
import { isServerError, isThrottlingError, isTransientError, StandardRetryStrategy } from '@smithy/core/retry';
import type {
  RetryErrorInfo,
  RetryErrorType,
  RetryStrategyV2,
  SdkError,
  StandardRetryBackoffStrategy,
  StandardRetryToken,
} from '@smithy/types';
import type { AuditEntry } from '../../core/apply/types.js';
import { redact } from '../../core/redact.js';
import { errorCode, foreignAnswerHint, isDeserializationError, isForeignAnswer, isNotFound } from './errors.js';

export type FailureKind =
  /** Throttled (or a limit that clears by itself): retry with backoff. */
  | 'throttle'
  /** 5xx, dropped connection, timeout, unparsable error response: retry with backoff (the call may have happened). */
  | 'transient'
  /** ResourceInUseException: the resource is busy (or already exists): wait and re-check. */
  | 'in-use'
  /** A quota that retrying cannot fix (shard limit, on-demand stream count, consumers per stream). */
  | 'hard-quota'
  | 'not-found'
  /** Anything else: report. */
  | 'fatal';

interface ErrLike {
  name?: string;
  message?: string;
  $metadata?: { httpStatusCode?: number };
  $response?: { statusCode?: number };
}

/**
 * Kinesis answers LimitExceededException (HTTP 400, no retryable trait) both for its API rates and for quotas that
 * only a quota increase lifts (https://docs.aws.amazon.com/kinesis/latest/APIReference/CommonErrors.html,
 * https://docs.aws.amazon.com/streams/latest/dev/service-sizes-and-limits.html); the SDK retries both as
 * throttling. The message is the only thing that tells them apart, so this is the one place meshgov reads it: a
 * message naming a quota is not retried; "Rate exceeded" and the limit on streams in CREATING or DELETING
 * ("... can simultaneously be in CREATING or DELETING ...", kinesis-local: "... created concurrently exceeded",
 * https://github.com/hashicorp/terraform-provider-aws/pull/1339), which clears once one of them is ACTIVE, are.
 */
const QUOTA_MESSAGE = new RegExp(
  [
    'shard limit',
    'shards? (?:quota|limit)',
    'stream count',
    'streams? limit',
    'number of (?:streams|consumers|shards)',
    'maximum number',
    'consumers? (?:limit|per stream)',
    'on-demand',
    'account limit',
    'exceed(?:s|ed)? the (?:limit|quota) of \\d+',
  ].join('|'),
  'i',
);
const CLEARS_BY_ITSELF = /rate exceeded|simultaneously|concurrently|CREATING or DELETING/i;

function limitExceededKind(message: string): FailureKind {
  return QUOTA_MESSAGE.test(message) && !CLEARS_BY_ITSELF.test(message) ? 'hard-quota' : 'throttle';
}

/** An answer with HTTP 200 that could not be parsed (kinesis-local sometimes answers with an empty body). */
export function isUnparsableSuccess(e: unknown): boolean {
  const x = e as ErrLike;
  const m = String(x?.message ?? '');
  return (m.includes('Deserialization error') || m.includes('Protocol error')) && x?.$response?.statusCode === 200;
}

/** What an error means for meshgov, from the SDK's typed exception name, `$metadata`, `$retryable` and error code. */
export function classify(e: unknown): FailureKind {
  const x = (e ?? {}) as ErrLike;
  const sdk = (e ?? {}) as SdkError;
  const name = errorCode(e) ?? '';
  if (name === 'LimitExceededException') return limitExceededKind(String(x.message ?? ''));
  if (isThrottlingError(sdk)) return 'throttle';
  if (name === 'ResourceInUseException') return 'in-use';
  if (isNotFound(e)) return 'not-found';
  if (isForeignAnswer(e)) return 'fatal';
  // Every 5xx: the SDK's transient class names 500, 502, 503 and 504 only; a 501 or 505 from a proxy is as passing.
  const status = x.$metadata?.httpStatusCode ?? x.$response?.statusCode;
  if (isTransientError(sdk) || isServerError(sdk) || (status !== undefined && status >= 500)) return 'transient';
  if (isDeserializationError(e)) return 'transient';
  return 'fatal';
}

/**
 * Errors of mutating calls, marked by the pool per attempt: an unparsable HTTP 200 answer to a write may mean it was
 * applied, so it is never retried blindly (apply re-reads the state instead).
 */
const writeErrors = new WeakSet<object>();

export function markWriteError(e: unknown): void {
  if (typeof e === 'object' && e !== null) writeErrors.add(e);
}

/**
 * The retry policy, as the SDK's error type: throttling and limits that clear by themselves back off from the SDK's
 * throttling delay, transient failures from its base delay; everything else (busy, absent, hard quota, refused,
 * a foreign answer, an unparsable answer to a write) is not retried here but handed back to the caller, which knows
 * what the domain needs (apply waits for ACTIVE after ResourceInUse and converges).
 */
export function retryErrorType(e: unknown): RetryErrorType {
  // HTTP 200 that could not be parsed: a read is asked again (kinesis-local sometimes sends an empty body), a write
  // may have been applied. The SDK calls both a client error.
  if (isUnparsableSuccess(e)) {
    return typeof e === 'object' && e !== null && writeErrors.has(e) ? 'CLIENT_ERROR' : 'TRANSIENT';
  }
  const kind = classify(e);
  if (kind === 'throttle') return 'THROTTLING';
  return kind === 'transient' ? 'TRANSIENT' : 'CLIENT_ERROR';
}

/** How often and how fast to retry: the SDK's backoff (full jitter from 50 ms, 1 s for throttling, 20 s cap) by default. */
export interface RetryPolicy {
  /** Attempts in all (first try included). */
  maxAttempts: number;
  /** Replaces the SDK's backoff (tests). */
  backoff?: StandardRetryBackoffStrategy;
}

/** Attempts meshgov makes per call: reads, and apply's mutating calls (each attempt logged). */
export const READ_RETRY: RetryPolicy = { maxAttempts: 6 };
export const WRITE_RETRY: RetryPolicy = { maxAttempts: 8 };

/** The SDK's standard strategy, deciding with `retryErrorType` instead of the SDK's own classification. */
export class MeshgovRetryStrategy implements RetryStrategyV2 {
  readonly mode = 'standard';
  private readonly sdk: StandardRetryStrategy;

  constructor(readonly policy: RetryPolicy) {
    const backoff = policy.backoff ? { backoff: policy.backoff } : {};
    this.sdk = new StandardRetryStrategy({ maxAttempts: policy.maxAttempts, ...backoff });
  }

  acquireInitialRetryToken(scope: string): Promise<StandardRetryToken> {
    return this.sdk.acquireInitialRetryToken(scope);
  }

  /** Waits the backoff and returns the next token; throws when the error is not retried (or no attempt is left). */
  refreshRetryTokenForRetry(token: StandardRetryToken, info: RetryErrorInfo): Promise<StandardRetryToken> {
    return this.sdk.refreshRetryTokenForRetry(token, { ...info, errorType: retryErrorType(info.error) });
  }

  recordSuccess(token: StandardRetryToken): void {
    this.sdk.recordSuccess(token);
  }
}

export type AttemptResult<T> =
  | { ok: true; value: T | undefined; attempt: number; requestId?: string; unparsable?: boolean }
  | { ok: false; kind: FailureKind; error: unknown; attempt: number };

/** An attempt starting (before the request is sent) or ending; both carry the attempt's id. */
export type AttemptEvent =
  | { result: 'started'; id: string }
  | { result: 'ok' | 'error'; id: string; requestId?: string; error?: string; note?: string };

export interface AttemptLog {
  (attempt: number, event: AttemptEvent): void;
}

/** The audit line of an attempt event, for the call it belongs to. */
export function auditLine(
  call: { time: string; account: string; api: string; resource: string; change?: string },
  attempt: number,
  ev: AttemptEvent,
): AuditEntry {
  const base = {
    time: call.time,
    account: call.account,
    api: call.api,
    resource: call.resource,
    attempt,
    ...(call.change !== undefined ? { change: call.change } : {}),
  };
  if (ev.result === 'started') return { ...base, result: 'started', id: ev.id };
  return {
    ...base,
    result: ev.result,
    id: ev.id,
    ...(ev.requestId ? { requestId: ev.requestId } : {}),
    ...(ev.error ? { error: ev.error } : {}),
    ...(ev.note ? { note: ev.note } : {}),
  };
}

function requestIdOf(v: unknown): string | undefined {
  return (v as { $metadata?: { requestId?: string } } | undefined)?.$metadata?.requestId;
}

/** One line for an error, credentials redacted (an endpoint may echo the signed request in its error text). */
export function describeError(e: unknown): string {
  const code = errorCode(e);
  const msg = `${String((e as ErrLike)?.message ?? e).split('\n')[0] ?? ''}${foreignAnswerHint(e)}`;
  return redact(code && code !== 'Error' ? `${code}: ${msg}` : msg);
}

/**
 * One mutating call, each attempt sent by a client that makes one attempt (apply's write pool) and retried as the
 * SDK's strategy decides. Every attempt gets its intent logged before the request (a run killed while it is in
 * flight leaves the intent without an outcome) and its outcome after (same id). A 200 answer that could not be
 * parsed counts as success (`unparsable`): callers re-read the state.
 */
export async function withRetry<T>(
  fn: () => Promise<T>,
  log: AttemptLog,
  strategy: RetryStrategyV2,
): Promise<AttemptResult<T>> {
  let token = await strategy.acquireInitialRetryToken('meshgov-write');
  for (let attempt = 1; ; attempt++) {
    const id = randomUUID();
    log(attempt, { result: 'started', id });
    try {
      const value = await fn();
      strategy.recordSuccess(token);
      const requestId = requestIdOf(value);
      log(attempt, { result: 'ok', id, ...(requestId ? { requestId } : {}) });
      return { ok: true, value, attempt, ...(requestId ? { requestId } : {}) };
    } catch (e) {
      const requestId = requestIdOf(e);
      if (isUnparsableSuccess(e)) {
        const note = 'HTTP 200 with an unparsable body (treated as success; state is re-read)';
        log(attempt, { result: 'ok', id, ...(requestId ? { requestId } : {}), note });
        return { ok: true, value: undefined, attempt, unparsable: true };
      }
      log(attempt, { result: 'error', id, ...(requestId ? { requestId } : {}), error: describeError(e) });
      markWriteError(e);
      try {
        token = await strategy.refreshRetryTokenForRetry(token, { error: e as SdkError, errorType: retryErrorType(e) });
      } catch {
        return { ok: false, kind: classify(e), error: e, attempt };
      }
    }
  }
}
