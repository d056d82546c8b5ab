// The other core/v1 kinds: ConfigMap, Secret, Namespace, Node, PersistentVolume(Claim), Event,
// ResourceQuota, LimitRange, Endpoints (pkg/apis/core/validation).
import { asArray, asObject, asString, child, deepEqual, duplicate, each, forbidden, index, invalid, key, notSupported, required, tooLong, type Errors } from './field.js';
import { isConfigMapKey, isDNS1123Label, isDNS1123Subdomain, isQualifiedName, isValidCIDR, isValidIP, isValidLabelValue, isValidPortNum } from './names.js';
import { validateFinalizerName } from './objectmeta.js';
import { supportedPortProtocols, validateQuantity } from './pod.js';
import { compareQuantities, formatQuantity, quantitySign, quantityText, tryParseQuantity } from './quantity.js';

type Obj = Record<string, unknown>;

/** core.MaxSecretSize: the data of a ConfigMap or Secret. */
export const maxSecretSize = 1024 * 1024;

const base64Length = (v: unknown) => {
  const s = asString(v).replace(/=+$/, '');
  return Math.floor((s.length * 3) / 4);
};

export function validateConfigMap(cm: Obj): Errors {
  const errs: Errors = [];
  let total = 0;
  const data = asObject(cm.data);
  const binary = asObject(cm.binaryData);
  for (const [k, v] of Object.entries(data)) {
    errs.push(...each(key('data', k), k, isConfigMapKey(k)));
    if (k in binary) errs.push(invalid(key('data', k), k, 'duplicate of key present in binaryData'));
    total += Buffer.byteLength(asString(v));
  }
  for (const [k, v] of Object.entries(binary)) {
    errs.push(...each(key('binaryData', k), k, isConfigMapKey(k)));
    total += base64Length(v);
  }
  if (total > maxSecretSize) errs.push(tooLong('', maxSecretSize));
  return errs;
}

function validateImmutableData(obj: Obj, old: Obj, fields: string[]): Errors {
  if (old.immutable !== true) return [];
  const errs: Errors = [];
  if (obj.immutable !== true) errs.push(forbidden('immutable', 'field is immutable when `immutable` is set'));
  for (const f of fields) if (!deepEqual(obj[f], old[f])) errs.push(forbidden(f, 'field is immutable when `immutable` is set'));
  return errs;
}

export const validateConfigMapUpdate = (cm: Obj, old: Obj) => validateImmutableData(cm, old, ['data', 'binaryData']);

const decodedJSONError = (v: unknown): string | undefined => {
  try {
    JSON.parse(Buffer.from(asString(v), 'base64').toString('utf8'));
    return undefined;
  } catch (e) {
    return (e as Error).message;
  }
};

export function validateSecret(secret: Obj): Errors {
  const errs: Errors = [];
  const data = asObject(secret.data);
  let total = 0;
  for (const [k, v] of Object.entries(data)) {
    errs.push(...each(key('data', k), k, isConfigMapKey(k)));
    total += base64Length(v);
  }
  if (total > maxSecretSize) errs.push(tooLong('data', maxSecretSize));
  const annotations = asObject(asObject(secret.metadata).annotations);
  switch (secret.type) {
    case 'kubernetes.io/service-account-token':
      if (!asString(annotations['kubernetes.io/service-account.name'])) errs.push(required(key('metadata.annotations', 'kubernetes.io/service-account.name'), ''));
      break;
    case 'kubernetes.io/dockercfg':
    case 'kubernetes.io/dockerconfigjson': {
      const k = secret.type === 'kubernetes.io/dockercfg' ? '.dockercfg' : '.dockerconfigjson';
      if (!(k in data)) {
        errs.push(required(key('data', k), ''));
        break;
      }
      const problem = decodedJSONError(data[k]);
      if (problem) errs.push(invalid(key('data', k), '<secret contents redacted>', problem));
      break;
    }
    case 'kubernetes.io/basic-auth':
      if (!('username' in data) && !('password' in data)) errs.push(required(key('data', 'username'), ''), required(key('data', 'password'), ''));
      break;
    case 'kubernetes.io/ssh-auth':
      if (!asString(data['ssh-privatekey'])) errs.push(required(key('data', 'ssh-privatekey'), ''));
      break;
    case 'kubernetes.io/tls':
      if (!('tls.crt' in data)) errs.push(required(key('data', 'tls.crt'), ''));
      if (!('tls.key' in data)) errs.push(required(key('data', 'tls.key'), ''));
      break;
    default:
  }
  return errs;
}

