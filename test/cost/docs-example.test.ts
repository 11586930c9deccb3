/**
 * The worked example of docs/cost.md: the hand figure is computed here with its own arithmetic (never with the code
 * under test), meshgov's figure for the same declared stream must equal it, and the page must state both.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { declaredConfig } from '../../src/core/cost/cap.js';
import { streamCost } from '../../src/core/cost/model.js';
import { shippedPriceTable } from '../../src/core/cost/prices/shipped.js';
import { usageFromMesh, usageKey } from '../../src/core/cost/usage.js';
import { ACCOUNT_A, aStream, anEfoGrant } from '../support/builders.js';

const DOC = readFileSync(new URL('../../docs/cost.md', import.meta.url), 'utf8');

// By hand, at the published us-east-1 prices.
const SECONDS = 730 * 3600; // 2,628,000
const HAND = {
  shardHours: 2 * 730 * 0.015,
  putUnits: ((512 * 1 * SECONDS) / 1_000_000) * 0.014,
  extendedRetention: 2 * 730 * 0.02,
  efoConsumerShardHours: 1 * 2 * 730 * 0.015,
  efoData: ((1 * SECONDS) / 1024) * 0.013, // 1 MiB/s for a month, in GB
  metrics: 2 * 2 * 0.3,
};
const HAND_TOTAL = Object.values(HAND).reduce((a, b) => a + b, 0);

describe('docs/cost.md worked example', () => {
  const stream = aStream({
    name: 'payments.orders.v1',
    account: ACCOUNT_A,
    capacity: { mode: 'PROVISIONED', shards: 2 },
    retentionHours: 48,
    enhancedMonitoring: ['IncomingBytes', 'OutgoingBytes'],
    throughput: { writeMiBPerSecond: 1, writeRecordsPerSecond: 512 },
  });
  const mesh = { streams: [stream], grants: [anEfoGrant({ stream: stream.name })] };
  const usage = usageFromMesh(mesh).get(usageKey(ACCOUNT_A, stream.name));
  if (usage === undefined) throw new Error('no usage');
  const meshgov = streamCost(declaredConfig(stream, 1), usage, shippedPriceTable('us-east-1').table);

  it('the hand figure is $126.40', () => {
    expect(HAND_TOTAL).toBeCloseTo(126.40078525, 8);
  });

  it("meshgov's figure equals the hand figure", () => {
    expect(usage.basis).toBe('declared');
    expect(meshgov.monthlyUSD).toBeCloseTo(HAND_TOTAL, 9);
    expect(meshgov.lines.map((l) => l.monthlyUSD)).toEqual(Object.values(HAND).map((v) => expect.closeTo(v, 9)));
  });

  it('the page states every line and the total', () => {
    for (const v of Object.values(HAND)) expect(DOC).toContain(`| ${v.toFixed(2)} |`);
    expect(DOC).toContain(`**${HAND_TOTAL.toFixed(2)}**`);
    expect(DOC).toContain(`meshgov's figure for the same stream: **$${meshgov.monthlyUSD.toFixed(2)}** a month`);
  });
});
