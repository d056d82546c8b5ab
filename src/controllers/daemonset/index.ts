// The DaemonSet controller's descriptor for the controller manager.
import type { ControllerDescriptor } from '../context.js';
import { newDaemonSetController } from './daemonset-controller.js';

export { newDaemonSetController, daemonSetKind, podTemplateGenerationLabel, scaledValue } from './daemonset-controller.js';
export { addDaemonTolerations, fitsNodeAffinity, nodeShouldRunDaemonPod, pinToNode, targetNodeName, toleratesTaint } from './node-fit.js';

export const daemonSetController: ControllerDescriptor = {
  name: 'daemonset',
  create: (ctx) => newDaemonSetController(ctx),
};
