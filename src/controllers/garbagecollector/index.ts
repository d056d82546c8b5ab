// The garbage collector controller: cascading deletion by ownerReferences (background,
// foreground, orphan) over every deletable resource, CRDs included.
import type { ControllerDescriptor } from '../context.js';
import { newGarbageCollector, type GarbageCollectorOptions } from './garbage-collector.js';

export { newGarbageCollector, type GarbageCollector, type GarbageCollectorOptions } from './garbage-collector.js';
export { deletableResources, defaultIgnoredResources, type GroupResource, type MonitoredResource } from './resources.js';

/** A descriptor with non-default options (tests: a short resync period). */
export function garbageCollectorControllerWith(opts: GarbageCollectorOptions): ControllerDescriptor {
  return { name: 'garbagecollector', create: (ctx) => newGarbageCollector(ctx, opts) };
}

export const garbageCollectorController: ControllerDescriptor = garbageCollectorControllerWith({});
