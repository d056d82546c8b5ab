// core/v1 Service validation (pkg/apis/core/validation ValidateService/ValidateServiceUpdate).
import { asArray, asObject, asString, child, duplicate, each, forbidden, index, invalid, notSupported, required, type Errors } from './field.js';
import { isDNS1123Label, isDNS1123Subdomain, isQualifiedName, isValidCIDR, isValidIP, isValidPortNum } from './names.js';
import { validateLabels } from './objectmeta.js';
import { supportedPortProtocols, validatePortOrName } from './pod.js';

type Obj = Record<string, unknown>;

const serviceTypes = ['ClusterIP', 'ExternalName', 'LoadBalancer', 'NodePort'];
const kubeletPort = 10250;
/** The default --service-node-port-range. */
export const nodePortRange = { min: 30000, max: 32767 };

const sourceRangesAnnotation = 'service.beta.kubernetes.io/load-balancer-source-ranges';
const cidrMessage = 'must be a valid CIDR value, (e.g. 10.9.8.0/24 or 2001:db8::/64)';

/**
 * loadBalancerSourceRanges, or the older annotation when the field is empty: LoadBalancer only,
 * each a CIDR (space padding allowed, a historical accident upstream keeps). The field path is
 * upstream's, capital L included.
 */
function validateSourceRanges(svc: Obj, spec: Obj, type: string): Errors {
  const errs: Errors = [];
  const ranges = asArray(spec.loadBalancerSourceRanges).map(asString);
  const annotation = asObject(asObject(svc.metadata).annotations)[sourceRangesAnnotation];
  if (ranges.length > 0) {
    if (type !== 'LoadBalancer') errs.push(forbidden('spec.LoadBalancerSourceRanges', "may only be used when `type` is 'LoadBalancer'"));
    ranges.forEach((r, i) => {
      const v = r.trim();
      if (!isValidCIDR(v)) errs.push(invalid(index('spec.LoadBalancerSourceRanges', i), v, cidrMessage));
    });
  } else if (typeof annotation === 'string') {
    const path = `metadata.annotations[${sourceRangesAnnotation}]`;
    if (type !== 'LoadBalancer') errs.push(forbidden(path, "may only be used when `type` is 'LoadBalancer'"));
    const v = annotation.trim();
    if (v) for (const r of v.split(',')) if (!isValidCIDR(r.trim())) errs.push(invalid(path, r.trim(), cidrMessage));
  }
  return errs;
}

const isHeadless = (spec: Obj) => spec.clusterIP === 'None' || asArray(spec.clusterIPs)[0] === 'None';

function validateServicePort(p: Obj, requireName: boolean, names: Set<string>, path: string): Errors {
  const errs: Errors = [];
  const name = asString(p.name);
  if (requireName && !name) errs.push(required(child(path, 'name'), ''));
  else if (name) {
    errs.push(...each(child(path, 'name'), name, isDNS1123Label(name)));
    if (names.has(name)) errs.push(duplicate(child(path, 'name'), name));
    else names.add(name);
  }
  const port = typeof p.port === 'number' ? p.port : 0;
  errs.push(...each(child(path, 'port'), port, isValidPortNum(port)));
  const protocol = asString(p.protocol);
  if (!protocol) errs.push(required(child(path, 'protocol'), ''));
  else if (!supportedPortProtocols.includes(protocol)) errs.push(notSupported(child(path, 'protocol'), protocol, supportedPortProtocols));
  if (p.targetPort !== undefined && p.targetPort !== null) errs.push(...validatePortOrName(p.targetPort, child(path, 'targetPort')));
  if (typeof p.appProtocol === 'string') errs.push(...each(child(path, 'appProtocol'), p.appProtocol, isQualifiedName(p.appProtocol)));
  return errs;
}

const ipFamilies = ['IPv4', 'IPv6'];
const ipFamilyPolicies = ['PreferDualStack', 'RequireDualStack', 'SingleStack'];
const familyOfIP = (ip: string) => (ip.includes(':') ? 'IPv6' : 'IPv4');

