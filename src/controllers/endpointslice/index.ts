// The EndpointSlice controller's descriptor for the controller manager.
import type { ControllerDescriptor } from '../context.js';
import { newEndpointSliceController } from './endpointslice-controller.js';

export { newEndpointSliceController, type EndpointSliceControllerOptions } from './endpointslice-controller.js';
export { reconcile, addressTypesForService, controllerName, managedByLabel, serviceNameLabel, defaultMaxEndpointsPerSlice, type ReconcileInput, type ReconcilePlan } from './reconciler.js';

export const endpointSliceController: ControllerDescriptor = {
  name: 'endpointslice',
  create: (ctx) => newEndpointSliceController(ctx),
};
