// Defaulting of built-in kinds, as upstream's SetDefaults_* functions: called by the generic
// store on every create and update before validation, mutating the object in place. Kinds with no
// defaults are left untouched; so are unknown kinds (custom resources default from their schema).
import type { KubeObject } from '../object.js';
import { formatQuantity, quantityText, tryParseQuantity } from '../validation/quantity.js';
import { defaultValidatingAdmissionPolicy, defaultValidatingAdmissionPolicyBinding } from './admissionregistration.js';
import { defaultCustomResourceDefinition } from './apiextensions.js';
import { defaultPersistentVolumeClaimSpec, defaultPod, defaultPodTemplate, defaultResourceList } from './pod.js';
import { defaultCronJob, defaultDaemonSet, defaultDeployment, defaultJob, defaultReplicaSet, defaultReplicationController, defaultStatefulSet } from './workloads.js';

type Obj = Record<string, unknown>;

const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const unset = (v: unknown) => v === undefined || v === null || v === '';
const child = (o: Obj, k: string): Obj => {
  if (!isObj(o[k])) o[k] = {};
  return o[k] as Obj;
};
const objects = (v: unknown): Obj[] => (Array.isArray(v) ? v.filter(isObj) : []);

function defaultService(svc: Obj): void {
  const spec = child(svc, 'spec');
  if (unset(spec.sessionAffinity)) spec.sessionAffinity = 'None';
  if (spec.sessionAffinity === 'None') delete spec.sessionAffinityConfig;
  if (spec.sessionAffinity === 'ClientIP') {
    const clientIP = isObj(spec.sessionAffinityConfig) && isObj(spec.sessionAffinityConfig.clientIP) ? spec.sessionAffinityConfig.clientIP : undefined;
    if (!clientIP || unset(clientIP.timeoutSeconds)) spec.sessionAffinityConfig = { clientIP: { timeoutSeconds: 10800 } };
  }
  if (unset(spec.type)) spec.type = 'ClusterIP';
  for (const p of objects(spec.ports)) {
    if (unset(p.protocol)) p.protocol = 'TCP';
    if (unset(p.targetPort) || p.targetPort === 0) p.targetPort = p.port;
  }
  const externallyAccessible = spec.type === 'LoadBalancer' || spec.type === 'NodePort' || (spec.type === 'ClusterIP' && Array.isArray(spec.externalIPs) && spec.externalIPs.length > 0);
  if (externallyAccessible && unset(spec.externalTrafficPolicy)) spec.externalTrafficPolicy = 'Cluster';
  if (unset(spec.internalTrafficPolicy) && (spec.type === 'NodePort' || spec.type === 'LoadBalancer' || spec.type === 'ClusterIP')) spec.internalTrafficPolicy = 'Cluster';
  if (spec.type === 'LoadBalancer' && unset(spec.allocateLoadBalancerNodePorts)) spec.allocateLoadBalancerNodePorts = true;
  if (spec.type === 'LoadBalancer' && isObj(svc.status) && isObj(svc.status.loadBalancer)) {
    for (const ing of objects(svc.status.loadBalancer.ingress)) if (!unset(ing.ip) && unset(ing.ipMode)) ing.ipMode = 'VIP';
  }
}

/** stringData is write-only: upstream's conversion merges it into data (base64), winning ties. */
function defaultSecret(secret: Obj): void {
  if (unset(secret.type)) secret.type = 'Opaque';
  if (isObj(secret.stringData)) {
    const data = child(secret, 'data');
    for (const [k, v] of Object.entries(secret.stringData)) data[k] = Buffer.from(String(v), 'utf8').toString('base64');
    delete secret.stringData;
  }
}

function defaultNamespace(ns: Obj): void {
  const meta = child(ns, 'metadata');
  if (typeof meta.name === 'string' && meta.name) child(meta, 'labels')['kubernetes.io/metadata.name'] = meta.name;
  // The namespace strategy's PrepareForCreate: the "kubernetes" finalizer holds deletion until
  // the namespace controller has emptied it.
  const spec = child(ns, 'spec');
  if (!Array.isArray(spec.finalizers) || spec.finalizers.length === 0) spec.finalizers = ['kubernetes'];
  const status = child(ns, 'status');
  if (unset(status.phase)) status.phase = 'Active';
}

