// Pod and PodSpec defaults, as pkg/apis/core/v1/defaults.go plus the +default tags that
// zz_generated.defaults.go applies (ports' protocol, probes, volume sources). Mutates in place.
// Admission (service account, priority, default tolerations) is not defaulting and is not here.
import { canonicalQuantity, quantityText, roundUpQuantity, formatQuantity, tryParseQuantity } from '../validation/quantity.js';

type Obj = Record<string, unknown>;

const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const objects = (v: unknown): Obj[] => (Array.isArray(v) ? v.filter(isObj) : []);
const unset = (v: unknown) => v === undefined || v === null || v === '';

/** The tag an image reference names; "latest" when it names neither tag nor digest. */
export function imageTag(image: string): string {
  if (!image || image.trim() !== image) return '';
  const at = image.indexOf('@');
  const name = at >= 0 ? image.slice(0, at) : image;
  const lastSlash = name.lastIndexOf('/');
  const colon = name.indexOf(':', lastSlash + 1);
  if (colon >= 0) return name.slice(colon + 1);
  return at >= 0 ? '' : 'latest';
}

/** SetDefaults_ResourceList: quantities rounded up to milli and written back canonically. */
export function defaultResourceList(list: unknown): void {
  if (!isObj(list)) return;
  for (const [k, v] of Object.entries(list)) {
    const text = quantityText(v);
    const q = text === undefined ? undefined : tryParseQuantity(text);
    if (!q) continue; // validation reports it
    list[k] = formatQuantity(roundUpQuantity(q, -3));
  }
}

function defaultProbe(probe: unknown): void {
  if (!isObj(probe)) return;
  if (unset(probe.timeoutSeconds) || probe.timeoutSeconds === 0) probe.timeoutSeconds = 1;
  if (unset(probe.periodSeconds) || probe.periodSeconds === 0) probe.periodSeconds = 10;
  if (unset(probe.successThreshold) || probe.successThreshold === 0) probe.successThreshold = 1;
  if (unset(probe.failureThreshold) || probe.failureThreshold === 0) probe.failureThreshold = 3;
  defaultHandler(probe);
  if (isObj(probe.grpc) && probe.grpc.service === undefined) probe.grpc.service = '';
}

function defaultHandler(handler: unknown): void {
  if (!isObj(handler) || !isObj(handler.httpGet)) return;
  if (unset(handler.httpGet.path)) handler.httpGet.path = '/';
  if (unset(handler.httpGet.scheme)) handler.httpGet.scheme = 'HTTP';
}

/** SetDefaults_Container (and ephemeral containers). */
export function defaultContainer(c: Obj): void {
  if (unset(c.imagePullPolicy)) c.imagePullPolicy = imageTag(typeof c.image === 'string' ? c.image : '') === 'latest' ? 'Always' : 'IfNotPresent';
  if (unset(c.terminationMessagePath)) c.terminationMessagePath = '/dev/termination-log';
  if (unset(c.terminationMessagePolicy)) c.terminationMessagePolicy = 'File';
  for (const p of objects(c.ports)) if (unset(p.protocol)) p.protocol = 'TCP';
  for (const e of objects(c.env)) {
    const from = e.valueFrom;
    if (isObj(from) && isObj(from.fieldRef) && unset(from.fieldRef.apiVersion)) from.fieldRef.apiVersion = 'v1';
  }
  defaultProbe(c.livenessProbe);
  defaultProbe(c.readinessProbe);
  defaultProbe(c.startupProbe);
  if (isObj(c.lifecycle)) {
    defaultHandler(c.lifecycle.postStart);
    defaultHandler(c.lifecycle.preStop);
  }
  if (isObj(c.resources)) {
    defaultResourceList(c.resources.limits);
    defaultResourceList(c.resources.requests);
  }
}

