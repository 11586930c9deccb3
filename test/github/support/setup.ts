import type { GitHubConnection } from '../../../src/adapters/github/client.js';
import { connectGitHub } from '../../../src/adapters/github/client.js';
import { FakeGitHub, loopbackOnlyFetch } from './fake-github.js';

/** A token shaped like an Actions installation token; tests assert it never shows up anywhere. */
export const TOKEN = 'ghs_TESTtoken0123456789abcdefABCDEF01234567';

export interface Harness {
  fake: FakeGitHub;
  gh: GitHubConnection;
  /** Every URL octokit asked fetch for. */
  seen: string[];
  warnings: string[];
}

/** Start a fake GitHub and a client pointed at it, with retries and rate-limit waits shrunk to milliseconds. */
export async function startHarness(options: { throttle?: boolean; retries?: number } = {}): Promise<Harness> {
  const fake = new FakeGitHub();
  const baseUrl = await fake.start();
  const seen: string[] = [];
  const warnings: string[] = [];
  const gh = connectGitHub({
    token: TOKEN,
    baseUrl,
    fetch: loopbackOnlyFetch(seen),
    retries: options.retries ?? 0,
    retryAfterBaseMs: 1,
    throttle: { enabled: options.throttle ?? false, retryAfterBaseMs: 1, fallbackSecondaryRetryAfterSeconds: 1 },
    warn: (m) => warnings.push(m),
  });
  return { fake, gh, seen, warnings };
}
