import { describe, expect, it } from 'vitest';
import { GitHubContextError, pullRequestFromEvent, readGitHubContext } from '../../src/adapters/github/context.js';
import { TOKEN } from './support/setup.js';

const base = {
  GITHUB_REPOSITORY: 'acme/mesh',
  GITHUB_TOKEN: TOKEN,
  GITHUB_EVENT_PATH: '/event.json',
  GITHUB_EVENT_NAME: 'pull_request',
  GITHUB_API_URL: 'http://127.0.0.1:1234/',
  GITHUB_SERVER_URL: 'https://github.com',
  GITHUB_RUN_ID: '42',
  GITHUB_SHA: 'abc123',
  GITHUB_STEP_SUMMARY: '/tmp/summary.md',
};
const files = (payload: unknown) => (path: string) => {
  if (path !== '/event.json') throw new Error(`ENOENT: ${path}`);
  return JSON.stringify(payload);
};

describe('readGitHubContext', () => {
  it('reads the Actions environment and the PR number from the event payload', () => {
    const ctx = readGitHubContext(
      base,
      { needPullRequest: true },
      files({ pull_request: { number: 17, head: { sha: 'f00dfeed' } }, number: 17 }),
    );
    expect(ctx).toEqual({
      owner: 'acme',
      repo: 'mesh',
      token: TOKEN,
      apiUrl: 'http://127.0.0.1:1234',
      serverUrl: 'https://github.com',
      runId: '42',
      runUrl: 'https://github.com/acme/mesh/actions/runs/42',
      // The PR head, not GITHUB_SHA (the merge commit).
      sha: 'f00dfeed',
      prHeadSha: 'f00dfeed',
      eventName: 'pull_request',
      pullRequest: 17,
      stepSummary: '/tmp/summary.md',
    });
  });

  it('takes the PR from an issue_comment on a pull request, and an explicit number over the payload', () => {
    expect(pullRequestFromEvent({ issue: { number: 5, pull_request: {} } })).toBe(5);
    expect(pullRequestFromEvent({ issue: { number: 5 } })).toBeUndefined();
    expect(
      readGitHubContext(base, { needPullRequest: true, pullRequest: 9 }, files({ pull_request: { number: 17 } }))
        .pullRequest,
    ).toBe(9);
  });

  it('does not need a readable event payload when no pull request is needed', () => {
    const ctx = readGitHubContext({ ...base, GITHUB_EVENT_PATH: '/missing.json' }, {}, files({}));
    expect([ctx.pullRequest, ctx.sha]).toEqual([undefined, 'abc123']);
  });

  it('defaults the API and server URLs to github.com', () => {
    const ctx = readGitHubContext({ GITHUB_REPOSITORY: 'acme/mesh', GH_TOKEN: TOKEN });
    expect([ctx.apiUrl, ctx.serverUrl, ctx.runUrl]).toEqual([
      'https://api.github.com',
      'https://github.com',
      undefined,
    ]);
  });

  it.each([
    [{ ...base, GITHUB_REPOSITORY: undefined }, /GITHUB_REPOSITORY is not set/],
    [{ ...base, GITHUB_REPOSITORY: 'not a repo' }, /GITHUB_REPOSITORY must look like "owner\/repo"/],
    [{ ...base, GITHUB_TOKEN: '' }, /GITHUB_TOKEN is not set: pass it to the step/],
    [{ ...base, GITHUB_API_URL: 'ftp://x' }, /GITHUB_API_URL must be an http\(s\) URL/],
    [{ ...base, GITHUB_RUN_ID: '1; rm' }, /GITHUB_RUN_ID must be a number/],
    [{ ...base, GITHUB_EVENT_PATH: undefined }, /GITHUB_EVENT_PATH is not set.*--pr <number>/],
    [{ ...base, GITHUB_EVENT_PATH: '/missing.json' }, /cannot read the event payload GITHUB_EVENT_PATH=\/missing.json/],
  ])('fails clearly: %#', (env, message) => {
    const run = () => readGitHubContext(env, { needPullRequest: true }, files({ pull_request: { number: 1 } }));
    expect(run).toThrow(GitHubContextError);
    expect(run).toThrow(message);
  });

  it('fails clearly when the event is not about a pull request, without leaking the token', () => {
    const run = () =>
      readGitHubContext(
        { ...base, GITHUB_EVENT_NAME: 'push' },
        { needPullRequest: true },
        files({ ref: 'refs/heads/main' }),
      );
    let message = '';
    try {
      run();
    } catch (e) {
      message = (e as Error).message;
    }
    expect(message).toMatch(/no pull request in the push event payload/);
    expect(message).not.toContain(TOKEN);
  });
});

describe('the event payload file', () => {
  it('a FIFO or a link to /dev/zero at GITHUB_EVENT_PATH fails clearly instead of blocking or growing', async () => {
    const { execFileSync } = await import('node:child_process');
    const { mkdtempSync, symlinkSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const d = mkdtempSync(join(tmpdir(), 'meshgov-event-'));
    execFileSync('mkfifo', [join(d, 'fifo.json')]);
    symlinkSync('/dev/zero', join(d, 'zero.json'));
    for (const [name, why] of [
      ['fifo.json', /FIFO \(named pipe\), not a regular file/],
      ['zero.json', /character device, not a regular file/],
    ] as const) {
      expect(() => readGitHubContext({ ...base, GITHUB_EVENT_PATH: join(d, name) }, { needPullRequest: true })).toThrow(
        why,
      );
    }
  });
});
