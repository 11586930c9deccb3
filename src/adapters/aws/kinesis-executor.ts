/**
 * Executes Kinesis plan changes. Every step converges: read the live state, make the one call that brings it
 * closer, wait, read again, until it matches (at most `maxRounds` calls). So a step retried after a dropped
 * connection, a rerun after a partial failure, or a CreateStream whose answer was lost all end in the same state:
 * "already exists" is success once the stream (or consumer) is there. Each call attempt goes to the audit log.
 * Calls per change are documented in docs/apply.md.
 */
import {
  AddTagsToStreamCommand, CreateStreamCommand, DecreaseStreamRetentionPeriodCommand, DeleteResourcePolicyCommand, DeleteStreamCommand,
  DeregisterStreamConsumerCommand, DisableEnhancedMonitoringCommand, EnableEnhancedMonitoringCommand, IncreaseStreamRetentionPeriodCommand,
  PutResourcePolicyCommand, RegisterStreamConsumerCommand, RemoveTagsFromStreamCommand, StartStreamEncryptionCommand, StopStreamEncryptionCommand,
  TagResourceCommand, UntagResourceCommand, UpdateShardCountCommand, UpdateStreamModeCommand,
} from '@aws-sdk/client-kinesis';
import type { KinesisClient, MetricsName, StreamDescriptionSummary } from '@aws-sdk/client-kinesis';
import { budgetFor, budgetShortfall } from '../../core/apply/budget.js';
import { shardCountSteps } from '../../core/apply/shard-steps.js';
import type { ApplyStep, AuditEntry, ChangeExecutor } from '../../core/apply/types.js';
import { MANAGED_BY_VALUE, TAG_MANAGED_BY } from '../../core/model/governance-tags.js';
import { normaliseMetrics } from '../../core/plan/diff-stream.js';
import type { ResourcePolicyChange, StreamCreateAttributes, TagMap } from '../../core/plan/types.js';
import { AdapterError } from './errors.js';
import { KinesisReads } from './kinesis-waits.js';
import type { WaitOptions } from './kinesis-waits.js';
import { auditLine, DEFAULT_BACKOFF, describeError, withRetry } from './retry.js';
import type { AttemptEvent, Backoff } from './retry.js';

/**
 * IAM actions the executor needs (granted to the governance role). Stream administrators of streams encrypted
 * with a customer-managed key also need `kms:DescribeKey*` and `kms:List*`
 * (https://docs.aws.amazon.com/streams/latest/dev/permissions-user-key-KMS.html).
 */
export const KINESIS_EXECUTOR_IAM_ACTIONS = [
  'kinesis:AddTagsToStream', 'kinesis:CreateStream', 'kinesis:DecreaseStreamRetentionPeriod', 'kinesis:DeleteResourcePolicy', 'kinesis:DeleteStream',
  'kinesis:DeregisterStreamConsumer', 'kinesis:DescribeStreamConsumer', 'kinesis:DescribeStreamSummary', 'kinesis:DisableEnhancedMonitoring',
  'kinesis:EnableEnhancedMonitoring', 'kinesis:IncreaseStreamRetentionPeriod', 'kinesis:ListStreamConsumers', 'kinesis:ListTagsForResource',
  'kinesis:PutResourcePolicy', 'kinesis:RegisterStreamConsumer', 'kinesis:RemoveTagsFromStream', 'kinesis:StartStreamEncryption',
  'kinesis:StopStreamEncryption', 'kinesis:TagResource', 'kinesis:UntagResource', 'kinesis:UpdateShardCount', 'kinesis:UpdateStreamMode',
  'kms:DescribeKey', 'kms:ListAliases',
] as const;

/** AddTagsToStream / RemoveTagsFromStream take at most 10 tags per call (kinesis-local enforces it too). */
const TAGS_PER_CALL = 10;

export interface KinesisExecutorOptions {
  /** Kinesis client of an account (from a pool whose clients make one attempt per call). */
  client: (account: string) => KinesisClient;
  region: string;
  partition: string;
  /** Appends an audit entry (the log file and the in-memory history). */
  log: (entry: AuditEntry) => void;
  /** Audit entries so far (earlier runs and this one), for the scaling budgets. */
  history: () => readonly AuditEntry[];
  now: () => Date;
  backoff?: Backoff;
  wait: WaitOptions;
  /** Calls per step before giving up (default 30). */
  maxRounds?: number;
}