export function validateSecretUpdate(secret: Obj, old: Obj): Errors {
  const errs: Errors = [];
  if (!deepEqual(secret.type, old.type)) errs.push(invalid('type', secret.type ?? '', 'field is immutable'));
  errs.push(...validateImmutableData(secret, old, ['data']));
  return errs;
}

/** Finalizers in Namespace.spec: standard names or fully qualified ones. */
export function validateNamespace(ns: Obj): Errors {
  const errs: Errors = [];
  for (const f of asArray(asObject(ns.spec).finalizers).map(asString)) {
    const path = 'spec.finalizers';
    const base = validateFinalizerName(f, path);
    errs.push(...base);
    if (base.length === 0 && !f.includes('/') && f !== 'kubernetes') {
      errs.push(invalid(path, f, 'name is neither a standard finalizer name nor is it fully qualified'));
    }
  }
  const phase = asObject(ns.status).phase;
  if (phase !== undefined && phase !== 'Active' && phase !== 'Terminating') errs.push(notSupported('status.phase', phase, ['Active', 'Terminating']));
  return errs;
}

const taintEffects = ['NoSchedule', 'PreferNoSchedule', 'NoExecute'];

export function validateNode(node: Obj): Errors {
  const spec = asObject(node.spec);
  const errs: Errors = [];
  const seen = new Set<string>();
  asArray(spec.taints).forEach((raw, i) => {
    const t = asObject(raw);
    const path = index('spec.taints', i);
    const k = asString(t.key);
    errs.push(...each(child(path, 'key'), k, isQualifiedName(k)));
    const v = asString(t.value);
    errs.push(...each(child(path, 'value'), v, isValidLabelValue(v)));
    const effect = asString(t.effect);
    if (!effect) errs.push(required(child(path, 'effect'), ''));
    else if (!taintEffects.includes(effect)) errs.push(notSupported(child(path, 'effect'), effect, taintEffects));
    const pair = `${k}\u0000${effect}`;
    if (seen.has(pair)) errs.push(duplicate(path, t));
    seen.add(pair);
  });
  const cidr = asString(spec.podCIDR);
  if (cidr && !isValidCIDR(cidr)) errs.push(invalid('spec.podCIDR', cidr, 'must be a valid CIDR'));
  for (const [name, value] of Object.entries(asObject(asObject(node.status).capacity))) errs.push(...validateQuantity(value, key('status.capacity', name)));
  for (const [name, value] of Object.entries(asObject(asObject(node.status).allocatable))) errs.push(...validateQuantity(value, key('status.allocatable', name)));
  return errs;
}

const accessModes = ['ReadOnlyMany', 'ReadWriteMany', 'ReadWriteOnce', 'ReadWriteOncePod'];
const pvSources = ['gcePersistentDisk', 'awsElasticBlockStore', 'hostPath', 'glusterfs', 'nfs', 'rbd', 'iscsi', 'cinder', 'cephfs', 'fc', 'flocker', 'flexVolume', 'azureFile', 'vsphereVolume', 'quobyte', 'azureDisk', 'photonPersistentDisk', 'portworxVolume', 'scaleIO', 'local', 'storageos', 'csi'];

function validateAccessModes(modes: unknown, field: string): Errors {
  const list = asArray(modes).map(asString);
  if (list.length === 0) return [required(field, '')];
  const errs: Errors = [];
  for (const m of list) if (!accessModes.includes(m)) errs.push(notSupported(field, m, accessModes));
  if (list.includes('ReadWriteOncePod') && list.length > 1) errs.push(forbidden(field, 'may not use ReadWriteOncePod with other access modes'));
  return errs;
}

function validateVolumeMode(mode: unknown, field: string): Errors {
  return mode !== undefined && mode !== null && mode !== 'Block' && mode !== 'Filesystem' ? [notSupported(field, mode, ['Block', 'Filesystem'])] : [];
}

