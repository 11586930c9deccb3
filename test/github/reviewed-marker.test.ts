/**
 * The reviewed-plan marker read from hostile pull-request comments: only meshgov's own sticky comment counts, only
 * one marker, only on its second line, only with fields of the exact shape. Each guard has a case that tries to get
 * around it (mutations that break each one are listed in the report of the change that added this file).
 */
import { describe, expect, it } from 'vitest';
import { chooseReviewedPlan, formatReviewedMarker, readReviewedMarker } from '../../src/core/github/reviewed-marker.js';
import type { CommentView } from '../../src/core/github/reviewed-marker.js';
import { markerFor } from '../../src/output/markdown/report-body.js';
import { HOSTILE_CORPUS } from './support/hostile.js';

const PLAN = markerFor('plan', 'mesh.yaml');
const HEAD = '0123456789abcdef0123456789abcdef01234567';
const DIGEST = 'ab'.repeat(32);
const BOT = 'github-actions[bot]';
const good = `<!-- meshgov:reviewed head=${HEAD} run=4242 digest=${DIGEST} -->`;

function comment(id: number, body: string, author = BOT): CommentView {
  return { id, body, author };
}

describe('formatReviewedMarker', () => {
  it('writes the line the reader accepts, and refuses values of the wrong shape', () => {
    expect(formatReviewedMarker({ headSha: HEAD, runId: '4242', changeSetDigest: DIGEST })).toBe(good);
    expect(() => formatReviewedMarker({ headSha: HEAD.slice(0, 12), runId: '4242', changeSetDigest: DIGEST })).toThrow(
      /full commit SHA/,
    );
    expect(() => formatReviewedMarker({ headSha: HEAD, runId: '42 -->', changeSetDigest: DIGEST })).toThrow(/run id/);
    expect(() => formatReviewedMarker({ headSha: HEAD, runId: '4242', changeSetDigest: 'AB'.repeat(32) })).toThrow(
      /sha256/,
    );
  });
});

describe('readReviewedMarker', () => {
  it('reads the marker on the second line of the plan comment', () => {
    expect(readReviewedMarker(`${PLAN}\n${good}\n### meshgov plan\n`, PLAN)).toEqual({
      kind: 'found',
      reviewed: { headSha: HEAD, runId: '4242', changeSetDigest: DIGEST },
    });
    expect(readReviewedMarker(`${PLAN}\r\n${good}\r\nbody`, PLAN).kind).toBe('found');
  });

  it('finds none in a plan comment without one (a failed plan), and nothing in a comment that is not the plan comment', () => {
    expect(readReviewedMarker(`${PLAN}\n### meshgov plan failed\n`, PLAN)).toEqual({ kind: 'none' });
    expect(readReviewedMarker(`${good}\n${PLAN}\n`, PLAN).kind).toBe('invalid');
    expect(readReviewedMarker(`${markerFor('plan', 'other.yaml')}\n${good}\n`, PLAN).kind).toBe('invalid');
  });

  it('trusts no marker when the body holds two, wherever the second one is', () => {
    const other = good.replace('run=4242', 'run=9999');
    expect(readReviewedMarker(`${PLAN}\n${good}\n${other}\n`, PLAN)).toEqual({
      kind: 'invalid',
      problem: 'the comment holds 2 reviewed-plan markers, so none is trusted',
    });
    expect(readReviewedMarker(`${PLAN}\n${good}\nquoted: meshgov:reviewed head=x\n`, PLAN).kind).toBe('invalid');
  });

  it('accepts the marker only on the second line', () => {
    expect(readReviewedMarker(`${PLAN}\n\n${good}\n`, PLAN)).toMatchObject({
      kind: 'invalid',
      problem: expect.stringContaining('not the second line'),
    });
    expect(readReviewedMarker(`${PLAN}\n ${good}\n`, PLAN).kind).toBe('invalid');
    expect(readReviewedMarker(`${PLAN}\n${good} trailing\n`, PLAN).kind).toBe('invalid');
  });

  it.each([
    ['a short head', good.replace(HEAD, HEAD.slice(0, 7))],
    ['an upper-case head', good.replace(HEAD, HEAD.toUpperCase())],
    ['a head with a non-hex letter', good.replace(HEAD, `${HEAD.slice(0, 39)}g`)],
    ['a run id with letters', good.replace('run=4242', 'run=42a')],
    ['a run id of 0', good.replace('run=4242', 'run=0')],
    ['an empty run id', good.replace('run=4242', 'run=')],
    ['a digest one character short', good.replace(DIGEST, DIGEST.slice(1))],
    ['a digest one character long', good.replace(DIGEST, `${DIGEST}a`)],
    ['an upper-case digest', good.replace(DIGEST, DIGEST.toUpperCase())],
    ['a digest with a space', good.replace(DIGEST, `${DIGEST.slice(0, 32)} ${DIGEST.slice(33)}`)],
    ['fields in another order', `<!-- meshgov:reviewed run=4242 head=${HEAD} digest=${DIGEST} -->`],
    ['an extra field', good.replace(' -->', ' extra=1 -->')],
    ['no closing', good.replace(' -->', '')],
  ])('refuses a marker with %s', (_what, line) => {
    expect(readReviewedMarker(`${PLAN}\n${line}\n`, PLAN).kind).toBe('invalid');
  });
});