class StepFailed extends Error {}

function chunks<T>(items: T[], n: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += n) out.push(items.slice(i, i + n));
  return out;
}

function liveMetrics(s: StreamDescriptionSummary): string[] {
  return normaliseMetrics((s.EnhancedMonitoring ?? []).flatMap((m) => m.ShardLevelMetrics ?? []));
}

/** Keys a tag update removes: in `before` (live) but not in `after` (desired). */
function removedKeys(c: { before: { tags: TagMap }; after: { tags: TagMap } }): string[] {
  return Object.keys(c.before.tags).filter((k) => !(k in c.after.tags));
}

export class KinesisExecutor implements ChangeExecutor {
  private readonly backoff: Backoff;
  private readonly maxRounds: number;

  constructor(private readonly o: KinesisExecutorOptions) {
    this.backoff = o.backoff ?? DEFAULT_BACKOFF;
    this.maxRounds = o.maxRounds ?? 30;
  }

  async execute(step: ApplyStep): Promise<{ status: 'done' | 'failed'; message?: string }> {
    try {
      const message = await this.run(step);
      return { status: 'done', ...(message ? { message } : {}) };
    } catch (e) {
      if (e instanceof StepFailed || e instanceof AdapterError) return { status: 'failed', message: e.message };
      return { status: 'failed', message: describeError(e) };
    }
  }

  private ctx(step: ApplyStep) {
    const c = step.change;
    // The structured target, never the display address, says what to act on.
    if (!('stream' in c.target)) throw new StepFailed(`${c.resourceType} is not a Kinesis change`);
    const { account, stream } = c.target;
    const client = this.o.client(account);
    const reads = new KinesisReads(client, account, this.backoff, this.o.wait);
    const streamArn = `arn:${this.o.partition}:kinesis:${this.o.region}:${account}:stream/${stream}`;
    return { c, account, stream, client, reads, streamArn };
  }

  /**
   * One mutating call with retries for throttling and transient errors, logged per attempt. Returns 'ok' or
   * 'in-use' (the caller waits and re-reads); other failures end the step.
   */
  private async call(step: ApplyStep, api: string, resource: string, send: () => Promise<unknown>, opts: { notFoundOk?: boolean } = {}): Promise<'ok' | 'in-use' | 'not-found'> {
    const account = step.change.target.account;
    const call = { account, api: `kinesis:${api}`, resource, change: step.id };
    const log = (attempt: number, ev: AttemptEvent) => {
      this.o.log(auditLine({ ...call, time: this.o.now().toISOString() }, attempt, ev));
    };
    const r = await withRetry(send, log, this.backoff);
    if (r.ok) return 'ok';
    if (r.kind === 'in-use') return 'in-use';
    if (r.kind === 'not-found' && opts.notFoundOk) return 'not-found';
    const why = r.kind === 'hard-quota'
      ? `${api} hit an account quota, not retried: ${describeError(r.error)} (request a quota increase or change the mesh)`
      : `${api} failed after ${r.attempt} attempt(s): ${describeError(r.error)}`;
    throw new StepFailed(why);
  }

  /** Converge: `next` returns the call to make, or undefined when the live state matches. */
  private async converge(what: string, next: () => Promise<(() => Promise<unknown>) | undefined>): Promise<number> {
    let calls = 0;
    for (let round = 0; round < this.maxRounds; round++) {
      const act = await next();
      if (!act) return calls;
      calls++;
      await act();
    }
    throw new StepFailed(`${what} did not converge after ${this.maxRounds} calls; rerun apply`);
  }

  private async activeStream(x: ReturnType<KinesisExecutor['ctx']>): Promise<StreamDescriptionSummary> {
    const s = await x.reads.waitStreamActive(x.stream);
    if (!s) throw new StepFailed(`stream ${x.stream} does not exist in account ${x.account}`);
    return s;
  }

