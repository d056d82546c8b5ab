// PodTopologySpread: the plugin's registry entry. See plugin.ts.
import type { PluginFactory } from '../../framework/types.js';
import { parsePodTopologySpreadArgs } from './args.js';
import { NAME, PodTopologySpread } from './plugin.js';

export { NAME, PodTopologySpread };
export { parsePodTopologySpreadArgs, systemDefaultConstraints, type PodTopologySpreadArgs } from './args.js';
export { ERR_REASON_CONSTRAINTS_NOT_MATCH, ERR_REASON_NODE_LABEL_NOT_MATCH } from './filtering.js';

export const factory: PluginFactory = (args, handle) => new PodTopologySpread(parsePodTopologySpreadArgs(args), handle);
