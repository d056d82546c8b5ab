// Pod and PodSpec validation, as pkg/apis/core/validation (validation.go): containers, ports,
// env, resources, volumes and mounts, probes, tolerations, and the narrow set of fields a pod
// update may change.
import { asArray, asObject, asString, child, deepEqual, duplicate, each, forbidden, index, invalid, isObject, key, nonNegative, notFound, notSupported, required, type Errors } from './field.js';
import { isConfigMapKey, isDNS1123Label, isDNS1123Subdomain, isQualifiedName, isRelaxedEnvVarName, isValidPortName, isValidPortNum, inclusiveRangeError, isValidIP, isValidLabelValue } from './names.js';
import { validateAnnotations, validateLabels } from './objectmeta.js';
import { compareQuantities, formatQuantity, quantitySign, tryParseQuantity, errFormatWrong, quantityText } from './quantity.js';

type Obj = Record<string, unknown>;

export const supportedPortProtocols = ['SCTP', 'TCP', 'UDP'];
const restartPolicies = ['Always', 'OnFailure', 'Never'];
const dnsPolicies = ['ClusterFirstWithHostNet', 'ClusterFirst', 'Default', 'None'];
const pullPolicies = ['Always', 'IfNotPresent', 'Never'];
const standardContainerResources = new Set(['cpu', 'memory', 'ephemeral-storage']);
const maxInt32 = 2147483647;

/** Every volume source field, in upstream's order: when two are set, the later one is reported. */
const volumeSources = [
  'hostPath', 'emptyDir', 'gitRepo', 'gcePersistentDisk', 'awsElasticBlockStore', 'secret', 'nfs', 'iscsi', 'glusterfs',
  'flocker', 'persistentVolumeClaim', 'rbd', 'quobyte', 'cephfs', 'cinder', 'downwardAPI', 'fc', 'flexVolume', 'configMap',
  'azureFile', 'vsphereVolume', 'photonPersistentDisk', 'portworxVolume', 'azureDisk', 'projected', 'scaleIO', 'storageos', 'csi',
  'ephemeral', 'image',
];

export interface PodSpecOptions {
  /** Pod templates (in workloads) skip nothing here, but callers may want to know. */
  template?: boolean;
}

/** ValidateResourceQuantityValue-style: parse, then non-negative. */
export function validateQuantity(value: unknown, field: string): Errors {
  const text = quantityText(value);
  if (text === undefined) return [invalid(field, value, errFormatWrong)];
  const q = tryParseQuantity(text);
  if (!q) return [invalid(field, text, errFormatWrong)];
  if (quantitySign(q) < 0) return [invalid(field, formatQuantity(q), 'must be greater than or equal to 0')];
  return [];
}

function validateContainerResourceName(name: string, field: string): Errors {
  const errs = each(field, name, isQualifiedName(name));
  if (errs.length) return errs;
  if (!name.includes('/') && !standardContainerResources.has(name) && !name.startsWith('hugepages-')) {
    return [invalid(field, name, 'must be a standard resource for containers')];
  }
  return [];
}

function appendAll(errs: Errors, more: Errors): void {
  for (let i = 0; i < more.length; i++) errs.push(more[i]);
}

/**
 * Each entry of a resource list with its field path, in Object.entries' order (for-in: no entry
 * arrays per container; the list's path is built only if it has entries).
 */
function forEachResource(list: Record<string, unknown>, field: string, sub: string, fn: (name: string, value: unknown, path: string) => void): void {
  let base: string | undefined;
  for (const name in list) {
    if (Object.hasOwn(list, name)) fn(name, list[name], key((base ??= child(field, sub)), name));
  }
}