  private async run(step: ApplyStep): Promise<string | undefined> {
    const x = this.ctx(step);
    const { c } = x;
    switch (c.resourceType) {
      case 'stream':
        if (c.action === 'delete') return this.deleteStream(step, x);
        if (c.action === 'create') return this.createStream(step, x, c.after);
        return undefined;
      case 'stream-tags':
      case 'stream-tag-revocation':
        await this.streamTags(step, x, c.after.tags, removedKeys(c));
        return undefined;
      case 'stream-encryption':
        await this.encryption(step, x, c.after.encryption);
        return undefined;
      case 'stream-retention':
        await this.retention(step, x, c.after.retentionHours);
        return undefined;
      case 'stream-capacity':
        return this.capacity(step, x, c.after.mode, c.after.shards);
      case 'stream-monitoring':
        await this.monitoring(step, x, c.after.enhancedMonitoring);
        return undefined;
      case 'consumer':
        return c.action === 'delete' ? this.deregister(step, x, c.target.consumer) : this.register(step, x, c.target.consumer, c.after.tags);
      case 'consumer-tags':
      case 'consumer-tag-revocation':
        await this.consumerTags(step, x, c.target.consumer, c.after.tags, removedKeys(c));
        return undefined;
      case 'stream-policy':
      case 'consumer-policy':
        await this.policy(step, x, c);
        return undefined;
      case 'iam-policy':
      case 'iam-boundary':
        throw new StepFailed(`${c.resourceType} is not a Kinesis change`);
      default: {
        const unknown: never = c;
        throw new StepFailed(`unknown change ${JSON.stringify(unknown)}`);
      }
    }
  }

  private async createStream(step: ApplyStep, x: ReturnType<KinesisExecutor['ctx']>, a: StreamCreateAttributes): Promise<string | undefined> {
    const mode = a.mode;
    const shards = a.shards ?? 1;
    const tags = a.tags;
    let created = false;
    let existed = false;
    await this.converge(`CreateStream ${x.stream}`, async () => {
      const s = await x.reads.stream(x.stream);
      if (s?.StreamStatus === 'ACTIVE') return undefined;
      if (s?.StreamStatus === 'DELETING') return () => x.reads.waitStreamGone(x.stream);
      if (s) return () => x.reads.waitStreamActive(x.stream);
      return async () => {
        const first = Object.keys(tags).length <= 50 ? { Tags: tags } : {};
        const r = await this.call(step, 'CreateStream', x.streamArn, () => x.client.send(new CreateStreamCommand({
          StreamName: x.stream, StreamModeDetails: { StreamMode: mode }, ...(mode === 'PROVISIONED' ? { ShardCount: shards } : {}), ...first,
        })));
        // ResourceInUse: it exists already (an earlier attempt whose answer was lost, or a concurrent create): re-read.
        if (r === 'in-use') existed = true;
        else created = true;
        await x.reads.waitStreamActive(x.stream);
      };
    });
    const live = await this.activeStream(x);
    const liveMode = live.StreamModeDetails?.StreamMode ?? 'PROVISIONED';
    if (liveMode !== mode) throw new StepFailed(`stream ${x.stream} exists with capacity mode ${liveMode}, not ${mode}; run plan again`);
    // Tags were sent with CreateStream; endpoints that ignore tag-on-create (or a stream found existing) get them now.
    if (Object.keys(tags).length) await this.streamTags(step, x, tags, []);
    await this.encryption(step, x, a.encryption);
    await this.retention(step, x, a.retentionHours);
    await this.monitoring(step, x, a.enhancedMonitoring);
    return existed && !created ? 'the stream already existed (an earlier attempt reached AWS); settings converged' : undefined;
  }

