// The ClusterRole metrics-server's manifests install (components.yaml), since metrics.k8s.io is
// served here without installing it: reading NodeMetrics and PodMetrics, aggregated into admin,
// edit and view so that `kubectl top` works for anyone who may view the namespace. Not part of
// the API server's bootstrap policy upstream: it carries the addon's labels, not rbac-defaults.
import type { ClusterRole } from 'kubernetes-types/rbac/v1.js';
import { AGGREGATE_TO_ADMIN, AGGREGATE_TO_EDIT, AGGREGATE_TO_VIEW, RBAC_API_VERSION } from './builders.js';

export function metricsServerClusterRoles(): ClusterRole[] {
  return [
    {
      apiVersion: RBAC_API_VERSION,
      kind: 'ClusterRole',
      metadata: {
        name: 'system:aggregated-metrics-reader',
        labels: { 'k8s-app': 'metrics-server', [AGGREGATE_TO_ADMIN]: 'true', [AGGREGATE_TO_EDIT]: 'true', [AGGREGATE_TO_VIEW]: 'true' },
      },
      rules: [{ apiGroups: ['metrics.k8s.io'], resources: ['pods', 'nodes'], verbs: ['get', 'list', 'watch'] }],
    },
  ];
}
