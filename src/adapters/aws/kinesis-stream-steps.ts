/**
 * The steps of a stream's lane that act on the stream itself: create (with its tags, then retention, encryption and
 * monitoring from what the create told), delete (only what meshgov manages), tags, encryption, retention, capacity
 * (mode switch, then UpdateShardCount within the daily budget) and enhanced monitoring. Each converges on
 * `KinesisRun`: read once, call, apply the answer's effect or wait, until the live state matches.
 */
import {
  AddTagsToStreamCommand,
  CreateStreamCommand,
  DecreaseStreamRetentionPeriodCommand,
  DeleteStreamCommand,
  DisableEnhancedMonitoringCommand,
  EnableEnhancedMonitoringCommand,
  IncreaseStreamRetentionPeriodCommand,
  RemoveTagsFromStreamCommand,
  StartStreamEncryptionCommand,
  StopStreamEncryptionCommand,
  UpdateShardCountCommand,
  UpdateStreamModeCommand,
} from '@aws-sdk/client-kinesis';
import type { MetricsName, StreamDescriptionSummary } from '@aws-sdk/client-kinesis';
import { budgetFor, budgetShortfall } from '../../core/apply/budget.js';
import { shardCountSteps } from '../../core/apply/shard-steps.js';
import type { ApplyStep, StepHooks } from '../../core/apply/types.js';
import { MANAGED_BY_VALUE, TAG_MANAGED_BY } from '../../core/model/governance-tags.js';
import { normaliseMetrics } from '../../core/plan/diff-stream.js';
import type { StreamCreateAttributes, TagMap } from '../../core/plan/types.js';
import { chunks, StepFailed, TAGS_PER_CALL } from './kinesis-run.js';
import type { KinesisRun, StepContext } from './kinesis-run.js';

function liveMetrics(summary: StreamDescriptionSummary): string[] {
  return normaliseMetrics((summary.EnhancedMonitoring ?? []).flatMap((setting) => setting.ShardLevelMetrics ?? []));
}

/**
 * CreateStream with its tags, at once (the plan says the stream is not there; an answer that it is, from an
 * earlier attempt whose answer was lost, makes the loop read and converge instead). Once ACTIVE the transition
 * slot is handed back, then retention, encryption and monitoring are set from what the create and the wait
 * already told, waiting only after the call that puts the stream in UPDATING.
 */
