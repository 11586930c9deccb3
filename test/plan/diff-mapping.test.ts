/**
 * The plan of filtered grants' event source mappings: missing -> create, other filters -> update of the filters,
 * blocked (`consumer-owned`) unless the grant opts in, not checked when Lambda was not read, ordered after the stream.
 */
import { describe, expect, it } from 'vitest';
import { buildSteps } from '../../src/core/apply/steps.js';
import { computePlan, parsePlan } from '../../src/core/plan/index.js';
import type { Change, Plan } from '../../src/core/plan/index.js';
import type { LiveEventSourceMapping, LiveLambda } from '../../src/core/plan/live.js';
import type { DesiredEventSourceMapping, DesiredState } from '../../src/core/render/types.js';
import type { LiveState } from '../../src/core/plan/live.js';
import { renderPlanJson, renderPlanMarkdown, renderPlanText } from '../../src/output/plan/index.js';
import { plainStyle } from '../../src/output/style.js';
import {
  A1,
  A2,
  aDesiredConsumer,
  aDesiredStream,
  clock,
  desiredState,
  liveConsumerOf,
  liveOf,
  liveState,
} from './builders.js';

const STREAM = aDesiredStream();
const FN_ARN = `arn:aws:lambda:eu-west-1:${A2}:function:order-alerts`;
const ADDRESS = `${A2}/lambda/event-source-mapping/alerts-filter-orders`;

function mapping(o: Partial<DesiredEventSourceMapping> = {}): DesiredEventSourceMapping {
  return {
    grantId: 'alerts-filter-orders',
    account: A2,
    streamAccount: A1,
    stream: STREAM.name,
    functionName: 'order-alerts',
    functionArn: FN_ARN,
    eventSourceArn: STREAM.arn,
    startingPosition: 'LATEST',
    patterns: ['{"data":{"type":["order"]}}'],
    manage: true,
    ...o,
  };
}

function liveMapping(o: Partial<LiveEventSourceMapping> = {}): LiveEventSourceMapping {
  return {
    uuid: '6d9bce8e-836b-442c-8070-74e77903c815',
    functionArn: FN_ARN,
    eventSourceArn: STREAM.arn,
    filterPatterns: ['{ "data": { "type": ["order"] } }'],
    startingPosition: 'LATEST',
    batchSize: 100,
    state: 'Enabled',
    ...o,
  };
}

function read(mappings: LiveEventSourceMapping[]): LiveLambda {
  return { status: 'read', sources: [STREAM.arn], mappings };
}

function desired(m: DesiredEventSourceMapping = mapping()): DesiredState {
  return desiredState([
    { account: A1, streams: [STREAM] },
    { account: A2, mappings: [m] },
  ]);
}

function live(lambda: LiveLambda | undefined, streamExists = true): LiveState {
  return liveState([
    { account: A1, streams: streamExists ? [liveOf(STREAM)] : [] },
    { account: A2, ...(lambda !== undefined ? { lambda } : {}) },
  ]);
}

function plan(d: DesiredState, l: LiveState): Plan {
  return computePlan({ desired: d, live: l, meshDigest: 'digest', clock });
}

const mappingChanges = (p: Plan): Change[] => p.changes.filter((c) => c.resourceType === 'event-source-mapping');

