// InterPodAffinity (upstream pkg/scheduler/framework/plugins/interpodaffinity): required and
// preferred pod affinity and anti-affinity, with namespaceSelector terms resolved through a
// Namespace informer.
import { resources } from '../../../client/rest/builtin-resources.js';
import type { PluginFactory } from '../../framework/types.js';
import { interPodAffinityArgs } from './args.js';
import { namespaceListerFromStore } from './namespaces.js';
import { InterPodAffinity } from './plugin.js';

export { NAME, InterPodAffinity, type InterPodAffinityDeps } from './plugin.js';
export { interPodAffinityArgs, type InterPodAffinityArgs } from './args.js';
export type { NamespaceLister } from './namespaces.js';
export {
  ERR_REASON_AFFINITY_RULES_NOT_MATCH,
  ERR_REASON_ANTI_AFFINITY_RULES_NOT_MATCH,
  ERR_REASON_EXISTING_ANTI_AFFINITY_RULES_NOT_MATCH,
  PreFilterState,
} from './filtering.js';

/**
 * Builds the plugin. It asks the handle's informers for the Namespace informer here, at
 * construction, so the scheduler's informers.start() (after building its profiles) runs it.
 */
export const factory: PluginFactory = (args, handle) => {
  const store = handle.informers.for(resources.namespaces).getStore();
  return new InterPodAffinity({ args: interPodAffinityArgs(args), lister: () => handle.snapshotSharedLister(), namespaces: namespaceListerFromStore(store) });
};