export async function createStream(
  engine: KinesisRun,
  step: ApplyStep,
  ctx: StepContext,
  attributes: StreamCreateAttributes,
  hooks?: StepHooks,
): Promise<string | undefined> {
  const mode = attributes.mode;
  const shards = attributes.shards ?? 1;
  const tags = Object.entries(attributes.tags);
  let created = false;
  let existed = false;
  let allTagsSent = false;
  /** Tags a CreateStream answered OK carried. */
  let sentTags: Record<string, string> | undefined;
  let read = false;
  await engine.converge(`CreateStream ${ctx.stream}`, async () => {
    if (engine.known.streams.has(ctx.key)) return undefined;
    const summary = read ? await ctx.reads.stream(ctx.stream) : undefined;
    read = true;
    if (summary?.StreamStatus === 'ACTIVE') {
      engine.known.streams.set(ctx.key, summary);
      return undefined;
    }
    if (summary?.StreamStatus === 'DELETING') return () => ctx.reads.waitStreamGone(ctx.stream);
    if (summary) return () => engine.settle(ctx);
    return async () => {
      const sent = tags.slice(0, engine.tagsPerCreate);
      const answer = await engine.call(
        step,
        'CreateStream',
        ctx.streamArn,
        () =>
          ctx.client.send(
            new CreateStreamCommand({
              StreamName: ctx.stream,
              StreamModeDetails: { StreamMode: mode },
              ...(mode === 'PROVISIONED' ? { ShardCount: shards } : {}),
              ...(sent.length ? { Tags: Object.fromEntries(sent) } : {}),
            }),
          ),
        { tagsRefusedOk: engine.tagsPerCreate > TAGS_PER_CALL },
      );
      if (answer.outcome === 'tags-refused') {
        engine.tagsPerCreate = TAGS_PER_CALL;
        read = false;
        return;
      }
      // ResourceInUse: it exists already (an earlier attempt whose answer was lost, or a concurrent create): re-read.
      if (answer.outcome !== 'ok') {
        existed = true;
        return;
      }
      created = true;
      allTagsSent = sent.length === tags.length && !answer.unparsable;
      if (!answer.unparsable) sentTags = Object.fromEntries(sent);
      const waited = await ctx.reads.waitStreamActive(ctx.stream, 'stream-create');
      if (waited?.StreamStatus === 'ACTIVE') engine.known.streams.set(ctx.key, waited);
    };
  });
  hooks?.settled();
  const live = await engine.activeStream(ctx);
  const liveMode = live.StreamModeDetails?.StreamMode ?? 'PROVISIONED';
  if (liveMode !== mode)
    throw new StepFailed(`stream ${ctx.stream} exists with capacity mode ${liveMode}, not ${mode}; run plan again`);
  // Tags sent with CreateStream are read back the first time only (an endpoint may drop them); then what the
  // endpoint does with them is known, and only the tags that did not fit in the create are added.
  if (tags.length && !(allTagsSent && engine.known.tagsOnCreate.stream === true)) {
    const honoured = engine.known.tagsOnCreate.stream;
    const presumed = sentTags && honoured !== undefined ? (honoured ? sentTags : {}) : undefined;
    const read = await streamTags(engine, step, ctx, attributes.tags, [], presumed);
    if (sentTags && read)
      engine.known.tagsOnCreate.stream = Object.entries(sentTags).every(([key, value]) => read[key] === value);
  }
  await retention(engine, step, ctx, attributes.retentionHours);
  await encryption(engine, step, ctx, attributes.encryption);
  await monitoring(engine, step, ctx, attributes.enhancedMonitoring);
  return existed && !created
    ? 'the stream already existed (an earlier attempt reached AWS); settings converged'
    : undefined;
}

export async function deleteStream(
  engine: KinesisRun,
  step: ApplyStep,
  ctx: StepContext,
  hooks?: StepHooks,
): Promise<string | undefined> {
  engine.known.streams.delete(ctx.key);
  const summary = await ctx.reads.stream(ctx.stream);
  if (!summary) return 'already deleted';
  let deleted = false;
  if (summary.StreamStatus !== 'DELETING') {
    const arn = summary.StreamARN ?? ctx.streamArn;
    const tags = await ctx.reads.tags(arn);
    if (tags[TAG_MANAGED_BY] !== MANAGED_BY_VALUE)
      throw new StepFailed(
        `stream ${ctx.stream} is not tagged ${TAG_MANAGED_BY}=${MANAGED_BY_VALUE} any more; meshgov does not delete what it does not manage`,
      );
    const consumers = await ctx.reads.consumers(arn);
    for (const con of consumers) {
      const ct = await ctx.reads.tags(con.arn);
      if (ct[TAG_MANAGED_BY] !== MANAGED_BY_VALUE)
        throw new StepFailed(
          `stream ${ctx.stream} has consumer ${con.name}, which meshgov does not manage; deregister it first`,
        );
    }
    await engine.converge(`DeleteStream ${ctx.stream}`, async () => {
      const now = await ctx.reads.stream(ctx.stream);
      if (!now || now.StreamStatus === 'DELETING') return undefined;
      if (now.StreamStatus !== 'ACTIVE') return () => ctx.reads.waitStreamActive(ctx.stream);
      return async () => {
        const answer = await engine.call(
          step,
          'DeleteStream',
          arn,
          () =>
            ctx.client.send(new DeleteStreamCommand({ StreamARN: arn, EnforceConsumerDeletion: consumers.length > 0 })),
          { notFoundOk: true },
        );
        deleted = answer.outcome === 'ok';
      };
    });
  }
  await ctx.reads.waitStreamGone(ctx.stream, deleted ? 'stream-delete' : undefined);
  hooks?.settled();
  return undefined;
}

/**
 * Converge the stream's tags from one read (none with `presumed`: what a create just set); answered calls update
 * what was read. Returns the tags read, if read.
 */