describe('event source mappings in the plan', () => {
  it('an in-sync mapping (other whitespace, same pattern) plans nothing and is not "not checked"', () => {
    const p = plan(desired(), live(read([liveMapping()])));
    expect(mappingChanges(p)).toEqual([]);
    expect(p.notChecked.join('\n')).not.toContain('event source mapping');
    expect(p.summary.hasChanges).toBe(false);
  });

  it('a missing mapping is a create with the declared settings', () => {
    const p = plan(desired(), live(read([])));
    const [c] = mappingChanges(p);
    expect(c).toMatchObject({
      id: `event-source-mapping:${ADDRESS}`,
      action: 'create',
      account: A2,
      risk: 'safe',
      target: {
        account: A2,
        grantId: 'alerts-filter-orders',
        functionName: 'order-alerts',
        eventSourceArn: STREAM.arn,
      },
      before: null,
      after: {
        functionName: 'order-alerts',
        eventSourceArn: STREAM.arn,
        startingPosition: 'LATEST',
        filterPatterns: ['{"data":{"type":["order"]}}'],
      },
    });
    expect(c?.blocked).toBeUndefined();
    expect(p.summary.hasChanges).toBe(true);
  });

  it('other filters: an update of the filters by UUID, disruptive, with the live settings in the reasons', () => {
    const p = plan(desired(), live(read([liveMapping({ filterPatterns: ['{"data":{"type":["refund"]}}'] })])));
    const [c] = mappingChanges(p);
    expect(c).toMatchObject({
      action: 'update',
      risk: 'disruptive',
      target: { uuid: '6d9bce8e-836b-442c-8070-74e77903c815' },
      before: { filterPatterns: ['{"data":{"type":["refund"]}}'] },
      after: { filterPatterns: ['{"data":{"type":["order"]}}'] },
    });
    expect(c?.reasons.join(' ')).toContain('starting position LATEST, batch size 100');
  });

  it('a grant that does not opt in: the drift is shown, blocked consumer-owned, not pending', () => {
    const p = plan(desired(mapping({ manage: false })), live(read([])));
    const [c] = mappingChanges(p);
    expect(c?.blocked?.reason).toBe('consumer-owned');
    expect(c?.blocked?.message).toContain('filter.manageMapping: true');
    expect(p.summary.hasChanges).toBe(false);
    expect(p.summary.blocked).toBe(1);
  });

  it('mappings not read (local target, access denied): not checked, never a change', () => {
    for (const l of [live({ status: 'not-read', reason: 'no Lambda on the local target' }), live(undefined)]) {
      const p = plan(desired(), l);
      expect(mappingChanges(p)).toEqual([]);
      expect(p.notChecked.some((n) => n.includes('alerts-filter-orders') && n.includes('not read back'))).toBe(true);
    }
  });

  it('a Lambda failure other than 403 (5xx, looping marker): not checked, with the reason', () => {
    // The reason as the Lambda reader gives it (test/adapters/lambda-reader.test.ts).
    const reason = `lambda:ListEventSourceMappings in account ${A2} failed: ServiceException: internal error`;
    const p = plan(desired(), live({ status: 'not-read', reason }));
    expect(mappingChanges(p)).toEqual([]);
    expect(p.notChecked.filter((n) => n.includes(reason))).toEqual([
      `account ${A2}: event source mappings of filtered grant(s) alerts-filter-orders were not read back (${reason})`,
    ]);
  });

  it('the mappings of a source that was not listed are not checked, not missing', () => {
    const p = plan(desired(), live({ status: 'read', sources: [], mappings: [] }));
    expect(mappingChanges(p)).toEqual([]);
    expect(p.notChecked.some((n) => n.includes('were not listed'))).toBe(true);
  });

  it('the mapping is applied after the stream it reads is created', () => {
    const p = plan(desired(), live(read([]), false));
    const stream = p.changes.find((c) => c.resourceType === 'stream' && c.action === 'create');
    const [m] = mappingChanges(p);
    expect(m?.dependsOn).toEqual([stream?.id]);
    expect((m?.order ?? 0) > (stream?.order ?? Infinity)).toBe(true);
  });

  it('an unfiltered mapping of the function next to the right one is a warning (never deleted)', () => {
    const bare = liveMapping({ uuid: 'bare-1', filterPatterns: [] });
    const p = plan(desired(), live(read([liveMapping(), bare])));
    expect(mappingChanges(p)).toEqual([]);
    expect(p.warnings.some((w) => w.includes('bare-1') && w.includes('without filter criteria'))).toBe(true);
  });

  it('the IAM diff no longer lists the mapping artefact as "not read back"', () => {
    const d = desired();
    (d.accounts[1] as (typeof d.accounts)[number]).iam.push({
      kind: 'event-source-mapping',
      account: A2,
      name: 'esm-alerts-filter-orders',
      roleName: 'alerts',
      grantIds: ['alerts-filter-orders'],
      document: {},
    });
    const p = plan(d, live(read([liveMapping()])));
    expect(p.notChecked.join('\n')).not.toContain('event-source-mapping');
  });

  it('text, markdown and JSON show the change, and the JSON passes the plan schema', () => {
    const p = plan(desired(), live(read([liveMapping({ filterPatterns: [] })])));
    expect(renderPlanText(p, plainStyle)).toContain(`~ event-source-mapping ${ADDRESS}`);
    expect(renderPlanMarkdown(p)).toContain(ADDRESS);
    const json = renderPlanJson(p);
    const back = parsePlan(json);
    expect(back.error).toBeUndefined();
    expect(back.plan?.changes.some((c) => c.resourceType === 'event-source-mapping')).toBe(true);
  });
});

