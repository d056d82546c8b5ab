// Every controller this project ships, in the order the manager starts them. `--controllers`
// selects among them by name ("*", "name", "-name"), as kube-controller-manager does.
import type { ControllerDescriptor } from './context.js';
import { serviceAccountsController } from './serviceaccount/serviceaccounts-controller.js';
import { namespaceController } from './namespace/index.js';
import { newRootCACertPublisher } from './rootcacert/index.js';
import { garbageCollectorController } from './garbagecollector/index.js';
import { podGCController } from './podgc/index.js';
import { ttlAfterFinishedController } from './ttlafterfinished/index.js';
import { endpointsController } from './endpoints/index.js';
import { endpointSliceController } from './endpointslice/index.js';
import { endpointSliceMirroringController } from './endpointslicemirroring/index.js';
import { disruptionController } from './disruption/index.js';
import { statefulSetController } from './statefulset/index.js';
import { daemonSetController } from './daemonset/index.js';
import { jobController } from './job/index.js';
import { cronJobController } from './cronjob/index.js';
import { nodeLifecycleController, taintEvictionController } from './nodelifecycle/index.js';
import { resourceQuotaController } from './resourcequota/index.js';
import { replicaSetController } from './replicaset/index.js';
import { deploymentController } from './deployment/index.js';
import { clusterRoleAggregationController } from './clusterroleaggregation/index.js';
import { horizontalPodAutoscalerControllerWith } from './podautoscaler/index.js';
import { csrApprovingController, csrSigningController, tokenCleanerController } from './certificates/index.js';

export interface BuiltinControllerOptions {
  /** The cluster CA (PEM) that the root-ca-cert-publisher puts in every namespace. */
  rootCaPem?: string;
  /** The CA that signs approved CSRs (csrsigning runs only with it). */
  clusterSigning?: { certPem: string; keyPem: string };
  /** kube-controller-manager's --horizontal-pod-autoscaler-sync-period (default 15 s). */
  horizontalPodAutoscalerSyncPeriodMs?: number;
}

/**
 * The ServiceAccount each controller uses under --use-service-account-credentials, as upstream's
 * controller manager names them (ClientBuilder.ClientOrDie(name)); the taint eviction controller
 * shares the node controller's, as upstream's does.
 */
const serviceAccounts: Record<string, string> = {
  namespace: 'namespace-controller',
  serviceaccount: 'service-account-controller',
  garbagecollector: 'generic-garbage-collector',
  replicaset: 'replicaset-controller',
  deployment: 'deployment-controller',
  podgc: 'pod-garbage-collector',
  'ttl-after-finished': 'ttl-after-finished-controller',
  endpoint: 'endpoint-controller',
  endpointslice: 'endpointslice-controller',
  'endpointslice-mirroring': 'endpointslicemirroring-controller',
  disruption: 'disruption-controller',
  statefulset: 'statefulset-controller',
  daemonset: 'daemon-set-controller',
  job: 'job-controller',
  cronjob: 'cronjob-controller',
  'node-lifecycle': 'node-controller',
  'taint-eviction-controller': 'node-controller',
  resourcequota: 'resourcequota-controller',
  'clusterrole-aggregation': 'clusterrole-aggregation-controller',
  'root-ca-cert-publisher': 'root-ca-cert-publisher',
  csrapproving: 'certificate-controller',
  csrsigning: 'certificate-controller',
  tokencleaner: 'token-cleaner',
  'horizontal-pod-autoscaler': 'horizontal-pod-autoscaler',
};

/** The descriptors with the ServiceAccount upstream's controller of each name uses. */
export function withServiceAccounts(controllers: ControllerDescriptor[]): ControllerDescriptor[] {
  return controllers.map((d) => (serviceAccounts[d.name] ? { ...d, serviceAccount: serviceAccounts[d.name] } : d));
}

export function builtinControllers(opts: BuiltinControllerOptions = {}): ControllerDescriptor[] {
  const all: ControllerDescriptor[] = [
    namespaceController,
    serviceAccountsController,
    garbageCollectorController,
    replicaSetController,
    deploymentController,
    podGCController,
    ttlAfterFinishedController,
    endpointsController,
    endpointSliceController,
    endpointSliceMirroringController,
    disruptionController,
    statefulSetController,
    daemonSetController,
    jobController,
    cronJobController,
    nodeLifecycleController,
    taintEvictionController,
    resourceQuotaController,
    clusterRoleAggregationController,
    horizontalPodAutoscalerControllerWith({ syncPeriodMs: opts.horizontalPodAutoscalerSyncPeriodMs }),
  ];
  if (opts.rootCaPem) all.push(newRootCACertPublisher(opts.rootCaPem));
  all.push(csrApprovingController, tokenCleanerController);
  if (opts.clusterSigning) all.push(csrSigningController({ caCertPem: opts.clusterSigning.certPem, caKeyPem: opts.clusterSigning.keyPem }));
  return withServiceAccounts(all);
}
