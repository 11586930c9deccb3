import { describe, expect, it } from 'vitest';
import { driftChecks } from '../../src/core/audit/drift.js';
import { A, B, C, liveStream, livePolicyOf, world } from './builders.js';

function run(mutate: (w: ReturnType<typeof world>) => void) {
  const w = world();
  mutate(w);
  return driftChecks(w.ctx).findings;
}
const ids = (fs: { code: string }[]) => fs.map((f) => f.code);

describe('drift', () => {
  it('finds nothing when live matches desired', () => {
    expect(driftChecks(world().ctx).findings).toEqual([]);
  });

  it('stream-missing: a declared stream that does not exist', () => {
    const f = run((w) => {
      (w.live.accounts[0] as { streams: unknown[] }).streams = [];
    });
    expect(f).toMatchObject([{ code: 'stream-missing', severity: 'error', resource: `${A}/stream/orders` }]);
  });

  it('stream-undeclared: a stream tagged for this mesh that mesh.yaml does not declare (and not one tagged for another mesh)', () => {
    const f = run((w) => {
      const extra = structuredClone(liveStream(w.live, 'orders'));
      extra.name = 'shadow';
      const other = structuredClone(extra);
      other.name = 'theirs';
      other.tags['meshgov:mesh'] = 'another-mesh';
      w.live.accounts[0]?.streams.push(extra, other);
    });
    expect(f).toMatchObject([{ code: 'stream-undeclared', resource: `${A}/stream/shadow` }]);
  });

  it('retention-drift: live differs from declared but within the classification rule', () => {
    const f = run((w) => {
      liveStream(w.live, 'orders').retentionHours = 336;
    });
    expect(f).toMatchObject([
      {
        code: 'retention-drift',
        severity: 'warning',
        evidence: { liveHours: 336, declaredHours: 168, classification: 'confidential', minHours: 168, maxHours: 2160 },
      },
    ]);
  });

  it('retention-out-of-policy: live retention below the classification minimum is an error, not mere drift', () => {
    const f = run((w) => {
      liveStream(w.live, 'orders').retentionHours = 24;
    });
    expect(ids(f)).toEqual(['retention-out-of-policy']);
    expect(f[0]).toMatchObject({ severity: 'error', evidence: { liveHours: 24, declaredHours: 168, minHours: 168 } });
  });

  it('encryption-drift: encryption stopped is an error; another key a warning; the declared key by ARN is fine', () => {
    expect(
      run((w) => {
        liveStream(w.live, 'orders').encryption = { type: 'NONE' };
      }),
    ).toMatchObject([{ code: 'encryption-drift', severity: 'error' }]);
    expect(
      run((w) => {
        liveStream(w.live, 'orders').encryption = { type: 'KMS', keyId: 'alias/other' };
      }),
    ).toMatchObject([{ code: 'encryption-drift', severity: 'warning' }]);
    expect(
      run((w) => {
        liveStream(w.live, 'orders').encryption = { type: 'KMS', keyId: `arn:aws:kms:eu-west-1:${A}:alias/orders` };
      }),
    ).toEqual([]);
  });

  it('capacity-drift respects the autoscaling range, and flags a mode switch or an out-of-range count', () => {
    expect(
      run((w) => {
        liveStream(w.live, 'orders').shards = 7;
      }),
    ).toEqual([]);
    expect(
      run((w) => {
        liveStream(w.live, 'orders').shards = 12;
      }),
    ).toMatchObject([{ code: 'capacity-drift', evidence: { liveShards: 12, autoscaling: { min: 2, max: 8 } } }]);
    expect(
      run((w) => {
        liveStream(w.live, 'clicks').shards = 2;
      }),
    ).toMatchObject([
      { code: 'capacity-drift', resource: `${C}/stream/clicks`, evidence: { liveShards: 2, declaredShards: 1 } },
    ]);
    expect(
      run((w) => {
        liveStream(w.live, 'clicks').mode = 'ON_DEMAND';
      }),
    ).toMatchObject([{ code: 'capacity-drift', evidence: { liveMode: 'ON_DEMAND', declaredMode: 'PROVISIONED' } }]);
  });

  it('enhanced-monitoring-drift: shard metrics switched off behind the mesh', () => {
    expect(
      run((w) => {
        liveStream(w.live, 'orders').enhancedMonitoring = [];
      }),
    ).toMatchObject([{ code: 'enhanced-monitoring-drift', severity: 'info' }]);
    // `ALL` declared and the seven metrics listed live are the same setting.
    expect(
      run((w) => {
        const d = w.desired.accounts[0]?.streams[0];
        if (d) d.enhancedMonitoring = ['ALL'];
        liveStream(w.live, 'orders').enhancedMonitoring = [
          'IncomingBytes',
          'IncomingRecords',
          'IteratorAgeMilliseconds',
          'OutgoingBytes',
          'OutgoingRecords',
          'ReadProvisionedThroughputExceeded',
          'WriteProvisionedThroughputExceeded',
        ];
      }),
    ).toEqual([]);
  });

  it('governance-tag-drift: a governance tag removed, and an undeclared grant tag added, are errors', () => {
    const removed = run((w) => {
      delete liveStream(w.live, 'orders').tags['meshgov:classification'];
    });
    expect(removed).toMatchObject([
      { code: 'governance-tag-drift', severity: 'error', evidence: { missing: ['meshgov:classification'] } },
    ]);
    const added = run((w) => {
      liveStream(w.live, 'clicks').tags[`meshgov:consume:${B}:intruder`] = 'allow';
    });
    expect(added).toMatchObject([
      {
        code: 'governance-tag-drift',
        severity: 'error',
        resource: `${C}/stream/clicks`,
        evidence: { undeclaredGrantTags: [`meshgov:consume:${B}:intruder`] },
      },
    ]);
  });

  it('governance-tag-drift: a missing grant tag is a warning (access lost, not gained)', () => {
    const f = run((w) => {
      delete liveStream(w.live, 'clicks').tags[`meshgov:produce:${C}:tracker`];
    });
    expect(f).toMatchObject([
      {
        code: 'governance-tag-drift',
        severity: 'warning',
        evidence: { missingGrantTags: [`meshgov:produce:${C}:tracker`] },
      },
    ]);
  });

  it('tag-tampering: a key IAM reads as a meshgov key but spelled otherwise is an error, on streams and consumers', () => {
    for (const key of [
      `MESHGOV:CONSUME:${B}:intruder`,
      `Meshgov:consume:${B}:intruder`,
      'MESHGOV:MESH',
      `me\u017fhgov:produce:${B}:x`,
    ]) {
      const f = run((w) => {
        liveStream(w.live, 'clicks').tags[key] = 'allow';
      });
      expect(f).toMatchObject([
        {
          code: 'tag-tampering',
          severity: 'error',
          resource: `${C}/stream/clicks`,
          evidence: { tags: [{ key, value: 'allow' }] },
        },
      ]);
      expect(f[0]?.evidence).toMatchObject({ tags: [{ readByIamAs: key.replace('\u017f', 's').toLowerCase() }] });
    }
    const onConsumer = run((w) => {
      const c = w.live.accounts.flatMap((a) => a.streams).flatMap((s) => s.consumers)[0];
      if (!c) throw new Error('the audit world has no consumer');
      c.tags[`MESHGOV:CONSUME:${B}:intruder`] = 'allow';
    });
    expect(ids(onConsumer)).toEqual(['tag-tampering']);
    // Ordinary keys that merely contain the word are not tampering.
    expect(
      run((w) => {
        liveStream(w.live, 'orders').tags['team-meshgov:x'] = 'y';
      }),
    ).toEqual([]);
  });

  it('tag-drift: a user tag changed is info; unrelated extra tags are not drift', () => {
    expect(
      run((w) => {
        liveStream(w.live, 'orders').tags['cost-center'] = 'other';
      }),
    ).toMatchObject([{ code: 'tag-drift', severity: 'info' }]);
    expect(
      run((w) => {
        liveStream(w.live, 'orders').tags['team-note'] = 'hello';
      }),
    ).toEqual([]);
  });

  it('resource-policy-drift: a statement added by hand; equivalent reformatting is not drift', () => {
    const added = run((w) => {
      const principal = { AWS: `arn:aws:iam::${B}:role/other` };
      const hand = {
        Sid: 'Hand',
        Effect: 'Allow' as const,
        Principal: principal,
        Action: 'kinesis:GetRecords',
        Resource: '*',
      };
      livePolicyOf(liveStream(w.live, 'orders')).Statement.push(hand);
    });
    expect(ids(added)).toEqual(['resource-policy-drift']);
    const reformatted = run((w) => {
      const doc = livePolicyOf(liveStream(w.live, 'orders'));
      doc.Statement.reverse();
      for (const s of doc.Statement) {
        s.Sid = `${s.Sid}x`;
        if (Array.isArray(s.Action)) s.Action = [...s.Action].reverse();
      }
    });
    expect(reformatted).toEqual([]);
  });

  it('consumer-missing: a declared EFO consumer that is not registered', () => {
    const f = run((w) => {
      liveStream(w.live, 'orders').consumers = [];
    });
    expect(f).toMatchObject([{ code: 'consumer-missing', resource: `${A}/stream/orders/consumer/fraud-scorer` }]);
  });
});
