/**
 * Retries for mutating calls (the pool's SDK clients for apply run with one attempt, so every attempt is seen and
 * logged here). Exponential backoff with full jitter
 * (https://aws.amazon.com/blogs/architecture/exponential-backoff-and-jitter/) for throttling, 5xx and network
 * errors; ResourceInUseException is handed back to the caller (it waits for ACTIVE and re-reads before trying
 * again); a LimitExceededException that names a hard quota is not retried.
 */
import { randomUUID } from 'node:crypto';
import type { AuditEntry } from '../../core/apply/types.js';
import { redact } from '../../core/redact.js';
import { errorCode, foreignAnswerHint, isForeignAnswer } from './errors.js';

export type FailureKind =
  /** Throttled: retry with backoff. */
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
  code?: string;
  $metadata?: { httpStatusCode?: number };
  $response?: { statusCode?: number };
}

const THROTTLE = new Set(['ThrottlingException', 'Throttling', 'ProvisionedThroughputExceededException', 'TooManyRequestsException', 'RequestLimitExceeded', 'KMSThrottlingException']);
const NETWORK = /ECONNRESET|ECONNREFUSED|EPIPE|ETIMEDOUT|EAI_AGAIN|socket hang up|network|aborted|TimeoutError|timed out/i;
/** Messages of LimitExceededException that name a quota, not a rate (https://docs.aws.amazon.com/streams/latest/dev/service-sizes-and-limits.html). */
const HARD_QUOTA = /shard limit|shards? (?:quota|limit)|stream count|streams? limit|number of (?:streams|consumers|shards)|maximum number|consumers? (?:limit|per stream)|on-demand|account limit|exceed(?:s|ed)? the (?:limit|quota) of \d+/i;

/**
 * LimitExceededException for too many streams (or consumers) in transition at once: "This request would have exceed
 * the limit on the number of streams that can simultaneously be in CREATING or DELETING for the account ... Limit:
 * 5." (https://github.com/hashicorp/terraform-provider-aws/pull/1339), kinesis-local's "Limit for streams being
 * created concurrently exceeded". It names "the number of streams" like a hard quota, but clears as soon as one of
 * them is ACTIVE: retried like throttling.
 */
const TRANSITION_LIMIT = /simultaneously|concurrently|CREATING or DELETING/i;

/** A response that arrived with HTTP 200 but could not be parsed (kinesis-local sometimes answers with an empty body). */
export function isUnparsableSuccess(e: unknown): boolean {
  const x = e as ErrLike;
  const m = String(x?.message ?? '');
  return (m.includes('Deserialization error') || m.includes('Protocol error')) && x?.$response?.statusCode === 200;
}

export function classify(e: unknown): FailureKind {
  const x = (e ?? {}) as ErrLike;
  const name = errorCode(e) ?? '';
  const message = String(x.message ?? '');
  const status = x.$metadata?.httpStatusCode ?? x.$response?.statusCode;
  if (name === 'LimitExceededException') {
    return HARD_QUOTA.test(message) && !/rate exceeded/i.test(message) && !TRANSITION_LIMIT.test(message) ? 'hard-quota' : 'throttle';
  }
  if (THROTTLE.has(name) || status === 429) return 'throttle';
  if (name === 'ResourceInUseException') return 'in-use';
  if (name === 'ResourceNotFoundException' || name === 'NoSuchEntityException' || name === 'NoSuchEntity') return 'not-found';
  if ((status !== undefined && status >= 500) || /InternalFailure|ServiceUnavailable|InternalServerError|InternalError/.test(name)) return 'transient';
  if (NETWORK.test(message) || NETWORK.test(name) || NETWORK.test(String(x.code ?? ''))) return 'transient';
  if (isForeignAnswer(e)) return 'fatal';
  if (message.includes('Deserialization error') || message.includes('Protocol error')) return 'transient';
  return 'fatal';
}

export interface Backoff {
  /** First delay cap, ms. */
  baseMs: number;
  /** Largest delay cap, ms. */
  capMs: number;
  /** Attempts in all (first try included). */
  maxAttempts: number;
  random: () => number;
  sleep: (ms: number) => Promise<void>;
}

export const DEFAULT_BACKOFF: Backoff = {
  baseMs: 200,
  capMs: 20_000,
  maxAttempts: 8,
  random: Math.random,
  sleep: (ms) => new Promise((r) => setTimeout(r, ms)),
};

/** Full jitter: a uniform delay in [0, min(cap, base * 2^(attempt-1))). */
export function backoffDelay(attempt: number, b: Pick<Backoff, 'baseMs' | 'capMs' | 'random'>): number {
  return Math.floor(b.random() * Math.min(b.capMs, b.baseMs * 2 ** (attempt - 1)));
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
    time: call.time, account: call.account, api: call.api, resource: call.resource, attempt,
    ...(call.change !== undefined ? { change: call.change } : {}),
  };
  if (ev.result === 'started') return { ...base, result: 'started', id: ev.id };
  return {
    ...base, result: ev.result, id: ev.id,
    ...(ev.requestId ? { requestId: ev.requestId } : {}), ...(ev.error ? { error: ev.error } : {}),
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
 * Call `fn` until it succeeds, fails with a kind that is not retried here, or runs out of attempts. Throttling and
 * transient failures are retried after a full-jitter delay; everything else comes back to the caller. A 200
 * answer that could not be parsed counts as success (`unparsable`): callers re-read the state anyway.
 * Every mutating call of apply passes here, so this is where the log gets each attempt's intent (before the
 * request: a run killed while it is in flight leaves the intent without an outcome) and its outcome (same id).
 */
export async function withRetry<T>(fn: () => Promise<T>, log: AttemptLog, b: Backoff = DEFAULT_BACKOFF): Promise<AttemptResult<T>> {
  for (let attempt = 1; ; attempt++) {
    const id = randomUUID();
    log(attempt, { result: 'started', id });
    try {
      const value = await fn();
      const requestId = requestIdOf(value);
      log(attempt, { result: 'ok', id, ...(requestId ? { requestId } : {}) });
      return { ok: true, value, attempt, ...(requestId ? { requestId } : {}) };
    } catch (e) {
      if (isUnparsableSuccess(e)) {
        const requestId = requestIdOf(e);
        const note = 'HTTP 200 with an unparsable body (treated as success; state is re-read)';
        log(attempt, { result: 'ok', id, ...(requestId ? { requestId } : {}), note });
        return { ok: true, value: undefined, attempt, unparsable: true };
      }
      const kind = classify(e);
      const requestId = requestIdOf(e);
      log(attempt, { result: 'error', id, ...(requestId ? { requestId } : {}), error: describeError(e) });
      if ((kind === 'throttle' || kind === 'transient') && attempt < b.maxAttempts) {
        await b.sleep(backoffDelay(attempt, b));
        continue;
      }
      return { ok: false, kind, error: e, attempt };
    }
  }
}
