// The fields a write endpoint resets, upstream's strategy GetResetFields: a server-side apply
// there neither owns them nor conflicts over them, since the strategy drops what it sent for
// them anyway. The main resource of a kind with a status subresource resets status; the status
// subresource resets spec, and for some kinds a few metadata fields its PrepareForUpdate keeps.
import type { ResourceEntry } from '../registry/resource-entry.js';

/** Per group/plural: what the status subresource resets besides spec. */
const statusResetsAlso: Record<string, string[][]> = {
  '/pods': [
    ['metadata', 'deletionTimestamp'],
    ['metadata', 'ownerReferences'],
  ],
  'apps/deployments': [['metadata', 'labels']],
};

export function resetFields(entry: ResourceEntry, subresource: string): string[][] {
  if (!entry.hasStatus) return [];
  if (subresource === '') return [['status']];
  if (subresource === 'status') return [['spec'], ...(statusResetsAlso[`${entry.type.group}/${entry.type.plural}`] ?? [])];
  return [];
}
