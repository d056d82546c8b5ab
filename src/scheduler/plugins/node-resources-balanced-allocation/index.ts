// NodeResourcesBalancedAllocation: the plugin's registry entry. See plugin.ts.
import type { PluginFactory } from '../../framework/types.js';
import { parseBalancedAllocationArgs } from './args.js';
import { NAME, NodeResourcesBalancedAllocation } from './plugin.js';

export { NAME, NodeResourcesBalancedAllocation };
export { balancedResourceScorer } from './balanced-score.js';

export const factory: PluginFactory = (args) => new NodeResourcesBalancedAllocation(parseBalancedAllocationArgs(args));