/** ValidateResourceRequirements: names, quantities, and requests never above limits. */
export function validateResourceRequirements(resources: unknown, field: string): Errors {
  const errs: Errors = [];
  const r = asObject(resources);
  const limits = asObject(r.limits);
  const requests = asObject(r.requests);
  const nameAndQuantity = (name: string, value: unknown, path: string) => {
    appendAll(errs, validateContainerResourceName(name, path));
    appendAll(errs, validateQuantity(value, path));
  };
  forEachResource(limits, field, 'limits', nameAndQuantity);
  forEachResource(requests, field, 'requests', (name, value, path) => {
    nameAndQuantity(name, value, path);
    const req = tryParseQuantity(quantityText(value) ?? '');
    const limText = quantityText(limits[name]);
    const lim = limText === undefined ? undefined : tryParseQuantity(limText);
    if (req && lim && compareQuantities(req, lim) > 0) {
      errs.push(invalid(path, formatQuantity(req), `must be less than or equal to ${name} limit of ${formatQuantity(lim)}`));
    }
  });
  return errs;
}

function validateVolumes(volumes: unknown, field: string): { errs: Errors; names: Set<string> } {
  const errs: Errors = [];
  const names = new Set<string>();
  asArray(volumes).forEach((raw, i) => {
    const v = asObject(raw);
    const path = index(field, i);
    const name = asString(v.name);
    if (!name) errs.push(required(child(path, 'name'), ''));
    else if (isDNS1123Label(name).length) errs.push(...each(child(path, 'name'), name, isDNS1123Label(name)));
    else if (names.has(name)) errs.push(duplicate(child(path, 'name'), name));
    if (name) names.add(name);
    const sources = volumeSources.filter((s) => v[s] !== undefined && v[s] !== null);
    if (sources.length === 0) errs.push(required(path, 'must specify a volume type'));
    else if (sources.length > 1) errs.push(forbidden(child(path, sources[1]), 'may not specify more than 1 volume type'));
    const pvc = asObject(v.persistentVolumeClaim);
    if (sources.includes('persistentVolumeClaim') && !asString(pvc.claimName)) errs.push(required(child(path, 'persistentVolumeClaim', 'claimName'), ''));
    const cm = asObject(v.configMap);
    if (sources.includes('configMap')) errs.push(...validateKeyToPaths(cm.items, child(path, 'configMap', 'items')), ...validateMode(cm.defaultMode, child(path, 'configMap', 'defaultMode')));
    const secret = asObject(v.secret);
    if (sources.includes('secret')) errs.push(...validateKeyToPaths(secret.items, child(path, 'secret', 'items')), ...validateMode(secret.defaultMode, child(path, 'secret', 'defaultMode')));
    const hostPath = asObject(v.hostPath);
    if (sources.includes('hostPath') && !asString(hostPath.path)) errs.push(required(child(path, 'hostPath', 'path'), ''));
    const emptyDir = asObject(v.emptyDir);
    if (emptyDir.sizeLimit !== undefined) errs.push(...validateQuantity(emptyDir.sizeLimit, child(path, 'emptyDir', 'sizeLimit')));
  });
  return { errs, names };
}

function validateMode(mode: unknown, field: string): Errors {
  if (typeof mode !== 'number') return [];
  return mode > 0o777 || mode < 0 ? [invalid(field, mode, 'must be a number between 0 and 0777 (octal), both inclusive')] : [];
}

function validateKeyToPaths(items: unknown, field: string): Errors {
  const errs: Errors = [];
  asArray(items).forEach((raw, i) => {
    const it = asObject(raw);
    const path = index(field, i);
    if (!asString(it.key)) errs.push(required(child(path, 'key'), ''));
    const p = asString(it.path);
    if (!p) errs.push(required(child(path, 'path'), ''));
    else errs.push(...validateLocalDescendingPath(p, child(path, 'path')));
    errs.push(...validateMode(it.mode, child(path, 'mode')));
  });
  return errs;
}

function validateLocalDescendingPath(p: string, field: string): Errors {
  const errs: Errors = [];
  if (p.startsWith('/')) errs.push(invalid(field, p, 'must be a relative path'));
  if (p.split('/').includes('..')) errs.push(invalid(field, p, "must not contain '..'"));
  return errs;
}

