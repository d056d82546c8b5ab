// What the proxy knows about one port of one Service (upstream pkg/proxy/serviceport.go's
// BaseServicePortInfo): everything a proxier needs to decide where a packet to that port goes,
// derived once from the Service object so proxiers never read raw API objects.
import type { Service } from 'kubernetes-types/core/v1.js';

export type Protocol = 'TCP' | 'UDP' | 'SCTP';

/** Per-request balancing of HTTP/1.1 services in userspace mode (opt-in per Service). */
export const proxyModeAnnotation = 'k8ts.io/proxy-mode';
export const httpPerRequestMode = 'http-per-request';

/** Upstream's default sessionAffinityConfig.clientIP.timeoutSeconds (3 hours). */
export const defaultAffinityTimeoutSeconds = 10800;

/** "namespace/name" of a Service. */
export type ServiceKey = string;
/** "namespace/name:portName" — upstream's ServicePortName.String(). */
export type ServicePortKey = string;

export interface ServicePortInfo {
  key: ServicePortKey;
  service: ServiceKey;
  namespace: string;
  name: string;
  /** The port's name ("" for the only, unnamed port of a service). */
  portName: string;
  protocol: Protocol;
  type: 'ClusterIP' | 'NodePort' | 'LoadBalancer';
  /** Undefined for headless services (they get no forwarding, only DNS). The primary ClusterIP. */
  clusterIP: string | undefined;
  /** Every ClusterIP (spec.clusterIPs: one per IP family of a dual-stack Service, primary first); empty for headless services. */
  clusterIPs: string[];
  port: number;
  /** 0 when the service has none. */
  nodePort: number;
  externalIPs: string[];
  /** status.loadBalancer.ingress IPs. */
  loadBalancerIPs: string[];
  /** spec.loadBalancerSourceRanges (LoadBalancer Services only), trimmed as upstream; every family (see source-ranges.ts). */
  loadBalancerSourceRanges: string[];
  /** ClientIP affinity timeout in seconds; undefined when sessionAffinity is None. */
  affinityTimeoutSeconds: number | undefined;
  /** externalTrafficPolicy: Local (NodePort, externalIPs, load-balancer traffic). */
  externalPolicyLocal: boolean;
  /** internalTrafficPolicy: Local (ClusterIP traffic). */
  internalPolicyLocal: boolean;
  /** Per-request HTTP balancing asked for by annotation. */
  httpPerRequest: boolean;
  /** spec.healthCheckNodePort (LoadBalancer with externalTrafficPolicy Local), else 0. */
  healthCheckNodePort: number;
}

export const serviceKeyOf = (namespace: string, name: string): ServiceKey => `${namespace}/${name}`;
export const servicePortKeyOf = (service: ServiceKey, portName: string): ServicePortKey => `${service}:${portName}`;

/** Whether the proxy forwards for this Service at all (upstream ShouldSkipService). */
export function shouldSkipService(svc: Service): boolean {
  const ip = svc.spec?.clusterIP;
  return !ip || ip === 'None' || svc.spec?.type === 'ExternalName';
}

/** The service ports of a Service, keyed by ServicePortKey (empty for skipped services). */
export function servicePortsOf(svc: Service): Map<ServicePortKey, ServicePortInfo> {
  const out = new Map<ServicePortKey, ServicePortInfo>();
  if (shouldSkipService(svc)) return out;
  const namespace = svc.metadata?.namespace ?? '';
  const name = svc.metadata?.name ?? '';
  const service = serviceKeyOf(namespace, name);
  const spec = svc.spec!;
  const affinity = spec.sessionAffinity === 'ClientIP' ? (spec.sessionAffinityConfig?.clientIP?.timeoutSeconds ?? defaultAffinityTimeoutSeconds) : undefined;
  const lbIPs = (svc.status?.loadBalancer?.ingress ?? []).map((i) => i.ip).filter((ip): ip is string => !!ip);
  for (const p of spec.ports ?? []) {
    const portName = p.name ?? '';
    const key = servicePortKeyOf(service, portName);
    out.set(key, {
      key,
      service,
      namespace,
      name,
      portName,
      protocol: (p.protocol ?? 'TCP') as Protocol,
      type: spec.type === 'NodePort' || spec.type === 'LoadBalancer' ? spec.type : 'ClusterIP',
      clusterIP: spec.clusterIP,
      clusterIPs: spec.clusterIPs?.length ? [...spec.clusterIPs] : [spec.clusterIP!],
      port: p.port,
      nodePort: p.nodePort ?? 0,
      externalIPs: [...(spec.externalIPs ?? [])],
      loadBalancerIPs: spec.type === 'LoadBalancer' ? lbIPs : [],
      loadBalancerSourceRanges: spec.type === 'LoadBalancer' ? (spec.loadBalancerSourceRanges ?? []).map((r) => r.trim()) : [],
      affinityTimeoutSeconds: affinity,
      externalPolicyLocal: spec.externalTrafficPolicy === 'Local' && (spec.type === 'NodePort' || spec.type === 'LoadBalancer' || (spec.externalIPs?.length ?? 0) > 0),
      internalPolicyLocal: spec.internalTrafficPolicy === 'Local',
      httpPerRequest: svc.metadata?.annotations?.[proxyModeAnnotation] === httpPerRequestMode,
      healthCheckNodePort: spec.type === 'LoadBalancer' ? (spec.healthCheckNodePort ?? 0) : 0,
    });
  }
  return out;
}

/** Field-wise equality, so an unchanged port after a Service update is not touched by the proxier. */
export function servicePortEqual(a: ServicePortInfo, b: ServicePortInfo): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}
