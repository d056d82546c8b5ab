// The disruption controller's descriptor for the controller manager.
import type { ControllerDescriptor } from '../context.js';
import { newDisruptionController } from './disruption-controller.js';

export { newDisruptionController, type DisruptionControllerOptions } from './disruption-controller.js';
export { deletionTimeoutMs, disruptionAllowedCondition, sufficientPodsReason, insufficientPodsReason, syncFailedReason } from './status.js';

export const disruptionController: ControllerDescriptor = {
  name: 'disruption',
  create: (ctx) => newDisruptionController(ctx),
};