function validateContainerPorts(ports: unknown, field: string, hostNetwork: boolean): Errors {
  const errs: Errors = [];
  const names = new Set<string>();
  asArray(ports).forEach((raw, i) => {
    const p = asObject(raw);
    const path = index(field, i);
    const name = asString(p.name);
    if (name) {
      const msgs = isValidPortName(name);
      if (msgs.length) errs.push(...each(child(path, 'name'), name, msgs));
      else if (names.has(name)) errs.push(duplicate(child(path, 'name'), name));
      else names.add(name);
    }
    const containerPort = typeof p.containerPort === 'number' ? p.containerPort : 0;
    if (containerPort === 0) errs.push(required(child(path, 'containerPort'), ''));
    else errs.push(...each(child(path, 'containerPort'), containerPort, isValidPortNum(containerPort)));
    const hostPort = typeof p.hostPort === 'number' ? p.hostPort : 0;
    if (hostPort !== 0) errs.push(...each(child(path, 'hostPort'), hostPort, isValidPortNum(hostPort)));
    if (hostNetwork && hostPort !== 0 && hostPort !== containerPort) {
      errs.push(invalid(child(path, 'hostPort'), hostPort, 'must match `containerPort` when `hostNetwork` is true'));
    }
    const protocol = asString(p.protocol);
    if (!protocol) errs.push(required(child(path, 'protocol'), ''));
    else if (!supportedPortProtocols.includes(protocol)) errs.push(notSupported(child(path, 'protocol'), protocol, supportedPortProtocols));
    if (p.hostIP !== undefined && p.hostIP !== '') errs.push(...each(child(path, 'hostIP'), p.hostIP, isValidIP(asString(p.hostIP))));
  });
  return errs;
}

function validateEnv(env: unknown, field: string): Errors {
  const errs: Errors = [];
  asArray(env).forEach((raw, i) => {
    const e = asObject(raw);
    const path = index(field, i);
    const name = asString(e.name);
    if (!name) errs.push(required(child(path, 'name'), ''));
    else errs.push(...each(child(path, 'name'), name, isRelaxedEnvVarName(name)));
    if (!isObject(e.valueFrom)) return;
    const from = e.valueFrom;
    const fromPath = child(path, 'valueFrom');
    const sources = ['fieldRef', 'resourceFieldRef', 'configMapKeyRef', 'secretKeyRef'].filter((s) => from[s] !== undefined && from[s] !== null);
    for (const s of ['configMapKeyRef', 'secretKeyRef']) {
      if (!sources.includes(s)) continue;
      const ref = asObject(from[s]);
      const k = asString(ref.key);
      if (!k) errs.push(required(child(fromPath, s, 'key'), ''));
      else errs.push(...each(child(fromPath, s, 'key'), k, isConfigMapKey(k)));
      if (!asString(ref.name)) errs.push(required(child(fromPath, s, 'name'), ''));
    }
    if (sources.includes('fieldRef')) {
      const ref = asObject(from.fieldRef);
      if (!asString(ref.fieldPath)) errs.push(required(child(fromPath, 'fieldRef', 'fieldPath'), ''));
      if (!asString(ref.apiVersion)) errs.push(required(child(fromPath, 'fieldRef', 'apiVersion'), ''));
    }
    if (sources.includes('resourceFieldRef') && !asString(asObject(from.resourceFieldRef).resource)) {
      errs.push(required(child(fromPath, 'resourceFieldRef', 'resource'), ''));
    }
    if (sources.length === 0) errs.push(invalid(fromPath, '', 'must specify one of: `fieldRef`, `resourceFieldRef`, `configMapKeyRef` or `secretKeyRef`'));
    else if (asString(e.value)) errs.push(invalid(fromPath, '', 'may not be specified when `value` is not empty'));
    else if (sources.length > 1) errs.push(invalid(fromPath, '', 'may not have more than one field specified at a time'));
  });
  return errs;
}

