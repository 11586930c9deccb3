/**
 * Reads the organisation: its id (DescribeOrganization works from any member account) and its member accounts
 * (ListAccounts works only from the management account or a delegated administrator).
 * https://docs.aws.amazon.com/organizations/latest/APIReference/API_ListAccounts.html
 */
import { DescribeOrganizationCommand, ListAccountsCommand } from '@aws-sdk/client-organizations';
import type { LiveState } from '../../core/plan/live.js';
import type { ClientPool } from './client-pool.js';
import { isAccessDenied, toAdapterError } from './errors.js';

export const ORGANIZATIONS_READER_IAM_ACTIONS = [
  'organizations:DescribeOrganization',
  'organizations:ListAccounts',
] as const;

export interface OrganizationRead {
  organization?: NonNullable<LiveState['organization']>;
  notChecked: string[];
}

export async function readOrganization(pool: ClientPool, account: string): Promise<OrganizationRead> {
  const org = pool.organizations(account);
  let id: string | undefined;
  try {
    id = (await org.send(new DescribeOrganizationCommand({}))).Organization?.Id;
  } catch (e) {
    if (isAccessDenied(e))
      return {
        notChecked: [
          `Organizations: DescribeOrganization failed in account ${account} (${(e as Error).name}); organisation membership not checked`,
        ],
      };
    throw toAdapterError(e, 'organizations', 'DescribeOrganization', account);
  }
  if (!id) return { notChecked: ['Organizations: no organisation returned; membership not checked'] };
  const accounts: string[] = [];
  let token: string | undefined;
  try {
    do {
      const page = await org.send(new ListAccountsCommand({ ...(token ? { NextToken: token } : {}) }));
      for (const a of page.Accounts ?? [])
        if (a.Id && (a.Status === undefined || a.Status === 'ACTIVE')) accounts.push(a.Id);
      token = page.NextToken || undefined;
    } while (token);
  } catch (e) {
    if (isAccessDenied(e)) {
      return {
        organization: { id, accounts: [], accountsUnknown: true },
        notChecked: [
          `Organizations: ListAccounts is denied from account ${account} (it needs the management account or a delegated administrator); member accounts not checked`,
        ],
      };
    }
    throw toAdapterError(e, 'organizations', 'ListAccounts', account);
  }
  return { organization: { id, accounts: accounts.sort() }, notChecked: [] };
}