export async function streamTags(
  engine: KinesisRun,
  step: ApplyStep,
  ctx: StepContext,
  set: Record<string, string>,
  remove: string[],
  presumed?: TagMap,
): Promise<TagMap | undefined> {
  let summary = await engine.activeStream(ctx);
  const first = presumed ? undefined : await ctx.reads.tags(summary.StreamARN ?? ctx.streamArn);
  let live = presumed ?? first ?? {};
  await engine.converge(`tags of ${ctx.stream}`, async () => {
    const arn = summary.StreamARN ?? ctx.streamArn;
    const add = Object.entries(set).filter(([key, value]) => live[key] !== value);
    const drop = remove.filter((key) => key in live);
    if (!add.length && !drop.length) return undefined;
    const send = add.length
      ? {
          api: 'AddTagsToStream',
          fn: () =>
            ctx.client.send(
              new AddTagsToStreamCommand({
                StreamARN: arn,
                Tags: Object.fromEntries(chunks(add, TAGS_PER_CALL)[0] ?? []),
              }),
            ),
        }
      : {
          api: 'RemoveTagsFromStream',
          fn: () =>
            ctx.client.send(
              new RemoveTagsFromStreamCommand({ StreamARN: arn, TagKeys: chunks(drop, TAGS_PER_CALL)[0] ?? [] }),
            ),
        };
    return async () => {
      const answer = await engine.call(step, send.api, arn, send.fn);
      if (answer.outcome === 'ok' && !answer.unparsable) {
        const next = { ...live };
        if (add.length) for (const [key, value] of chunks(add, TAGS_PER_CALL)[0] ?? []) next[key] = value;
        else for (const key of chunks(drop, TAGS_PER_CALL)[0] ?? []) delete next[key];
        live = next;
        return;
      }
      summary = await engine.settle(ctx);
      live = await ctx.reads.tags(summary.StreamARN ?? ctx.streamArn);
    };
  });
  return first;
}

export async function encryption(
  engine: KinesisRun,
  step: ApplyStep,
  ctx: StepContext,
  want: { type: string; keyId?: string },
): Promise<void> {
  const key = want.keyId ?? 'alias/aws/kinesis';
  await engine.converge(`encryption of ${ctx.stream}`, async () => {
    const summary = await engine.activeStream(ctx);
    const arn = summary.StreamARN ?? ctx.streamArn;
    const type = summary.EncryptionType ?? 'NONE';
    if (want.type === 'KMS' && (type !== 'KMS' || (summary.KeyId !== undefined && summary.KeyId !== key))) {
      return () =>
        engine.changeStream(
          step,
          ctx,
          'StartStreamEncryption',
          () =>
            ctx.client.send(new StartStreamEncryptionCommand({ StreamARN: arn, EncryptionType: 'KMS', KeyId: key })),
          'transition',
        );
    }
    if (want.type === 'NONE' && type === 'KMS') {
      return () =>
        engine.changeStream(
          step,
          ctx,
          'StopStreamEncryption',
          () =>
            ctx.client.send(
              new StopStreamEncryptionCommand({ StreamARN: arn, EncryptionType: 'KMS', KeyId: summary.KeyId ?? key }),
            ),
          'transition',
        );
    }
    return undefined;
  });
}

export async function retention(engine: KinesisRun, step: ApplyStep, ctx: StepContext, hours: number): Promise<void> {
  if (!Number.isFinite(hours)) throw new StepFailed('the change has no retentionHours');
  const applied = (summary: StreamDescriptionSummary) => {
    summary.RetentionPeriodHours = hours;
  };
  await engine.converge(`retention of ${ctx.stream}`, async () => {
    const summary = await engine.activeStream(ctx);
    const arn = summary.StreamARN ?? ctx.streamArn;
    const live = summary.RetentionPeriodHours ?? 24;
    if (live < hours)
      return () =>
        engine.changeStream(
          step,
          ctx,
          'IncreaseStreamRetentionPeriod',
          () =>
            ctx.client.send(new IncreaseStreamRetentionPeriodCommand({ StreamARN: arn, RetentionPeriodHours: hours })),
          applied,
        );
    if (live > hours)
      return () =>
        engine.changeStream(
          step,
          ctx,
          'DecreaseStreamRetentionPeriod',
          () =>
            ctx.client.send(new DecreaseStreamRetentionPeriodCommand({ StreamARN: arn, RetentionPeriodHours: hours })),
          applied,
        );
    return undefined;
  });
}