export function validatePersistentVolume(pv: Obj): Errors {
  const spec = asObject(pv.spec);
  const errs: Errors = [...validateAccessModes(spec.accessModes, 'spec.accessModes')];
  const capacity = asObject(spec.capacity);
  if (Object.keys(capacity).length === 0) errs.push(required('spec.capacity', ''));
  else if (!('storage' in capacity) || Object.keys(capacity).length > 1) errs.push(notSupported('spec.capacity', capacity, ['storage']));
  for (const [k, v] of Object.entries(capacity)) errs.push(...validateQuantity(v, key('spec.capacity', k)));
  const policy = spec.persistentVolumeReclaimPolicy;
  if (policy !== undefined && !['Delete', 'Recycle', 'Retain'].includes(asString(policy))) errs.push(notSupported('spec.persistentVolumeReclaimPolicy', policy, ['Delete', 'Recycle', 'Retain']));
  const sources = pvSources.filter((s) => spec[s] !== undefined && spec[s] !== null);
  if (sources.length === 0) errs.push(required('spec', 'must specify a volume type'));
  else if (sources.length > 1) errs.push(forbidden(child('spec', sources[1]), 'may not specify more than 1 volume type'));
  errs.push(...validateVolumeMode(spec.volumeMode, 'spec.volumeMode'));
  const sc = asString(spec.storageClassName);
  if (sc) errs.push(...each('spec.storageClassName', sc, isDNS1123Subdomain(sc)));
  return errs;
}

export function validatePersistentVolumeUpdate(pv: Obj, old: Obj): Errors {
  const errs: Errors = [];
  const s = asObject(pv.spec);
  const o = asObject(old.spec);
  if (!deepEqual(s.volumeMode, o.volumeMode)) errs.push(invalid('spec.volumeMode', s.volumeMode ?? null, 'field is immutable'));
  for (const src of pvSources) {
    if (o[src] !== undefined && !deepEqual(s[src], o[src])) errs.push(forbidden('spec.persistentvolumesource', 'spec.persistentvolumesource is immutable after creation'));
  }
  return errs.slice(0, 2);
}

export function validatePersistentVolumeClaimSpec(spec: unknown, field: string): Errors {
  const s = asObject(spec);
  const errs: Errors = [...validateAccessModes(s.accessModes, child(field, 'accessModes'))];
  const storagePath = key(child(field, 'resources'), 'storage');
  const requests = asObject(asObject(s.resources).requests);
  if (requests.storage === undefined) errs.push(required(storagePath, ''));
  else {
    const text = quantityText(requests.storage);
    const q = text === undefined ? undefined : tryParseQuantity(text);
    if (!q) errs.push(...validateQuantity(requests.storage, storagePath));
    else if (quantitySign(q) <= 0) errs.push(invalid(storagePath, formatQuantity(q), 'must be greater than zero'));
  }
  const sc = s.storageClassName;
  if (typeof sc === 'string' && sc) errs.push(...each(child(field, 'storageClassName'), sc, isDNS1123Subdomain(sc)));
  errs.push(...validateVolumeMode(s.volumeMode, child(field, 'volumeMode')));
  return errs;
}

export const validatePersistentVolumeClaim = (pvc: Obj) => validatePersistentVolumeClaimSpec(pvc.spec, 'spec');

/** A claim's spec is immutable but for growing resources.requests (and the attributes class). */
export function validatePersistentVolumeClaimUpdate(pvc: Obj, old: Obj): Errors {
  const s = { ...asObject(pvc.spec) };
  const o = asObject(old.spec);
  const errs: Errors = [];
  const requests = (spec: Obj) => asObject(asObject(spec.resources).requests);
  const newStorage = quantityText(requests(s).storage);
  const oldStorage = quantityText(requests(o).storage);
  if (newStorage && oldStorage && asString(asObject(old.status).phase) === 'Bound') {
    const a = tryParseQuantity(newStorage);
    const b = tryParseQuantity(oldStorage);
    if (a && b && compareQuantities(a, b) < 0) errs.push(forbidden('spec.resources.requests.storage', 'field can not be less than previous value'));
  }
  s.resources = o.resources;
  s.volumeAttributesClassName = o.volumeAttributesClassName;
  // A claim bound by the controller gains volumeName; that is not a user change.
  if (!o.volumeName) s.volumeName = o.volumeName;
  if (!deepEqual(s, o)) errs.push(forbidden('spec', 'spec is immutable after creation except resources.requests and volumeAttributesClassName for bound claims'));
  return errs;
}

