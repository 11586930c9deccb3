import { afterEach, describe, expect, it } from 'vitest';
import { connectGitHub, GitHubApiError } from '../../src/adapters/github/client.js';
import { upsertStickyComment } from '../../src/adapters/github/sticky-comment.js';
import { markerFor } from '../../src/output/markdown/report-body.js';
import type { Harness } from './support/setup.js';
import { startHarness, TOKEN } from './support/setup.js';

const LIST_PATH = /\/issues\/7\/comments$/;
const marker = markerFor('plan', 'mesh.yaml');
let h: Harness | undefined;
afterEach(async () => {
  await h?.fake.stop();
  for (const url of h?.seen ?? []) expect(url.startsWith(`${h?.fake.baseUrl}/`)).toBe(true);
  h = undefined;
});

function post(harness: Harness) {
  return upsertStickyComment(harness.gh, { owner: 'acme', repo: 'mesh', issueNumber: 7, marker, body: 'plan' });
}

describe('GitHub client', () => {
  it('retries server errors (retry plugin) and then succeeds', async () => {
    h = await startHarness({ retries: 3 });
    h.fake.faults.push({ method: 'GET', path: LIST_PATH, times: 2, status: 502, body: { message: 'Bad Gateway' } });
    expect((await post(h)).action).toBe('created');
    expect(h.fake.calls()).toEqual([
      'GET /repos/acme/mesh/issues/7/comments?per_page=100',
      'GET /repos/acme/mesh/issues/7/comments?per_page=100',
      'GET /repos/acme/mesh/issues/7/comments?per_page=100',
      'POST /repos/acme/mesh/issues/7/comments',
    ]);
  });

  it('waits out a secondary rate limit (throttling plugin) and retries the write', async () => {
    h = await startHarness({ throttle: true });
    h.fake.faults.push({
      method: 'POST',
      path: LIST_PATH,
      times: 1,
      status: 403,
      body: { message: 'You have exceeded a secondary rate limit.' },
      headers: { 'retry-after': '1' },
    });
    expect((await post(h)).action).toBe('created');
    expect(h.fake.calls().filter((c) => c.startsWith('POST'))).toHaveLength(2);
    expect(h.fake.comments).toHaveLength(1);
    expect(h.warnings.join('\n')).toMatch(/secondary rate limit hit on POST .*retrying after 1 s/);
  });

  it('waits out an exhausted primary rate limit', async () => {
    h = await startHarness({ throttle: true });
    const reset = String(Math.floor(Date.now() / 1000));
    h.fake.faults.push({
      method: 'GET',
      path: LIST_PATH,
      times: 1,
      status: 403,
      body: { message: 'API rate limit exceeded' },
      headers: { 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': reset },
    });
    expect((await post(h)).action).toBe('created');
    expect(h.fake.calls().filter((c) => c.startsWith('GET'))).toHaveLength(2);
    expect(h.warnings.join('\n')).toContain('primary rate limit hit');
  });

  it('gives up on a rate limit after the configured retries, with a clear error', async () => {
    h = await startHarness({ throttle: true });
    h.fake.faults.push({
      method: 'GET',
      path: LIST_PATH,
      times: 10,
      status: 403,
      body: { message: 'You have exceeded a secondary rate limit.' },
      headers: { 'retry-after': '1' },
    });
    await expect(post(h)).rejects.toThrow(
      /GitHub API GET \/repos\/\{owner\}\/\{repo\}\/issues\/\{issue_number\}\/comments failed with 403/,
    );
    // First attempt plus two retries.
    expect(h.fake.requests).toHaveLength(3);
  });

  it('never puts the token in an error message, even when the server echoes it', async () => {
    h = await startHarness();
    h.fake.faults.push({
      method: 'GET',
      path: LIST_PATH,
      times: 1,
      status: 401,
      body: { message: `Bad credentials for token ${TOKEN} (Authorization: token ${TOKEN})` },
    });
    const error = await post(h).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(GitHubApiError);
    const err = error as GitHubApiError;
    expect(err.status).toBe(401);
    expect(err.message).toContain('failed with 401: Bad credentials for token *** (Authorization: token ***)');
    expect(err.message).toContain('is the token valid?');
    expect(`${err.message}${err.stack ?? ''}${JSON.stringify(err)}`).not.toContain(TOKEN);
  });

  it('names the missing permission on 403/404', async () => {
    h = await startHarness();
    h.fake.faults.push({
      method: 'POST',
      path: LIST_PATH,
      times: 1,
      status: 403,
      body: { message: 'Resource not accessible by integration' },
    });
    await expect(post(h)).rejects.toThrow(
      /403: Resource not accessible by integration \(does the workflow grant the permission this needs: pull-requests: write/,
    );
  });

  it('refuses to send a token over plain http to anything but loopback', () => {
    expect(() => connectGitHub({ token: TOKEN, baseUrl: 'http://api.github.example' })).toThrow(
      /refusing to send a token to http:\/\/api.github.example/,
    );
    expect(() => connectGitHub({ token: TOKEN, baseUrl: 'http://127.0.0.1:1' })).not.toThrow();
    expect(() => connectGitHub({ token: TOKEN, baseUrl: 'https://ghe.example/api/v3' })).not.toThrow();
  });
});