function defaultNode(node: Obj): void {
  if (!isObj(node.status)) return;
  const status = node.status;
  defaultResourceList(status.capacity);
  defaultResourceList(status.allocatable);
  if (!isObj(status.allocatable) && isObj(status.capacity)) status.allocatable = { ...status.capacity };
}

function defaultPersistentVolume(pv: Obj): void {
  const status = child(pv, 'status');
  if (unset(status.phase)) status.phase = 'Pending';
  const spec = child(pv, 'spec');
  if (unset(spec.persistentVolumeReclaimPolicy)) spec.persistentVolumeReclaimPolicy = 'Retain';
  if (unset(spec.volumeMode)) spec.volumeMode = 'Filesystem';
  defaultResourceList(spec.capacity);
  if (isObj(spec.hostPath) && spec.hostPath.type === undefined) spec.hostPath.type = '';
}

function defaultPersistentVolumeClaim(pvc: Obj): void {
  defaultPersistentVolumeClaimSpec(child(pvc, 'spec'));
  const status = child(pvc, 'status');
  if (unset(status.phase)) status.phase = 'Pending';
}

function defaultEndpoints(ep: Obj): void {
  for (const ss of objects(ep.subsets)) for (const p of objects(ss.ports)) if (unset(p.protocol)) p.protocol = 'TCP';
}

function defaultEndpointSlice(slice: Obj): void {
  for (const p of objects(slice.ports)) {
    if (p.name === undefined || p.name === null) p.name = '';
    if (unset(p.protocol)) p.protocol = 'TCP';
  }
}

function defaultLimitRange(lr: Obj): void {
  for (const item of objects(child(lr, 'spec').limits)) {
    for (const k of ['max', 'min', 'default', 'defaultRequest', 'maxLimitRequestRatio']) defaultResourceList(item[k]);
    if (item.type !== 'Container') continue;
    const def = child(item, 'default');
    const defReq = child(item, 'defaultRequest');
    // A limit defaults to the max; a request to the limit, else to the min.
    for (const [k, v] of Object.entries(isObj(item.max) ? item.max : {})) if (!(k in def)) def[k] = v;
    for (const [k, v] of Object.entries(def)) if (!(k in defReq)) defReq[k] = v;
    for (const [k, v] of Object.entries(isObj(item.min) ? item.min : {})) if (!(k in defReq)) defReq[k] = v;
  }
}

function defaultResourceQuota(rq: Obj): void {
  if (isObj(rq.spec)) defaultResourceList(rq.spec.hard);
}

function defaultPriorityClass(pc: Obj): void {
  if (unset(pc.preemptionPolicy)) pc.preemptionPolicy = 'PreemptLowerPriority';
}

function defaultRoleBinding(rb: Obj): void {
  const ref = child(rb, 'roleRef');
  if (unset(ref.apiGroup)) ref.apiGroup = 'rbac.authorization.k8s.io';
  for (const s of objects(rb.subjects)) {
    if (!unset(s.apiGroup)) continue;
    if (s.kind === 'ServiceAccount') s.apiGroup = '';
    else if (s.kind === 'User' || s.kind === 'Group') s.apiGroup = 'rbac.authorization.k8s.io';
  }
}

const scaleUpDefault = () => ({ stabilizationWindowSeconds: 0, selectPolicy: 'Max', policies: [{ type: 'Pods', value: 4, periodSeconds: 15 }, { type: 'Percent', value: 100, periodSeconds: 15 }] });
const scaleDownDefault = () => ({ selectPolicy: 'Max', policies: [{ type: 'Percent', value: 100, periodSeconds: 15 }] });

function fillRules(rules: unknown, defaults: Obj): Obj {
  const r = isObj(rules) ? rules : {};
  const out: Obj = { ...defaults };
  for (const k of ['stabilizationWindowSeconds', 'selectPolicy', 'policies', 'tolerance']) if (r[k] !== undefined && r[k] !== null) out[k] = r[k];
  return out;
}

