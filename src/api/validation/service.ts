// core/v1 Service validation (pkg/apis/core/validation ValidateService/ValidateServiceUpdate).
import { asArray, asObject, asString, child, duplicate, each, forbidden, index, invalid, notSupported, required, type Errors } from './field.js';
import { isDNS1123Label, isDNS1123Subdomain, isQualifiedName, isValidIP, isValidPortNum } from './names.js';
import { validateLabels } from './objectmeta.js';
import { supportedPortProtocols, validatePortOrName } from './pod.js';

type Obj = Record<string, unknown>;

const serviceTypes = ['ClusterIP', 'ExternalName', 'LoadBalancer', 'NodePort'];
const kubeletPort = 10250;
/** The default --service-node-port-range. */
export const nodePortRange = { min: 30000, max: 32767 };

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
  const ipFamilyPolicy = spec.ipFamilyPolicy;
  if (ipFamilyPolicy !== undefined && ipFamilyPolicy !== null && !['SingleStack', 'PreferDualStack', 'RequireDualStack'].includes(asString(ipFamilyPolicy))) {
    errs.push(notSupported('spec.ipFamilyPolicy', ipFamilyPolicy, ['PreferDualStack', 'RequireDualStack', 'SingleStack']));
  }
  asArray(spec.ipFamilies).forEach((f, i) => {
    if (f !== 'IPv4' && f !== 'IPv6') errs.push(notSupported(index('spec.ipFamilies', i), f, ['IPv4', 'IPv6']));
  });
  return errs;
}

/** The allocated cluster IP may not change (except when switching to or from ExternalName), nor a
 *  health-check node port while the Service still needs one. */
export function validateServiceUpdate(svc: Obj, old: Obj): Errors {
  const spec = asObject(svc.spec);
  const o = asObject(old.spec);
  if (spec.type === 'ExternalName' || o.type === 'ExternalName') return [];
  const before = asArray(o.clusterIPs).length ? asArray(o.clusterIPs).map(asString) : asString(o.clusterIP) ? [asString(o.clusterIP)] : [];
  const now = asArray(spec.clusterIPs).length ? asArray(spec.clusterIPs).map(asString) : asString(spec.clusterIP) ? [asString(spec.clusterIP)] : [];
  const errs: Errors = [];
  if (before.length && now.length && before[0] !== now[0]) errs.push(invalid('spec.clusterIPs[0]', now, 'may not change once set'));
  const needsHealthCheck = (s: Obj) => s.type === 'LoadBalancer' && s.externalTrafficPolicy === 'Local';
  if (needsHealthCheck(o) && needsHealthCheck(spec) && o.healthCheckNodePort !== spec.healthCheckNodePort) {
    errs.push(invalid('spec.healthCheckNodePort', spec.healthCheckNodePort, 'field is immutable'));
  }
  return errs;
}
