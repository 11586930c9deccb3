/**
 * The Lambda statements of the governance and read-only policies follow the account's filtered grants exactly:
 * reads where an active filtered grant's function lives, writes only for the functions of grants that opt in
 * (`filter.manageMapping`), narrowed by `lambda:FunctionArn`; nothing for expired grants, nothing elsewhere.
 */
import { describe, expect, it } from 'vitest';
import type { Grant } from '../../src/core/model/types.js';
import { renderMesh } from '../../src/core/render/index.js';
import type { PolicyDocument, PolicyStatement } from '../../src/core/render/types.js';
import { A, B, TODAY, aGrant, aMesh, aPrincipal } from './builders.js';

const FN = `arn:aws:lambda:eu-west-1:${B}:function:order-alerts`;

function filtered(o: Partial<Grant> = {}, manageMapping = true): Grant {
  return aGrant({
    id: 'alerts-filter-orders',
    principal: aPrincipal({ account: B, role: 'alerts' }),
    access: 'consume',
    pattern: 'filtered',
    filter: {
      functionName: 'order-alerts',
      patterns: [{ data: { type: ['order'] } }],
      maxFilters: 5,
      startingPosition: 'LATEST',
      manageMapping,
    },
    ...o,
  });
}

function statements(grants: Grant[], account: string, kind: 'governance' | 'readonly'): PolicyStatement[] {
  const mesh = aMesh({ grants });
  mesh.governanceRole = { ...mesh.governanceRole, readOnlyName: 'meshgov-reader' };
  const { value } = renderMesh(mesh, { today: TODAY });
  return (
    value.accounts
      .find((a) => a.account === account)
      ?.iam.filter((i) => i.kind === 'governance-policy')
      .filter((i) => (kind === 'readonly') === i.name.endsWith('readonly'))
      .flatMap((i) => (i.document as PolicyDocument).Statement) ?? []
  );
}

const lambda = (ss: PolicyStatement[]) => ss.filter((s) => [s.Action].flat().some((a) => a?.startsWith('lambda:')));

describe('Lambda statements of the governance and read-only roles', () => {
  it('an opted-in grant: read, create and update in the grantee account, narrowed to its function', () => {
    expect(lambda(statements([filtered()], B, 'governance'))).toEqual([
      { Sid: 'ReadEventSourceMappings', Effect: 'Allow', Action: ['lambda:ListEventSourceMappings'], Resource: '*' },
      {
        Sid: 'CreateEventSourceMappings',
        Effect: 'Allow',
        Action: ['lambda:CreateEventSourceMapping'],
        Resource: '*',
        Condition: { ArnLike: { 'lambda:FunctionArn': [FN, `${FN}:*`] } },
      },
      {
        Sid: 'UpdateEventSourceMappings',
        Effect: 'Allow',
        Action: ['lambda:UpdateEventSourceMapping'],
        Resource: `arn:aws:lambda:eu-west-1:${B}:event-source-mapping:*`,
        Condition: { ArnLike: { 'lambda:FunctionArn': [FN, `${FN}:*`] } },
      },
    ]);
    expect(lambda(statements([filtered()], B, 'readonly')).map((s) => s.Action)).toEqual([
      ['lambda:ListEventSourceMappings'],
    ]);
  });

  it('a grant that does not opt in: reads only', () => {
    expect(lambda(statements([filtered({}, false)], B, 'governance')).map((s) => s.Sid)).toEqual([
      'ReadEventSourceMappings',
    ]);
  });

  it('no Lambda action in an account without filtered functions, nor for an expired grant', () => {
    expect(lambda(statements([filtered()], A, 'governance'))).toEqual([]);
    expect(lambda(statements([filtered()], A, 'readonly'))).toEqual([]);
    expect(lambda(statements([filtered({ expires: '2026-01-01' })], B, 'governance'))).toEqual([]);
  });
});
