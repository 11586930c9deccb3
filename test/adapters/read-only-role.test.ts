/** Read-only commands assume `governanceRole.readOnlyName` when the mesh names one; apply keeps the governance role. */
import { describe, expect, it } from 'vitest';
import { ClientPool } from '../../src/adapters/aws/client-pool.js';
import { roleFor } from '../../src/adapters/aws/target.js';

const mesh = {
  governanceRole: {
    name: 'meshgov-governance',
    path: '/meshgov/',
    externalId: 'ext-1',
    readOnlyName: 'meshgov-reader',
  },
};

describe('roleFor', () => {
  it('uses the read-only role for plan, audit and import, and the governance role for apply', () => {
    for (const cmd of ['plan', 'audit', 'import'])
      expect(roleFor(mesh, cmd)).toEqual({ name: 'meshgov-reader', path: '/meshgov/', externalId: 'ext-1' });
    expect(roleFor(mesh, 'apply')).toEqual({ name: 'meshgov-governance', path: '/meshgov/', externalId: 'ext-1' });
  });

  it('uses the governance role for every command when no read-only role is named', () => {
    const plain = { governanceRole: { name: 'meshgov-governance', path: '/' } };
    expect(roleFor(plain, 'plan')).toEqual({ name: 'meshgov-governance', path: '/' });
  });

  it('puts the chosen role into the ARN the client pool assumes', () => {
    const pool = new ClientPool({
      target: 'aws',
      region: 'eu-west-1',
      partition: 'aws',
      governanceRole: roleFor(mesh, 'plan'),
      command: 'plan',
    });
    expect(pool.roleArn('111111111111')).toBe('arn:aws:iam::111111111111:role/meshgov/meshgov-reader');
    pool.destroy();
  });
});
