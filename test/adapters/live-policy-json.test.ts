/**
 * Live policy documents nested beyond any real policy are refused where they are read (src/adapters/aws/
 * live-policy-json.ts), instead of overflowing the stack in the diff or the live fingerprint (the Kinesis reader's
 * error naming the call: test/adapters/kinesis-reader.test.ts).
 */
import { describe, expect, it } from 'vitest';
import { decodePolicyDocument } from '../../src/adapters/aws/iam-reader.js';
import { MAX_LIVE_POLICY_DEPTH, parseLivePolicy } from '../../src/adapters/aws/live-policy-json.js';
import { canonicalJson } from '../../src/core/canonical-json.js';
import { nested } from '../support/nested-policy.js';

describe('live policy documents', () => {
  it('reads a policy up to the limit, and refuses one nested deeper', () => {
    expect(() => parseLivePolicy(nested(MAX_LIVE_POLICY_DEPTH - 5))).not.toThrow();
    expect(() => parseLivePolicy(nested(MAX_LIVE_POLICY_DEPTH - 4))).toThrow(/nests deeper than 64 levels/);
    // What the walks after it would not survive: refused without overflowing the check itself.
    expect(() => canonicalJson(JSON.parse(nested(20_000)))).toThrow(RangeError);
    expect(() => parseLivePolicy(nested(20_000))).toThrow(/nests deeper than 64 levels/);
  });

  it('an IAM document (URL-encoded) nested too deep is refused', () => {
    expect(() => decodePolicyDocument(encodeURIComponent(nested(3_000)))).toThrow(/nests deeper than 64 levels/);
    expect(decodePolicyDocument(encodeURIComponent(nested(3)))).toMatchObject({ Version: '2012-10-17' });
  });
});
