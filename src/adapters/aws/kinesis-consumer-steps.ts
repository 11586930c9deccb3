/**
 * The steps of a stream's lane that act on its enhanced fan-out consumers: register (with its tags), deregister,
 * and the consumer's tags. A consumer's ARN carries its registration time, so it is learnt from the registration
 * or a read, and kept in `KinesisRun.known` for the steps after it.
 */
import {
  DeregisterStreamConsumerCommand,
  RegisterStreamConsumerCommand,
  TagResourceCommand,
  UntagResourceCommand,
} from '@aws-sdk/client-kinesis';
import type { ApplyStep, StepHooks } from '../../core/apply/types.js';
import type { TagMap } from '../../core/plan/types.js';
import type { TransitionKind } from './kinesis-waits.js';
import { chunks, StepFailed } from './kinesis-run.js';
import type { KinesisRun, StepContext } from './kinesis-run.js';

/** TagResource / UntagResource take at most 50 tags per call. */
const TAGS_PER_RESOURCE_CALL = 50;

/**
 * RegisterStreamConsumer with its tags, at once (the plan says the consumer is not there); ResourceInUse means
 * it is (an earlier attempt's answer was lost), or the stream is busy: read, wait, converge.
 */
export async function register(
  engine: KinesisRun,
  step: ApplyStep,
  ctx: StepContext,
  name: string,
  tags: TagMap,
  hooks?: StepHooks,
): Promise<string | undefined> {
  const ckey = `${ctx.key}/${name}`;
  const streamArn = engine.known.streams.get(ctx.key)?.StreamARN ?? ctx.streamArn;
  let existed = false;
  let registered = false;
  let allTagsSent = false;
  let read = false;
  let busy = false;
  await engine.converge(`RegisterStreamConsumer ${name}`, async () => {
    if (engine.known.consumers.has(ckey)) return undefined;
    const con = read ? await ctx.reads.consumer(streamArn, name) : undefined;
    read = true;
    if (con?.ConsumerStatus === 'ACTIVE' && con.ConsumerARN) {
      engine.known.consumers.set(ckey, con.ConsumerARN);
      return undefined;
    }
    if (con?.ConsumerStatus === 'DELETING') return () => ctx.reads.waitConsumerGone(streamArn, name);
    if (con) return () => consumerActive(engine, ctx, streamArn, name);
    if (busy) {
      // Not registered, yet refused as busy: the stream is UPDATING. Wait for it, then register.
      busy = false;
      return () => engine.settle(ctx);
    }
    return async () => {
      const sent = Object.keys(tags).length ? { Tags: tags } : {};
      const answer = await engine.call(step, 'RegisterStreamConsumer', `${streamArn}/consumer/${name}`, () =>
        ctx.client.send(new RegisterStreamConsumerCommand({ StreamARN: streamArn, ConsumerName: name, ...sent })),
      );
      if (answer.outcome !== 'ok') {
        existed = true;
        busy = true;
        return;
      }
      registered = true;
      allTagsSent = !answer.unparsable;
      await consumerActive(engine, ctx, streamArn, name, 'consumer-create');
    };
  });
  hooks?.settled();
  // As for streams: the first registration's tags are read back, later ones are presumed from what that showed.
  if (Object.keys(tags).length && !(allTagsSent && engine.known.tagsOnCreate.consumer === true)) {
    const honoured = engine.known.tagsOnCreate.consumer;
    const presumed = allTagsSent && honoured === false ? {} : undefined;
    const read = await consumerTags(engine, step, ctx, name, tags, [], presumed);
    if (allTagsSent && read)
      engine.known.tagsOnCreate.consumer = Object.entries(tags).every(([key, value]) => read[key] === value);
  }
  return existed && !registered ? 'the consumer was already registered (an earlier attempt reached AWS)' : undefined;
}

