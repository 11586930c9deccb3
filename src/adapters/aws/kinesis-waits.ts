/**
 * Reads and waits for apply: DescribeStreamSummary and DescribeStreamConsumer polled with jittered, growing
 * delays (never DescribeStream, whose 10/s account quota is shared with every consumer of the account). Reads
 * retry throttling, transient errors and busy answers on their own; they are not written to the audit log.
 */
import {
  DescribeStreamConsumerCommand, DescribeStreamSummaryCommand, ListStreamConsumersCommand, ListTagsForResourceCommand,
} from '@aws-sdk/client-kinesis';
import type { ConsumerDescription, KinesisClient, StreamDescriptionSummary } from '@aws-sdk/client-kinesis';
import { toAdapterError } from './errors.js';
import { backoffDelay, classify } from './retry.js';
import type { Backoff } from './retry.js';

export interface WaitOptions {
  /** First poll delay, ms. */
  baseMs: number;
  /** Largest poll delay, ms. */
  capMs: number;
  /** Give up after this long, ms. */
  timeoutMs: number;
  random: () => number;
  sleep: (ms: number) => Promise<void>;
  now: () => number;
}

export const AWS_WAIT: WaitOptions = {
  baseMs: 1000, capMs: 10_000, timeoutMs: 20 * 60_000, random: Math.random, sleep: (ms) => new Promise((r) => setTimeout(r, ms)), now: () => Date.now(),
};

/** Read with retries; undefined when the resource does not exist. */
export async function readOrUndefined<T>(account: string, operation: string, fn: () => Promise<T>, b: Backoff): Promise<T | undefined> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn();
    } catch (e) {
      const kind = classify(e);
      if (kind === 'not-found') return undefined;
      if ((kind === 'throttle' || kind === 'transient' || kind === 'in-use') && attempt < Math.max(b.maxAttempts, 10)) {
        await b.sleep(backoffDelay(attempt, b));
        continue;
      }
      throw toAdapterError(e, 'kinesis', operation, account);
    }
  }
}

export class KinesisReads {
  constructor(private readonly client: KinesisClient, private readonly account: string, private readonly backoff: Backoff, private readonly wait: WaitOptions) {}

  async stream(name: string): Promise<StreamDescriptionSummary | undefined> {
    const r = await readOrUndefined(this.account, 'DescribeStreamSummary', () => this.client.send(new DescribeStreamSummaryCommand({ StreamName: name })), this.backoff);
    return r?.StreamDescriptionSummary;
  }

  async consumer(streamArn: string, name: string): Promise<ConsumerDescription | undefined> {
    const r = await readOrUndefined(this.account, 'DescribeStreamConsumer', () => this.client.send(new DescribeStreamConsumerCommand({ StreamARN: streamArn, ConsumerName: name })), this.backoff);
    return r?.ConsumerDescription;
  }

  async tags(arn: string): Promise<Record<string, string>> {
    const r = await readOrUndefined(this.account, 'ListTagsForResource', () => this.client.send(new ListTagsForResourceCommand({ ResourceARN: arn })), this.backoff);
    const out: Record<string, string> = {};
    for (const t of r?.Tags ?? []) if (t.Key !== undefined) out[t.Key] = t.Value ?? '';
    return out;
  }

  async consumers(streamArn: string): Promise<{ name: string; arn: string }[]> {
    const out: { name: string; arn: string }[] = [];
    let token: string | undefined;
    do {
      const page = await readOrUndefined(this.account, 'ListStreamConsumers', () => this.client.send(new ListStreamConsumersCommand({ StreamARN: streamArn, ...(token ? { NextToken: token } : {}) })), this.backoff);
      for (const c of page?.Consumers ?? []) if (c.ConsumerName && c.ConsumerARN) out.push({ name: c.ConsumerName, arn: c.ConsumerARN });
      token = page?.NextToken || undefined;
    } while (token);
    return out;
  }

  private async poll<T>(what: string, read: () => Promise<T>, done: (v: T) => boolean): Promise<T> {
    const start = this.wait.now();
    for (let i = 1; ; i++) {
      const v = await read();
      if (done(v)) return v;
      if (this.wait.now() - start > this.wait.timeoutMs) throw new Error(`timed out after ${Math.round(this.wait.timeoutMs / 1000)} s waiting for ${what}`);
      const cap = Math.min(this.wait.capMs, this.wait.baseMs * 1.5 ** (i - 1));
      await this.wait.sleep(Math.round(cap * (0.5 + 0.5 * this.wait.random())));
    }
  }

  /** Wait until the stream is ACTIVE (undefined when it does not exist). */
  waitStreamActive(name: string): Promise<StreamDescriptionSummary | undefined> {
    return this.poll(`stream ${name} to become ACTIVE`, () => this.stream(name), (s) => s === undefined || s.StreamStatus === 'ACTIVE');
  }

  async waitStreamGone(name: string): Promise<void> {
    await this.poll(`stream ${name} to be deleted`, () => this.stream(name), (s) => s === undefined);
  }

  waitConsumerActive(streamArn: string, name: string): Promise<ConsumerDescription | undefined> {
    return this.poll(`consumer ${name} to become ACTIVE`, () => this.consumer(streamArn, name), (c) => c === undefined || c.ConsumerStatus === 'ACTIVE');
  }

  async waitConsumerGone(streamArn: string, name: string): Promise<void> {
    await this.poll(`consumer ${name} to be deregistered`, () => this.consumer(streamArn, name), (c) => c === undefined);
  }
}
