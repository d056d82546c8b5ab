// The Endpoints controller's descriptor for the controller manager.
import type { ControllerDescriptor } from '../context.js';
import { newEndpointsController } from './endpoints-controller.js';

export { newEndpointsController, type EndpointsControllerOptions } from './endpoints-controller.js';
export { computeSubsets, repackSubsets, truncateSubsets, maxEndpointsCapacity, overCapacityAnnotation } from './subsets.js';
export { lastChangeTriggerTimeAnnotation } from './trigger-time.js';

export const endpointsController: ControllerDescriptor = {
  name: 'endpoint',
  create: (ctx) => newEndpointsController(ctx),
};
