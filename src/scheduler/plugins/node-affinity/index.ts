// NodeAffinity: required and preferred node affinity and nodeSelector (upstream plugins/nodeaffinity).
import type { PluginFactory } from '../../framework/types.js';
import { NodeAffinityPlugin, type NodeAffinityArgs } from './plugin.js';

export const NAME = 'NodeAffinity';
export const factory: PluginFactory = (args) => new NodeAffinityPlugin((args ?? {}) as NodeAffinityArgs);
export { NodeAffinityPlugin, ERR_REASON_POD, ERR_REASON_ENFORCED, ERR_REASON_CONFLICT, type NodeAffinityArgs } from './plugin.js';
export { RequiredNodeAffinity, CompiledNodeSelector, CompiledPreferredTerms } from './node-selector.js';
export { defaultNormalizeScore } from './default-normalize-score.js';
