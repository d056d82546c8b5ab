// The API server's request metrics under upstream's names, labels and buckets
// (k8s.io/apiserver/pkg/endpoints/metrics), so existing dashboards and alerts work unchanged.
// Created on first use; every call returns the same series.
import { componentMetrics } from './metrics.js';

export type RequestLabel = 'verb' | 'dry_run' | 'group' | 'version' | 'resource' | 'subresource' | 'scope' | 'component';

const REQUEST_LABELS: readonly RequestLabel[] = ['verb', 'dry_run', 'group', 'version', 'resource', 'subresource', 'scope', 'component'];

// Upstream's requestLatencies buckets.
export const REQUEST_DURATION_BUCKETS = [
  0.005, 0.025, 0.05, 0.1, 0.2, 0.4, 0.6, 0.8, 1.0, 1.25, 1.5, 2, 3, 4, 5, 6, 8, 10, 15, 20, 30, 45, 60,
];

export function apiserverMetrics() {
  const m = componentMetrics('apiserver');
  return {
    /** apiserver_request_total{verb, dry_run, group, version, resource, subresource, scope, component, code} */
    requestTotal: m.counter<RequestLabel | 'code'>({
      name: 'request_total',
      help: 'Counter of apiserver requests broken out for each verb, dry run value, group, version, resource, scope, component, and HTTP response code.',
      labelNames: [...REQUEST_LABELS, 'code'],
    }),
    /** apiserver_request_duration_seconds{verb, dry_run, group, version, resource, subresource, scope, component} */
    requestDuration: m.histogram<RequestLabel>({
      name: 'request_duration_seconds',
      help: 'Response latency distribution in seconds for each verb, dry run value, group, version, resource, subresource, scope and component.',
      labelNames: REQUEST_LABELS,
      buckets: REQUEST_DURATION_BUCKETS,
    }),
    /** apiserver_current_inflight_requests{request_kind}: readOnly or mutating. */
    inflightRequests: m.gauge<'request_kind'>({
      name: 'current_inflight_requests',
      help: 'Maximal number of currently used inflight request limit of this apiserver per request kind in last second.',
      labelNames: ['request_kind'],
    }),
    /** apiserver_longrunning_requests{verb, group, version, resource, subresource, scope, component}: watches, exec, logs. */
    longrunningRequests: m.gauge<Exclude<RequestLabel, 'dry_run'>>({
      name: 'longrunning_requests',
      help: 'Gauge of all active long-running apiserver requests broken out by verb, group, version, resource, scope and component. Not all requests are tracked this way.',
      labelNames: ['verb', 'group', 'version', 'resource', 'subresource', 'scope', 'component'],
    }),
    /** apiserver_storage_objects{resource} */
    storageObjects: m.gauge<'resource'>({
      name: 'storage_objects',
      help: 'Number of stored objects at the time of last check split by kind.',
      labelNames: ['resource'],
    }),
  };
}
