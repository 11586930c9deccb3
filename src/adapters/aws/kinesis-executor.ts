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
import type { ApplyStep, AuditEntry, ChangeExecutor, StepHooks } from '../../core/apply/types.js';
import { MANAGED_BY_VALUE, TAG_MANAGED_BY } from '../../core/model/governance-tags.js';
import { normaliseMetrics } from '../../core/plan/diff-stream.js';
import type { ResourcePolicyChange, StreamCreateAttributes, TagMap } from '../../core/plan/types.js';
import { AdapterError, errorCode } from './errors.js';
import { KinesisReads, TransitionTimes } from './kinesis-waits.js';
import type { TransitionKind, WaitOptions } from './kinesis-waits.js';
import { auditLine, describeError, MeshgovRetryStrategy, withRetry, WRITE_RETRY } from './retry.js';
import type { AttemptEvent, RetryPolicy } from './retry.js';

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
  /** Kinesis client of an account for mutating calls (from a pool whose clients make one attempt per call). */
  client: (account: string) => KinesisClient;
  /** Kinesis client of an account for reads, whose SDK retries (`client` by default). */
  readClient?: (account: string) => KinesisClient;
  region: string;
  partition: string;
  /** Appends an audit entry (the log file and the in-memory history). */
  log: (entry: AuditEntry) => void;
  /** Audit entries so far (earlier runs and this one), for the scaling budgets. */
  history: () => readonly AuditEntry[];
  now: () => Date;
  /** Attempts per mutating call and their backoff (WRITE_RETRY by default). */
  retry?: RetryPolicy;
  wait: WaitOptions;
  /** Calls per step before giving up (default 30). */
  maxRounds?: number;
}

class StepFailed extends Error {}

/**
 * CreateStream takes up to 50 tags (https://docs.aws.amazon.com/kinesis/latest/APIReference/API_CreateStream.html);
 * kinesis-local takes 10 ("Can only add 10 tags with a single request"). Such an answer makes the executor send
 * 10 with the create and the rest with AddTagsToStream once the stream is ACTIVE.
 */
function isTagCountRefusal(e: unknown): boolean {
  return errorCode(e) === 'InvalidArgumentException' && /\btags?\b/i.test(String((e as Error)?.message ?? ''));
}

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

/** What one run has learnt from its own reads and answered calls (lanes are per stream, so one writer each). */
class Known {
  /** ACTIVE streams as last seen, with the effect of calls answered since applied; by `account/stream`. */
  readonly streams = new Map<string, StreamDescriptionSummary>();
  /** ARNs of ACTIVE consumers, by `account/stream/consumer`. */
  readonly consumers = new Map<string, string>();
  /**
   * Whether the endpoint keeps the tags sent with CreateStream / RegisterStreamConsumer: unknown until the first
   * creation of the run is checked with ListTagsForResource; once seen kept, later creations are not read back.
   */
  readonly tagsOnCreate: { stream?: boolean; consumer?: boolean } = {};
}

type Ctx = ReturnType<KinesisExecutor['ctx']>;

/** The answer to one mutating call: done (`unparsable`: HTTP 200 without a readable body), busy, absent or refused tags. */
type Answer = { outcome: 'ok'; value: unknown; unparsable: boolean } | { outcome: 'in-use' | 'not-found' | 'tags-refused' };

export class KinesisExecutor implements ChangeExecutor {
  /** One strategy for the run: the SDK's retry quota is shared by every lane. */
  private readonly retry: MeshgovRetryStrategy;
  private readonly maxRounds: number;
  /** Tags sent with CreateStream (50 on AWS; lowered to 10 once an endpoint refuses more, as kinesis-local does). */
  private tagsPerCreate = 50;
  private readonly known = new Known();
  private readonly times: TransitionTimes;

  constructor(private readonly o: KinesisExecutorOptions) {
    this.retry = new MeshgovRetryStrategy(o.retry ?? WRITE_RETRY);
    this.maxRounds = o.maxRounds ?? 30;
    this.times = new TransitionTimes(o.wait.baseMs);
  }

