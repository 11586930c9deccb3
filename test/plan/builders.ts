/** Fake builders for the pure plan tests: desired and live state by hand. */
import type { LiveAccount, LiveConsumer, LiveState, LiveStream } from '../../src/core/plan/live.js';
import type {
  DesiredAccount,
  DesiredConsumer,
  DesiredState,
  DesiredStream,
  PolicyDocument,
} from '../../src/core/render/types.js';

export const MESH = 'test-mesh';
export const A1 = '111111111111';
export const A2 = '222222222222';

export function aDesiredStream(o: Partial<DesiredStream> = {}): DesiredStream {
  const name = o.name ?? 'orders.v1';
  const account = o.account ?? A1;
  return {
    name,
    arn: `arn:aws:kinesis:eu-west-1:${account}:stream/${name}`,
    account,
    region: 'eu-west-1',
    domain: 'orders',
    mode: 'PROVISIONED',
    shards: 2,
    retentionHours: 48,
    encryption: { type: 'KMS', keyId: 'alias/aws/kinesis' },
    enhancedMonitoring: [],
    tags: {
      'meshgov:domain': o.domain ?? 'orders',
      'meshgov:managed-by': 'meshgov',
      'meshgov:mesh': MESH,
      'meshgov:produce:111111111111:writer': 'allow',
    },
    deletionProtection: false,
    ...o,
  };
}

export function aPolicy(...principals: string[]): PolicyDocument {
  return {
    Version: '2012-10-17',
    Statement: principals.map((p, i) => ({
      Sid: `Grant${i}`,
      Effect: 'Allow',
      Principal: { AWS: p },
      Action: ['kinesis:GetRecords', 'kinesis:GetShardIterator'],
      Resource: 'arn:aws:kinesis:eu-west-1:111111111111:stream/orders.v1',
    })),
  };
}

export function aDesiredConsumer(o: Partial<DesiredConsumer> = {}): DesiredConsumer {
  const stream = o.stream ?? 'orders.v1';
  const name = o.name ?? 'scorer';
  return {
    stream,
    streamArn: `arn:aws:kinesis:eu-west-1:${A1}:stream/${stream}`,
    account: A1,
    name,
    arnPattern: `arn:aws:kinesis:eu-west-1:${A1}:stream/${stream}/consumer/${name}:*`,
    grantId: 'g-efo',
    tags: { 'meshgov:managed-by': 'meshgov' },
    ...o,
  };
}

/** A live stream exactly as desired (status ACTIVE). */
export function liveOf(d: DesiredStream, o: Partial<LiveStream> = {}): LiveStream {
  return {
    name: d.name,
    arn: d.arn,
    account: d.account,
    status: 'ACTIVE',
    mode: d.mode,
    shards: d.mode === 'PROVISIONED' ? (d.shards ?? 1) : 4,
    retentionHours: d.retentionHours,
    encryption: d.encryption,
    enhancedMonitoring: d.enhancedMonitoring,
    tags: { ...d.tags },
    consumers: [],
    ...(d.resourcePolicy ? { resourcePolicy: d.resourcePolicy } : {}),
    ...o,
  };
}

export function liveConsumerOf(c: DesiredConsumer, o: Partial<LiveConsumer> = {}): LiveConsumer {
  return {
    name: c.name,
    arn: `${c.streamArn}/consumer/${c.name}:1700000000`,
    status: 'ACTIVE',
    tags: { ...c.tags },
    ...(c.resourcePolicy ? { resourcePolicy: c.resourcePolicy } : {}),
    ...o,
  };
}

export function desiredState(accounts: Partial<DesiredAccount>[]): DesiredState {
  return {
    mesh: MESH,
    region: 'eu-west-1',
    partition: 'aws',
    accounts: accounts.map((a) => ({ account: a.account ?? A1, streams: [], consumers: [], iam: [], ...a })),
  };
}

export function liveState(accounts: Partial<LiveAccount>[], notChecked: string[] = []): LiveState {
  return {
    region: 'eu-west-1',
    accounts: accounts.map((a) => ({ account: a.account ?? A1, streams: [], ...a })),
    notChecked,
  };
}

export const clock = { now: () => new Date('2026-01-02T03:04:05Z') };