/**
 * Upstream's ValidateServiceClusterIPsRelatedFields: spec.clusterIP/clusterIPs kept in sync,
 * ipFamilies and ipFamilyPolicy values, at most one cluster IP per family, each matching its
 * ipFamilies entry. The API server's allocator runs it on the request before allocating (so
 * its defaulting never works on nonsense); Service validation runs it on the result.
 */
export function validateServiceClusterIPsRelatedFields(spec: Obj): Errors {
  if (spec.type === 'ExternalName') return [];
  const errs: Errors = [];
  const clusterIP = asString(spec.clusterIP);
  const clusterIPs = asArray(spec.clusterIPs).map(asString);
  if (clusterIP) {
    if (clusterIPs.length === 0) errs.push(required('spec.clusterIPs', ''));
    else if (clusterIPs[0] !== clusterIP) errs.push(invalid('spec.clusterIPs', clusterIPs, 'first value must match `clusterIP`'));
  } else if (clusterIPs.length) {
    errs.push(invalid('spec.clusterIPs', clusterIPs, 'must be empty when `clusterIP` is not specified'));
  }
  errs.push(...validateFamiliesAndPolicy(spec));
  let badIPs = false;
  clusterIPs.forEach((ip, i) => {
    if (i === 0 && ip === 'None') {
      if (clusterIPs.length > 1) {
        badIPs = true;
        errs.push(invalid('spec.clusterIPs', clusterIPs, "'None' must be the first and only value"));
      }
      return;
    }
    const msgs = isValidIP(ip);
    if (msgs.length) badIPs = true;
    errs.push(...each(index('spec.clusterIPs', i), ip, msgs));
  });
  return [...errs, ...validateClusterIPFamilies(spec, clusterIPs, badIPs)];
}

function validateFamiliesAndPolicy(spec: Obj): Errors {
  const errs: Errors = [];
  const seen = new Set<unknown>();
  asArray(spec.ipFamilies).forEach((f, i) => {
    if (!ipFamilies.includes(f as string)) errs.push(notSupported(index('spec.ipFamilies', i), f, ipFamilies));
    if (seen.has(f)) errs.push(duplicate(index('spec.ipFamilies', i), f));
    seen.add(f);
  });
  const policy = spec.ipFamilyPolicy;
  if (policy !== undefined && policy !== null && !ipFamilyPolicies.includes(asString(policy))) errs.push(notSupported('spec.ipFamilyPolicy', policy, ipFamilyPolicies));
  return errs;
}

/** At most two cluster IPs, of different families, each of the family its ipFamilies entry names. */
function validateClusterIPFamilies(spec: Obj, clusterIPs: string[], badIPs: boolean): Errors {
  const errs: Errors = [];
  if (clusterIPs.length > 2) errs.push(invalid('spec.clusterIPs', clusterIPs, 'may only hold up to 2 values'));
  if (badIPs) return errs;
  if (clusterIPs.length > 1 && (clusterIPs.length !== 2 || familyOfIP(clusterIPs[0]) === familyOfIP(clusterIPs[1]))) {
    errs.push(invalid('spec.clusterIPs', clusterIPs, 'may specify no more than one IP for each IP family'));
  }
  const families = asArray(spec.ipFamilies);
  if (!isHeadless(spec)) {
    clusterIPs.forEach((ip, i) => {
      if (i >= families.length || !ip) return;
      if (families[i] === 'IPv4' && familyOfIP(ip) === 'IPv6') errs.push(invalid(index('spec.clusterIPs', i), ip, `expected an IPv4 value as indicated by \`ipFamilies[${i}]\``));
      if (families[i] === 'IPv6' && familyOfIP(ip) !== 'IPv6') errs.push(invalid(index('spec.clusterIPs', i), ip, `expected an IPv6 value as indicated by \`ipFamilies[${i}]\``));
    });
  }
  return errs;
}

