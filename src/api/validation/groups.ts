// Kinds outside core/apps/batch: Lease, PriorityClass, PodDisruptionBudget, RBAC, EndpointSlice,
// HorizontalPodAutoscaler (each group's pkg/apis/<group>/validation).
import { asArray, asObject, asString, child, deepEqual, duplicate, each, forbidden, immutable, index, invalid, nonNegative, notSupported, required, tooMany, type Errors } from './field.js';
import { isDNS1123Label, isDNS1123Subdomain, isIPv4, isIPv6, isQualifiedName, isValidPathSegmentName, isValidPortNum } from './names.js';
import { supportedPortProtocols } from './pod.js';
import { validatePositiveIntOrPercent } from './apps.js';
import { validateLabelSelector } from './selector.js';

type Obj = Record<string, unknown>;

export function validateLease(lease: Obj): Errors {
  const spec = asObject(lease.spec);
  const errs: Errors = [];
  if (typeof spec.leaseDurationSeconds === 'number' && spec.leaseDurationSeconds <= 0) {
    errs.push(invalid('spec.leaseDurationSeconds', spec.leaseDurationSeconds, 'must be greater than 0'));
  }
  errs.push(...nonNegative(spec.leaseTransitions, 'spec.leaseTransitions'));
  const strategy = spec.strategy;
  if (strategy !== undefined && strategy !== null && strategy !== 'OldestEmulationVersion') errs.push(notSupported('spec.strategy', strategy, ['OldestEmulationVersion']));
  return errs;
}

export const highestUserDefinablePriority = 1000000000;
const systemPriorityClasses: Record<string, number> = { 'system-node-critical': 2000001000, 'system-cluster-critical': 2000000000 };

export function validatePreemptionPolicy(policy: unknown, field: string): Errors {
  if (policy === undefined || policy === null) return [];
  if (policy === '') return [required(field, '')];
  return policy === 'PreemptLowerPriority' || policy === 'Never' ? [] : [notSupported(field, policy, ['PreemptLowerPriority', 'Never'])];
}

export function validatePriorityClass(pc: Obj): Errors {
  const errs: Errors = [];
  const name = asString(asObject(pc.metadata).name);
  const value = typeof pc.value === 'number' ? pc.value : 0;
  if (name.startsWith('system-')) {
    let problem: string | undefined;
    if (!(name in systemPriorityClasses)) problem = `${name} is not a known system priority class`;
    else if (systemPriorityClasses[name] !== value) problem = `value of ${name} PriorityClass must be ${systemPriorityClasses[name]}`;
    else if (pc.globalDefault === true) problem = `globalDefault of ${name} PriorityClass must be false`;
    if (problem) errs.push(forbidden('metadata.name', `priority class names with 'system-' prefix are reserved for system use only. error: ${problem}`));
  } else if (value > highestUserDefinablePriority) {
    errs.push(forbidden('value', `maximum allowed value of a user defined priority is ${highestUserDefinablePriority}`));
  }
  errs.push(...validatePreemptionPolicy(pc.preemptionPolicy, 'preemptionPolicy'));
  return errs;
}

export function validatePriorityClassUpdate(pc: Obj, old: Obj): Errors {
  const errs: Errors = [];
  if (pc.value !== old.value) errs.push(forbidden('value', 'may not be changed in an update.'));
  errs.push(...immutable(pc.preemptionPolicy, old.preemptionPolicy, 'preemptionPolicy'));
  return errs;
}

function notMoreThan100Percent(value: unknown, field: string): Errors {
  return typeof value === 'string' && /^[0-9]+%$/.test(value) && Number(value.slice(0, -1)) > 100 ? [invalid(field, value, 'must not be greater than 100%')] : [];
}

export function validatePodDisruptionBudget(pdb: Obj): Errors {
  const spec = asObject(pdb.spec);
  const errs: Errors = [];
  const has = (v: unknown) => v !== undefined && v !== null;
  if (has(spec.minAvailable) && has(spec.maxUnavailable)) errs.push(invalid('spec', spec, 'minAvailable and maxUnavailable cannot be both set'));
  for (const f of ['minAvailable', 'maxUnavailable']) {
    if (!has(spec[f])) continue;
    errs.push(...validatePositiveIntOrPercent(spec[f], child('spec', f)));
    errs.push(...notMoreThan100Percent(spec[f], child('spec', f)));
  }
  errs.push(...validateLabelSelector(spec.selector, 'spec.selector'));
  const policy = spec.unhealthyPodEvictionPolicy;
  if (has(policy) && policy !== 'AlwaysAllow' && policy !== 'IfHealthyBudget') errs.push(notSupported('spec.unhealthyPodEvictionPolicy', policy, ['AlwaysAllow', 'IfHealthyBudget']));
  return errs;
}