  private async deleteStream(step: ApplyStep, x: ReturnType<KinesisExecutor['ctx']>): Promise<string | undefined> {
    const s = await x.reads.stream(x.stream);
    if (!s) return 'already deleted';
    if (s.StreamStatus !== 'DELETING') {
      const arn = s.StreamARN ?? x.streamArn;
      const tags = await x.reads.tags(arn);
      if (tags[TAG_MANAGED_BY] !== MANAGED_BY_VALUE) throw new StepFailed(`stream ${x.stream} is not tagged ${TAG_MANAGED_BY}=${MANAGED_BY_VALUE} any more; meshgov does not delete what it does not manage`);
      const consumers = await x.reads.consumers(arn);
      for (const con of consumers) {
        const ct = await x.reads.tags(con.arn);
        if (ct[TAG_MANAGED_BY] !== MANAGED_BY_VALUE) throw new StepFailed(`stream ${x.stream} has consumer ${con.name}, which meshgov does not manage; deregister it first`);
      }
      await this.converge(`DeleteStream ${x.stream}`, async () => {
        const now = await x.reads.stream(x.stream);
        if (!now || now.StreamStatus === 'DELETING') return undefined;
        if (now.StreamStatus !== 'ACTIVE') return () => x.reads.waitStreamActive(x.stream);
        return () => this.call(step, 'DeleteStream', arn, () => x.client.send(new DeleteStreamCommand({ StreamARN: arn, EnforceConsumerDeletion: consumers.length > 0 })), { notFoundOk: true });
      });
    }
    await x.reads.waitStreamGone(x.stream);
    return undefined;
  }

  private async streamTags(step: ApplyStep, x: ReturnType<KinesisExecutor['ctx']>, set: Record<string, string>, remove: string[]): Promise<void> {
    await this.converge(`tags of ${x.stream}`, async () => {
      const s = await this.activeStream(x);
      const arn = s.StreamARN ?? x.streamArn;
      const live = await x.reads.tags(arn);
      const add = Object.entries(set).filter(([k, v]) => live[k] !== v);
      const drop = remove.filter((k) => k in live);
      if (add.length) {
        const batch = Object.fromEntries(chunks(add, TAGS_PER_CALL)[0] ?? []);
        return () => this.callWaiting(step, x, 'AddTagsToStream', arn, () => x.client.send(new AddTagsToStreamCommand({ StreamARN: arn, Tags: batch })));
      }
      if (drop.length) {
        const batch = chunks(drop, TAGS_PER_CALL)[0] ?? [];
        return () => this.callWaiting(step, x, 'RemoveTagsFromStream', arn, () => x.client.send(new RemoveTagsFromStreamCommand({ StreamARN: arn, TagKeys: batch })));
      }
      return undefined;
    });
  }

  /** A call on the stream; when it is busy, wait for ACTIVE (the converge loop then re-reads and tries again). */
  private async callWaiting(step: ApplyStep, x: ReturnType<KinesisExecutor['ctx']>, api: string, resource: string, send: () => Promise<unknown>): Promise<void> {
    await this.call(step, api, resource, send);
    await x.reads.waitStreamActive(x.stream);
  }

  private async encryption(step: ApplyStep, x: ReturnType<KinesisExecutor['ctx']>, want: { type: string; keyId?: string }): Promise<void> {
    const key = want.keyId ?? 'alias/aws/kinesis';
    await this.converge(`encryption of ${x.stream}`, async () => {
      const s = await this.activeStream(x);
      const arn = s.StreamARN ?? x.streamArn;
      const type = s.EncryptionType ?? 'NONE';
      if (want.type === 'KMS' && (type !== 'KMS' || (s.KeyId !== undefined && s.KeyId !== key))) {
        return () => this.callWaiting(step, x, 'StartStreamEncryption', arn, () => x.client.send(new StartStreamEncryptionCommand({ StreamARN: arn, EncryptionType: 'KMS', KeyId: key })));
      }
      if (want.type === 'NONE' && type === 'KMS') {
        return () => this.callWaiting(step, x, 'StopStreamEncryption', arn, () => x.client.send(new StopStreamEncryptionCommand({ StreamARN: arn, EncryptionType: 'KMS', KeyId: s.KeyId ?? key })));
      }
      return undefined;
    });
  }

  private async retention(step: ApplyStep, x: ReturnType<KinesisExecutor['ctx']>, hours: number): Promise<void> {
    if (!Number.isFinite(hours)) throw new StepFailed('the change has no retentionHours');
    await this.converge(`retention of ${x.stream}`, async () => {
      const s = await this.activeStream(x);
      const arn = s.StreamARN ?? x.streamArn;
      const live = s.RetentionPeriodHours ?? 24;
      if (live < hours) return () => this.callWaiting(step, x, 'IncreaseStreamRetentionPeriod', arn, () => x.client.send(new IncreaseStreamRetentionPeriodCommand({ StreamARN: arn, RetentionPeriodHours: hours })));
      if (live > hours) return () => this.callWaiting(step, x, 'DecreaseStreamRetentionPeriod', arn, () => x.client.send(new DecreaseStreamRetentionPeriodCommand({ StreamARN: arn, RetentionPeriodHours: hours })));
      return undefined;
    });
  }