describe('a filtered grant that reads through its own EFO consumer', () => {
  const CONSUMER = aDesiredConsumer({ stream: STREAM.name, name: 'order-alerts-efo', grantId: 'alerts-filter-orders' });
  const CONSUMER_ARN = `${STREAM.arn}/consumer/order-alerts-efo:1764547100`;
  const viaConsumer = mapping({ consumer: 'order-alerts-efo' });
  const withConsumer = desiredState([
    { account: A1, streams: [STREAM], consumers: [CONSUMER] },
    { account: A2, mappings: [viaConsumer] },
  ]);
  function liveWith(mappings: LiveEventSourceMapping[], consumerExists = true): LiveState {
    const consumers = consumerExists ? [liveConsumerOf(CONSUMER, { arn: CONSUMER_ARN })] : [];
    const sources = consumerExists ? [STREAM.arn, CONSUMER_ARN] : [STREAM.arn];
    return liveState([
      { account: A1, streams: [liveOf(STREAM, { consumers })] },
      { account: A2, lambda: { status: 'read', sources, mappings } },
    ]);
  }

  it('the mapping on the consumer is in sync', () => {
    const p = plan(withConsumer, liveWith([liveMapping({ eventSourceArn: CONSUMER_ARN })]));
    expect(mappingChanges(p)).toEqual([]);
  });

  it('missing while the plan registers the consumer: a create through the consumer, after the consumer', () => {
    const p = plan(withConsumer, liveWith([], false));
    const consumer = p.changes.find((c) => c.resourceType === 'consumer' && c.action === 'create');
    const [m] = mappingChanges(p);
    expect(m).toMatchObject({
      action: 'create',
      target: { eventSourceArn: STREAM.arn, consumer: 'order-alerts-efo' },
      after: { eventSourceArn: STREAM.arn, consumer: 'order-alerts-efo' },
    });
    expect(m?.dependsOn).toEqual([consumer?.id]);
    expect((m?.order ?? 0) > (consumer?.order ?? Infinity)).toBe(true);
    expect(m?.reasons[0]).toContain(`on consumer order-alerts-efo of ${STREAM.arn}, and none exists`);
    expect(parsePlan(renderPlanJson(p)).error).toBeUndefined();
  });

  it('a filtered mapping on the stream instead: a create on the consumer (a source cannot change), not an update', () => {
    const p = plan(withConsumer, liveWith([liveMapping()]));
    const [m] = mappingChanges(p);
    expect(m?.action).toBe('create');
    expect(m?.target).not.toHaveProperty('uuid');
    expect(m?.reasons.join(' ')).toContain(
      'mapping 6d9bce8e-836b-442c-8070-74e77903c815 of function order-alerts reads the stream, not the declared ' +
        'consumer order-alerts-efo',
    );
  });

  it('an unfiltered mapping on the stream next to the right one is a bypass warning', () => {
    const bare = liveMapping({ uuid: 'bare-1', filterPatterns: [] });
    const p = plan(withConsumer, liveWith([liveMapping({ eventSourceArn: CONSUMER_ARN }), bare]));
    expect(mappingChanges(p)).toEqual([]);
    expect(p.warnings.some((w) => w.includes('bare-1') && w.includes(`reads ${STREAM.arn} without filter`))).toBe(true);
  });
});

describe('event source mappings in apply steps', () => {
  it('run in a Lambda lane of the grantee account, after every stream lane', () => {
    const p = plan(desired(), live(read([]), false));
    const steps = buildSteps(p.changes, {
      allowDestructive: false,
      history: [],
      now: new Date('2026-01-02T00:00:00Z'),
    });
    const lane = steps.lanes.find((l) => l.steps.some((s) => s.change.resourceType === 'event-source-mapping'));
    expect(lane).toMatchObject({ key: `${A2}/lambda`, phase: 'mapping' });
    expect(lane?.steps[0]?.expectedCalls).toEqual(['CreateEventSourceMapping']);
    expect(steps.lanes.findIndex((l) => l === lane)).toBeGreaterThan(
      steps.lanes.findIndex((l) => l.key === `${A1}/stream/${STREAM.name}`),
    );
  });

  it('a consumer-owned mapping is skipped with its reason, never executed', () => {
    const p = plan(desired(mapping({ manage: false })), live(read([])));
    const steps = buildSteps(p.changes, { allowDestructive: true, history: [], now: new Date('2026-01-02T00:00:00Z') });
    expect(steps.lanes.flatMap((l) => l.steps)).toEqual([]);
    expect(steps.skipped.map((s) => s.skipReason)).toEqual(['consumer-owned']);
  });
});
