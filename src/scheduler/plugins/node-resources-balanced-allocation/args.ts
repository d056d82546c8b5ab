// NodeResourcesBalancedAllocationArgs (upstream config): the resources whose balance is scored,
// cpu and memory by default. Weights are accepted (and validated) but, as upstream, not used.
import { parseResources, type ResourceSpec } from '../node-resources-fit/args.js';

export interface BalancedAllocationArgs {
  resources: ResourceSpec[];
}

export function parseBalancedAllocationArgs(raw: Record<string, unknown> | undefined): BalancedAllocationArgs {
  return { resources: parseResources(raw?.resources, 'resources') };
}