function validatePolicyRule(rule: Obj, namespaced: boolean, field: string): Errors {
  const errs: Errors = [];
  if (asArray(rule.verbs).length === 0) errs.push(required(child(field, 'verbs'), 'verbs must contain at least one value'));
  const urls = asArray(rule.nonResourceURLs);
  if (urls.length > 0) {
    if (namespaced) errs.push(invalid(child(field, 'nonResourceURLs'), urls, 'namespaced rules cannot apply to non-resource URLs'));
    if (asArray(rule.apiGroups).length || asArray(rule.resources).length || asArray(rule.resourceNames).length) {
      errs.push(invalid(child(field, 'nonResourceURLs'), urls, 'rules cannot apply to both regular resources and non-resource URLs'));
    }
    return errs;
  }
  if (asArray(rule.apiGroups).length === 0) errs.push(required(child(field, 'apiGroups'), 'resource rules must supply at least one api group'));
  if (asArray(rule.resources).length === 0) errs.push(required(child(field, 'resources'), 'resource rules must supply at least one resource'));
  return errs;
}

export function validateRole(role: Obj, namespaced: boolean): Errors {
  const errs: Errors = [];
  asArray(role.rules).forEach((r, i) => errs.push(...validatePolicyRule(asObject(r), namespaced, index('rules', i))));
  if (!namespaced && role.aggregationRule) {
    const selectors = asArray(asObject(role.aggregationRule).clusterRoleSelectors);
    if (selectors.length === 0) errs.push(required('aggregationRule.clusterRoleSelectors', 'at least one clusterRoleSelector required if aggregationRule is non-nil'));
    selectors.forEach((s, i) => errs.push(...validateLabelSelector(s, index('aggregationRule.clusterRoleSelectors', i))));
  }
  return errs;
}

const rbacGroup = 'rbac.authorization.k8s.io';

function validateSubject(subject: Obj, namespaced: boolean, field: string): Errors {
  const errs: Errors = [];
  const name = asString(subject.name);
  if (!name) errs.push(required(child(field, 'name'), ''));
  const apiGroup = asString(subject.apiGroup);
  switch (subject.kind) {
    case 'ServiceAccount':
      if (name) errs.push(...each(child(field, 'name'), name, isDNS1123Subdomain(name)));
      if (apiGroup) errs.push(notSupported(child(field, 'apiGroup'), apiGroup, ['']));
      if (!namespaced && !asString(subject.namespace)) errs.push(required(child(field, 'namespace'), ''));
      break;
    case 'User':
    case 'Group':
      if (apiGroup !== rbacGroup) errs.push(notSupported(child(field, 'apiGroup'), apiGroup, [rbacGroup]));
      break;
    default:
      errs.push(notSupported(child(field, 'kind'), subject.kind ?? '', ['ServiceAccount', 'User', 'Group']));
  }
  return errs;
}

export function validateRoleBinding(binding: Obj, namespaced: boolean): Errors {
  const errs: Errors = [];
  const ref = asObject(binding.roleRef);
  if (ref.apiGroup !== rbacGroup) errs.push(notSupported('roleRef.apiGroup', ref.apiGroup ?? '', [rbacGroup]));
  const kinds = namespaced ? ['Role', 'ClusterRole'] : ['ClusterRole'];
  if (!kinds.includes(asString(ref.kind))) errs.push(notSupported('roleRef.kind', ref.kind ?? '', kinds));
  const name = asString(ref.name);
  if (!name) errs.push(required('roleRef.name', ''));
  else errs.push(...each('roleRef.name', name, isValidPathSegmentName(name)));
  asArray(binding.subjects).forEach((s, i) => errs.push(...validateSubject(asObject(s), namespaced, index('subjects', i))));
  return errs;
}

export function validateRoleBindingUpdate(binding: Obj, old: Obj): Errors {
  return deepEqual(binding.roleRef, old.roleRef) ? [] : [invalid('roleRef', binding.roleRef, 'cannot change roleRef')];
}