function defaultVolume(v: Obj): void {
  const sources = Object.keys(v).filter((k) => k !== 'name' && v[k] !== undefined && v[k] !== null);
  if (sources.length === 0) v.emptyDir = {};
  for (const key of ['secret', 'configMap', 'downwardAPI', 'projected']) {
    const src = v[key];
    if (isObj(src) && unset(src.defaultMode)) src.defaultMode = 420;
  }
  if (isObj(v.hostPath) && v.hostPath.type === undefined) v.hostPath.type = '';
  if (isObj(v.emptyDir) && v.emptyDir.sizeLimit !== undefined) {
    const text = quantityText(v.emptyDir.sizeLimit);
    if (text !== undefined && tryParseQuantity(text)) v.emptyDir.sizeLimit = canonicalQuantity(text);
  }
  const downward = (items: unknown) => {
    for (const item of objects(items)) if (isObj(item.fieldRef) && unset(item.fieldRef.apiVersion)) item.fieldRef.apiVersion = 'v1';
  };
  if (isObj(v.downwardAPI)) downward(v.downwardAPI.items);
  if (isObj(v.projected)) {
    for (const s of objects(v.projected.sources)) {
      if (isObj(s.downwardAPI)) downward(s.downwardAPI.items);
      if (isObj(s.serviceAccountToken) && unset(s.serviceAccountToken.expirationSeconds)) s.serviceAccountToken.expirationSeconds = 3600;
    }
  }
  if (isObj(v.iscsi) && unset(v.iscsi.iscsiInterface)) v.iscsi.iscsiInterface = 'default';
  if (isObj(v.rbd)) {
    if (unset(v.rbd.pool)) v.rbd.pool = 'rbd';
    if (unset(v.rbd.user)) v.rbd.user = 'admin';
    if (unset(v.rbd.keyring)) v.rbd.keyring = '/etc/ceph/keyring';
  }
  if (isObj(v.azureDisk)) {
    if (unset(v.azureDisk.cachingMode)) v.azureDisk.cachingMode = 'ReadWrite';
    if (unset(v.azureDisk.fsType)) v.azureDisk.fsType = 'ext4';
    if (v.azureDisk.readOnly === undefined) v.azureDisk.readOnly = false;
    if (unset(v.azureDisk.kind)) v.azureDisk.kind = 'Shared';
  }
  if (isObj(v.scaleIO)) {
    if (unset(v.scaleIO.storageMode)) v.scaleIO.storageMode = 'ThinProvisioned';
    if (unset(v.scaleIO.fsType)) v.scaleIO.fsType = 'xfs';
  }
  if (isObj(v.ephemeral) && isObj(v.ephemeral.volumeClaimTemplate)) {
    const spec = v.ephemeral.volumeClaimTemplate.spec;
    if (isObj(spec)) defaultPersistentVolumeClaimSpec(spec);
  }
}

/** SetDefaults_PersistentVolumeClaimSpec, shared with PVCs and StatefulSet claim templates. */
export function defaultPersistentVolumeClaimSpec(spec: Obj): void {
  if (unset(spec.volumeMode)) spec.volumeMode = 'Filesystem';
  if (isObj(spec.resources)) {
    defaultResourceList(spec.resources.requests);
    defaultResourceList(spec.resources.limits);
  }
}

/** SetDefaults_PodSpec plus the defaults of everything a PodSpec holds (used for templates too). */
export function defaultPodSpec(spec: Obj): void {
  if (unset(spec.dnsPolicy)) spec.dnsPolicy = 'ClusterFirst';
  if (unset(spec.restartPolicy)) spec.restartPolicy = 'Always';
  if (!isObj(spec.securityContext)) spec.securityContext = {};
  if (unset(spec.terminationGracePeriodSeconds)) spec.terminationGracePeriodSeconds = 30;
  if (unset(spec.schedulerName)) spec.schedulerName = 'default-scheduler';
  for (const v of objects(spec.volumes)) defaultVolume(v);
  for (const c of objects(spec.initContainers)) defaultContainer(c);
  for (const c of objects(spec.containers)) defaultContainer(c);
  for (const c of objects(spec.ephemeralContainers)) defaultContainer(c);
  if (isObj(spec.overhead)) defaultResourceList(spec.overhead);
}

function requestsFromLimits(containers: unknown): void {
  for (const c of objects(containers)) {
    if (!isObj(c.resources) || !isObj(c.resources.limits)) continue;
    if (!isObj(c.resources.requests)) c.resources.requests = {};
    const requests = c.resources.requests as Obj;
    for (const [k, v] of Object.entries(c.resources.limits)) if (!(k in requests)) requests[k] = v;
  }
}

function hostNetworkPorts(containers: unknown): void {
  for (const c of objects(containers)) {
    for (const p of objects(c.ports)) if (unset(p.hostPort) || p.hostPort === 0) p.hostPort = p.containerPort;
  }
}

/** SetDefaults_Pod: the pod-only defaults, then its spec's. */
export function defaultPod(pod: Obj): void {
  if (!isObj(pod.spec)) pod.spec = {};
  const spec = pod.spec as Obj;
  defaultPodSpec(spec);
  // Requests default to limits on Pods only (not templates), so controllers' templates stay as written.
  requestsFromLimits(spec.containers);
  requestsFromLimits(spec.initContainers);
  if (spec.enableServiceLinks === undefined || spec.enableServiceLinks === null) spec.enableServiceLinks = true;
  if (spec.hostNetwork === true) {
    hostNetworkPorts(spec.containers);
    hostNetworkPorts(spec.initContainers);
  }
}

/** A PodTemplateSpec inside a workload: the PodSpec defaults only. */
export function defaultPodTemplate(template: unknown): void {
  if (!isObj(template)) return;
  if (!isObj(template.spec)) template.spec = {};
  defaultPodSpec(template.spec as Obj);
}