/** The dual-stack checks of validateServiceClusterIPsRelatedFields that validateService does not make itself. */
function validateDualStackFields(spec: Obj): Errors {
  const clusterIPs = asArray(spec.clusterIPs).map(asString);
  const badIPs = clusterIPs.some((ip, i) => !(i === 0 && ip === 'None') && isValidIP(ip).length > 0);
  const errs = validateFamiliesAndPolicy(spec);
  if (clusterIPs.length > 1 && clusterIPs[0] === 'None') return [...errs, invalid('spec.clusterIPs', clusterIPs, "'None' must be the first and only value")];
  return [...errs, ...validateClusterIPFamilies(spec, clusterIPs, badIPs)];
}

export function validateService(svc: Obj): Errors {
  const spec = asObject(svc.spec);
  const errs: Errors = [];
  const type = asString(spec.type);
  const ports = asArray(spec.ports).map(asObject);
  const headless = isHeadless(spec);
  if (ports.length === 0 && !headless && type !== 'ExternalName') errs.push(required('spec.ports', ''));
  const clusterIPs = asArray(spec.clusterIPs).map(asString);
  if (type === 'LoadBalancer') {
    ports.forEach((p, i) => {
      if (p.port === kubeletPort) errs.push(invalid(index('spec.ports', i), p.port, `may not expose port ${kubeletPort} externally since it is used by kubelet`));
    });
    if (headless) errs.push(invalid('spec.clusterIPs[0]', 'None', "may not be set to 'None' for LoadBalancer services"));
  } else if (type === 'NodePort') {
    if (headless) errs.push(invalid('spec.clusterIPs[0]', 'None', "may not be set to 'None' for NodePort services"));
  } else if (type === 'ExternalName') {
    if (clusterIPs.length > 0 || asString(spec.clusterIP)) errs.push(forbidden('spec.clusterIPs', 'may not be set for ExternalName services'));
    if (asArray(spec.ipFamilies).length > 0) errs.push(forbidden('spec.ipFamilies', 'may not be set for ExternalName services'));
    if (spec.ipFamilyPolicy !== undefined && spec.ipFamilyPolicy !== null) errs.push(forbidden('spec.ipFamilyPolicy', 'may not be set for ExternalName services'));
    const cname = asString(spec.externalName).replace(/\.$/, '');
    if (cname) errs.push(...each('spec.externalName', cname, isDNS1123Subdomain(cname)));
    else errs.push(required('spec.externalName', ''));
  }
  const clusterIP = asString(spec.clusterIP);
  if (clusterIP && clusterIP !== 'None' && isValidIP(clusterIP).length) errs.push(invalid('spec.clusterIPs[0]', clusterIP, "must be empty, 'None', or a valid IP address"));
  clusterIPs.forEach((ip, i) => {
    if (i > 0 && ip && isValidIP(ip).length) errs.push(invalid(index('spec.clusterIPs', i), ip, 'must be a valid IP'));
  });
  if (clusterIP && clusterIPs.length && clusterIPs[0] !== clusterIP) errs.push(invalid('spec.clusterIPs', clusterIPs, 'first value must match `clusterIP`'));
  if (type !== 'ExternalName') errs.push(...validateDualStackFields(spec));
  const names = new Set<string>();
  ports.forEach((p, i) => errs.push(...validateServicePort(p, ports.length > 1, names, index('spec.ports', i))));
  if (spec.selector !== undefined && spec.selector !== null) errs.push(...validateLabels(spec.selector, 'spec.selector'));
  const affinity = asString(spec.sessionAffinity);
  if (!affinity) errs.push(required('spec.sessionAffinity', ''));
  else if (affinity !== 'ClientIP' && affinity !== 'None') errs.push(notSupported('spec.sessionAffinity', affinity, ['ClientIP', 'None']));
  if (affinity === 'ClientIP') {
    const timeout = asObject(asObject(spec.sessionAffinityConfig).clientIP).timeoutSeconds;
    if (typeof timeout === 'number' && (timeout <= 0 || timeout > 86400)) {
      errs.push(invalid('spec.sessionAffinityConfig.clientIP.timeoutSeconds', timeout, 'must be greater than 0 and less than 86400'));
    }
  } else if (spec.sessionAffinityConfig !== undefined && spec.sessionAffinityConfig !== null) {
    errs.push(invalid('spec.sessionAffinityConfig', spec.sessionAffinityConfig, `must not be set when session affinity is ${affinity}`));
  }
  if (!type) errs.push(required('spec.type', ''));
  else if (!serviceTypes.includes(type)) errs.push(notSupported('spec.type', type, serviceTypes));
  const nodePorts = new Set<string>();
  ports.forEach((p, i) => {
    const nodePort = typeof p.nodePort === 'number' ? p.nodePort : 0;
    if (nodePort === 0) return;
    const path = child(index('spec.ports', i), 'nodePort');
    if (type === 'ClusterIP') errs.push(forbidden(path, "may not be used when `type` is 'ClusterIP'"));
    else if (nodePort < nodePortRange.min || nodePort > nodePortRange.max) {
      errs.push(invalid(path, nodePort, `provided port is not in the valid range. The range of valid ports is ${nodePortRange.min}-${nodePortRange.max}`));
    }
    const k = `${asString(p.protocol)}/${nodePort}`;
    if (nodePorts.has(k)) errs.push(duplicate(path, nodePort));
    nodePorts.add(k);
  });
  const seen = new Set<string>();
  ports.forEach((p, i) => {
    const k = `${asString(p.protocol)}/${String(p.port)}`;
    if (seen.has(k)) errs.push(duplicate(index('spec.ports', i), { protocol: p.protocol, port: p.port }));
    seen.add(k);
  });
  const etp = spec.externalTrafficPolicy;
  // Upstream's ExternallyAccessible: NodePort, LoadBalancer, or a ClusterIP Service with externalIPs.
  const externalIPs = Array.isArray(spec.externalIPs) ? spec.externalIPs : [];
  const externallyAccessible = type === 'NodePort' || type === 'LoadBalancer' || ((type ?? 'ClusterIP') === 'ClusterIP' && externalIPs.length > 0);
  if (etp !== undefined && etp !== null && etp !== '') {
    if (!externallyAccessible) errs.push(invalid('spec.externalTrafficPolicy', etp, 'may only be set for externally-accessible services'));
    else if (etp !== 'Cluster' && etp !== 'Local') errs.push(notSupported('spec.externalTrafficPolicy', etp, ['Cluster', 'Local']));
  } else if (externallyAccessible) {
    errs.push(required('spec.externalTrafficPolicy', ''));
  }
  const hcnp = spec.healthCheckNodePort;
  const needsHealthCheck = type === 'LoadBalancer' && etp === 'Local';
  if (!needsHealthCheck) {
    if (hcnp !== undefined && hcnp !== null && hcnp !== 0) errs.push(invalid('spec.healthCheckNodePort', hcnp, "may only be set when `type` is 'LoadBalancer' and `externalTrafficPolicy` is 'Local'"));
  } else if (hcnp === undefined || hcnp === null || hcnp === 0) {
    errs.push(required('spec.healthCheckNodePort', ''));
  } else if (typeof hcnp !== 'number' || !Number.isInteger(hcnp) || hcnp < 1 || hcnp > 65535) {
    errs.push(invalid('spec.healthCheckNodePort', hcnp, 'must be between 1 and 65535, inclusive'));
  }
  const itp = spec.internalTrafficPolicy;
  if (itp !== undefined && itp !== null && itp !== 'Cluster' && itp !== 'Local') errs.push(notSupported('spec.internalTrafficPolicy', itp, ['Cluster', 'Local']));
  errs.push(...validateSourceRanges(svc, spec, type));
  return errs;
}

