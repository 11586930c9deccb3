/**
 * Executes Kinesis plan changes. Every step converges: read the live state, make the one call that brings it
 * closer, wait, read again, until it matches (at most `maxRounds` calls). So a step retried after a dropped
 * connection, a rerun after a partial failure, or a CreateStream whose answer was lost all end in the same state:
 * "already exists" is success once the stream (or consumer) is there. Each call attempt goes to the audit log.
 * Calls per change are documented in docs/apply.md. This module dispatches a change to its step
 * (kinesis-stream-steps.ts, kinesis-consumer-steps.ts, kinesis-policy-step.ts), on the run's machinery (kinesis-run.ts).
 */
import type { ApplyStep, ChangeExecutor, StepHooks } from '../../core/apply/types.js';
import type { TagMap } from '../../core/plan/types.js';
import { AdapterError } from './errors.js';
import { consumerTags, deregister, register } from './kinesis-consumer-steps.js';
import { policy } from './kinesis-policy-step.js';
import { KinesisRun, StepFailed } from './kinesis-run.js';
import type { KinesisExecutorOptions } from './kinesis-run.js';
import {
  capacity,
  createStream,
  deleteStream,
  encryption,
  monitoring,
  retention,
  streamTags,
} from './kinesis-stream-steps.js';
import { describeError } from './retry.js';

export type { KinesisExecutorOptions } from './kinesis-run.js';

/**
 * IAM actions the executor needs (granted to the governance role). Stream administrators of streams encrypted
 * with a customer-managed key also need `kms:DescribeKey*` and `kms:List*`
 * (https://docs.aws.amazon.com/streams/latest/dev/permissions-user-key-KMS.html).
 */
export const KINESIS_EXECUTOR_IAM_ACTIONS = [
  'kinesis:AddTagsToStream',
  'kinesis:CreateStream',
  'kinesis:DecreaseStreamRetentionPeriod',
  'kinesis:DeleteResourcePolicy',
  'kinesis:DeleteStream',
  'kinesis:DeregisterStreamConsumer',
  'kinesis:DescribeStreamConsumer',
  'kinesis:DescribeStreamSummary',
  'kinesis:DisableEnhancedMonitoring',
  'kinesis:EnableEnhancedMonitoring',
  'kinesis:IncreaseStreamRetentionPeriod',
  'kinesis:ListStreamConsumers',
  'kinesis:ListTagsForResource',
  'kinesis:PutResourcePolicy',
  'kinesis:RegisterStreamConsumer',
  'kinesis:RemoveTagsFromStream',
  'kinesis:StartStreamEncryption',
  'kinesis:StopStreamEncryption',
  'kinesis:TagResource',
  'kinesis:UntagResource',
  'kinesis:UpdateShardCount',
  'kinesis:UpdateStreamMode',
  'kms:DescribeKey',
  'kms:ListAliases',
] as const;

/** Keys a tag update removes: in `before` (live) but not in `after` (desired). */
function removedKeys(change: { before: { tags: TagMap }; after: { tags: TagMap } }): string[] {
  return Object.keys(change.before.tags).filter((key) => !(key in change.after.tags));
}

export class KinesisExecutor implements ChangeExecutor {
  private readonly engine: KinesisRun;

  constructor(options: KinesisExecutorOptions) {
    this.engine = new KinesisRun(options);
  }

  async execute(step: ApplyStep, hooks?: StepHooks): Promise<{ status: 'done' | 'failed'; message?: string }> {
    try {
      const message = await this.dispatch(step, hooks);
      return { status: 'done', ...(message ? { message } : {}) };
    } catch (error) {
      if (error instanceof StepFailed || error instanceof AdapterError)
        return { status: 'failed', message: error.message };
      return { status: 'failed', message: describeError(error) };
    }
  }

  private async dispatch(step: ApplyStep, hooks?: StepHooks): Promise<string | undefined> {
    const ctx = this.engine.ctx(step);
    const { change } = ctx;
    switch (change.resourceType) {
      case 'stream':
        if (change.action === 'delete') return deleteStream(this.engine, step, ctx, hooks);
        if (change.action === 'create') return createStream(this.engine, step, ctx, change.after, hooks);
        return undefined;
      case 'stream-tags':
      case 'stream-tag-revocation':
        await streamTags(this.engine, step, ctx, change.after.tags, removedKeys(change));
        return undefined;
      case 'stream-encryption':
        await encryption(this.engine, step, ctx, change.after.encryption);
        return undefined;
      case 'stream-retention':
        await retention(this.engine, step, ctx, change.after.retentionHours);
        return undefined;
      case 'stream-capacity':
        return capacity(this.engine, step, ctx, change.after.mode, change.after.shards);
      case 'stream-monitoring':
        await monitoring(this.engine, step, ctx, change.after.enhancedMonitoring);
        return undefined;
      case 'consumer':
        return change.action === 'delete'
          ? deregister(this.engine, step, ctx, change.target.consumer, hooks)
          : register(this.engine, step, ctx, change.target.consumer, change.after.tags, hooks);
      case 'consumer-tags':
      case 'consumer-tag-revocation':
        await consumerTags(this.engine, step, ctx, change.target.consumer, change.after.tags, removedKeys(change));
        return undefined;
      case 'stream-policy':
      case 'consumer-policy':
        await policy(this.engine, step, ctx, change);
        return undefined;
      case 'iam-policy':
      case 'iam-boundary':
      case 'event-source-mapping':
        throw new StepFailed(`${change.resourceType} is not a Kinesis change`);
      default: {
        const unknown: never = change;
        throw new StepFailed(`unknown change ${JSON.stringify(unknown)}`);
      }
    }
  }
}