function validateVolumeMounts(mounts: unknown, field: string, volumes: Set<string>): Errors {
  const errs: Errors = [];
  const paths = new Set<string>();
  asArray(mounts).forEach((raw, i) => {
    const m = asObject(raw);
    const path = index(field, i);
    const name = asString(m.name);
    if (!name) errs.push(required(child(path, 'name'), ''));
    else if (!volumes.has(name)) errs.push(notFound(child(path, 'name'), name));
    const mountPath = asString(m.mountPath);
    if (!mountPath) errs.push(required(child(path, 'mountPath'), ''));
    else if (paths.has(mountPath)) errs.push(invalid(child(path, 'mountPath'), mountPath, 'must be unique'));
    paths.add(mountPath);
    if (asString(m.subPath)) errs.push(...validateLocalDescendingPath(asString(m.subPath), child(path, 'subPath')));
  });
  return errs;
}

const probeHandlers = ['exec', 'httpGet', 'tcpSocket', 'grpc'];

function validateProbe(probe: unknown, field: string, mustSucceedOnce: boolean): Errors {
  if (!isObject(probe)) return [];
  const errs: Errors = [];
  const handlers = probeHandlers.filter((h) => probe[h] !== undefined && probe[h] !== null);
  if (handlers.length === 0) errs.push(required(field, 'must specify a handler type'));
  else if (handlers.length > 1) errs.push(forbidden(child(field, handlers[1]), 'may not specify more than 1 handler type'));
  for (const n of ['initialDelaySeconds', 'timeoutSeconds', 'periodSeconds', 'successThreshold', 'failureThreshold']) {
    errs.push(...nonNegative(probe[n], child(field, n)));
  }
  if (mustSucceedOnce && typeof probe.successThreshold === 'number' && probe.successThreshold !== 1) {
    errs.push(invalid(child(field, 'successThreshold'), probe.successThreshold, 'must be 1'));
  }
  const http = asObject(probe.httpGet);
  if (handlers.includes('httpGet')) {
    errs.push(...validatePortOrName(http.port, child(field, 'httpGet', 'port')));
    const scheme = asString(http.scheme);
    if (scheme && scheme !== 'HTTP' && scheme !== 'HTTPS') errs.push(notSupported(child(field, 'httpGet', 'scheme'), scheme, ['HTTP', 'HTTPS']));
  }
  if (handlers.includes('tcpSocket')) errs.push(...validatePortOrName(asObject(probe.tcpSocket).port, child(field, 'tcpSocket', 'port')));
  if (handlers.includes('exec') && asArray(asObject(probe.exec).command).length === 0) errs.push(required(child(field, 'exec', 'command'), ''));
  return errs;
}

/** An IntOrString port: a number in 1..65535 or an IANA port name. */
export function validatePortOrName(port: unknown, field: string): Errors {
  if (typeof port === 'number') return each(field, port, isValidPortNum(port));
  if (typeof port === 'string' && port !== '') return each(field, port, isValidPortName(port));
  return [required(field, '')];
}

/** What every kind of container (regular, init, ephemeral) must satisfy in a pod. */
function validateContainerCommon(c: Obj, path: string, volumes: Set<string>, hostNetwork: boolean): Errors {
  const errs: Errors = [];
  const image = asString(c.image);
  if (!image) errs.push(required(child(path, 'image'), ''));
  else if (image.trim() !== image) errs.push(invalid(child(path, 'image'), image, 'must not have leading or trailing whitespace'));
  const pull = asString(c.imagePullPolicy);
  if (!pull) errs.push(required(child(path, 'imagePullPolicy'), ''));
  else if (!pullPolicies.includes(pull)) errs.push(notSupported(child(path, 'imagePullPolicy'), pull, pullPolicies));
  const tmp = asString(c.terminationMessagePolicy);
  if (!tmp) errs.push(required(child(path, 'terminationMessagePolicy'), 'must be \'File\' or \'FallbackToLogsOnError\''));
  else if (tmp !== 'File' && tmp !== 'FallbackToLogsOnError') errs.push(invalid(child(path, 'terminationMessagePolicy'), tmp, "must be 'File' or 'FallbackToLogsOnError'"));
  errs.push(...validateContainerPorts(c.ports, child(path, 'ports'), hostNetwork));
  errs.push(...validateEnv(c.env, child(path, 'env')));
  errs.push(...validateVolumeMounts(c.volumeMounts, child(path, 'volumeMounts'), volumes));
  errs.push(...validateResourceRequirements(c.resources, child(path, 'resources')));
  return errs;
}