/** The allocated cluster IPs may not change (except when switching to or from ExternalName, or
 *  adding/removing the secondary one), nor a health-check node port while the Service still needs one. */
export function validateServiceUpdate(svc: Obj, old: Obj): Errors {
  const spec = asObject(svc.spec);
  const o = asObject(old.spec);
  if (spec.type === 'ExternalName' || o.type === 'ExternalName') return [];
  const errs: Errors = [...validateUpgradeDowngradeClusterIPs(spec, o), ...validateUpgradeDowngradeIPFamilies(spec, o)];
  const needsHealthCheck = (s: Obj) => s.type === 'LoadBalancer' && s.externalTrafficPolicy === 'Local';
  if (needsHealthCheck(o) && needsHealthCheck(spec) && o.healthCheckNodePort !== spec.healthCheckNodePort) {
    errs.push(invalid('spec.healthCheckNodePort', spec.healthCheckNodePort, 'field is immutable'));
  }
  return errs;
}

const clusterIPsOf = (s: Obj) => (asArray(s.clusterIPs).length ? asArray(s.clusterIPs).map(asString) : asString(s.clusterIP) ? [asString(s.clusterIP)] : []);
const headlessOnly = (ips: string[]) => ips.length === 1 && ips[0] === 'None';

/** Upstream validateUpgradeDowngradeClusterIPs. */
function validateUpgradeDowngradeClusterIPs(spec: Obj, o: Obj): Errors {
  const before = clusterIPsOf(o);
  const now = clusterIPsOf(spec);
  if (headlessOnly(before) && headlessOnly(now)) return [];
  const errs: Errors = [];
  const changed = () => invalid('spec.clusterIPs[0]', now, 'may not change once set');
  if (before.length === now.length) {
    before.forEach((ip, i) => {
      if (ip !== now[i]) errs.push(invalid(index('spec.clusterIPs', i), now, 'may not change once set'));
    });
  } else if (before.length > now.length) {
    if (now.length === 0) errs.push(invalid('spec.clusterIPs[0]', now, 'primary clusterIP can not be unset'));
    else if (now[0] !== before[0]) errs.push(changed());
    if (now.length === 1 && spec.ipFamilyPolicy !== 'SingleStack') {
      errs.push(invalid('spec.ipFamilyPolicy', spec.ipFamilyPolicy ?? null, "must be set to 'SingleStack' when releasing the secondary clusterIP"));
    }
  } else if (before.length > 0 && now[0] !== before[0]) {
    errs.push(changed());
  }
  return errs;
}