function defaultHorizontalPodAutoscaler(hpa: Obj, version: string): void {
  const spec = child(hpa, 'spec');
  if (unset(spec.minReplicas)) spec.minReplicas = 1;
  if (version === 'v1') return;
  if (!Array.isArray(spec.metrics) || spec.metrics.length === 0) {
    spec.metrics = [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 80 } } }];
  }
  if (isObj(spec.behavior)) {
    spec.behavior.scaleUp = fillRules(spec.behavior.scaleUp, scaleUpDefault());
    spec.behavior.scaleDown = fillRules(spec.behavior.scaleDown, scaleDownDefault());
  }
}

function defaultNetworkPolicy(np: Obj): void {
  const spec = child(np, 'spec');
  for (const rule of [...objects(spec.ingress), ...objects(spec.egress)]) for (const p of objects(rule.ports)) if (unset(p.protocol)) p.protocol = 'TCP';
  if (!Array.isArray(spec.policyTypes) || spec.policyTypes.length === 0) {
    spec.policyTypes = Array.isArray(spec.egress) && spec.egress.length > 0 ? ['Ingress', 'Egress'] : ['Ingress'];
  }
}

function defaultStorageClass(sc: Obj): void {
  if (unset(sc.reclaimPolicy)) sc.reclaimPolicy = 'Delete';
  if (unset(sc.volumeBindingMode)) sc.volumeBindingMode = 'Immediate';
}

function defaultPodTemplateKind(pt: Obj): void {
  if (!isObj(pt.template)) pt.template = {};
  defaultPodTemplate(pt.template);
}

type Defaulter = (obj: Obj, version: string) => void;

const defaulters: Record<string, Defaulter> = {
  '/Pod': defaultPod,
  '/PodTemplate': defaultPodTemplateKind,
  '/ReplicationController': defaultReplicationController,
  '/Service': defaultService,
  '/Secret': defaultSecret,
  '/Namespace': defaultNamespace,
  '/Node': defaultNode,
  '/PersistentVolume': defaultPersistentVolume,
  '/PersistentVolumeClaim': defaultPersistentVolumeClaim,
  '/Endpoints': defaultEndpoints,
  '/LimitRange': defaultLimitRange,
  '/ResourceQuota': defaultResourceQuota,
  'apps/Deployment': defaultDeployment,
  'apps/ReplicaSet': defaultReplicaSet,
  'apps/StatefulSet': defaultStatefulSet,
  'apps/DaemonSet': defaultDaemonSet,
  'batch/Job': defaultJob,
  'batch/CronJob': defaultCronJob,
  'discovery.k8s.io/EndpointSlice': defaultEndpointSlice,
  'scheduling.k8s.io/PriorityClass': defaultPriorityClass,
  'rbac.authorization.k8s.io/RoleBinding': defaultRoleBinding,
  'rbac.authorization.k8s.io/ClusterRoleBinding': defaultRoleBinding,
  'autoscaling/HorizontalPodAutoscaler': defaultHorizontalPodAutoscaler,
  'networking.k8s.io/NetworkPolicy': defaultNetworkPolicy,
  'storage.k8s.io/StorageClass': defaultStorageClass,
  'apiextensions.k8s.io/CustomResourceDefinition': defaultCustomResourceDefinition,
  'admissionregistration.k8s.io/ValidatingAdmissionPolicy': defaultValidatingAdmissionPolicy,
  'admissionregistration.k8s.io/ValidatingAdmissionPolicyBinding': defaultValidatingAdmissionPolicyBinding,
};

/** Applies upstream's defaults for the kind, in place. */
export function applyDefaults(group: string, version: string, kind: string, obj: KubeObject): void {
  defaulterFor(group, kind)?.(obj, version);
}

/** The kind's defaulter (obj, version), looked up once by callers that default many objects; undefined if it has none. */
export function defaulterFor(group: string, kind: string): ((obj: KubeObject, version: string) => void) | undefined {
  const k = `${group}/${kind}`;
  return Object.hasOwn(defaulters, k) ? defaulters[k] : undefined;
}

/** A quantity string in the canonical form the server stores, or the input when it does not parse. */
export function canonicalQuantityOrSelf(value: unknown): unknown {
  const text = quantityText(value);
  const q = text === undefined ? undefined : tryParseQuantity(text);
  return q ? formatQuantity(q) : value;
}

export { generateJobSelector } from './workloads.js';
export { imageTag } from './pod.js';
