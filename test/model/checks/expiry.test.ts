import { describe, expect, it } from 'vitest';
import { checkExpiry, grantActive } from '../../../src/core/model/checks/expiry.js';
import { aCheckContext, aGrant, aMesh, aWaiver } from '../../support/builders.js';

const found = (mesh = aMesh(), today = '2026-06-01') =>
  checkExpiry(aCheckContext(mesh, today)).map((d) => [d.code, d.severity]);

describe('checkExpiry', () => {
  it('compliant: no expiry, or expiring today or later', () => {
    expect(found()).toEqual([]);
    expect(
      found(aMesh({ grants: [aGrant({ expires: '2026-06-01' })], waivers: [aWaiver({ expires: '2026-06-01' })] })),
    ).toEqual([]);
  });

  it('an expired grant is a warning (it is no longer rendered)', () => {
    expect(found(aMesh({ grants: [aGrant({ expires: '2026-05-31' })] }))).toEqual([['grant-expired', 'warning']]);
    expect(grantActive({ expires: '2026-05-31' }, '2026-06-01')).toBe(false);
    expect(grantActive({ expires: '2026-06-01' }, '2026-06-01')).toBe(true);
    expect(grantActive({}, '2026-06-01')).toBe(true);
  });

  it('an expired waiver is an error', () => {
    expect(found(aMesh({ waivers: [aWaiver({ expires: '2026-05-31' })] }))).toEqual([['waiver-expired', 'error']]);
  });

  it('dates that are not calendar dates are errors', () => {
    expect(
      found(aMesh({ grants: [aGrant({ expires: '2027-02-30' })], waivers: [aWaiver({ expires: '2027-13-01' })] })),
    ).toEqual([
      ['date-invalid', 'error'],
      ['date-invalid', 'error'],
    ]);
  });
});
