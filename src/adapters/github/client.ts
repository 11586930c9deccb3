/**
 * The octokit client meshgov uses, with the retry plugin (5xx and network errors, exponential back-off) and the
 * throttling plugin (primary and secondary rate limits,
 * https://docs.github.com/en/rest/using-the-rest-api/rate-limits-for-the-rest-api). Every knob that makes a
 * test wait is injectable; vendor error types stop here and become {@link GitHubApiError}.
 */
import { retry } from '@octokit/plugin-retry';
import { throttling } from '@octokit/plugin-throttling';
import { Octokit } from '@octokit/rest';
import { redact } from '../../core/redact.js';

const MeshgovOctokit = Octokit.plugin(retry, throttling);
/** The octokit client (REST methods and pagination; the plugins add behaviour, not methods meshgov uses). */
export type GitHubClient = Octokit;

export interface GitHubClientOptions {
  token: string;
  /** REST API base URL; `https://api.github.com` on github.com. Plain http is only accepted for loopback hosts. */
  baseUrl: string;
  /** User-Agent header, e.g. `meshgov/0.1.0`. */
  userAgent?: string;
  /** Retries of 5xx/network failures by the retry plugin (default 3). */
  retries?: number;
  /** Base of the retry back-off in milliseconds; retry n waits n² × this (default 1000). */
  retryAfterBaseMs?: number;
  /** Rate-limit handling by the throttling plugin. */
  throttle?: {
    /** Default true. */
    enabled?: boolean;
    /** How many times a rate-limited request is retried after waiting (default 2). */
    maxRetries?: number;
    /** Milliseconds per second of `retry-after`: 1000 in production, 1 in tests (default 1000). */
    retryAfterBaseMs?: number;
    /** Seconds to wait on a secondary limit without a `retry-after` header (default 60). */
    fallbackSecondaryRetryAfterSeconds?: number;
  };
  /** The fetch implementation (tests inject a guard that refuses non-loopback hosts). */
  fetch?: typeof fetch;
  /** Where warnings go (rate limits hit, retries); already redacted. */
  warn?: (message: string) => void;
}

/** A failed GitHub API call, with the token removed from every part of the message. */
export class GitHubApiError extends Error {
  override name = 'GitHubApiError';
  constructor(
    message: string,
    /** HTTP status, when the server answered. */
    readonly status: number | undefined,
    /** e.g. `PATCH /repos/{owner}/{repo}/issues/comments/{comment_id}`. */
    readonly operation: string,
  ) {
    super(message);
  }
}

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]', '::1']);

/** Refuse to send a token in clear text: http is only for a loopback test server. */
function checkBaseUrl(baseUrl: string): void {
  const url = new URL(baseUrl);
  if (url.protocol === 'https:') return;
  if (url.protocol === 'http:' && LOOPBACK.has(url.hostname)) return;
  throw new GitHubApiError(
    `refusing to send a token to ${url.protocol}//${url.host}: the GitHub API URL must use https`,
    undefined,
    'configure',
  );
}

export function createGitHubClient(options: GitHubClientOptions): GitHubClient {
  checkBaseUrl(options.baseUrl);
  const warn = (m: string): void => options.warn?.(redact(m, [options.token]));
  const maxRetries = options.throttle?.maxRetries ?? 2;
  const throttleEnabled = options.throttle?.enabled ?? true;
  const onLimit =
    (kind: string) =>
    (retryAfter: number, request: { method: string; url: string }, _octokit: unknown, retryCount: number): boolean => {
      if (retryCount < maxRetries) {
        warn(
          `GitHub ${kind} rate limit hit on ${request.method} ${request.url}; retrying after ${retryAfter} s (attempt ${retryCount + 1} of ${maxRetries}).`,
        );
        return true;
      }
      warn(`GitHub ${kind} rate limit hit on ${request.method} ${request.url}; giving up after ${maxRetries} retries.`);
      return false;
    };
  return new MeshgovOctokit({
    auth: options.token,
    baseUrl: options.baseUrl,
    userAgent: options.userAgent ?? 'meshgov',
    request: options.fetch !== undefined ? { fetch: options.fetch } : {},
    retry: { retries: options.retries ?? 3, retryAfterBaseValue: options.retryAfterBaseMs ?? 1000 },
    throttle: throttleEnabled
      ? {
          enabled: true,
          retryAfterBaseValue: options.throttle?.retryAfterBaseMs ?? 1000,
          fallbackSecondaryRateRetryAfter: options.throttle?.fallbackSecondaryRetryAfterSeconds ?? 60,
          onRateLimit: onLimit('primary'),
          onSecondaryRateLimit: onLimit('secondary'),
        }
      : { enabled: false },
    log: { debug: () => undefined, info: () => undefined, warn: (m: string) => warn(m), error: (m: string) => warn(m) },
  });
}

/**
 * Run one API call and turn any failure into a {@link GitHubApiError} whose message names the operation and
 * status and never contains the token (octokit errors can carry request headers, URLs and response bodies).
 */
export async function callGitHub<T>(token: string, operation: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (e) {
    const err = e as { status?: unknown; message?: unknown; response?: { data?: { message?: unknown } } };
    const status = typeof err.status === 'number' ? err.status : undefined;
    const detail =
      typeof err.response?.data?.message === 'string'
        ? err.response.data.message
        : typeof err.message === 'string'
          ? err.message
          : String(e);
    const hint =
      status === 401
        ? ' (is the token valid?)'
        : status === 403 || status === 404
          ? ' (does the workflow grant the permission this needs: pull-requests: write for comments, issues: write for issues?)'
          : '';
    const message = `GitHub API ${operation} failed${status !== undefined ? ` with ${status}` : ''}: ${detail}${hint}`;
    throw new GitHubApiError(redact(message, [token]), status, operation);
  }
}

/** A client together with its token, so every caller can redact the token from what it writes. */
export interface GitHubConnection {
  client: GitHubClient;
  token: string;
}

export function connectGitHub(options: GitHubClientOptions): GitHubConnection {
  return { client: createGitHubClient(options), token: options.token };
}