/** Upstream validateUpgradeDowngradeIPFamilies: a headful Service keeps its primary family. */
function validateUpgradeDowngradeIPFamilies(spec: Obj, o: Obj): Errors {
  const wasHeadless = headlessOnly(clusterIPsOf(o));
  if (wasHeadless !== headlessOnly(clusterIPsOf(spec)) || wasHeadless) return [];
  const before = asArray(o.ipFamilies);
  const now = asArray(spec.ipFamilies);
  const errs: Errors = [];
  if (before.length === now.length) {
    if (before.some((f, i) => f !== now[i])) errs.push(invalid('spec.ipFamilies[0]', now, 'may not change once set'));
  } else if (before.length > now.length) {
    if (asArray(spec.clusterIPs).length === 0) errs.push(invalid('spec.ipFamilies[0]', now, 'primary ipFamily can not be unset'));
    if (now.length > 0 && now[0] !== before[0]) errs.push(invalid('spec.ipFamilies[0]', asArray(spec.clusterIPs), 'may not change once set'));
    if (now.length === 1 && spec.ipFamilyPolicy !== 'SingleStack') {
      errs.push(invalid('spec.ipFamilyPolicy', spec.ipFamilyPolicy ?? null, "must be set to 'SingleStack' when releasing the secondary ipFamily"));
    }
  } else if (before.length > 0 && now.length > 0 && now[0] !== before[0]) {
    errs.push(invalid('spec.ipFamilies[0]', asArray(spec.clusterIPs), 'may not change once set'));
  }
  return errs;
}
