// Validation of built-in kinds on create and update: ObjectMeta with the kind's name rule and
// scope, then the kind's own rules. Called by resource strategies after defaulting; an empty list
// means valid. Unknown kinds (custom resources) get metadata validation only, with no scope rule.
import type { KubeObject } from '../object.js';
import type { FieldError } from '../status.js';
import { validateControllerRevision, validateControllerRevisionUpdate, validateDaemonSetSpec, validateDeploymentSpec, validateReplicaSetSpec, validateReplicationControllerSpec, validateSelectorImmutable, validateStatefulSetSpec, validateStatefulSetSpecUpdate } from './apps.js';
import { validateCronJobName, validateCronJobSpec, validateJob, validateJobSpecUpdate } from './batch.js';
import { validateConfigMap, validateConfigMapUpdate, validateEndpoints, validateEvent, validateLimitRange, validateNamespace, validateNode, validatePersistentVolume, validatePersistentVolumeClaim, validatePersistentVolumeClaimUpdate, validatePersistentVolumeUpdate, validateResourceQuota, validateSecret, validateSecretUpdate } from './core.js';
import { asObject } from './field.js';
import { validateEndpointSlice, validateEndpointSliceUpdate, validateHorizontalPodAutoscaler, validateLease, validatePodDisruptionBudget, validatePriorityClass, validatePriorityClassUpdate, validateRole, validateRoleBinding, validateRoleBindingUpdate } from './groups.js';
import { nameIsDNS1035Label, nameIsDNSLabel, nameIsDNSSubdomain, nameIsPathSegment, type NameValidator } from './names.js';
import { validateObjectMeta, validateObjectMetaUpdate, type Scope } from './objectmeta.js';
import { validatePod, validatePodSpecUpdate, validatePodTemplateSpec } from './pod.js';
import { validateService, validateServiceUpdate } from './service.js';
import { validateEventsV1Create, validateEventsV1Update } from './events.js';
import { validateCustomResourceDefinition, validateCustomResourceDefinitionUpdate } from './apiextensions.js';
import { validateValidatingAdmissionPolicy, validateValidatingAdmissionPolicyBinding, validateValidatingAdmissionPolicyUpdate } from './admissionregistration.js';
import { validateAPIService } from './apiregistration.js';

type Obj = Record<string, unknown>;

/** group/Kind of the built-in kinds that are not namespaced. */
const clusterScoped = new Set([
  '/Namespace', '/Node', '/PersistentVolume', '/ComponentStatus',
  'rbac.authorization.k8s.io/ClusterRole', 'rbac.authorization.k8s.io/ClusterRoleBinding',
  'scheduling.k8s.io/PriorityClass', 'storage.k8s.io/StorageClass', 'storage.k8s.io/CSIDriver', 'storage.k8s.io/CSINode',
  'storage.k8s.io/VolumeAttachment', 'networking.k8s.io/IngressClass', 'networking.k8s.io/IPAddress', 'networking.k8s.io/ServiceCIDR',
  'apiextensions.k8s.io/CustomResourceDefinition', 'apiregistration.k8s.io/APIService',
  'admissionregistration.k8s.io/MutatingWebhookConfiguration', 'admissionregistration.k8s.io/ValidatingWebhookConfiguration',
  'admissionregistration.k8s.io/ValidatingAdmissionPolicy', 'admissionregistration.k8s.io/ValidatingAdmissionPolicyBinding',
  'certificates.k8s.io/CertificateSigningRequest', 'node.k8s.io/RuntimeClass',
  'flowcontrol.apiserver.k8s.io/FlowSchema', 'flowcontrol.apiserver.k8s.io/PriorityLevelConfiguration',
]);

/** group/Kind of namespaced built-ins (anything else unknown is treated as scope 'unknown'). */
const namespaced = new Set([
  '/Pod', '/Service', '/ConfigMap', '/Secret', '/ServiceAccount', '/Endpoints', '/Event', '/LimitRange', '/ResourceQuota',
  '/PersistentVolumeClaim', '/PodTemplate', '/ReplicationController', '/Binding',
  'apps/Deployment', 'apps/ReplicaSet', 'apps/StatefulSet', 'apps/DaemonSet', 'apps/ControllerRevision',
  'batch/Job', 'batch/CronJob', 'autoscaling/HorizontalPodAutoscaler', 'policy/PodDisruptionBudget',
  'rbac.authorization.k8s.io/Role', 'rbac.authorization.k8s.io/RoleBinding', 'coordination.k8s.io/Lease',
  'discovery.k8s.io/EndpointSlice', 'networking.k8s.io/NetworkPolicy', 'networking.k8s.io/Ingress', 'events.k8s.io/Event',
  'storage.k8s.io/CSIStorageCapacity',
]);

