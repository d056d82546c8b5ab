// The Deployment controller's descriptor for the controller manager, and its pure helpers.
import type { ControllerDescriptor } from '../context.js';
import { newDeploymentController } from './deployment-controller.js';

export { newDeploymentController, type DeploymentControllerOptions } from './deployment-controller.js';
export { computeHash, equalIgnoreHash, podTemplateHashLabel, safeEncodeString } from './hash.js';
export { maxSurge, maxUnavailable, resolveFenceposts, scaledValue } from './intorstr.js';
export { annotations as deploymentAnnotations, getProportion, newRSNewReplicas, setNewReplicaSetAnnotations } from './replicasets.js';
export { reasons as deploymentReasons, conditionAvailable, conditionProgressing } from './conditions.js';

export const deploymentController: ControllerDescriptor = {
  name: 'deployment',
  create: (ctx) => newDeploymentController(ctx),
};
