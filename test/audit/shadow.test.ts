import { describe, expect, it } from 'vitest';
import { audit } from '../../src/core/audit/audit.js';
import { resourcePolicyChecks } from '../../src/core/audit/access.js';
import { importCommand, shadowChecks, shellWord } from '../../src/core/audit/shadow.js';
import type { LiveUnmanagedStream } from '../../src/core/plan/live.js';
import { A, C, ORDERS_ARN, REGION, liveStream, world } from './builders.js';

const arn = (account: string, name: string) => `arn:aws:kinesis:${REGION}:${account}:stream/${name}`;
/** An unmanaged stream as the live reader lists it (ListStreams StreamSummaries + core/plan/scope.ts's reason). */
const untagged = (account: string, name: string, extra: Partial<LiveUnmanagedStream> = {}): LiveUnmanagedStream => ({
  name,
  arn: arn(account, name),
  status: 'ACTIVE',
  mode: 'PROVISIONED',
  createdAt: '2026-10-01T08:00:00.000Z',
  reason: 'not declared in the mesh and not tagged meshgov:managed-by=meshgov',
  ...extra,
});

describe('shadow-stream', () => {
  it('reports an untagged stream in a mesh account, with the import command that adopts it', () => {
    const w = world();
    w.live.accounts.find((a) => a.account === C)?.unmanagedStreams?.push(untagged(C, 'team-x-scratch'));
    const r = shadowChecks(w.ctx);
    expect(r.checksRun).toEqual(['shadow-stream']);
    expect(r.findings).toEqual([
      {
        code: 'shadow-stream',
        severity: 'warning',
        resource: `${C}/stream/team-x-scratch`,
        account: C,
        message: `Stream team-x-scratch in mesh account ${C} is outside mesh ${w.mesh.name} (a shadow data product)`,
        evidence: {
          arn: arn(C, 'team-x-scratch'),
          status: 'ACTIVE',
          mode: 'PROVISIONED',
          createdAt: '2026-10-01T08:00:00.000Z',
          reason: 'not declared in the mesh and not tagged meshgov:managed-by=meshgov',
          importCommand: `meshgov import mesh.yaml --account ${C} --write`,
        },
        remediation: expect.stringContaining(
          `\`meshgov import mesh.yaml --account ${C} --write\``,
        ) as unknown as string,
      },
    ]);
  });

  it('a stream whose tags were not read is still a shadow; one being deleted or of another mesh is not', () => {
    const w = world();
    w.live.accounts
      .find((a) => a.account === A)
      ?.unmanagedStreams?.push(
        untagged(A, 'no-tags', { reason: 'not declared in the mesh (tags not read)' }),
        untagged(A, 'going', { status: 'DELETING' }),
        untagged(A, 'theirs', { reason: 'managed by another mesh (meshgov:mesh=payments-mesh)' }),
      );
    expect(shadowChecks(w.ctx).findings.map((f) => f.resource)).toEqual([`${A}/stream/no-tags`]);
  });

  it('declared and mesh-tagged streams are never shadows (the reader does not list them as unmanaged)', () => {
    expect(shadowChecks(world().ctx).findings).toEqual([]);
  });

  it('says it could not run where the reader did not list the unmanaged streams', () => {
    const w = world();
    const c = w.live.accounts.find((a) => a.account === C);
    if (c) delete c.unmanagedStreams;
    const r = shadowChecks(w.ctx);
    expect(r.checksNotRun).toEqual([
      { check: 'shadow-stream', reason: expect.stringContaining(C) as unknown as string },
    ]);
    expect(r.checksRun).toEqual(['shadow-stream']);
    for (const a of w.live.accounts) delete a.unmanagedStreams;
    expect(shadowChecks(w.ctx).checksRun).toEqual([]);
  });

  it('is part of the audit report, sorted with the other warnings', () => {
    const w = world();
    w.live.accounts.find((a) => a.account === A)?.unmanagedStreams?.push(untagged(A, 'shadow'));
    const report = audit({ mesh: w.mesh, desired: w.desired, live: w.live, metrics: undefined, today: w.ctx.today });
    expect(report.checksRun).toContain('shadow-stream');
    expect(report.findings.filter((f) => f.code === 'shadow-stream').map((f) => f.resource)).toEqual([
      `${A}/stream/shadow`,
    ]);
  });
});

describe('the import command', () => {
  it('quotes a hostile mesh file name for the shell', () => {
    expect(importCommand('mesh.yaml', A)).toBe(`meshgov import mesh.yaml --account ${A} --write`);
    expect(importCommand('my mesh.yaml', A)).toBe(`meshgov import 'my mesh.yaml' --account ${A} --write`);
    expect(importCommand("it's;rm -rf ~.yaml", A)).toBe(
      `meshgov import 'it'\\''s;rm -rf ~.yaml' --account ${A} --write`,
    );
    expect(importCommand('$(id).yaml', A)).toBe(`meshgov import '$(id).yaml' --account ${A} --write`);
    expect(importCommand('--write', A)).toBe(`meshgov import ./--write --account ${A} --write`);
    expect(shellWord('')).toBe("''");
    expect(shellWord('-x')).toBe("'-x'");
  });

  it('undeclared-consumer carries the import command for its account', () => {
    const w = world();
    liveStream(w.live, 'orders').consumers.push({
      name: 'shadow-reader',
      arn: `${ORDERS_ARN}/consumer/shadow-reader:1764000000`,
      status: 'ACTIVE',
      tags: {},
    });
    const f = resourcePolicyChecks(w.ctx).findings.filter((x) => x.code === 'undeclared-consumer');
    expect(f).toHaveLength(1);
    expect(f[0]?.evidence).toMatchObject({ importCommand: `meshgov import mesh.yaml --account ${A} --write` });
    expect(f[0]?.remediation).toContain(`\`meshgov import mesh.yaml --account ${A} --write\` writes one`);
  });
});
