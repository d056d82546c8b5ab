// The service proxy and cluster DNS, as `k8ts up`, `k8ts agent` and `k8ts proxy` start them.
export { startProxy, defaultServiceCidr, loopbackServiceCidr, hostServiceCidr, clusterDnsIPFor, defaultProxyMode, defaultNodeAddresses, proxierFactories, type ProxyOptions, type ServiceProxy, type SyncEvent, type SyncTarget } from './proxy.js';
export type { Proxier, ProxierOptions, ProxyState } from './proxier.js';
export { startDns, type DnsOptions, type DnsServer } from './dns/server.js';
export { ensureKubeDnsService, type KubeDnsServiceOptions } from './dns/kube-dns-service.js';
export { proxyModeAnnotation, httpPerRequestMode } from './service-port.js';
