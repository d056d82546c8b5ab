// The proxy's and cluster DNS's Prometheus series, named as kube-proxy and CoreDNS name theirs.
import { counter, gauge, histogram } from '../util/metrics.js';

// kube-proxy's buckets: exponential from 1 ms.
const syncBuckets = [0.001, 0.002, 0.004, 0.008, 0.016, 0.032, 0.064, 0.128, 0.256, 0.512, 1.024, 2.048, 4.096, 8.192, 16.384];

export const proxyMetrics = {
  syncDuration: histogram({ name: 'kubeproxy_sync_proxy_rules_duration_seconds', help: 'SyncProxyRules latency in seconds', buckets: syncBuckets }),
  lastSync: gauge({ name: 'kubeproxy_sync_proxy_rules_last_timestamp_seconds', help: 'The last time proxy rules were successfully synced' }),
  /** From an informer event to forwarding that reflects it (upstream's network programming latency, measured locally). */
  programming: histogram({ name: 'kubeproxy_network_programming_duration_seconds', help: 'Time from a Service or EndpointSlice change seen by the proxy to the change being in effect', buckets: syncBuckets }),
  servicePorts: gauge({ name: 'kubeproxy_sync_proxy_rules_service_ports', help: 'Service ports the proxy forwards' }),
  connections: counter<'protocol' | 'result'>({ name: 'k8ts_proxy_connections_total', help: 'Connections (TCP), associations (UDP) and requests (HTTP per-request) the userspace proxier handled', labelNames: ['protocol', 'result'] }),
};

export const dnsMetrics = {
  requests: counter<'server' | 'zone' | 'proto' | 'type'>({ name: 'coredns_dns_requests_total', help: 'Counter of DNS requests made per zone, protocol and type', labelNames: ['server', 'zone', 'proto', 'type'] }),
  responses: counter<'server' | 'zone' | 'rcode'>({ name: 'coredns_dns_responses_total', help: 'Counter of response status codes', labelNames: ['server', 'zone', 'rcode'] }),
  cacheHits: counter({ name: 'coredns_cache_hits_total', help: 'The count of cache hits' }),
  cacheMisses: counter({ name: 'coredns_cache_misses_total', help: 'The count of cache misses' }),
  forwardRequests: counter<'to'>({ name: 'coredns_forward_requests_total', help: 'Counter of requests made per upstream', labelNames: ['to'] }),
};