/** Wait for the consumer to be ACTIVE and remember its ARN (it carries the registration time). */
export async function consumerActive(
  engine: KinesisRun,
  ctx: StepContext,
  streamArn: string,
  name: string,
  after?: TransitionKind,
): Promise<string | undefined> {
  const con = await ctx.reads.waitConsumerActive(streamArn, name, after);
  if (con?.ConsumerStatus === 'ACTIVE' && con.ConsumerARN) {
    engine.known.consumers.set(`${ctx.key}/${name}`, con.ConsumerARN);
    return con.ConsumerARN;
  }
  return undefined;
}

export async function deregister(
  engine: KinesisRun,
  step: ApplyStep,
  ctx: StepContext,
  name: string,
  hooks?: StepHooks,
): Promise<string | undefined> {
  engine.known.consumers.delete(`${ctx.key}/${name}`);
  const summary = await ctx.reads.stream(ctx.stream);
  if (!summary) return 'the stream is gone';
  const arn = summary.StreamARN ?? ctx.streamArn;
  let deregistered = false;
  await engine.converge(`DeregisterStreamConsumer ${name}`, async () => {
    const con = await ctx.reads.consumer(arn, name);
    if (!con || con.ConsumerStatus === 'DELETING') return undefined;
    if (con.ConsumerStatus !== 'ACTIVE') return () => ctx.reads.waitConsumerActive(arn, name);
    return async () => {
      const answer = await engine.call(
        step,
        'DeregisterStreamConsumer',
        con.ConsumerARN ?? `${arn}/consumer/${name}`,
        () => ctx.client.send(new DeregisterStreamConsumerCommand({ StreamARN: arn, ConsumerName: name })),
        { notFoundOk: true },
      );
      deregistered = answer.outcome === 'ok';
    };
  });
  await ctx.reads.waitConsumerGone(arn, name, deregistered ? 'consumer-delete' : undefined);
  hooks?.settled();
  return undefined;
}

/** The consumer's ARN once ACTIVE: as this run last saw it, else read (and waited for). */
export async function activeConsumer(engine: KinesisRun, ctx: StepContext, name: string): Promise<string> {
  const cached = engine.known.consumers.get(`${ctx.key}/${name}`);
  if (cached) return cached;
  const arn = await consumerActive(engine, ctx, engine.known.streams.get(ctx.key)?.StreamARN ?? ctx.streamArn, name);
  if (!arn) throw new StepFailed(`consumer ${name} is not registered on ${ctx.stream}`);
  return arn;
}

/** Converge the consumer's tags, like `streamTags`. */
export async function consumerTags(
  engine: KinesisRun,
  step: ApplyStep,
  ctx: StepContext,
  name: string,
  set: TagMap,
  remove: string[],
  presumed?: TagMap,
): Promise<TagMap | undefined> {
  let arn = await activeConsumer(engine, ctx, name);
  const first = presumed ? undefined : await ctx.reads.tags(arn);
  let live = presumed ?? first ?? {};
  await engine.converge(`tags of consumer ${name}`, async () => {
    const add = Object.entries(set).filter(([key, value]) => live[key] !== value);
    const drop = remove.filter((key) => key in live);
    if (!add.length && !drop.length) return undefined;
    const batchAdd = chunks(add, TAGS_PER_RESOURCE_CALL)[0] ?? [];
    const batchDrop = chunks(drop, TAGS_PER_RESOURCE_CALL)[0] ?? [];
    const send = add.length
      ? {
          api: 'TagResource',
          fn: () => ctx.client.send(new TagResourceCommand({ ResourceARN: arn, Tags: Object.fromEntries(batchAdd) })),
        }
      : {
          api: 'UntagResource',
          fn: () => ctx.client.send(new UntagResourceCommand({ ResourceARN: arn, TagKeys: batchDrop })),
        };
    return async () => {
      const answer = await engine.call(step, send.api, arn, send.fn);
      if (answer.outcome === 'ok' && !answer.unparsable) {
        const next = { ...live };
        if (add.length) for (const [key, value] of batchAdd) next[key] = value;
        else for (const key of batchDrop) delete next[key];
        live = next;
        return;
      }
      engine.known.consumers.delete(`${ctx.key}/${name}`);
      arn = await activeConsumer(engine, ctx, name);
      live = await ctx.reads.tags(arn);
    };
  });
  return first;
}
