/**
 * A local stand-in for the GitHub REST endpoints meshgov uses, on 127.0.0.1 with an ephemeral port, with
 * in-memory issues and comments, Link-header pagination, and a log of every request (method, path, query, body,
 * authorization header). Tests assert the exact request sequences against this log.
 */
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface RecordedRequest {
  method: string;
  path: string;
  query: Record<string, string>;
  body: unknown;
  authorization: string | undefined;
}

export interface FakeComment {
  id: number;
  issue: number;
  body: string;
  user: { login: string; type: string };
}

export interface FakeIssue {
  number: number;
  title: string;
  body: string;
  state: 'open' | 'closed';
  state_reason: string | null;
  labels: string[];
  user: { login: string; type: string };
  pull_request?: { url: string };
}

/** A pull request as `GET /repos/{o}/{r}/commits/{sha}/pulls` lists it (only the fields meshgov reads). */
export interface FakePull {
  number: number;
  head: { sha: string };
  merge_commit_sha: string | null;
  merged_at: string | null;
  /** Commits the listing answers for (the PR's commits and its merge commit). */
  commits: string[];
}

/** A canned failure: the next `times` requests matching method+path get this status, body and headers. */
export interface Fault {
  method: string;
  path: RegExp;
  times: number;
  status: number;
  body: unknown;
  headers?: Record<string, string>;
}

export class FakeGitHub {
  readonly requests: RecordedRequest[] = [];
  readonly comments: FakeComment[] = [];
  readonly issues: FakeIssue[] = [];
  readonly faults: Fault[] = [];
  readonly pulls: FakePull[] = [];
  /** Login that writes made with the token are attributed to. */
  actor = 'github-actions[bot]';
  /** Runs after the issue list is served: another run writing between a list and the next request (races). */
  afterIssueList: (() => void) | undefined;
  private nextId = 1000;
  private server: Server | undefined;
  baseUrl = '';