/** Kinds whose names are not DNS subdomains. */
const nameRules: Record<string, NameValidator> = {
  '/Namespace': nameIsDNSLabel,
  '/Service': nameIsDNS1035Label,
  '/PersistentVolume': nameIsPathSegment,
  'rbac.authorization.k8s.io/Role': nameIsPathSegment,
  'rbac.authorization.k8s.io/ClusterRole': nameIsPathSegment,
  'rbac.authorization.k8s.io/RoleBinding': nameIsPathSegment,
  'rbac.authorization.k8s.io/ClusterRoleBinding': nameIsPathSegment,
  'certificates.k8s.io/CertificateSigningRequest': nameIsPathSegment,
  'flowcontrol.apiserver.k8s.io/FlowSchema': nameIsPathSegment,
  'flowcontrol.apiserver.k8s.io/PriorityLevelConfiguration': nameIsPathSegment,
  // <version>.<group>: the core group's is `v1.` (that it is exactly that: validateAPIService).
  'apiregistration.k8s.io/APIService': nameIsPathSegment,
};

export function scopeOf(group: string, kind: string): Scope {
  const k = `${group}/${kind}`;
  if (clusterScoped.has(k)) return 'cluster';
  if (namespaced.has(k)) return 'namespaced';
  return 'unknown';
}

export function nameValidatorFor(group: string, kind: string): NameValidator {
  return nameRules[`${group}/${kind}`] ?? nameIsDNSSubdomain;
}

type Create = (obj: Obj) => FieldError[];
type Update = (obj: Obj, old: Obj) => FieldError[];

const spec = (o: Obj) => o.spec;

const createRules: Record<string, Create> = {
  '/Pod': validatePod,
  '/PodTemplate': (o) => validatePodTemplateSpec(o.template, 'template'),
  '/ReplicationController': (o) => validateReplicationControllerSpec(spec(o)),
  '/Service': validateService,
  '/ConfigMap': validateConfigMap,
  '/Secret': validateSecret,
  '/Namespace': validateNamespace,
  '/Node': validateNode,
  '/PersistentVolume': validatePersistentVolume,
  '/PersistentVolumeClaim': validatePersistentVolumeClaim,
  '/ResourceQuota': validateResourceQuota,
  '/LimitRange': validateLimitRange,
  '/Endpoints': validateEndpoints,
  'apps/Deployment': (o) => validateDeploymentSpec(spec(o)),
  'apps/ReplicaSet': (o) => validateReplicaSetSpec(spec(o)),
  'apps/StatefulSet': (o) => validateStatefulSetSpec(spec(o)),
  'apps/DaemonSet': (o) => validateDaemonSetSpec(spec(o)),
  'apps/ControllerRevision': validateControllerRevision,
  'batch/Job': validateJob,
  'batch/CronJob': (o) => [...validateCronJobName(asObject(o.metadata).name as string | undefined), ...validateCronJobSpec(spec(o), undefined)],
  'coordination.k8s.io/Lease': validateLease,
  'scheduling.k8s.io/PriorityClass': validatePriorityClass,
  'policy/PodDisruptionBudget': validatePodDisruptionBudget,
  'rbac.authorization.k8s.io/Role': (o) => validateRole(o, true),
  'rbac.authorization.k8s.io/ClusterRole': (o) => validateRole(o, false),
  'rbac.authorization.k8s.io/RoleBinding': (o) => validateRoleBinding(o, true),
  'rbac.authorization.k8s.io/ClusterRoleBinding': (o) => validateRoleBinding(o, false),
  'discovery.k8s.io/EndpointSlice': validateEndpointSlice,
  'autoscaling/HorizontalPodAutoscaler': validateHorizontalPodAutoscaler,
  'events.k8s.io/Event': validateEventsV1Create,
  'apiextensions.k8s.io/CustomResourceDefinition': (o) => validateCustomResourceDefinition(o as KubeObject),
  'admissionregistration.k8s.io/ValidatingAdmissionPolicy': validateValidatingAdmissionPolicy,
  'admissionregistration.k8s.io/ValidatingAdmissionPolicyBinding': validateValidatingAdmissionPolicyBinding,
  'apiregistration.k8s.io/APIService': validateAPIService,
};

