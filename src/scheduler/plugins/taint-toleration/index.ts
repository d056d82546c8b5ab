// TaintToleration: NoSchedule/NoExecute taints filter, PreferNoSchedule taints score (upstream plugins/tainttoleration).
import type { PluginFactory } from '../../framework/types.js';
import { TaintTolerationPlugin } from './plugin.js';

export const NAME = 'TaintToleration';
export const factory: PluginFactory = () => new TaintTolerationPlugin();
export { TaintTolerationPlugin, untoleratedTaintReason } from './plugin.js';
export { toleratesTaint, tolerationsTolerateTaint, findMatchingUntoleratedTaint, doNotScheduleTaint } from './tolerations.js';