  /** Mode switch first, then UpdateShardCount in steps of at most 2x up / 1/2 down, each checked against the daily budget. */
  private async capacity(step: ApplyStep, x: ReturnType<KinesisExecutor['ctx']>, mode: string | undefined, shards: number | undefined): Promise<string | undefined> {
    const path: string[] = [];
    await this.converge(`capacity of ${x.stream}`, async () => {
      const s = await this.activeStream(x);
      const arn = s.StreamARN ?? x.streamArn;
      const liveMode = s.StreamModeDetails?.StreamMode ?? 'PROVISIONED';
      const budget = budgetFor(this.o.history(), x.account, x.stream, this.o.now());
      if (mode !== undefined && mode !== liveMode) {
        const short = budgetShortfall(budget, 0, 1);
        if (short) throw new StepFailed(`scaling budget: ${short}`);
        return async () => {
          path.push(`${liveMode}->${mode}`);
          await this.callWaiting(step, x, 'UpdateStreamMode', arn, () => x.client.send(new UpdateStreamModeCommand({ StreamARN: arn, StreamModeDetails: { StreamMode: mode === 'ON_DEMAND' ? 'ON_DEMAND' : 'PROVISIONED' } })));
        };
      }
      const open = s.OpenShardCount ?? 0;
      if (shards === undefined || liveMode !== 'PROVISIONED' || open === shards || open < 1) return undefined;
      const steps = shardCountSteps(open, shards);
      const short = budgetShortfall(budget, steps.length, 0);
      if (short) throw new StepFailed(`scaling budget: ${open}->${shards} ${short}`);
      const target = steps[0] as number;
      return async () => {
        path.push(`${open}->${target}`);
        await this.callWaiting(step, x, 'UpdateShardCount', arn, () => x.client.send(new UpdateShardCountCommand({ StreamARN: arn, TargetShardCount: target, ScalingType: 'UNIFORM_SCALING' })));
      };
    });
    return path.length ? `capacity ${path.join(', ')}` : undefined;
  }

  private async monitoring(step: ApplyStep, x: ReturnType<KinesisExecutor['ctx']>, metrics: string[]): Promise<void> {
    const want = normaliseMetrics(metrics);
    await this.converge(`enhanced monitoring of ${x.stream}`, async () => {
      const s = await this.activeStream(x);
      const arn = s.StreamARN ?? x.streamArn;
      const live = liveMetrics(s);
      const enable = want.filter((m) => !live.includes(m));
      const disable = live.filter((m) => !want.includes(m));
      if (enable.length) return () => this.callWaiting(step, x, 'EnableEnhancedMonitoring', arn, () => x.client.send(new EnableEnhancedMonitoringCommand({ StreamARN: arn, ShardLevelMetrics: enable as MetricsName[] })));
      if (disable.length) return () => this.callWaiting(step, x, 'DisableEnhancedMonitoring', arn, () => x.client.send(new DisableEnhancedMonitoringCommand({ StreamARN: arn, ShardLevelMetrics: disable as MetricsName[] })));
      return undefined;
    });
  }

  private async register(step: ApplyStep, x: ReturnType<KinesisExecutor['ctx']>, name: string, tags: TagMap): Promise<string | undefined> {
    let existed = false;
    let registered = false;
    await this.converge(`RegisterStreamConsumer ${name}`, async () => {
      const s = await this.activeStream(x);
      const arn = s.StreamARN ?? x.streamArn;
      const con = await x.reads.consumer(arn, name);
      if (con?.ConsumerStatus === 'ACTIVE') return undefined;
      if (con?.ConsumerStatus === 'DELETING') return () => x.reads.waitConsumerGone(arn, name);
      if (con) return () => x.reads.waitConsumerActive(arn, name);
      return async () => {
        const r = await this.call(step, 'RegisterStreamConsumer', `${arn}/consumer/${name}`, () => x.client.send(new RegisterStreamConsumerCommand({
          StreamARN: arn, ConsumerName: name, ...(Object.keys(tags).length ? { Tags: tags } : {}),
        })));
        if (r === 'in-use') existed = true;
        else registered = true;
        await x.reads.waitConsumerActive(arn, name);
      };
    });
    await this.consumerTags(step, x, name, tags, []);
    return existed && !registered ? 'the consumer was already registered (an earlier attempt reached AWS)' : undefined;
  }