/** Extra rules on update, beyond re-running the create rules on the new object. */
const updateRules: Record<string, Update> = {
  '/Service': validateServiceUpdate,
  '/ConfigMap': validateConfigMapUpdate,
  '/Secret': validateSecretUpdate,
  '/PersistentVolume': validatePersistentVolumeUpdate,
  '/PersistentVolumeClaim': validatePersistentVolumeClaimUpdate,
  'apps/Deployment': validateSelectorImmutable,
  'apps/ReplicaSet': validateSelectorImmutable,
  'apps/DaemonSet': validateSelectorImmutable,
  'apps/StatefulSet': validateStatefulSetSpecUpdate,
  'apps/ControllerRevision': validateControllerRevisionUpdate,
  'batch/Job': validateJobSpecUpdate,
  'scheduling.k8s.io/PriorityClass': validatePriorityClassUpdate,
  'rbac.authorization.k8s.io/RoleBinding': validateRoleBindingUpdate,
  'rbac.authorization.k8s.io/ClusterRoleBinding': validateRoleBindingUpdate,
  'discovery.k8s.io/EndpointSlice': validateEndpointSliceUpdate,
};

/** Kinds whose create rules, on update, are replaced by something else. */
const updateReplacesCreate: Record<string, Update> = {
  // A pod's spec is checked for what changed; re-validating it whole would reject old pods.
  '/Pod': (o, old) => validatePodSpecUpdate(o.spec, old.spec),
  // An update may keep a TZ it already had.
  'batch/CronJob': (o, old) => validateCronJobSpec(o.spec, old.spec),
  // Core v1 events are never re-validated beyond their metadata.
  '/Event': () => [],
  'events.k8s.io/Event': validateEventsV1Update,
  'apiextensions.k8s.io/CustomResourceDefinition': (o, old) => validateCustomResourceDefinitionUpdate(o as KubeObject, old as KubeObject),
  // Match conditions the update leaves alone (with the paramKind they read) are not re-checked.
  'admissionregistration.k8s.io/ValidatingAdmissionPolicy': validateValidatingAdmissionPolicyUpdate,
};

/** Legacy core/v1 Events skip ObjectMeta validation, as upstream does for that API; a CRD's rule
 *  validates its ObjectMeta itself, because its valid name depends on its spec. */
const skipsMeta = new Set(['/Event', 'apiextensions.k8s.io/CustomResourceDefinition']);

/** Validation on create: metadata plus the kind's rules. `version` is accepted for symmetry. */
export function validateObject(group: string, _version: string, kind: string, obj: KubeObject): FieldError[] {
  return createValidatorFor(group, kind)(obj);
}

/** validateObject for one kind, with what it looks up by kind looked up once (for a resource's strategy). */
export function createValidatorFor(group: string, kind: string): (obj: KubeObject) => FieldError[] {
  const k = `${group}/${kind}`;
  const meta = !skipsMeta.has(k);
  const scope = scopeOf(group, kind);
  const nameFn = nameValidatorFor(group, kind);
  const legacyEvent = k === '/Event';
  const rule = Object.hasOwn(createRules, k) ? createRules[k] : undefined;
  return (obj) => {
    const errs: FieldError[] = [];
    if (meta) errs.push(...validateObjectMeta(obj.metadata, scope, nameFn));
    if (legacyEvent) errs.push(...validateEvent(obj));
    if (rule) errs.push(...rule(obj));
    return errs;
  };
}

/** Validation on update: metadata immutability, then the kind's rules on the new object. */
export function validateObjectUpdate(group: string, _version: string, kind: string, obj: KubeObject, old: KubeObject): FieldError[] {
  const k = `${group}/${kind}`;
  const errs: FieldError[] = [...validateObjectMetaUpdate(obj.metadata, old.metadata)];
  if (k === '/Event') {
    errs.push(...validateEvent(obj));
    return errs;
  }
  const replaced = updateReplacesCreate[k];
  if (replaced) {
    errs.push(...replaced(obj, old));
    return errs;
  }
  const rule = createRules[k];
  if (rule) errs.push(...rule(obj));
  const extra = updateRules[k];
  if (extra) errs.push(...extra(obj, old));
  return errs;
}

export { validateObjectMeta, validateObjectMetaUpdate } from './objectmeta.js';
export type { Scope } from './objectmeta.js';
