import { describe, expect, it } from 'vitest';
import {
  classify,
  markWriteError,
  MeshgovRetryStrategy,
  retryErrorType,
  withRetry,
} from '../../src/adapters/aws/retry.js';

function sdkError(name: string, message: string, status = 400): Error {
  return Object.assign(new Error(message), { name, $metadata: { httpStatusCode: status } });
}

/**
 * The SDK's strategy with a backoff that records what the SDK asks of it: the delay base it sets (its throttling
 * delay, 1 s, or its base delay, 50 ms) and the retry count, and waits 0 ms.
 */
function fakeBackoff(maxAttempts = 5): MeshgovRetryStrategy & { asked: string[] } {
  const asked: string[] = [];
  let base = 0;
  const strategy = new MeshgovRetryStrategy({
    maxAttempts,
    backoff: {
      setDelayBase: (ms) => {
        base = ms;
      },
      computeNextBackoffDelay: (retries) => {
        asked.push(`${base}ms x${retries}`);
        return 0;
      },
    },
  });
  return Object.assign(strategy, { asked });
}

describe('classify', () => {
  it.each([
    [sdkError('LimitExceededException', 'Rate exceeded for stream orders.v1 under account 111111111111.'), 'throttle'],
    [
      sdkError(
        'LimitExceededException',
        'This request would exceed the shard limit for the account 111111111111 in eu-west-1.',
      ),
      'hard-quota',
    ],
    [sdkError('LimitExceededException', 'Account has reached the on-demand stream count limit of 50'), 'hard-quota'],
    // Five streams in transition: names "the number of streams", but clears once one is ACTIVE, so it is retried.
    [
      sdkError(
        'LimitExceededException',
        'This request would have exceed the limit on the number of streams that can simultaneously be in CREATING or DELETING for the account 111111111111. Limit: 5.',
      ),
      'throttle',
    ],
    [sdkError('LimitExceededException', 'Limit for streams being created concurrently exceeded'), 'throttle'],
    [sdkError('ThrottlingException', 'slow down'), 'throttle'],
    [sdkError('ProvisionedThroughputExceededException', 'too fast'), 'throttle'],
    [sdkError('ResourceInUseException', 'Stream orders.v1 under account 111111111111 already exists.'), 'in-use'],
    [sdkError('InternalFailure', 'oops', 500), 'transient'],
    [Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' }), 'transient'],
    [Object.assign(new Error('Request timed out'), { name: 'TimeoutError' }), 'transient'],
    [sdkError('ResourceNotFoundException', 'gone'), 'not-found'],
    [sdkError('InvalidArgumentException', 'bad'), 'fatal'],
    [sdkError('AccessDeniedException', 'no'), 'fatal'],
  ])('%s -> %s', (e, kind) => {
    expect(classify(e)).toBe(kind);
  });
});

describe('withRetry', () => {
  it('retries throttling and transient errors with full-jitter backoff, logging each attempt', async () => {
    const b = fakeBackoff();
    const errors = [
      sdkError('LimitExceededException', 'Rate exceeded'),
      sdkError('InternalFailure', 'x', 500),
      Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' }),
    ];
    const log: string[] = [];
    const r = await withRetry(
      async () => {
        const e = errors.shift();
        if (e) throw e;
        return { $metadata: { requestId: 'req-4' } };
      },
      (attempt, ev) =>
        log.push(`${attempt} ${ev.result} ${ev.result === 'started' ? '' : (ev.requestId ?? ev.error ?? '')}`.trim()),
      b,
    );
    expect(r).toMatchObject({ ok: true, attempt: 4, requestId: 'req-4' });
    expect(log).toEqual([
      '1 started',
      '1 error LimitExceededException: Rate exceeded',
      '2 started',
      '2 error InternalFailure: x',
      '3 started',
      '3 error socket hang up',
      '4 started',
      '4 ok req-4',
    ]);
    // The SDK's strategy chose the delays: its throttling base after the throttle, its base delay after the others.
    expect(b.asked).toEqual(['1000ms x0', '50ms x1', '50ms x2']);
  });

  it('does not retry a hard quota, and hands ResourceInUse back to the caller', async () => {
    const b = fakeBackoff();
    let n = 0;
    const quota = await withRetry(
      async () => {
        n++;
        throw sdkError('LimitExceededException', 'would exceed the shard limit');
      },
      () => undefined,
      b,
    );
    expect(quota).toMatchObject({ ok: false, kind: 'hard-quota', attempt: 1 });
    const busy = await withRetry(
      async () => {
        n++;
        throw sdkError('ResourceInUseException', 'busy');
      },
      () => undefined,
      b,
    );
    expect(busy).toMatchObject({ ok: false, kind: 'in-use', attempt: 1 });
    expect(n).toBe(2);
    expect(b.asked).toEqual([]);
  });

  it('logs the intent before the request is sent, and its outcome after with the same id', async () => {
    const events: string[] = [];
    const ids: string[] = [];
    let release: () => void = () => undefined;
    const pending = withRetry(
      () => {
        events.push('sent');
        return new Promise<{ $metadata: object }>((res) => {
          release = () => res({ $metadata: {} });
        });
      },
      (_attempt, ev) => {
        events.push(ev.result);
        ids.push(ev.id);
      },
      fakeBackoff(),
    );
    await new Promise((r) => setImmediate(r));
    // In flight: the intent is logged, the outcome is not.
    expect(events).toEqual(['started', 'sent']);
    release();
    await pending;
    expect(events).toEqual(['started', 'sent', 'ok']);
    expect(ids[0]).toMatch(/^[0-9a-f-]{36}$/);
    expect(ids[1]).toBe(ids[0]);
  });

  it('gives up after maxAttempts', async () => {
    const b = fakeBackoff();
    const r = await withRetry(
      async () => {
        throw sdkError('ThrottlingException', 'x');
      },
      () => undefined,
      b,
    );
    expect(r).toMatchObject({ ok: false, kind: 'throttle', attempt: 5 });
    expect(b.asked).toHaveLength(4);
  });

  it('treats an unparsable HTTP 200 answer as success (the caller re-reads the state)', async () => {
    const e = Object.assign(new Error('Deserialization error: to see the raw response...'), {
      $response: { statusCode: 200 },
    });
    const r = await withRetry(
      async () => {
        throw e;
      },
      () => undefined,
      fakeBackoff(),
    );
    expect(r).toMatchObject({ ok: true, unparsable: true });
  });

  it('retries an unparsable HTTP 200 answer to a read, never to a write; hands back what the domain decides', () => {
    const unparsable = () =>
      Object.assign(new Error('Deserialization error: to see the raw response...'), { $response: { statusCode: 200 } });
    expect(retryErrorType(unparsable())).toBe('TRANSIENT');
    const write = unparsable();
    markWriteError(write);
    expect(retryErrorType(write)).toBe('CLIENT_ERROR');
    // An unparsable 5xx may or may not have been applied, like any 5xx: retried.
    expect(
      retryErrorType(Object.assign(new Error('Deserialization error'), { $metadata: { httpStatusCode: 503 } })),
    ).toBe('TRANSIENT');
    expect(retryErrorType(sdkError('ResourceInUseException', 'busy'))).toBe('CLIENT_ERROR');
    expect(retryErrorType(sdkError('LimitExceededException', 'would exceed the shard limit'))).toBe('CLIENT_ERROR');
    expect(retryErrorType(sdkError('LimitExceededException', 'Rate exceeded'))).toBe('THROTTLING');
    expect(retryErrorType(sdkError('Whatever', 'proxy', 501))).toBe('TRANSIENT');
  });
});
