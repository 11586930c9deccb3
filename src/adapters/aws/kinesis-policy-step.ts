/** The resource policy step of a stream's lane: a stream's or a consumer's policy, put or deleted whole. */
import { DeleteResourcePolicyCommand, PutResourcePolicyCommand } from '@aws-sdk/client-kinesis';
import type { ApplyStep } from '../../core/apply/types.js';
import type { ResourcePolicyChange } from '../../core/plan/types.js';
import { activeConsumer } from './kinesis-consumer-steps.js';
import type { KinesisRun, StepContext } from './kinesis-run.js';

/**
 * Resource policies are replaced whole (PutResourcePolicy is idempotent), without a read first: a stream's ARN
 * is known from its name, a consumer's from its registration. A busy answer waits for ACTIVE and tries again.
 */
export async function policy(
  engine: KinesisRun,
  step: ApplyStep,
  ctx: StepContext,
  change: ResourcePolicyChange,
): Promise<void> {
  const consumer = change.resourceType === 'consumer-policy' ? change.target.consumer : undefined;
  const doc = change.after?.policy;
  let done = false;
  await engine.converge(`${change.resourceType} ${change.address}`, async () => {
    if (done) return undefined;
    const arn =
      consumer !== undefined
        ? await activeConsumer(engine, ctx, consumer)
        : (engine.known.streams.get(ctx.key)?.StreamARN ?? ctx.streamArn);
    return async () => {
      const answer =
        change.action === 'delete' || !doc
          ? await engine.call(
              step,
              'DeleteResourcePolicy',
              arn,
              () => ctx.client.send(new DeleteResourcePolicyCommand({ ResourceARN: arn })),
              { notFoundOk: true },
            )
          : await engine.call(step, 'PutResourcePolicy', arn, () =>
              ctx.client.send(new PutResourcePolicyCommand({ ResourceARN: arn, Policy: JSON.stringify(doc) })),
            );
      if (answer.outcome !== 'in-use') {
        done = true;
        return;
      }
      if (consumer !== undefined) {
        engine.known.consumers.delete(`${ctx.key}/${consumer}`);
        await activeConsumer(engine, ctx, consumer);
      } else {
        await engine.settle(ctx);
      }
    };
  });
}