const addressTypes = ['FQDN', 'IPv4', 'IPv6'];
const maxEndpoints = 1000;
const maxAddresses = 100;
const maxPorts = 20000;

export function validateEndpointSlice(slice: Obj): Errors {
  const errs: Errors = [];
  const addressType = asString(slice.addressType);
  if (!addressType) errs.push(required('addressType', ''));
  else if (!addressTypes.includes(addressType)) errs.push(notSupported('addressType', addressType, addressTypes));
  const endpoints = asArray(slice.endpoints);
  if (endpoints.length > maxEndpoints) errs.push(tooMany('endpoints', endpoints.length, maxEndpoints));
  endpoints.forEach((raw, i) => {
    const ep = asObject(raw);
    const path = index('endpoints', i);
    const addresses = asArray(ep.addresses).map(asString);
    if (addresses.length === 0) errs.push(required(child(path, 'addresses'), 'must contain at least 1 address'));
    else if (addresses.length > maxAddresses) errs.push(tooMany(child(path, 'addresses'), addresses.length, maxAddresses));
    addresses.forEach((a, j) => {
      const ap = index(child(path, 'addresses'), j);
      if (addressType === 'IPv4' && !isIPv4(a)) errs.push(invalid(ap, a, 'must be a valid IPv4 address'));
      else if (addressType === 'IPv6' && !isIPv6(a)) errs.push(invalid(ap, a, 'must be a valid IPv6 address'));
      else if (addressType === 'FQDN') errs.push(...each(ap, a, isDNS1123Subdomain(a)));
    });
    const hostname = ep.hostname;
    if (typeof hostname === 'string') errs.push(...each(child(path, 'hostname'), hostname, isDNS1123Label(hostname)));
    const nodeName = ep.nodeName;
    if (typeof nodeName === 'string' && nodeName) errs.push(...each(child(path, 'nodeName'), nodeName, isDNS1123Subdomain(nodeName)));
  });
  const ports = asArray(slice.ports);
  if (ports.length > maxPorts) errs.push(tooMany('ports', ports.length, maxPorts));
  const names = new Set<string>();
  ports.forEach((raw, i) => {
    const p = asObject(raw);
    const path = index('ports', i);
    const name = asString(p.name);
    if (name) errs.push(...each(child(path, 'name'), name, isDNS1123Label(name)));
    if (names.has(name)) errs.push(duplicate(child(path, 'name'), name));
    names.add(name);
    const protocol = p.protocol;
    if (protocol === undefined || protocol === null) errs.push(required(child(path, 'protocol'), ''));
    else if (!supportedPortProtocols.includes(asString(protocol))) errs.push(notSupported(child(path, 'protocol'), protocol, supportedPortProtocols));
    if (typeof p.port === 'number') errs.push(...each(child(path, 'port'), p.port, isValidPortNum(p.port)));
    if (typeof p.appProtocol === 'string') errs.push(...each(child(path, 'appProtocol'), p.appProtocol, isQualifiedName(p.appProtocol)));
  });
  return errs;
}

export function validateEndpointSliceUpdate(slice: Obj, old: Obj): Errors {
  return immutable(slice.addressType, old.addressType, 'addressType');
}

export function validateHorizontalPodAutoscaler(hpa: Obj): Errors {
  const spec = asObject(hpa.spec);
  const errs: Errors = [];
  const ref = asObject(spec.scaleTargetRef);
  if (!asString(ref.kind)) errs.push(required('spec.scaleTargetRef.kind', ''));
  else errs.push(...each('spec.scaleTargetRef.kind', ref.kind, isValidPathSegmentName(asString(ref.kind))));
  if (!asString(ref.name)) errs.push(required('spec.scaleTargetRef.name', ''));
  else errs.push(...each('spec.scaleTargetRef.name', ref.name, isValidPathSegmentName(asString(ref.name))));
  const min = spec.minReplicas;
  const max = typeof spec.maxReplicas === 'number' ? spec.maxReplicas : 0;
  if (typeof min === 'number' && min < 1) errs.push(invalid('spec.minReplicas', min, 'must be greater than or equal to 1'));
  if (max < 1) errs.push(invalid('spec.maxReplicas', max, 'must be greater than 0'));
  if (typeof min === 'number' && max < min) errs.push(invalid('spec.maxReplicas', max, 'must be greater than or equal to `minReplicas`'));
  return errs;
}
