// The ReplicaSet controller's descriptor for the controller manager.
import type { ControllerDescriptor } from '../context.js';
import { newReplicaSetController } from './replicaset-controller.js';

export { newReplicaSetController, burstReplicas, replicaSetKind, type ReplicaSetControllerOptions } from './replicaset-controller.js';
export { calculateStatus as calculateReplicaSetStatus, replicaFailureCondition } from './status.js';

export const replicaSetController: ControllerDescriptor = {
  name: 'replicaset',
  create: (ctx) => newReplicaSetController(ctx),
};