  private async deregister(step: ApplyStep, x: ReturnType<KinesisExecutor['ctx']>, name: string): Promise<string | undefined> {
    const s = await x.reads.stream(x.stream);
    if (!s) return 'the stream is gone';
    const arn = s.StreamARN ?? x.streamArn;
    await this.converge(`DeregisterStreamConsumer ${name}`, async () => {
      const con = await x.reads.consumer(arn, name);
      if (!con || con.ConsumerStatus === 'DELETING') return undefined;
      if (con.ConsumerStatus !== 'ACTIVE') return () => x.reads.waitConsumerActive(arn, name);
      return () => this.call(step, 'DeregisterStreamConsumer', con.ConsumerARN ?? `${arn}/consumer/${name}`, () => x.client.send(new DeregisterStreamConsumerCommand({ StreamARN: arn, ConsumerName: name })), { notFoundOk: true });
    });
    await x.reads.waitConsumerGone(arn, name);
    return undefined;
  }

  /** The live consumer, waited to ACTIVE; its ARN (with the creation timestamp) comes from the registration. */
  private async activeConsumer(x: ReturnType<KinesisExecutor['ctx']>, name: string): Promise<string> {
    const s = await this.activeStream(x);
    const con = await x.reads.waitConsumerActive(s.StreamARN ?? x.streamArn, name);
    if (!con?.ConsumerARN) throw new StepFailed(`consumer ${name} is not registered on ${x.stream}`);
    return con.ConsumerARN;
  }

  private async consumerTags(step: ApplyStep, x: ReturnType<KinesisExecutor['ctx']>, name: string, set: TagMap, remove: string[]): Promise<void> {
    await this.converge(`tags of consumer ${name}`, async () => {
      const arn = await this.activeConsumer(x, name);
      const live = await x.reads.tags(arn);
      const add = Object.entries(set).filter(([k, v]) => live[k] !== v);
      const drop = remove.filter((k) => k in live);
      if (add.length) return () => this.call(step, 'TagResource', arn, () => x.client.send(new TagResourceCommand({ ResourceARN: arn, Tags: Object.fromEntries(chunks(add, 50)[0] ?? []) })));
      if (drop.length) return () => this.call(step, 'UntagResource', arn, () => x.client.send(new UntagResourceCommand({ ResourceARN: arn, TagKeys: chunks(drop, 50)[0] ?? [] })));
      return undefined;
    });
  }

  /** Resource policies are replaced whole (PutResourcePolicy is idempotent); the consumer's only once it is ACTIVE. */
  private async policy(step: ApplyStep, x: ReturnType<KinesisExecutor['ctx']>, c: ResourcePolicyChange): Promise<void> {
    const arn = c.resourceType === 'consumer-policy' ? await this.activeConsumer(x, c.target.consumer) : ((await this.activeStream(x)).StreamARN ?? x.streamArn);
    const doc = c.after?.policy;
    let done = false;
    await this.converge(`${c.resourceType} ${c.address}`, async () => {
      if (done) return undefined;
      return async () => {
        const r = c.action === 'delete' || !doc
          ? await this.call(step, 'DeleteResourcePolicy', arn, () => x.client.send(new DeleteResourcePolicyCommand({ ResourceARN: arn })), { notFoundOk: true })
          : await this.call(step, 'PutResourcePolicy', arn, () => x.client.send(new PutResourcePolicyCommand({ ResourceARN: arn, Policy: JSON.stringify(doc) })));
        if (r === 'in-use') await x.reads.waitStreamActive(x.stream);
        else done = true;
      };
    });
  }
}