function validateContainer(c: Obj, path: string, volumes: Set<string>, hostNetwork: boolean, init: boolean): Errors {
  const errs = validateContainerCommon(c, path, volumes, hostNetwork);
  const sidecar = init && c.restartPolicy === 'Always';
  if (c.restartPolicy !== undefined && c.restartPolicy !== null) {
    if (!init) errs.push(forbidden(child(path, 'restartPolicy'), 'may not be set for non-init containers'));
    else if (c.restartPolicy !== 'Always') errs.push(notSupported(child(path, 'restartPolicy'), c.restartPolicy, ['Always']));
  }
  if (init && !sidecar) {
    for (const probe of ['livenessProbe', 'readinessProbe', 'startupProbe']) {
      if (c[probe] !== undefined && c[probe] !== null) errs.push(forbidden(child(path, probe), 'may not be set for init containers without restartPolicy=Always'));
    }
  } else {
    errs.push(...validateProbe(c.livenessProbe, child(path, 'livenessProbe'), true));
    errs.push(...validateProbe(c.readinessProbe, child(path, 'readinessProbe'), false));
    errs.push(...validateProbe(c.startupProbe, child(path, 'startupProbe'), true));
  }
  return errs;
}

/** A container's name: required, a DNS label, unique among `names` (which it joins). */
function validateContainerName(c: Obj, path: string, names: Set<string>): Errors {
  const name = asString(c.name);
  if (!name) return [required(child(path, 'name'), '')];
  const msgs = isDNS1123Label(name);
  if (msgs.length) return each(child(path, 'name'), name, msgs);
  if (names.has(name)) return [duplicate(child(path, 'name'), name)];
  names.add(name);
  return [];
}

function validateContainers(list: unknown, field: string, volumes: Set<string>, hostNetwork: boolean, names: Set<string>, init: boolean): Errors {
  const errs: Errors = [];
  asArray(list).forEach((raw, i) => {
    const c = asObject(raw);
    const path = index(field, i);
    errs.push(...validateContainerName(c, path, names));
    errs.push(...validateContainer(c, path, volumes, hostNetwork, init));
  });
  return errs;
}

/**
 * Fields of EphemeralContainerCommon an ephemeral container may not set, in upstream's struct
 * order (its allowedEphemeralContainerFields): they would make the pod rely on a debugging aid.
 */
const ephemeralForbiddenFields = ['ports', 'resources', 'resizePolicy', 'restartPolicy', 'livenessProbe', 'readinessProbe', 'startupProbe', 'lifecycle'];
const ephemeralForbidden = 'cannot be set for an Ephemeral Container';

/** Set as Go sees it: a non-nil pointer or slice; for the resources struct, a field of it set. */
function isSetField(name: string, v: unknown): boolean {
  if (v === undefined || v === null) return false;
  if (name === 'resources' && isObject(v)) return Object.values(v).some((x) => x !== undefined && x !== null);
  return true;
}

/**
 * validateEphemeralContainers: the checks common to all containers, a name unique across every
 * container of the pod, a target that names a regular or init container, and none of the fields
 * a debugging container may not have.
 */
