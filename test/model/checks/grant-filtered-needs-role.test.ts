import { describe, expect, it } from 'vitest';
import { checkGrantFilteredNeedsRole } from '../../../src/core/model/checks/grant-filtered-needs-role.js';
import type { Grant } from '../../../src/core/model/types.js';
import { aCheckContext, aFilteredGrant, aGrant, aMesh, aPrincipal, ACCOUNT_B } from '../../support/builders.js';

const wholeAccount = () => {
  const p = aPrincipal({ kind: 'account', account: ACCOUNT_B });
  delete p.role;
  return p;
};
const found = (grants: Grant[]) =>
  checkGrantFilteredNeedsRole(aCheckContext(aMesh({ grants }))).map(
    (d) => `${d.severity} ${d.code} ${d.path.join('.')}`,
  );

describe('checkGrantFilteredNeedsRole', () => {
  it('compliant: a filtered grant to a role; a whole-account grant that is not filtered', () => {
    expect(found([aFilteredGrant()])).toEqual([]);
    expect(found([aGrant({ principal: wholeAccount() })])).toEqual([]);
  });

  it('non-compliant: a filtered grant to a whole account, at the principal, naming the function', () => {
    const ds = checkGrantFilteredNeedsRole(
      aCheckContext(aMesh({ grants: [aFilteredGrant({ principal: wholeAccount() })] })),
    );
    expect(ds.map((d) => `${d.severity} ${d.code} ${d.path.join('.')}`)).toEqual([
      'error grant-filtered-needs-role grants.0.principal',
    ]);
    expect(ds[0]?.message).toContain('execution role');
    expect(ds[0]?.message).toContain('`principal.role`');
    expect(ds[0]?.message).toContain(`function \`${aFilteredGrant().filter?.functionName ?? ''}\``);
  });

  it('reports only the filtered grant without a role among others', () => {
    const ds = checkGrantFilteredNeedsRole(
      aCheckContext(
        aMesh({ grants: [aGrant(), aFilteredGrant(), aFilteredGrant({ id: 'x', principal: wholeAccount() })] }),
      ),
    );
    expect(ds.map((d) => d.message.slice(0, 11))).toEqual(['Grant `x` i']);
  });
});
