// The node lifecycle and taint eviction controllers as the manager knows them.
import type { ControllerDescriptor } from '../context.js';
import { newNodeLifecycleController } from './node-lifecycle-controller.js';
import { newTaintEvictionController } from './taint-eviction.js';

export { newNodeLifecycleController, nodeLeaseNamespace, type NodeLifecycleOptions } from './node-lifecycle-controller.js';
export { newTaintEvictionController, type TaintEvictionOptions } from './taint-eviction.js';
export * from './taints.js';
export * from './zones.js';
export { markUnknown, observe, type NodeHealth } from './node-health.js';

export const nodeLifecycleController: ControllerDescriptor = {
  name: 'node-lifecycle',
  create: (ctx) => newNodeLifecycleController(ctx),
};

export const taintEvictionController: ControllerDescriptor = {
  name: 'taint-eviction-controller',
  create: (ctx) => newTaintEvictionController(ctx),
};