/** Mode switch first, then UpdateShardCount in steps of at most 2x up / 1/2 down, each checked against the daily budget. */
export async function capacity(
  engine: KinesisRun,
  step: ApplyStep,
  ctx: StepContext,
  mode: string | undefined,
  shards: number | undefined,
): Promise<string | undefined> {
  const path: string[] = [];
  await engine.converge(`capacity of ${ctx.stream}`, async () => {
    const summary = await engine.activeStream(ctx);
    const arn = summary.StreamARN ?? ctx.streamArn;
    const liveMode = summary.StreamModeDetails?.StreamMode ?? 'PROVISIONED';
    const budget = budgetFor(engine.options.history(), ctx.account, ctx.stream, engine.options.now());
    if (mode !== undefined && mode !== liveMode) {
      const short = budgetShortfall(budget, 0, 1);
      if (short) throw new StepFailed(`scaling budget: ${short}`);
      return async () => {
        path.push(`${liveMode}->${mode}`);
        await engine.changeStream(
          step,
          ctx,
          'UpdateStreamMode',
          () =>
            ctx.client.send(
              new UpdateStreamModeCommand({
                StreamARN: arn,
                StreamModeDetails: { StreamMode: mode === 'ON_DEMAND' ? 'ON_DEMAND' : 'PROVISIONED' },
              }),
            ),
          'transition',
        );
      };
    }
    const open = summary.OpenShardCount ?? 0;
    if (shards === undefined || liveMode !== 'PROVISIONED' || open === shards || open < 1) return undefined;
    const steps = shardCountSteps(open, shards);
    const short = budgetShortfall(budget, steps.length, 0);
    if (short) throw new StepFailed(`scaling budget: ${open}->${shards} ${short}`);
    const target = steps[0] as number;
    return async () => {
      path.push(`${open}->${target}`);
      await engine.changeStream(
        step,
        ctx,
        'UpdateShardCount',
        () =>
          ctx.client.send(
            new UpdateShardCountCommand({ StreamARN: arn, TargetShardCount: target, ScalingType: 'UNIFORM_SCALING' }),
          ),
        'transition',
      );
    };
  });
  return path.length ? `capacity ${path.join(', ')}` : undefined;
}

export async function monitoring(
  engine: KinesisRun,
  step: ApplyStep,
  ctx: StepContext,
  metrics: string[],
): Promise<void> {
  const want = normaliseMetrics(metrics);
  const applied = (summary: StreamDescriptionSummary) => {
    summary.EnhancedMonitoring = [{ ShardLevelMetrics: want as MetricsName[] }];
  };
  await engine.converge(`enhanced monitoring of ${ctx.stream}`, async () => {
    const summary = await engine.activeStream(ctx);
    const arn = summary.StreamARN ?? ctx.streamArn;
    const live = liveMetrics(summary);
    const enable = want.filter((metric) => !live.includes(metric));
    const disable = live.filter((metric) => !want.includes(metric));
    // An answered call may still leave the other half to do; only a call with nothing left over settles the summary.
    const effect = (rest: string[]) => (rest.length ? ('transition' as const) : applied);
    if (enable.length)
      return () =>
        engine.changeStream(
          step,
          ctx,
          'EnableEnhancedMonitoring',
          () =>
            ctx.client.send(
              new EnableEnhancedMonitoringCommand({ StreamARN: arn, ShardLevelMetrics: enable as MetricsName[] }),
            ),
          effect(disable),
        );
    if (disable.length)
      return () =>
        engine.changeStream(
          step,
          ctx,
          'DisableEnhancedMonitoring',
          () =>
            ctx.client.send(
              new DisableEnhancedMonitoringCommand({ StreamARN: arn, ShardLevelMetrics: disable as MetricsName[] }),
            ),
          applied,
        );
    return undefined;
  });
}