  async execute(step: ApplyStep, hooks?: StepHooks): Promise<{ status: 'done' | 'failed'; message?: string }> {
    try {
      const message = await this.run(step, hooks);
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
    const reads = new KinesisReads((this.o.readClient ?? this.o.client)(account), account, this.o.wait, this.times);
    const streamArn = `arn:${this.o.partition}:kinesis:${this.o.region}:${account}:stream/${stream}`;
    return { c, account, stream, client, reads, streamArn, key: `${account}/${stream}` };
  }

  /**
   * One mutating call with retries for throttling and transient errors, logged per attempt. Busy, not found (with
   * `notFoundOk`) and too many tags (with `tagsRefusedOk`) come back to the caller; other failures end the step.
   */
  private async call(step: ApplyStep, api: string, resource: string, send: () => Promise<unknown>, opts: { notFoundOk?: boolean; tagsRefusedOk?: boolean } = {}): Promise<Answer> {
    const account = step.change.target.account;
    const call = { account, api: `kinesis:${api}`, resource, change: step.id };
    const log = (attempt: number, ev: AttemptEvent) => {
      this.o.log(auditLine({ ...call, time: this.o.now().toISOString() }, attempt, ev));
    };
    const r = await withRetry(send, log, this.retry);
    if (r.ok) return { outcome: 'ok', value: r.value, unparsable: r.unparsable === true };
    if (r.kind === 'in-use') return { outcome: 'in-use' };
    if (r.kind === 'not-found' && opts.notFoundOk) return { outcome: 'not-found' };
    if (opts.tagsRefusedOk && isTagCountRefusal(r.error)) return { outcome: 'tags-refused' };
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

  /** The stream, ACTIVE: as this run last saw it, else read (and waited for). */
  private async activeStream(x: Ctx): Promise<StreamDescriptionSummary> {
    const cached = this.known.streams.get(x.key);
    if (cached) return cached;
    return this.settle(x);
  }

  /** Forget what is known of the stream and wait for it to be ACTIVE; `after`: a call just started that transition. */
  private async settle(x: Ctx, after?: TransitionKind): Promise<StreamDescriptionSummary> {
    this.known.streams.delete(x.key);
    const s = await x.reads.waitStreamActive(x.stream, after);
    if (!s) throw new StepFailed(`stream ${x.stream} does not exist in account ${x.account}`);
    this.known.streams.set(x.key, s);
    return s;
  }

  /**
   * A call that changes a stream. `effect` says what an answered call did: `transition` (the stream goes UPDATING:
   * wait for ACTIVE, first poll after the usual duration) or how the known summary changes (nothing to read).
   * Busy or unreadable answers make the known state stale: wait and read it again (the converge loop decides).
   */
  private async changeStream(step: ApplyStep, x: Ctx, api: string, send: () => Promise<unknown>, effect: 'transition' | ((s: StreamDescriptionSummary) => void)): Promise<void> {
    const arn = this.known.streams.get(x.key)?.StreamARN ?? x.streamArn;
    const r = await this.call(step, api, arn, send);
    const cached = this.known.streams.get(x.key);
    if (r.outcome === 'ok' && !r.unparsable && effect !== 'transition' && cached) {
      effect(cached);
      return;
    }
    await this.settle(x, r.outcome === 'ok' && effect === 'transition' ? 'stream-update' : undefined);
  }

  private async run(step: ApplyStep, hooks?: StepHooks): Promise<string | undefined> {
    const x = this.ctx(step);
    const { c } = x;
    switch (c.resourceType) {
      case 'stream':
        if (c.action === 'delete') return this.deleteStream(step, x, hooks);
        if (c.action === 'create') return this.createStream(step, x, c.after, hooks);
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
        return c.action === 'delete' ? this.deregister(step, x, c.target.consumer, hooks) : this.register(step, x, c.target.consumer, c.after.tags, hooks);
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

  /**
   * CreateStream with its tags, at once (the plan says the stream is not there; an answer that it is, from an
   * earlier attempt whose answer was lost, makes the loop read and converge instead). Once ACTIVE the transition
   * slot is handed back, then retention, encryption and monitoring are set from what the create and the wait
   * already told, waiting only after the call that puts the stream in UPDATING.
   */
  private async createStream(step: ApplyStep, x: Ctx, a: StreamCreateAttributes, hooks?: StepHooks): Promise<string | undefined> {
    const mode = a.mode;
    const shards = a.shards ?? 1;
    const tags = Object.entries(a.tags);
    let created = false;
    let existed = false;
    let allTagsSent = false;
    /** Tags a CreateStream answered OK carried. */
    let sentTags: Record<string, string> | undefined;
    let read = false;
    await this.converge(`CreateStream ${x.stream}`, async () => {
      if (this.known.streams.has(x.key)) return undefined;
      const s = read ? await x.reads.stream(x.stream) : undefined;
      read = true;
      if (s?.StreamStatus === 'ACTIVE') {
        this.known.streams.set(x.key, s);
        return undefined;
      }
      if (s?.StreamStatus === 'DELETING') return () => x.reads.waitStreamGone(x.stream);
      if (s) return () => this.settle(x);
      return async () => {
        const sent = tags.slice(0, this.tagsPerCreate);
        const r = await this.call(step, 'CreateStream', x.streamArn, () => x.client.send(new CreateStreamCommand({
          StreamName: x.stream, StreamModeDetails: { StreamMode: mode }, ...(mode === 'PROVISIONED' ? { ShardCount: shards } : {}),
          ...(sent.length ? { Tags: Object.fromEntries(sent) } : {}),
        })), { tagsRefusedOk: this.tagsPerCreate > TAGS_PER_CALL });
        if (r.outcome === 'tags-refused') {
          this.tagsPerCreate = TAGS_PER_CALL;
          read = false;
          return;
        }
        // ResourceInUse: it exists already (an earlier attempt whose answer was lost, or a concurrent create): re-read.
        if (r.outcome !== 'ok') {
          existed = true;
          return;
        }
        created = true;
        allTagsSent = sent.length === tags.length && !r.unparsable;
        if (!r.unparsable) sentTags = Object.fromEntries(sent);
        const w = await x.reads.waitStreamActive(x.stream, 'stream-create');
        if (w?.StreamStatus === 'ACTIVE') this.known.streams.set(x.key, w);
      };
    });
    hooks?.settled();
    const live = await this.activeStream(x);
    const liveMode = live.StreamModeDetails?.StreamMode ?? 'PROVISIONED';
    if (liveMode !== mode) throw new StepFailed(`stream ${x.stream} exists with capacity mode ${liveMode}, not ${mode}; run plan again`);
    // Tags sent with CreateStream are read back the first time only (an endpoint may drop them); then what the
    // endpoint does with them is known, and only the tags that did not fit in the create are added.
    if (tags.length && !(allTagsSent && this.known.tagsOnCreate.stream === true)) {
      const honoured = this.known.tagsOnCreate.stream;
      const presumed = sentTags && honoured !== undefined ? (honoured ? sentTags : {}) : undefined;
      const read = await this.streamTags(step, x, a.tags, [], presumed);
      if (sentTags && read) this.known.tagsOnCreate.stream = Object.entries(sentTags).every(([k, v]) => read[k] === v);
    }
    await this.retention(step, x, a.retentionHours);
    await this.encryption(step, x, a.encryption);
    await this.monitoring(step, x, a.enhancedMonitoring);
    return existed && !created ? 'the stream already existed (an earlier attempt reached AWS); settings converged' : undefined;
  }

  private async deleteStream(step: ApplyStep, x: Ctx, hooks?: StepHooks): Promise<string | undefined> {
    this.known.streams.delete(x.key);
    const s = await x.reads.stream(x.stream);
    if (!s) return 'already deleted';
    let deleted = false;
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
        return async () => {
          const r = await this.call(step, 'DeleteStream', arn, () => x.client.send(new DeleteStreamCommand({ StreamARN: arn, EnforceConsumerDeletion: consumers.length > 0 })), { notFoundOk: true });
          deleted = r.outcome === 'ok';
        };
      });
    }
    await x.reads.waitStreamGone(x.stream, deleted ? 'stream-delete' : undefined);
    hooks?.settled();
    return undefined;
  }

  /**
   * Converge the stream's tags from one read (none with `presumed`: what a create just set); answered calls update
   * what was read. Returns the tags read, if read.
   */
  private async streamTags(step: ApplyStep, x: Ctx, set: Record<string, string>, remove: string[], presumed?: TagMap): Promise<TagMap | undefined> {
    let s = await this.activeStream(x);
    const first = presumed ? undefined : await x.reads.tags(s.StreamARN ?? x.streamArn);
    let live = presumed ?? first ?? {};
    await this.converge(`tags of ${x.stream}`, async () => {
      const arn = s.StreamARN ?? x.streamArn;
      const add = Object.entries(set).filter(([k, v]) => live[k] !== v);
      const drop = remove.filter((k) => k in live);
      if (!add.length && !drop.length) return undefined;
      const send = add.length
        ? { api: 'AddTagsToStream', fn: () => x.client.send(new AddTagsToStreamCommand({ StreamARN: arn, Tags: Object.fromEntries(chunks(add, TAGS_PER_CALL)[0] ?? []) })) }
        : { api: 'RemoveTagsFromStream', fn: () => x.client.send(new RemoveTagsFromStreamCommand({ StreamARN: arn, TagKeys: chunks(drop, TAGS_PER_CALL)[0] ?? [] })) };
      return async () => {
        const r = await this.call(step, send.api, arn, send.fn);
        if (r.outcome === 'ok' && !r.unparsable) {
          const next = { ...live };
          if (add.length) for (const [k, v] of chunks(add, TAGS_PER_CALL)[0] ?? []) next[k] = v;
          else for (const k of chunks(drop, TAGS_PER_CALL)[0] ?? []) delete next[k];
          live = next;
          return;
        }
        s = await this.settle(x);
        live = await x.reads.tags(s.StreamARN ?? x.streamArn);
      };
    });
    return first;
  }

  private async encryption(step: ApplyStep, x: Ctx, want: { type: string; keyId?: string }): Promise<void> {
    const key = want.keyId ?? 'alias/aws/kinesis';
    await this.converge(`encryption of ${x.stream}`, async () => {
      const s = await this.activeStream(x);
      const arn = s.StreamARN ?? x.streamArn;
      const type = s.EncryptionType ?? 'NONE';
      if (want.type === 'KMS' && (type !== 'KMS' || (s.KeyId !== undefined && s.KeyId !== key))) {
        return () => this.changeStream(step, x, 'StartStreamEncryption', () => x.client.send(new StartStreamEncryptionCommand({ StreamARN: arn, EncryptionType: 'KMS', KeyId: key })), 'transition');
      }
      if (want.type === 'NONE' && type === 'KMS') {
        return () => this.changeStream(step, x, 'StopStreamEncryption', () => x.client.send(new StopStreamEncryptionCommand({ StreamARN: arn, EncryptionType: 'KMS', KeyId: s.KeyId ?? key })), 'transition');
      }
      return undefined;
    });
  }

  private async retention(step: ApplyStep, x: Ctx, hours: number): Promise<void> {
    if (!Number.isFinite(hours)) throw new StepFailed('the change has no retentionHours');
    const applied = (s: StreamDescriptionSummary) => {
      s.RetentionPeriodHours = hours;
    };
    await this.converge(`retention of ${x.stream}`, async () => {
      const s = await this.activeStream(x);
      const arn = s.StreamARN ?? x.streamArn;
      const live = s.RetentionPeriodHours ?? 24;
      if (live < hours) return () => this.changeStream(step, x, 'IncreaseStreamRetentionPeriod', () => x.client.send(new IncreaseStreamRetentionPeriodCommand({ StreamARN: arn, RetentionPeriodHours: hours })), applied);
      if (live > hours) return () => this.changeStream(step, x, 'DecreaseStreamRetentionPeriod', () => x.client.send(new DecreaseStreamRetentionPeriodCommand({ StreamARN: arn, RetentionPeriodHours: hours })), applied);
      return undefined;
    });
  }

  /** Mode switch first, then UpdateShardCount in steps of at most 2x up / 1/2 down, each checked against the daily budget. */
  private async capacity(step: ApplyStep, x: Ctx, mode: string | undefined, shards: number | undefined): Promise<string | undefined> {
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
          await this.changeStream(step, x, 'UpdateStreamMode', () => x.client.send(new UpdateStreamModeCommand({ StreamARN: arn, StreamModeDetails: { StreamMode: mode === 'ON_DEMAND' ? 'ON_DEMAND' : 'PROVISIONED' } })), 'transition');
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
        await this.changeStream(step, x, 'UpdateShardCount', () => x.client.send(new UpdateShardCountCommand({ StreamARN: arn, TargetShardCount: target, ScalingType: 'UNIFORM_SCALING' })), 'transition');
      };
    });
    return path.length ? `capacity ${path.join(', ')}` : undefined;
  }

  private async monitoring(step: ApplyStep, x: Ctx, metrics: string[]): Promise<void> {
    const want = normaliseMetrics(metrics);
    const applied = (s: StreamDescriptionSummary) => {
      s.EnhancedMonitoring = [{ ShardLevelMetrics: want as MetricsName[] }];
    };
    await this.converge(`enhanced monitoring of ${x.stream}`, async () => {
      const s = await this.activeStream(x);
      const arn = s.StreamARN ?? x.streamArn;
      const live = liveMetrics(s);
      const enable = want.filter((m) => !live.includes(m));
      const disable = live.filter((m) => !want.includes(m));
      // An answered call may still leave the other half to do; only a call with nothing left over settles the summary.
      const effect = (rest: string[]) => (rest.length ? 'transition' as const : applied);
      if (enable.length) return () => this.changeStream(step, x, 'EnableEnhancedMonitoring', () => x.client.send(new EnableEnhancedMonitoringCommand({ StreamARN: arn, ShardLevelMetrics: enable as MetricsName[] })), effect(disable));
      if (disable.length) return () => this.changeStream(step, x, 'DisableEnhancedMonitoring', () => x.client.send(new DisableEnhancedMonitoringCommand({ StreamARN: arn, ShardLevelMetrics: disable as MetricsName[] })), applied);
      return undefined;
    });
  }

  /**
   * RegisterStreamConsumer with its tags, at once (the plan says the consumer is not there); ResourceInUse means
   * it is (an earlier attempt's answer was lost), or the stream is busy: read, wait, converge.
   */
  private async register(step: ApplyStep, x: Ctx, name: string, tags: TagMap, hooks?: StepHooks): Promise<string | undefined> {
    const ckey = `${x.key}/${name}`;
    const streamArn = this.known.streams.get(x.key)?.StreamARN ?? x.streamArn;
    let existed = false;
    let registered = false;
    let allTagsSent = false;
    let read = false;
    let busy = false;
    await this.converge(`RegisterStreamConsumer ${name}`, async () => {
      if (this.known.consumers.has(ckey)) return undefined;
      const con = read ? await x.reads.consumer(streamArn, name) : undefined;
      read = true;
      if (con?.ConsumerStatus === 'ACTIVE' && con.ConsumerARN) {
        this.known.consumers.set(ckey, con.ConsumerARN);
        return undefined;
      }
      if (con?.ConsumerStatus === 'DELETING') return () => x.reads.waitConsumerGone(streamArn, name);
      if (con) return () => this.consumerActive(x, streamArn, name);
      if (busy) {
        // Not registered, yet refused as busy: the stream is UPDATING. Wait for it, then register.
        busy = false;
        return () => this.settle(x);
      }
      return async () => {
        const sent = Object.keys(tags).length ? { Tags: tags } : {};
        const r = await this.call(step, 'RegisterStreamConsumer', `${streamArn}/consumer/${name}`, () => x.client.send(new RegisterStreamConsumerCommand({ StreamARN: streamArn, ConsumerName: name, ...sent })));
        if (r.outcome !== 'ok') {
          existed = true;
          busy = true;
          return;
        }
        registered = true;
        allTagsSent = !r.unparsable;
        await this.consumerActive(x, streamArn, name, 'consumer-create');
      };
    });
    hooks?.settled();
    // As for streams: the first registration's tags are read back, later ones are presumed from what that showed.
    if (Object.keys(tags).length && !(allTagsSent && this.known.tagsOnCreate.consumer === true)) {
      const honoured = this.known.tagsOnCreate.consumer;
      const presumed = allTagsSent && honoured === false ? {} : undefined;
      const read = await this.consumerTags(step, x, name, tags, [], presumed);
      if (allTagsSent && read) this.known.tagsOnCreate.consumer = Object.entries(tags).every(([k, v]) => read[k] === v);
    }
    return existed && !registered ? 'the consumer was already registered (an earlier attempt reached AWS)' : undefined;
  }

  /** Wait for the consumer to be ACTIVE and remember its ARN (it carries the registration time). */
  private async consumerActive(x: Ctx, streamArn: string, name: string, after?: TransitionKind): Promise<string | undefined> {
    const con = await x.reads.waitConsumerActive(streamArn, name, after);
    if (con?.ConsumerStatus === 'ACTIVE' && con.ConsumerARN) {
      this.known.consumers.set(`${x.key}/${name}`, con.ConsumerARN);
      return con.ConsumerARN;
    }
    return undefined;
  }

  private async deregister(step: ApplyStep, x: Ctx, name: string, hooks?: StepHooks): Promise<string | undefined> {
    this.known.consumers.delete(`${x.key}/${name}`);
    const s = await x.reads.stream(x.stream);
    if (!s) return 'the stream is gone';
    const arn = s.StreamARN ?? x.streamArn;
    let deregistered = false;
    await this.converge(`DeregisterStreamConsumer ${name}`, async () => {
      const con = await x.reads.consumer(arn, name);
      if (!con || con.ConsumerStatus === 'DELETING') return undefined;
      if (con.ConsumerStatus !== 'ACTIVE') return () => x.reads.waitConsumerActive(arn, name);
      return async () => {
        const r = await this.call(step, 'DeregisterStreamConsumer', con.ConsumerARN ?? `${arn}/consumer/${name}`, () => x.client.send(new DeregisterStreamConsumerCommand({ StreamARN: arn, ConsumerName: name })), { notFoundOk: true });
        deregistered = r.outcome === 'ok';
      };
    });
    await x.reads.waitConsumerGone(arn, name, deregistered ? 'consumer-delete' : undefined);
    hooks?.settled();
    return undefined;
  }

  /** The consumer's ARN once ACTIVE: as this run last saw it, else read (and waited for). */
  private async activeConsumer(x: Ctx, name: string): Promise<string> {
    const cached = this.known.consumers.get(`${x.key}/${name}`);
    if (cached) return cached;
    const arn = await this.consumerActive(x, this.known.streams.get(x.key)?.StreamARN ?? x.streamArn, name);
    if (!arn) throw new StepFailed(`consumer ${name} is not registered on ${x.stream}`);
    return arn;
  }

  /** Converge the consumer's tags, like `streamTags`. */
  private async consumerTags(step: ApplyStep, x: Ctx, name: string, set: TagMap, remove: string[], presumed?: TagMap): Promise<TagMap | undefined> {
    let arn = await this.activeConsumer(x, name);
    const first = presumed ? undefined : await x.reads.tags(arn);
    let live = presumed ?? first ?? {};
    await this.converge(`tags of consumer ${name}`, async () => {
      const add = Object.entries(set).filter(([k, v]) => live[k] !== v);
      const drop = remove.filter((k) => k in live);
      if (!add.length && !drop.length) return undefined;
      const batchAdd = chunks(add, 50)[0] ?? [];
      const batchDrop = chunks(drop, 50)[0] ?? [];
      const send = add.length
        ? { api: 'TagResource', fn: () => x.client.send(new TagResourceCommand({ ResourceARN: arn, Tags: Object.fromEntries(batchAdd) })) }
        : { api: 'UntagResource', fn: () => x.client.send(new UntagResourceCommand({ ResourceARN: arn, TagKeys: batchDrop })) };
      return async () => {
        const r = await this.call(step, send.api, arn, send.fn);
        if (r.outcome === 'ok' && !r.unparsable) {
          const next = { ...live };
          if (add.length) for (const [k, v] of batchAdd) next[k] = v;
          else for (const k of batchDrop) delete next[k];
          live = next;
          return;
        }
        this.known.consumers.delete(`${x.key}/${name}`);
        arn = await this.activeConsumer(x, name);
        live = await x.reads.tags(arn);
      };
    });
    return first;
  }

  /**
   * Resource policies are replaced whole (PutResourcePolicy is idempotent), without a read first: a stream's ARN
   * is known from its name, a consumer's from its registration. A busy answer waits for ACTIVE and tries again.
   */
  private async policy(step: ApplyStep, x: Ctx, c: ResourcePolicyChange): Promise<void> {
    const consumer = c.resourceType === 'consumer-policy' ? c.target.consumer : undefined;
    const doc = c.after?.policy;
    let done = false;
    await this.converge(`${c.resourceType} ${c.address}`, async () => {
      if (done) return undefined;
      const arn = consumer !== undefined ? await this.activeConsumer(x, consumer) : this.known.streams.get(x.key)?.StreamARN ?? x.streamArn;
      return async () => {
        const r = c.action === 'delete' || !doc
          ? await this.call(step, 'DeleteResourcePolicy', arn, () => x.client.send(new DeleteResourcePolicyCommand({ ResourceARN: arn })), { notFoundOk: true })
          : await this.call(step, 'PutResourcePolicy', arn, () => x.client.send(new PutResourcePolicyCommand({ ResourceARN: arn, Policy: JSON.stringify(doc) })));
        if (r.outcome !== 'in-use') {
          done = true;
          return;
        }
        if (consumer !== undefined) {
          this.known.consumers.delete(`${x.key}/${consumer}`);
          await this.activeConsumer(x, consumer);
        } else {
          await this.settle(x);
        }
      };
    });
  }
}