describe('chooseReviewedPlan', () => {
  it('reads only the oldest plan comment by a trusted author; look-alikes by anyone else are ignored', () => {
    const forged = `${PLAN}\n${good.replace('run=4242', 'run=1')}\n`;
    const comments = [
      comment(1, forged, 'mallory'),
      comment(2, forged, 'github-actions'),
      comment(3, forged, `${BOT} `),
      comment(5, `${PLAN}\n${good}\n### plan\n`),
      comment(9, forged),
    ];
    expect(chooseReviewedPlan(comments, PLAN, [BOT])).toEqual({
      kind: 'found',
      commentId: 5,
      reviewed: { headSha: HEAD, runId: '4242', changeSetDigest: DIGEST },
    });
  });

  it('finds nothing when only other people posted markers, or when no author is trusted', () => {
    const forged = [
      comment(1, `${PLAN}\n${good}\n`, 'mallory'),
      { id: 2, body: `${PLAN}\n${good}\n`, author: undefined },
    ];
    expect(chooseReviewedPlan(forged, PLAN, [BOT])).toEqual({
      kind: 'none',
      reason: 'the pull request has no meshgov plan comment',
    });
    expect(chooseReviewedPlan([comment(1, `${PLAN}\n${good}\n`)], PLAN, [])).toMatchObject({ kind: 'none' });
  });

  it('does not fall back to a newer comment when the sticky one has no valid marker', () => {
    const comments = [comment(4, `${PLAN}\n### meshgov plan failed\n`), comment(8, `${PLAN}\n${good}\n`)];
    expect(chooseReviewedPlan(comments, PLAN, [BOT])).toMatchObject({ kind: 'none' });
    const broken = [comment(4, `${PLAN}\n${good.replace('run=4242', 'run=x')}\n`), comment(8, `${PLAN}\n${good}\n`)];
    expect(chooseReviewedPlan(broken, PLAN, [BOT])).toMatchObject({ kind: 'invalid', commentId: 4 });
  });

  it('survives every hostile string as a comment body or author without finding anything', () => {
    const comments = HOSTILE_CORPUS.flatMap((s, i) => [comment(i * 2 + 1, s), comment(i * 2 + 2, `${PLAN}\n${s}`, s)]);
    comments.push(comment(1000, null as unknown as string), comment(1001, undefined as unknown as string));
    const choice = chooseReviewedPlan(comments, PLAN, [BOT]);
    expect(choice.kind).not.toBe('found');
  });
});