function validateEphemeralContainers(list: unknown, field: string, volumes: Set<string>, hostNetwork: boolean, others: Set<string>): Errors {
  const errs: Errors = [];
  const names = new Set(others);
  asArray(list).forEach((raw, i) => {
    const c = asObject(raw);
    const path = index(field, i);
    errs.push(...validateContainerName(c, path, names));
    errs.push(...validateContainerCommon(c, path, volumes, hostNetwork));
    const target = asString(c.targetContainerName);
    if (target && !others.has(target)) errs.push(notFound(child(path, 'targetContainerName'), target));
    for (const f of ephemeralForbiddenFields) if (isSetField(f, c[f])) errs.push(forbidden(child(path, f), ephemeralForbidden));
    asArray(c.volumeMounts).forEach((m, j) => {
      for (const f of ['subPath', 'subPathExpr']) if (asString(asObject(m)[f])) errs.push(forbidden(child(index(child(path, 'volumeMounts'), j), f), ephemeralForbidden));
    });
  });
  return errs;
}

export function validateTolerations(tolerations: unknown, field: string): Errors {
  const errs: Errors = [];
  asArray(tolerations).forEach((raw, i) => {
    const t = asObject(raw);
    const path = index(field, i);
    const k = asString(t.key);
    const op = asString(t.operator);
    if (k) errs.push(...each(child(path, 'key'), k, isQualifiedName(k)));
    if (!k && op !== 'Exists') {
      errs.push(invalid(child(path, 'operator'), op, 'operator must be Exists when `key` is empty, which means "match all values and all keys"'));
    }
    if (t.tolerationSeconds !== undefined && t.tolerationSeconds !== null && t.effect !== 'NoExecute') {
      errs.push(invalid(child(path, 'effect'), asString(t.effect), "effect must be 'NoExecute' when `tolerationSeconds` is set"));
    }
    if (op === 'Exists') {
      if (asString(t.value)) errs.push(invalid(child(path, 'operator'), t, "value must be empty when `operator` is 'Exists'"));
    } else if (op === 'Equal' || op === '') {
      const msgs = isValidLabelValue(asString(t.value));
      if (msgs.length) errs.push(invalid(child(path, 'operator'), asString(t.value), msgs.join(';')));
    } else {
      errs.push(notSupported(child(path, 'operator'), op, ['Equal', 'Exists']));
    }
    const effect = asString(t.effect);
    if (effect && !['NoSchedule', 'PreferNoSchedule', 'NoExecute'].includes(effect)) {
      errs.push(notSupported(child(path, 'effect'), effect, ['NoSchedule', 'PreferNoSchedule', 'NoExecute']));
    }
  });
  return errs;
}

/** ValidatePodSpec. */
export function validatePodSpec(spec: unknown, field: string): Errors {
  const s = asObject(spec);
  const errs: Errors = [];
  const { errs: volumeErrs, names: volumes } = validateVolumes(s.volumes, child(field, 'volumes'));
  errs.push(...volumeErrs);
  const hostNetwork = s.hostNetwork === true;
  const containerNames = new Set<string>();
  if (asArray(s.containers).length === 0) errs.push(required(child(field, 'containers'), ''));
  // Init container names share one namespace with regular ones: validate them first, as upstream.
  errs.push(...validateContainers(s.initContainers, child(field, 'initContainers'), volumes, hostNetwork, containerNames, true));
  errs.push(...validateContainers(s.containers, child(field, 'containers'), volumes, hostNetwork, containerNames, false));
  errs.push(...validateEphemeralContainers(s.ephemeralContainers, child(field, 'ephemeralContainers'), volumes, hostNetwork, containerNames));
  const restart = asString(s.restartPolicy);
  if (!restart) errs.push(required(child(field, 'restartPolicy'), ''));
  else if (!restartPolicies.includes(restart)) errs.push(notSupported(child(field, 'restartPolicy'), restart, restartPolicies));
  const dns = asString(s.dnsPolicy);
  if (!dns) errs.push(required(child(field, 'dnsPolicy'), ''));
  else if (!dnsPolicies.includes(dns)) errs.push(notSupported(child(field, 'dnsPolicy'), dns, dnsPolicies));
  errs.push(...validateLabels(s.nodeSelector, child(field, 'nodeSelector')));
  for (const n of ['serviceAccountName', 'nodeName']) {
    const v = asString(s[n]);
    if (v) errs.push(...each(child(field, n), v, isDNS1123Subdomain(v)));
  }
  if (typeof s.activeDeadlineSeconds === 'number' && (s.activeDeadlineSeconds < 1 || s.activeDeadlineSeconds > maxInt32)) {
    errs.push(invalid(child(field, 'activeDeadlineSeconds'), s.activeDeadlineSeconds, inclusiveRangeError(1, maxInt32)));
  }
  for (const n of ['hostname', 'subdomain']) {
    const v = asString(s[n]);
    if (v) errs.push(...each(child(field, n), v, isDNS1123Label(v)));
  }
  errs.push(...validateTolerations(s.tolerations, child(field, 'tolerations')));
  asArray(s.imagePullSecrets).forEach((raw, i) => {
    if (!asString(asObject(raw).name)) errs.push(required(child(index(child(field, 'imagePullSecrets'), i), 'name'), ''));
  });
  return errs;
}