/** core/v1 Event: only the legacy rules, as upstream applies to the v1 API. */
export function validateEvent(ev: Obj): Errors {
  const errs: Errors = [];
  const meta = asObject(ev.metadata);
  const namespace = asString(meta.namespace);
  const involvedNs = asString(asObject(ev.involvedObject).namespace);
  const path = 'involvedObject.namespace';
  if (!ev.eventTime) {
    if (!involvedNs) {
      if (namespace !== '' && namespace !== 'default') errs.push(invalid(path, involvedNs, 'does not match event.namespace'));
    } else if (namespace !== involvedNs) {
      errs.push(invalid(path, involvedNs, 'does not match event.namespace'));
    }
  } else {
    if (!involvedNs && namespace !== 'default' && namespace !== 'kube-system') errs.push(invalid(path, involvedNs, 'does not match event.namespace'));
    // Upstream names the field as its internal type does (ReportingController), in either API.
    const rc = asString(ev.reportingComponent);
    if (!rc) errs.push(required('reportingController', ''));
    errs.push(...each('reportingController', rc, isQualifiedName(rc)));
    const ri = asString(ev.reportingInstance);
    if (!ri) errs.push(required('reportingInstance', ''));
    if (ri.length > 128) errs.push(invalid('reportingInstance', '', 'can have at most 128 characters'));
    const action = asString(ev.action);
    if (!action) errs.push(required('action', ''));
    if (action.length > 128) errs.push(invalid('action', '', 'can have at most 128 characters'));
    const reason = asString(ev.reason);
    if (!reason) errs.push(required('reason', ''));
    if (reason.length > 128) errs.push(invalid('reason', '', 'can have at most 128 characters'));
    if (asString(ev.message).length > 1024) errs.push(invalid('message', '', 'can have at most 1024 characters'));
  }
  errs.push(...each('namespace', namespace, isDNS1123Subdomain(namespace)));
  return errs;
}

function validateResourceName(name: string, field: string): Errors {
  return each(field, name, isQualifiedName(name));
}

export function validateResourceQuota(rq: Obj): Errors {
  const errs: Errors = [];
  const spec = asObject(rq.spec);
  for (const [name, value] of Object.entries(asObject(spec.hard))) {
    const path = key('spec.hard', name);
    errs.push(...validateResourceName(name, path));
    errs.push(...validateQuantity(value, path));
  }
  const scopes = ['BestEffort', 'CrossNamespacePodAffinity', 'NotBestEffort', 'NotTerminating', 'PriorityClass', 'Terminating'];
  for (const s of asArray(spec.scopes)) if (!scopes.includes(asString(s))) errs.push(notSupported('spec.scopes', s, scopes));
  return errs;
}

const limitTypes = ['Container', 'Pod', 'PersistentVolumeClaim'];

