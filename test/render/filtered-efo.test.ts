/**
 * A filtered grant that reads through its own enhanced fan-out consumer: the consumer is registered like an efo
 * grant's (tags, consumer policy, identity-policy EFO statement of the grantee role) and the declared mapping's
 * source is that consumer. Expectations are written out by hand from the Kinesis and Lambda docs:
 * https://docs.aws.amazon.com/lambda/latest/dg/with-kinesis.html (the role needs SubscribeToShard and
 * DescribeStreamConsumer on the consumer).
 */
import { describe, expect, it } from 'vitest';
import type { Grant } from '../../src/core/model/types.js';
import { renderMesh } from '../../src/core/render/index.js';
import type { PolicyDocument } from '../../src/core/render/types.js';
import { A, B, aMesh, reader } from './builders.js';

const TODAY = '2026-11-26';
const STREAM_ARN = `arn:aws:kinesis:eu-west-1:${A}:stream/orders`;
const CONSUMER_ARN = `${STREAM_ARN}/consumer/alerts-efo:*`;

function filtered(over: Partial<Grant> = {}): Grant {
  return reader('alerts', B, {
    id: 'alerts-filter',
    pattern: 'filtered',
    filter: {
      functionName: 'alerts-fn',
      patterns: [{ data: { amount: [{ numeric: ['>', 100] }] } }],
      maxFilters: 5,
      startingPosition: 'LATEST',
      manageMapping: true,
    },
    ...over,
  });
}

function render(g: Grant) {
  const { value, diagnostics } = renderMesh(aMesh({ grants: [g] }), { today: TODAY });
  expect(diagnostics).toEqual([]);
  const byId = new Map(value.accounts.map((a) => [a.account, a]));
  const identity = byId.get(B)?.iam.find((i) => i.kind === 'identity-policy' && i.roleName === 'alerts')
    ?.document as PolicyDocument;
  return { owner: byId.get(A), grantee: byId.get(B), identity };
}

describe('a filtered grant with `consumer`', () => {
  it('registers its consumer on the stream with the user tags and a consumer policy for the grantee role', () => {
    const { owner } = render(filtered({ consumerName: 'alerts-efo', consumerTags: { team: 'alerts' } }));
    expect(owner?.consumers).toHaveLength(1);
    const c = owner?.consumers[0];
    expect(c?.name).toBe('alerts-efo');
    expect(c?.grantId).toBe('alerts-filter');
    expect(c?.arnPattern).toBe(CONSUMER_ARN);
    expect(c?.tags['team']).toBe('alerts');
    // Cross-account (B reads A's stream): the consumer policy lets the function's role subscribe.
    const st = c?.resourcePolicy?.Statement ?? [];
    expect(st).toHaveLength(1);
    expect(st[0]?.Principal).toEqual({ AWS: `arn:aws:iam::${B}:role/alerts` });
    expect(st[0]?.Action).toEqual(['kinesis:DescribeStreamConsumer', 'kinesis:SubscribeToShard']);
    expect(st[0]?.Resource).toBe(CONSUMER_ARN);
  });

  it("gives the function's role the EFO statement on that consumer", () => {
    const { identity } = render(filtered({ consumerName: 'alerts-efo' }));
    const efo = identity.Statement.find((s) => s.Sid === 'EfoConsumers');
    expect(efo?.Action).toEqual(['kinesis:DescribeStreamConsumer', 'kinesis:SubscribeToShard']);
    expect(efo?.Resource).toEqual(CONSUMER_ARN);
  });

  it('declares the mapping on the consumer, and renders its settings with the consumer ARN', () => {
    const { grantee } = render(filtered({ consumerName: 'alerts-efo' }));
    expect(grantee?.mappings).toEqual([
      {
        grantId: 'alerts-filter',
        account: B,
        streamAccount: A,
        stream: 'orders',
        functionName: 'alerts-fn',
        functionArn: `arn:aws:lambda:eu-west-1:${B}:function:alerts-fn`,
        eventSourceArn: STREAM_ARN,
        consumer: 'alerts-efo',
        startingPosition: 'LATEST',
        patterns: ['{"data":{"amount":[{"numeric":[">",100]}]}}'],
        manage: true,
      },
    ]);
    const esm = grantee?.iam.find((i) => i.kind === 'event-source-mapping')?.document as Record<string, unknown>;
    expect(esm['EventSourceArn']).toBe(CONSUMER_ARN);
  });

  it('without `consumer`: no consumer, no EFO statement, the mapping reads the stream', () => {
    const { owner, grantee, identity } = render(filtered());
    expect(owner?.consumers).toEqual([]);
    expect(identity.Statement.map((s) => s.Sid)).not.toContain('EfoConsumers');
    expect(grantee?.mappings?.[0]?.consumer).toBeUndefined();
    const esm = grantee?.iam.find((i) => i.kind === 'event-source-mapping')?.document as Record<string, unknown>;
    expect(esm['EventSourceArn']).toBe(STREAM_ARN);
  });
});