/** ValidatePod: the spec plus the pod-only rules. */
export function validatePod(pod: Obj): Errors {
  return validatePodSpec(pod.spec, 'spec');
}

export const podUpdateForbiddenMessage =
  'pod updates may not change fields other than `spec.containers[*].image`,`spec.initContainers[*].image`,`spec.activeDeadlineSeconds`,`spec.tolerations` (only additions to existing tolerations),`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously negative)';

/** ValidatePodUpdate's spec rules: images, a shrinking activeDeadlineSeconds and added tolerations
 *  may change; anything else is refused with upstream's message and a short diff. */
export function validatePodSpecUpdate(spec: unknown, oldSpec: unknown, field = 'spec'): Errors {
  const s = asObject(spec);
  const o = asObject(oldSpec);
  const errs: Errors = [];
  for (const list of ['containers', 'initContainers']) {
    const now = asArray(s[list]);
    const before = asArray(o[list]);
    if (now.length !== before.length) return [forbidden(child(field, list), 'pod updates may not add or remove containers')];
  }
  const ads = s.activeDeadlineSeconds;
  const oldAds = o.activeDeadlineSeconds;
  if (typeof ads === 'number') {
    if (ads < 0 || ads > maxInt32) return [...errs, invalid(child(field, 'activeDeadlineSeconds'), ads, inclusiveRangeError(0, maxInt32))];
    if (typeof oldAds === 'number' && oldAds < ads) return [...errs, invalid(child(field, 'activeDeadlineSeconds'), ads, 'must be less than or equal to previous value')];
  } else if (typeof oldAds === 'number') {
    errs.push(invalid(child(field, 'activeDeadlineSeconds'), null, 'must not update from a positive integer to nil value'));
  }
  errs.push(...validateOnlyAddedTolerations(s.tolerations, o.tolerations, child(field, 'tolerations')));
  if (deepEqual(s, o)) return errs;

  const munged: Obj = { ...s };
  for (const list of ['containers', 'initContainers']) {
    if (s[list] === undefined) continue;
    const before = asArray(o[list]);
    munged[list] = asArray(s[list]).map((c, i) => ({ ...asObject(c), image: asObject(before[i]).image }));
  }
  munged.activeDeadlineSeconds = o.activeDeadlineSeconds;
  munged.tolerations = o.tolerations;
  const oldGrace = o.terminationGracePeriodSeconds;
  if (typeof oldGrace === 'number' && oldGrace < 0 && munged.terminationGracePeriodSeconds === 1) munged.terminationGracePeriodSeconds = oldGrace;
  munged.schedulingGates = o.schedulingGates;
  if (asArray(o.schedulingGates).length > 0) {
    // A gated pod may gain node selector terms.
    const before = asObject(o.nodeSelector);
    const now = asObject(s.nodeSelector);
    if (Object.entries(before).every(([k, v]) => now[k] === v)) munged.nodeSelector = o.nodeSelector;
  }
  if (!deepEqual(munged, o)) errs.push(forbidden(field, `${podUpdateForbiddenMessage}\n${describeDiff(o, munged)}`));
  return errs;
}

