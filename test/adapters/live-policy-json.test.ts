/**
 * Live policy documents nested beyond any real policy are refused where they are read (src/adapters/aws/
 * live-policy-json.ts), with the call that returned them named, instead of overflowing the stack in the diff or the
 * live fingerprint.
 */
import { GetResourcePolicyCommand, KinesisClient } from '@aws-sdk/client-kinesis';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { ClientPool } from '../../src/adapters/aws/client-pool.js';
import { decodePolicyDocument } from '../../src/adapters/aws/iam-reader.js';
import { getPolicy } from '../../src/adapters/aws/kinesis-reader.js';
import { MAX_LIVE_POLICY_DEPTH, parseLivePolicy } from '../../src/adapters/aws/live-policy-json.js';
import { canonicalJson } from '../../src/core/canonical-json.js';

const kinesis = mockClient(KinesisClient);
afterEach(() => kinesis.reset());

/** A policy whose one condition value is nested `levels` arrays deep (the document itself adds 5 levels). */
function nested(levels: number): string {
  return `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"kinesis:GetRecords","Condition":{"StringEquals":{"k":${'['.repeat(levels)}"x"${']'.repeat(levels)}}}}]}`;
}

describe('live policy documents', () => {
  it('reads a policy up to the limit, and refuses one nested deeper', () => {
    expect(() => parseLivePolicy(nested(MAX_LIVE_POLICY_DEPTH - 5))).not.toThrow();
    expect(() => parseLivePolicy(nested(MAX_LIVE_POLICY_DEPTH - 4))).toThrow(/nests deeper than 64 levels/);
    // What the walks after it would not survive: refused without overflowing the check itself.
    expect(() => canonicalJson(JSON.parse(nested(20_000)))).toThrow(RangeError);
    expect(() => parseLivePolicy(nested(20_000))).toThrow(/nests deeper than 64 levels/);
  });

  it('a Kinesis GetResourcePolicy answer nested too deep fails the read with the call named', async () => {
    kinesis.on(GetResourcePolicyCommand).resolves({ Policy: nested(3_000) });
    const pool = new ClientPool({
      target: 'aws',
      region: 'eu-west-1',
      partition: 'aws',
      command: 'plan',
      rateLimitScale: 0,
      credentials: { accessKeyId: 'AKID', secretAccessKey: 'x' },
    });
    const e = await getPolicy(pool, '111111111111', 'arn:aws:kinesis:eu-west-1:111111111111:stream/s').catch(
      (x: unknown) => x,
    );
    expect(String(e)).toMatch(/GetResourcePolicy.*111111111111.*nests deeper than 64 levels/);
  });

  it('an IAM document (URL-encoded) nested too deep is refused', () => {
    expect(() => decodePolicyDocument(encodeURIComponent(nested(3_000)))).toThrow(/nests deeper than 64 levels/);
    expect(decodePolicyDocument(encodeURIComponent(nested(3)))).toMatchObject({ Version: '2012-10-17' });
  });
});
