// The ResourceQuota controller as the manager knows it.
import type { ControllerDescriptor } from '../context.js';
import { newResourceQuotaController } from './resource-quota-controller.js';

export { newResourceQuotaController, resourceQuotasRef, type Quota, type ResourceQuotaControllerOptions } from './resource-quota-controller.js';
export { calculateUsage, parseObjectCountName } from './usage.js';

export const resourceQuotaController: ControllerDescriptor = {
  name: 'resourcequota',
  create: (ctx) => newResourceQuotaController(ctx),
};