function validateOnlyAddedTolerations(now: unknown, before: unknown, field: string): Errors {
  const errs: Errors = [];
  const current = asArray(now);
  for (const old of asArray(before)) {
    const o = asObject(old);
    const kept = current.some((t) => {
      const n = asObject(t);
      // A NoExecute toleration may shorten its tolerationSeconds.
      const { tolerationSeconds: ns, ...nRest } = n;
      const { tolerationSeconds: os, ...oRest } = o;
      if (!deepEqual(nRest, oRest)) return false;
      if (deepEqual(ns, os)) return true;
      return o.effect === 'NoExecute' && typeof os === 'number' && typeof ns === 'number' && ns <= os;
    });
    if (!kept) {
      errs.push(forbidden(field, 'existing toleration can not be modified except its tolerationSeconds'));
      break;
    }
  }
  errs.push(...validateTolerations(now, field));
  return errs;
}

/** A compact "- old / + new" listing of top-level fields that differ, in place of cmp.Diff. */
function describeDiff(before: Obj, after: Obj, type = 'core.PodSpec'): string {
  const lines = [`  ${type}{`];
  const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])].sort();
  for (const k of keys) {
    if (deepEqual(before[k], after[k])) continue;
    if (before[k] !== undefined) lines.push(`- \t${k}: ${JSON.stringify(before[k])},`);
    if (after[k] !== undefined) lines.push(`+ \t${k}: ${JSON.stringify(after[k])},`);
  }
  lines.push('  }');
  return lines.join('\n');
}

/** ValidatePodCreate's own rule: ephemeral containers are added only through their subresource. */
export function validatePodCreateEphemeralContainers(spec: unknown): Errors {
  if (asArray(asObject(spec).ephemeralContainers).length === 0) return [];
  return [forbidden('spec.ephemeralContainers', 'cannot be set on create')];
}

/**
 * ValidatePodEphemeralContainersUpdate, given the errors of the new pod's metadata and spec
 * (validated as any pod's): ephemeral containers may be added, never removed or changed (patches
 * may reorder them, so each is found by name); a static pod's mirror takes none.
 */
export function validatePodEphemeralContainersUpdate(pod: Obj, old: Obj, podErrors: Errors): Errors {
  const annotations = asObject(asObject(old.metadata).annotations);
  if (annotations['kubernetes.io/config.mirror'] !== undefined) return [forbidden('', 'static pods do not support ephemeral containers')];
  const field = 'spec.ephemeralContainers';
  const now = new Map<string, Obj>();
  for (const raw of asArray(asObject(pod.spec).ephemeralContainers)) now.set(asString(asObject(raw).name), asObject(raw));
  const errs: Errors = [...podErrors];
  for (const raw of asArray(asObject(old.spec).ephemeralContainers)) {
    const before = asObject(raw);
    const name = asString(before.name);
    const after = now.get(name);
    if (!after) errs.push(forbidden(field, `existing ephemeral containers ${JSON.stringify(name)} may not be removed\n`));
    else if (!deepEqual(before, after)) errs.push(forbidden(field, `existing ephemeral containers ${JSON.stringify(name)} may not be changed\n${describeDiff(before, after, 'core.EphemeralContainer')}`));
  }
  return errs;
}

/** ValidatePodTemplateSpec: template labels and annotations, then the pod spec. */
export function validatePodTemplateSpec(template: unknown, field: string): Errors {
  const t = asObject(template);
  const meta = asObject(t.metadata);
  const errs: Errors = [];
  errs.push(...validateLabels(meta.labels, child(field, 'labels')));
  errs.push(...validateAnnotations(meta.annotations, child(field, 'annotations')));
  errs.push(...validatePodSpec(t.spec, child(field, 'spec')));
  if (asArray(asObject(t.spec).ephemeralContainers).length > 0) {
    errs.push(forbidden(child(field, 'spec', 'ephemeralContainers'), 'ephemeral containers not allowed in pod template'));
  }
  return errs;
}
