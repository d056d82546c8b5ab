// printerFor: the table printer the API server uses for a kind when a client asks for
// `application/json;as=Table` (what `kubectl get` always asks for).
import type { TablePrinter } from '../resource.js';
import { builtinGroups } from '../resources/builtin.js';
import {
  componentStatusPrinter,
  configMapPrinter,
  endpointsPrinter,
  eventPrinter,
  namespacePrinter,
  nodePrinter,
  persistentVolumeClaimPrinter,
  persistentVolumePrinter,
  podTemplatePrinter,
  replicationControllerPrinter,
  resourceQuotaPrinter,
  secretPrinter,
  serviceAccountPrinter,
  servicePrinter,
} from './core.js';
import { customResourceDefaultPrinter, defaultTablePrinter } from './default.js';
import {
  apiServicePrinter,
  certificateSigningRequestPrinter,
  clusterRoleBindingPrinter,
  csiDriverPrinter,
  csiNodePrinter,
  csiStorageCapacityPrinter,
  endpointSlicePrinter,
  flowSchemaPrinter,
  horizontalPodAutoscalerPrinter,
  ingressClassPrinter,
  ingressPrinter,
  leasePrinter,
  mutatingWebhookPrinter,
  networkPolicyPrinter,
  podDisruptionBudgetPrinter,
  priorityClassPrinter,
  priorityLevelConfigurationPrinter,
  roleBindingPrinter,
  runtimeClassPrinter,
  scalePrinter,
  storageClassPrinter,
  validatingAdmissionPolicyBindingPrinter,
  validatingAdmissionPolicyPrinter,
  validatingWebhookPrinter,
  volumeAttachmentPrinter,
} from './groups.js';
import { podPrinter } from './pod.js';
import {
  controllerRevisionPrinter,
  cronJobPrinter,
  daemonSetPrinter,
  deploymentPrinter,
  jobPrinter,
  replicaSetPrinter,
  statefulSetPrinter,
} from './workloads.js';

export { customResourceDefaultPrinter, defaultTablePrinter } from './default.js';

/** "group/Kind" → printer. Kinds absent here get the default table. */
const printers: Record<string, TablePrinter> = {
  '/Pod': podPrinter,
  '/PodTemplate': podTemplatePrinter,
  '/ReplicationController': replicationControllerPrinter,
  '/Service': servicePrinter,
  '/Endpoints': endpointsPrinter,
  '/Node': nodePrinter,
  '/Event': eventPrinter,
  '/Namespace': namespacePrinter,
  '/Secret': secretPrinter,
  '/ServiceAccount': serviceAccountPrinter,
  '/PersistentVolume': persistentVolumePrinter,
  '/PersistentVolumeClaim': persistentVolumeClaimPrinter,
  '/ComponentStatus': componentStatusPrinter,
  '/ConfigMap': configMapPrinter,
  '/ResourceQuota': resourceQuotaPrinter,
  'apps/Deployment': deploymentPrinter,
  'apps/ReplicaSet': replicaSetPrinter,
  'apps/StatefulSet': statefulSetPrinter,
  'apps/DaemonSet': daemonSetPrinter,
  'apps/ControllerRevision': controllerRevisionPrinter,
  'batch/Job': jobPrinter,
  'batch/CronJob': cronJobPrinter,
  'autoscaling/HorizontalPodAutoscaler': horizontalPodAutoscalerPrinter,
  'autoscaling/Scale': scalePrinter,
  'policy/PodDisruptionBudget': podDisruptionBudgetPrinter,
  'scheduling.k8s.io/PriorityClass': priorityClassPrinter,
  'node.k8s.io/RuntimeClass': runtimeClassPrinter,
  'coordination.k8s.io/Lease': leasePrinter,
  'discovery.k8s.io/EndpointSlice': endpointSlicePrinter,
  'networking.k8s.io/Ingress': ingressPrinter,
  'networking.k8s.io/IngressClass': ingressClassPrinter,
  'networking.k8s.io/NetworkPolicy': networkPolicyPrinter,
  'rbac.authorization.k8s.io/RoleBinding': roleBindingPrinter,
  'rbac.authorization.k8s.io/ClusterRoleBinding': clusterRoleBindingPrinter,
  'storage.k8s.io/StorageClass': storageClassPrinter,
  'storage.k8s.io/CSIDriver': csiDriverPrinter,
  'storage.k8s.io/CSINode': csiNodePrinter,
  'storage.k8s.io/CSIStorageCapacity': csiStorageCapacityPrinter,
  'storage.k8s.io/VolumeAttachment': volumeAttachmentPrinter,
  'certificates.k8s.io/CertificateSigningRequest': certificateSigningRequestPrinter,
  'admissionregistration.k8s.io/MutatingWebhookConfiguration': mutatingWebhookPrinter,
  'admissionregistration.k8s.io/ValidatingWebhookConfiguration': validatingWebhookPrinter,
  'admissionregistration.k8s.io/ValidatingAdmissionPolicy': validatingAdmissionPolicyPrinter,
  'admissionregistration.k8s.io/ValidatingAdmissionPolicyBinding': validatingAdmissionPolicyBindingPrinter,
  'flowcontrol.apiserver.k8s.io/FlowSchema': flowSchemaPrinter,
  'flowcontrol.apiserver.k8s.io/PriorityLevelConfiguration': priorityLevelConfigurationPrinter,
  'apiregistration.k8s.io/APIService': apiServicePrinter,
};

/** events.k8s.io/v1 Events share core Events' table; map the renamed fields back first. */
const eventsV1Printer: TablePrinter = {
  columns: eventPrinter.columns,
  cells: (obj, now) => {
    const e = obj as Record<string, unknown>;
    const series = e.series as { count?: number; lastObservedTime?: string } | undefined;
    const core = {
      ...e,
      involvedObject: e.regarding,
      message: e.note,
      firstTimestamp: e.deprecatedFirstTimestamp,
      lastTimestamp: e.deprecatedLastTimestamp,
      count: e.deprecatedCount,
      source: e.deprecatedSource,
      reportingComponent: e.reportingController,
      series,
    };
    return eventPrinter.cells(core, now);
  },
};

const builtinGroupNames = new Set(builtinGroups.map((g) => g.group));

/**
 * The printer for a kind: upstream's own table for built-in kinds that have one, NAME + CREATED AT
 * for other built-in kinds, NAME + AGE for custom resources (groups not built in). A CRD with
 * additionalPrinterColumns needs printerForCRD instead (not here yet).
 */
export function printerFor(group: string, kind: string): TablePrinter {
  const own = printers[`${group}/${kind}`];
  if (own) return own;
  if (group === 'events.k8s.io' && kind === 'Event') return eventsV1Printer;
  return builtinGroupNames.has(group) ? defaultTablePrinter : customResourceDefaultPrinter;
}

export { printerForCRD, type JSONPathEvaluator, type PrinterColumnDefinition } from './crd.js';