export function validateLimitRange(lr: Obj): Errors {
  const errs: Errors = [];
  const seenTypes = new Set<string>();
  asArray(asObject(lr.spec).limits).forEach((raw, i) => {
    const item = asObject(raw);
    const path = index('spec.limits', i);
    const type = asString(item.type);
    if (!type) errs.push(required(child(path, 'type'), ''));
    else if (seenTypes.has(type)) errs.push(duplicate(child(path, 'type'), type));
    seenTypes.add(type);
    const maps: Record<string, Obj> = {};
    for (const m of ['max', 'min', 'default', 'defaultRequest', 'maxLimitRequestRatio']) {
      maps[m] = asObject(item[m]);
      for (const [name, value] of Object.entries(maps[m])) {
        errs.push(...validateResourceName(name, key(child(path, m), name)));
        errs.push(...validateQuantity(value, key(child(path, m), name)));
      }
    }
    if (type === 'Pod' && (Object.keys(maps.default).length || Object.keys(maps.defaultRequest).length)) {
      if (Object.keys(maps.default).length) errs.push(forbidden(child(path, 'default'), 'may not be specified when `type` is \'Pod\''));
      if (Object.keys(maps.defaultRequest).length) errs.push(forbidden(child(path, 'defaultRequest'), 'may not be specified when `type` is \'Pod\''));
    }
    const q = (m: string, name: string) => tryParseQuantity(quantityText(maps[m][name]) ?? '');
    const names = new Set(Object.keys(maps.max).concat(Object.keys(maps.min), Object.keys(maps.default), Object.keys(maps.defaultRequest)));
    for (const name of names) {
      const max = q('max', name);
      const min = q('min', name);
      const def = q('default', name);
      const defReq = q('defaultRequest', name);
      const s = (x: ReturnType<typeof q>) => (x ? formatQuantity(x) : '');
      if (min && max && compareQuantities(min, max) > 0) errs.push(invalid(key(child(path, 'min'), name), s(min), `min value ${s(min)} is greater than max value ${s(max)}`));
      if (defReq && min && compareQuantities(min, defReq) > 0) errs.push(invalid(key(child(path, 'defaultRequest'), name), s(defReq), `min value ${s(min)} is greater than default request value ${s(defReq)}`));
      if (defReq && max && compareQuantities(defReq, max) > 0) errs.push(invalid(key(child(path, 'defaultRequest'), name), s(defReq), `default request value ${s(defReq)} is greater than max value ${s(max)}`));
      if (defReq && def && compareQuantities(defReq, def) > 0) errs.push(invalid(key(child(path, 'defaultRequest'), name), s(defReq), `default request value ${s(defReq)} is greater than default limit value ${s(def)}`));
      if (def && min && compareQuantities(min, def) > 0) errs.push(invalid(key(child(path, 'default'), name), s(min), `min value ${s(min)} is greater than default value ${s(def)}`));
      if (def && max && compareQuantities(def, max) > 0) errs.push(invalid(key(child(path, 'default'), name), s(max), `default value ${s(def)} is greater than max value ${s(max)}`));
    }
    if (type && !limitTypes.includes(type) && !type.includes('/')) errs.push(notSupported(child(path, 'type'), type, limitTypes));
  });
  return errs;
}

export function validateEndpoints(ep: Obj): Errors {
  const errs: Errors = [];
  asArray(ep.subsets).forEach((raw, i) => {
    const ss = asObject(raw);
    const path = index('subsets', i);
    const addresses = asArray(ss.addresses);
    const notReady = asArray(ss.notReadyAddresses);
    if (addresses.length === 0 && notReady.length === 0) errs.push(required(path, 'must specify `addresses` or `notReadyAddresses`'));
    for (const [list, items] of [['addresses', addresses], ['notReadyAddresses', notReady]] as const) {
      items.forEach((a, j) => {
        const addr = asObject(a);
        const p = index(child(path, list), j);
        const ip = asString(addr.ip);
        errs.push(...each(child(p, 'ip'), ip, isValidIP(ip)));
        const hostname = asString(addr.hostname);
        if (hostname) errs.push(...each(child(p, 'hostname'), hostname, isDNS1123Label(hostname)));
      });
    }
    const ports = asArray(ss.ports).map(asObject);
    const names = new Set<string>();
    ports.forEach((port, j) => {
      const p = index(child(path, 'ports'), j);
      const name = asString(port.name);
      if (ports.length > 1 && !name) errs.push(required(child(p, 'name'), ''));
      else if (name) {
        errs.push(...each(child(p, 'name'), name, isDNS1123Label(name)));
        if (names.has(name)) errs.push(duplicate(child(p, 'name'), name));
        names.add(name);
      }
      const num = typeof port.port === 'number' ? port.port : 0;
      errs.push(...each(child(p, 'port'), num, isValidPortNum(num)));
      const protocol = asString(port.protocol);
      if (!protocol) errs.push(required(child(p, 'protocol'), ''));
      else if (!supportedPortProtocols.includes(protocol)) errs.push(notSupported(child(p, 'protocol'), protocol, supportedPortProtocols));
    });
  });
  return errs;
}
