/**
 * A saved plan is untrusted input: every malformed, truncated, oversized, unknown-keyed or prototype-polluting file is
 * refused with a message naming the first bad path, and parsing never throws.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { computePlan, parsePlan } from '../../src/core/plan/index.js';
import { MAX_PLAN_CHARS } from '../../src/core/plan/parse.js';
import { renderPlanJson } from '../../src/output/plan/index.js';
import { aDesiredStream, clock, desiredState, liveOf, liveState } from './builders.js';

const kept = aDesiredStream({ retentionHours: 72 });
const plan = computePlan({
  desired: desiredState([{ streams: [kept, aDesiredStream({ name: 'new.v1' })] }]),
  live: liveState([{ streams: [liveOf(kept, { retentionHours: 24 })] }]),
  meshDigest: 'd',
  clock,
});
const json = renderPlanJson(plan);
// eslint-disable-next-line @typescript-eslint/no-explicit-any
const edit = (f: (p: Record<string, any>) => void): string => {
  const p = JSON.parse(json) as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
  f(p);
  return JSON.stringify(p);
};

describe('parsePlan on hostile input', () => {
  it('accepts the plan meshgov wrote', () => {
    expect(parsePlan(json).error).toBeUndefined();
  });

  it.each([
    [
      'changes that are not changes',
      edit((p) => {
        p['changes'] = [1, 'two', null];
      }),
      'changes.0: must be object',
    ],
    [
      'an unknown top-level key',
      edit((p) => {
        p['execute'] = 'rm -rf';
      }),
      'the plan: unknown key `execute`',
    ],
    [
      'an unknown key in a change',
      edit((p) => {
        p['changes'][0]['run'] = true;
      }),
      'changes.0: unknown key `run`',
    ],
    [
      'a change without its action',
      edit((p) => {
        delete p['changes'][0]['action'];
      }),
      'changes.0: missing key `action`',
    ],
    [
      'an action that does not exist',
      edit((p) => {
        p['changes'][0]['action'] = 'destroy-all';
      }),
      'changes.0.action',
    ],
    [
      'a risk that does not exist',
      edit((p) => {
        p['changes'][0]['risk'] = 'harmless';
      }),
      'changes.0.risk',
    ],
    [
      'a missing change-set digest',
      edit((p) => {
        delete p['changeSetDigest'];
      }),
      'missing key `changeSetDigest`',
    ],
    [
      'a summary that is not one',
      edit((p) => {
        p['summary'] = { hasChanges: false };
      }),
      'summary: missing key',
    ],
    ['a truncated file', json.slice(0, Math.floor(json.length / 2)), 'not JSON (truncated or not a plan)'],
    ['an array', '[]', 'a plan must be a JSON object'],
    ['__proto__ at the top', json.replace('{', '{"__proto__":{"polluted":1},'), 'prototype pollution'],
    [
      '__proto__ as a tag key',
      edit((p) => {
        p['changes'][0]['after'] = JSON.parse('{"tags":{"__proto__":"x"}}');
      }),
      'the key `__proto__`',
    ],
    [
      'constructor as a key',
      edit((p) => {
        p['changes'][0]['after'] = { constructor: { prototype: 1 } };
      }),
      'prototype pollution',
    ],
  ])('refuses %s', (_label, text, message) => {
    const r = parsePlan(text);
    expect(r.plan).toBeUndefined();
    expect(r.error).toContain(message);
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
  });

  it('refuses an oversized plan before parsing it', () => {
    const r = parsePlan(`${json}${' '.repeat(MAX_PLAN_CHARS)}`);
    expect(r.error).toContain('a saved plan may have at most');
  });

  it('never throws on arbitrary JSON, or on arbitrary edits of a real plan', () => {
    fc.assert(
      fc.property(fc.json(), (text) => {
        const r = parsePlan(text);
        expect(r.plan === undefined || r.error === undefined).toBe(true);
      }),
      { numRuns: 500 },
    );
    fc.assert(
      fc.property(fc.integer({ min: 0, max: json.length - 1 }), fc.string({ maxLength: 3 }), (at, ins) => {
        const r = parsePlan(json.slice(0, at) + ins + json.slice(at + 1));
        expect(r.plan !== undefined || typeof r.error === 'string').toBe(true);
      }),
      { numRuns: 500 },
    );
  });
});
