// The EndpointSlice mirroring controller's descriptor for the controller manager.
import type { ControllerDescriptor } from '../context.js';
import { newEndpointSliceMirroringController } from './mirroring-controller.js';

export { newEndpointSliceMirroringController, type EndpointSliceMirroringOptions } from './mirroring-controller.js';
export { reconcileMirror, shouldMirror, addressToEndpoint, mirroredMetadata, mirroringControllerName, skipMirrorLabel, defaultMaxEndpointsPerSubset, type MirrorPlan } from './reconciler.js';

export const endpointSliceMirroringController: ControllerDescriptor = {
  name: 'endpointslice-mirroring',
  create: (ctx) => newEndpointSliceMirroringController(ctx),
};
