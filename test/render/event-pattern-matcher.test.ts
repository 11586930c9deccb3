/**
 * The test matcher (test/support/event-pattern.ts) against the examples of the EventBridge User Guide, so that the
 * drift-event tests stand on documented semantics, not on the renderer's idea of them. Each case cites its page:
 * CF = eb-create-pattern-operators.html / content filtering, AR = eb-event-patterns-arrays.html,
 * CP = eb-create-pattern.html (all under https://docs.aws.amazon.com/eventbridge/latest/userguide/).
 */
import { describe, expect, it } from 'vitest';
import { matchesPattern } from '../support/event-pattern.js';

const ec2Event = {
  version: '0',
  id: '6a7e8feb-b491-4cf7-a9f1-bf3703467718',
  'detail-type': 'EC2 Instance State-change Notification',
  source: 'aws.ec2',
  account: '111122223333',
  time: '2017-12-22T18:43:48Z',
  region: 'us-west-1',
  resources: ['arn:aws:ec2:us-west-1:123456789012:instance/i-1234567890abcdef0'],
  detail: { 'instance-id': 'i-1234567890abcdef0', state: 'terminated' },
};

describe('EventBridge pattern semantics (documented examples)', () => {
  it('CP: named fields must match exactly, in the same nesting; other fields are ignored', () => {
    const p = {
      source: ['aws.ec2'],
      'detail-type': ['EC2 Instance State-change Notification'],
      detail: { state: ['terminated'] },
    };
    expect(matchesPattern(p, ec2Event)).toBe(true);
    expect(matchesPattern({ ...p, detail: { state: ['running'] } }, ec2Event)).toBe(false);
    // Case-sensitive, and a field the event lacks does not match.
    expect(matchesPattern({ source: ['AWS.EC2'] }, ec2Event)).toBe(false);
    expect(matchesPattern({ detail: { 'no-such-field': ['x'] } }, ec2Event)).toBe(false);
    // The nesting counts: `state` at the top level is not `detail.state`.
    expect(matchesPattern({ state: ['terminated'] }, ec2Event)).toBe(false);
  });

  it('AR: an event array matches when it intersects the pattern array', () => {
    const p = {
      resources: [
        'arn:aws:ec2:us-east-1:123456789012:instance/i-b188560f',
        'arn:aws:ec2:us-east-1:111122223333:instance/i-b188560f',
        'arn:aws:ec2:us-east-1:444455556666:instance/i-b188560f',
      ],
    };
    const hit = {
      resources: [
        'arn:aws:autoscaling:us-east-1:123456789012:autoScalingGroup:eb56d16b-bbf0-401d-b893-d5978ed4a025:autoScalingGroupName/ASGTerminate',
        'arn:aws:ec2:us-east-1:123456789012:instance/i-b188560f',
      ],
    };
    expect(matchesPattern(p, hit)).toBe(true);
    expect(matchesPattern(p, { resources: [hit.resources[0]] })).toBe(false);
  });

  it('CF: prefix, prefix ignoring case, suffix', () => {
    expect(matchesPattern({ time: [{ prefix: '2017-10-02' }] }, { time: '2017-10-02T18:43:48Z' })).toBe(true);
    expect(matchesPattern({ time: [{ prefix: '2017-10-02' }] }, { time: '2017-10-03T18:43:48Z' })).toBe(false);
    const ic = { detail: { service: [{ prefix: { 'equals-ignore-case': 'EventB' } }] } };
    expect(matchesPattern(ic, { detail: { service: 'eventbridge' } })).toBe(true);
    expect(matchesPattern(ic, { detail: { service: 'EVENTBRIDGE' } })).toBe(true);
    expect(matchesPattern(ic, { detail: { service: 'lambda' } })).toBe(false);
    expect(matchesPattern({ FileName: [{ suffix: '.png' }] }, { FileName: 'image.png' })).toBe(true);
    expect(matchesPattern({ FileName: [{ suffix: '.png' }] }, { FileName: 'image.PNG' })).toBe(false);
  });

  it('CF: equals-ignore-case', () => {
    const p = { detail: { 'detail-type': [{ 'equals-ignore-case': 'ec2 instance state-change notification' }] } };
    expect(matchesPattern(p, { detail: { 'detail-type': 'EC2 Instance State-change Notification' } })).toBe(true);
    expect(matchesPattern(p, { detail: { 'detail-type': 'EC2 Instance State-change' } })).toBe(false);
  });

  it('CF: anything-but a value, a list, a prefix; never a missing field', () => {
    const one = { detail: { state: [{ 'anything-but': 'initializing' }] } };
    expect(matchesPattern(one, { detail: { state: 'running' } })).toBe(true);
    expect(matchesPattern(one, { detail: { state: 'initializing' } })).toBe(false);
    expect(matchesPattern(one, { detail: {} })).toBe(false);
    const list = { detail: { state: [{ 'anything-but': ['stopped', 'overloaded'] }] } };
    expect(matchesPattern(list, { detail: { state: 'running' } })).toBe(true);
    expect(matchesPattern(list, { detail: { state: 'overloaded' } })).toBe(false);
    const prefix = { detail: { state: [{ 'anything-but': { prefix: 'init' } }] } };
    expect(matchesPattern(prefix, { detail: { state: 'running' } })).toBe(true);
    expect(matchesPattern(prefix, { detail: { state: 'initializing' } })).toBe(false);
    expect(matchesPattern({ x: [{ 'anything-but': 123 }] }, { x: 124 })).toBe(true);
    expect(matchesPattern({ x: [{ 'anything-but': 123 }] }, { x: 123 })).toBe(false);
  });

  it('CF: numeric ranges', () => {
    const p = {
      detail: {
        'c-count': [{ numeric: ['>', 0, '<=', 5] }],
        'd-count': [{ numeric: ['<', 10] }],
        'x-limit': [{ numeric: ['=', 3.018e2] }],
      },
    };
    expect(matchesPattern(p, { detail: { 'c-count': 5, 'd-count': 3, 'x-limit': 301.8 } })).toBe(true);
    expect(matchesPattern(p, { detail: { 'c-count': 0, 'd-count': 3, 'x-limit': 301.8 } })).toBe(false);
    // A string is not a number.
    expect(matchesPattern(p, { detail: { 'c-count': '5', 'd-count': 3, 'x-limit': 301.8 } })).toBe(false);
  });

  it('CF: exists true/false, on leaf nodes only', () => {
    expect(matchesPattern({ detail: { state: [{ exists: true }] } }, { detail: { state: 'initializing' } })).toBe(true);
    expect(matchesPattern({ detail: { state: [{ exists: true }] } }, { detail: {} })).toBe(false);
    expect(matchesPattern({ detail: { state: [{ exists: false }] } }, { detail: {} })).toBe(true);
    expect(matchesPattern({ detail: { state: [{ exists: false }] } }, { detail: { state: 'x' } })).toBe(false);
    // A missing parent object: the leaf does not exist either.
    expect(matchesPattern({ detail: { state: [{ exists: false }] } }, { source: 'x' })).toBe(true);
    // Not on an intermediate node.
    expect(matchesPattern({ detail: [{ exists: true }] }, { detail: { state: 'x' } })).toBe(false);
  });

  it('CF: wildcard and $or', () => {
    expect(
      matchesPattern(
        { EventBusArn: [{ wildcard: 'arn:aws:events:us-east-1:*:event-bus/*' }] },
        {
          EventBusArn: 'arn:aws:events:us-east-1:123456789012:event-bus/default',
        },
      ),
    ).toBe(true);
    const or = { $or: [{ 'c-count': [{ numeric: ['>', 0, '<=', 5] }] }, { 'd-count': [{ numeric: ['<', 10] }] }] };
    expect(matchesPattern(or, { 'c-count': 9, 'd-count': 3 })).toBe(true);
    expect(matchesPattern(or, { 'c-count': 9, 'd-count': 30 })).toBe(false);
  });

  it('refuses operators it does not implement instead of ignoring them', () => {
    expect(() => matchesPattern({ ip: [{ cidr: '10.0.0.0/24' }] }, { ip: '10.0.0.1' })).toThrow(/cidr/);
  });
});