  async start(): Promise<string> {
    this.server = createServer((req, res) => {
      this.handle(req, res).catch((e: unknown) => {
        res.writeHead(500, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ message: `fake GitHub failed: ${(e as Error).message}` }));
      });
    });
    await new Promise<void>((resolve) => this.server?.listen(0, '127.0.0.1', resolve));
    const { port } = this.server.address() as AddressInfo;
    this.baseUrl = `http://127.0.0.1:${port}`;
    return this.baseUrl;
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => {
      this.server?.closeAllConnections();
      this.server?.close(() => resolve());
    });
  }

  /** Requests as `METHOD /path?query` strings, for compact sequence assertions. */
  calls(): string[] {
    return this.requests.map((r) => {
      const q = new URLSearchParams(r.query).toString();
      return `${r.method} ${r.path}${q !== '' ? `?${q}` : ''}`;
    });
  }

  clearLog(): void {
    this.requests.length = 0;
  }

  /** Add a comment as if someone posted it (for pagination and forgery tests). */
  seedComment(issue: number, body: string, login = 'someone'): FakeComment {
    const c = { id: this.nextId++, issue, body, user: { login, type: login.endsWith('[bot]') ? 'Bot' : 'User' } };
    this.comments.push(c);
    return c;
  }

  seedIssue(partial: Partial<FakeIssue> & { title: string; body: string }): FakeIssue {
    const issue: FakeIssue = {
      number: this.nextIssueNumber(),
      state: 'open',
      state_reason: null,
      labels: [],
      user: { login: 'someone', type: 'User' },
      ...partial,
    };
    this.issues.push(issue);
    return issue;
  }

  private nextIssueNumber(): number {
    return this.issues.reduce((m, i) => Math.max(m, i.number), 0) + 1;
  }

  private commentJson(c: FakeComment) {
    return {
      id: c.id,
      body: c.body,
      user: c.user,
      html_url: `https://github.test/o/r/issues/${c.issue}#issuecomment-${c.id}`,
    };
  }

  private issueJson(i: FakeIssue) {
    return {
      number: i.number,
      title: i.title,
      body: i.body,
      state: i.state,
      state_reason: i.state_reason,
      labels: i.labels.map((name) => ({ name })),
      user: i.user,
      html_url: `https://github.test/o/r/issues/${i.number}`,
      ...(i.pull_request !== undefined ? { pull_request: i.pull_request } : {}),
    };
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', this.baseUrl);
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const raw = Buffer.concat(chunks).toString('utf8');
    const body = raw === '' ? undefined : (JSON.parse(raw) as unknown);
    const method = req.method ?? 'GET';
    this.requests.push({
      method,
      path: url.pathname,
      query: Object.fromEntries(url.searchParams),
      body,
      authorization: req.headers.authorization,
    });

    const send = (status: number, data: unknown, headers: Record<string, string> = {}): void => {
      res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', ...headers });
      res.end(data === undefined ? '' : JSON.stringify(data));
    };
    const fault = this.faults.find((f) => f.times > 0 && f.method === method && f.path.test(url.pathname));
    if (fault !== undefined) {
      fault.times--;
      send(fault.status, fault.body, fault.headers);
      return;
    }
    const page = <T>(items: T[]): void => {
      const perPage = Number(url.searchParams.get('per_page') ?? '30');
      const pageNo = Number(url.searchParams.get('page') ?? '1');
      const slice = items.slice((pageNo - 1) * perPage, pageNo * perPage);
      const headers: Record<string, string> = {};
      if (pageNo * perPage < items.length) {
        const next = new URL(url);
        next.searchParams.set('page', String(pageNo + 1));
        headers['link'] = `<${next.toString()}>; rel="next"`;
      }
      send(200, slice, headers);
    };
    const m = (re: RegExp) => re.exec(url.pathname);
    let match: RegExpExecArray | null;
    const input = (body ?? {}) as Record<string, unknown>;

    if ((match = m(/^\/repos\/[^/]+\/[^/]+\/issues\/(\d+)\/comments$/)) !== null) {
      const issue = Number(match[1]);
      if (method === 'GET') return page(this.comments.filter((c) => c.issue === issue).map((c) => this.commentJson(c)));
      if (method === 'POST') {
        const c: FakeComment = {
          id: this.nextId++,
          issue,
          body: String(input['body']),
          user: { login: this.actor, type: 'Bot' },
        };
        this.comments.push(c);
        return send(201, this.commentJson(c));
      }
    }
    if ((match = m(/^\/repos\/[^/]+\/[^/]+\/issues\/comments\/(\d+)$/)) !== null) {
      const c = this.comments.find((x) => x.id === Number(match?.[1]));
      if (c === undefined) return send(404, { message: 'Not Found' });
      if (method === 'PATCH') {
        c.body = String(input['body']);
        return send(200, this.commentJson(c));
      }
      if (method === 'DELETE') {
        this.comments.splice(this.comments.indexOf(c), 1);
        return send(204, undefined);
      }
    }
    if ((match = m(/^\/repos\/[^/]+\/[^/]+\/commits\/([0-9a-f]+)\/pulls$/)) !== null && method === 'GET') {
      const sha = match[1] as string;
      return page(
        this.pulls
          .filter((p) => p.commits.includes(sha) || p.merge_commit_sha === sha)
          .map(({ commits: _c, ...p }) => ({
            ...p,
            state: p.merged_at !== null ? 'closed' : 'open',
            html_url: `https://github.test/o/r/pull/${p.number}`,
          })),
      );
    }
    if (m(/^\/repos\/[^/]+\/[^/]+\/issues$/) !== null) {
      if (method === 'GET') {
        const labels = (url.searchParams.get('labels') ?? '').split(',').filter((l) => l !== '');
        const state = url.searchParams.get('state') ?? 'open';
        const creator = url.searchParams.get('creator');
        const found = this.issues
          .filter(
            (i) =>
              labels.every((l) => i.labels.includes(l)) &&
              (state === 'all' || i.state === state) &&
              (creator === null || i.user.login === creator),
          )
          .sort((a, b) => b.number - a.number)
          .map((i) => this.issueJson(i));
        page(found);
        this.afterIssueList?.();
        return;
      }
      if (method === 'POST') {
        const issue: FakeIssue = {
          number: this.nextIssueNumber(),
          title: String(input['title']),
          body: String(input['body']),
          state: 'open',
          state_reason: null,
          labels: (input['labels'] as string[] | undefined) ?? [],
          user: { login: this.actor, type: 'Bot' },
        };
        this.issues.push(issue);
        return send(201, this.issueJson(issue));
      }
    }
    if ((match = m(/^\/repos\/[^/]+\/[^/]+\/issues\/(\d+)\/labels$/)) !== null && method === 'POST') {
      const issue = this.issues.find((i) => i.number === Number(match?.[1]));
      if (issue === undefined) return send(404, { message: 'Not Found' });
      for (const l of (input['labels'] as string[] | undefined) ?? [])
        if (!issue.labels.includes(l)) issue.labels.push(l);
      return send(
        200,
        issue.labels.map((name) => ({ name })),
      );
    }
    if ((match = m(/^\/repos\/[^/]+\/[^/]+\/issues\/(\d+)$/)) !== null && method === 'GET') {
      const issue = this.issues.find((i) => i.number === Number(match?.[1]));
      return issue === undefined ? send(404, { message: 'Not Found' }) : send(200, this.issueJson(issue));
    }
    if ((match = m(/^\/repos\/[^/]+\/[^/]+\/issues\/(\d+)$/)) !== null && method === 'PATCH') {
      const issue = this.issues.find((i) => i.number === Number(match?.[1]));
      if (issue === undefined) return send(404, { message: 'Not Found' });
      if (typeof input['title'] === 'string') issue.title = input['title'];
      if (typeof input['body'] === 'string') issue.body = input['body'];
      if (input['state'] === 'open' || input['state'] === 'closed') {
        issue.state = input['state'];
        issue.state_reason = input['state'] === 'closed' ? String(input['state_reason'] ?? 'completed') : 'reopened';
      }
      return send(200, this.issueJson(issue));
    }
    send(404, { message: `fake GitHub: no route for ${method} ${url.pathname}` });
  }
}

/**
 * A fetch that only reaches 127.0.0.1 and records every URL it was asked for: the proof that octokit touches no
 * other host. Anything else is refused before a socket is opened.
 */
const realFetch: typeof fetch = globalThis.fetch;

export function loopbackOnlyFetch(seen: string[] = []): typeof fetch {
  return async (input, init) => {
    const url = new URL(typeof input === 'string' ? input : input instanceof URL ? input.href : input.url);
    seen.push(url.href);
    if (url.hostname !== '127.0.0.1') throw new Error(`test network guard: refused request to ${url.host}`);
    return realFetch(input, init);
  };
}
