// The StatefulSet controller's descriptor for the controller manager.
import type { ControllerDescriptor } from '../context.js';
import { newStatefulSetController } from './statefulset-controller.js';

export { newStatefulSetController, type StatefulSetControllerOptions } from './statefulset-controller.js';
export { computeStatus as computeStatefulSetStatus, updateStatefulSet } from './control.js';
export { claimName, getOrdinal, newStatefulSetPod, podIndexLabel, podNameLabel, podName, statefulSetKind } from './identity.js';

export const statefulSetController: ControllerDescriptor = {
  name: 'statefulset',
  create: (ctx) => newStatefulSetController(ctx),
};
