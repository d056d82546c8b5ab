// The ClusterRoles every Kubernetes 1.32 API server creates at start (upstream bootstrappolicy
// ClusterRoles(), as recorded in plugin/pkg/auth/authorizer/rbac/bootstrappolicy/testdata/
// cluster-roles.yaml), with the default feature gates of 1.32: no DynamicResourceAllocation
// rules (beta, off by default), no ClusterTrustBundle role, no KubeletFineGrainedAuthz
// subresources, no MultiCIDRServiceAllocator (servicecidrs) rule, no /flagz or /statusz.
// Listed in the testdata's order (by name); each call builds fresh objects.
import type { ClusterRole } from 'kubernetes-types/rbac/v1.js';
import {
  AGGREGATE_TO_ADMIN,
  AGGREGATE_TO_EDIT,
  AGGREGATE_TO_VIEW,
  APPS,
  AUTHENTICATION,
  AUTHORIZATION,
  AUTOSCALING,
  BATCH,
  CERTIFICATES,
  COORDINATION,
  DISCOVERY,
  EXTENSIONS,
  LEGACY,
  NETWORKING,
  NODE,
  POLICY,
  RBAC,
  READ,
  READ_UPDATE,
  READ_WRITE,
  STORAGE,
  WRITE,
  aggregatedClusterRole,
  clusterRole,
  eventsRule,
  rule,
  urlRule,
} from './builders.js';

const approver = (name: string, signer: string): ClusterRole =>
  clusterRole(name, [rule(['approve'], [CERTIFICATES], ['signers'], [signer])]);

export function clusterRoles(): ClusterRole[] {
  return [
    aggregatedClusterRole('admin', AGGREGATE_TO_ADMIN),
    clusterRole('cluster-admin', [
      rule(['*'], ['*'], ['*']),
      urlRule(['*'], ['*']),
    ]),
    aggregatedClusterRole('edit', AGGREGATE_TO_EDIT, { [AGGREGATE_TO_ADMIN]: 'true' }),
    clusterRole('system:aggregate-to-admin', [
      rule(['create'], [AUTHORIZATION], ['localsubjectaccessreviews']),
      rule(READ_WRITE, [RBAC], ['roles', 'rolebindings']),
    ], { [AGGREGATE_TO_ADMIN]: 'true' }),
    clusterRole('system:aggregate-to-edit', [
      rule(READ, [LEGACY], ['pods/attach', 'pods/proxy', 'pods/exec', 'pods/portforward', 'secrets', 'services/proxy']),
      rule(['impersonate'], [LEGACY], ['serviceaccounts']),
      rule(WRITE, [LEGACY], ['pods', 'pods/attach', 'pods/proxy', 'pods/exec', 'pods/portforward']),
      rule(['create'], [LEGACY], ['pods/eviction']),
      rule(WRITE, [LEGACY], ['replicationcontrollers', 'replicationcontrollers/scale', 'serviceaccounts', 'services', 'services/proxy', 'persistentvolumeclaims', 'configmaps', 'secrets', 'events']),
      rule(['create'], [LEGACY], ['serviceaccounts/token']),
      rule(WRITE, [APPS], ['statefulsets', 'statefulsets/scale', 'daemonsets', 'deployments', 'deployments/scale', 'deployments/rollback', 'replicasets', 'replicasets/scale']),
      rule(WRITE, [AUTOSCALING], ['horizontalpodautoscalers']),
      rule(WRITE, [BATCH], ['jobs', 'cronjobs']),
      rule(WRITE, [EXTENSIONS], ['daemonsets', 'deployments', 'deployments/scale', 'deployments/rollback', 'ingresses', 'replicasets', 'replicasets/scale', 'replicationcontrollers/scale', 'networkpolicies']),
      rule(WRITE, [POLICY], ['poddisruptionbudgets']),
      rule(WRITE, [NETWORKING], ['networkpolicies', 'ingresses']),
      rule(READ_WRITE, [COORDINATION], ['leases']),
    ], { [AGGREGATE_TO_EDIT]: 'true' }),
    clusterRole('system:aggregate-to-view', [
      rule(READ, [LEGACY], ['pods', 'replicationcontrollers', 'replicationcontrollers/scale', 'serviceaccounts', 'services', 'services/status', 'endpoints', 'persistentvolumeclaims', 'persistentvolumeclaims/status', 'configmaps']),
      rule(READ, [LEGACY], ['limitranges', 'resourcequotas', 'bindings', 'events', 'pods/status', 'resourcequotas/status', 'namespaces/status', 'replicationcontrollers/status', 'pods/log']),
      rule(READ, [LEGACY], ['namespaces']),
      rule(READ, [DISCOVERY], ['endpointslices']),
      rule(READ, [APPS], ['controllerrevisions', 'statefulsets', 'statefulsets/status', 'statefulsets/scale', 'daemonsets', 'daemonsets/status', 'deployments', 'deployments/status', 'deployments/scale', 'replicasets', 'replicasets/status', 'replicasets/scale']),
      rule(READ, [AUTOSCALING], ['horizontalpodautoscalers', 'horizontalpodautoscalers/status']),
      rule(READ, [BATCH], ['jobs', 'cronjobs', 'cronjobs/status', 'jobs/status']),
      rule(READ, [EXTENSIONS], ['daemonsets', 'daemonsets/status', 'deployments', 'deployments/scale', 'deployments/status', 'ingresses', 'ingresses/status', 'replicasets', 'replicasets/scale', 'replicasets/status', 'replicationcontrollers/scale', 'networkpolicies']),
      rule(READ, [POLICY], ['poddisruptionbudgets', 'poddisruptionbudgets/status']),
      rule(READ, [NETWORKING], ['networkpolicies', 'ingresses', 'ingresses/status']),
    ], { [AGGREGATE_TO_VIEW]: 'true' }),
    clusterRole('system:auth-delegator', [
      rule(['create'], [AUTHENTICATION], ['tokenreviews']),
      rule(['create'], [AUTHORIZATION], ['subjectaccessreviews']),
    ]),
    clusterRole('system:basic-user', [
      rule(['create'], [AUTHORIZATION], ['selfsubjectaccessreviews', 'selfsubjectrulesreviews']),
      rule(['create'], [AUTHENTICATION], ['selfsubjectreviews']),
    ]),
    clusterRole('system:certificates.k8s.io:certificatesigningrequests:nodeclient', [
      rule(['create'], [CERTIFICATES], ['certificatesigningrequests/nodeclient']),
    ]),
    clusterRole('system:certificates.k8s.io:certificatesigningrequests:selfnodeclient', [
      rule(['create'], [CERTIFICATES], ['certificatesigningrequests/selfnodeclient']),
    ]),
    approver('system:certificates.k8s.io:kube-apiserver-client-approver', 'kubernetes.io/kube-apiserver-client'),
    approver('system:certificates.k8s.io:kube-apiserver-client-kubelet-approver', 'kubernetes.io/kube-apiserver-client-kubelet'),
    approver('system:certificates.k8s.io:kubelet-serving-approver', 'kubernetes.io/kubelet-serving'),
    approver('system:certificates.k8s.io:legacy-unknown-approver', 'kubernetes.io/legacy-unknown'),
    clusterRole('system:discovery', [
      urlRule(['get'], ['/livez', '/readyz', '/healthz', '/version', '/version/', '/openapi', '/openapi/*', '/api', '/api/*', '/apis', '/apis/*']),
    ]),
    clusterRole('system:heapster', [
      rule(READ, [LEGACY], ['events', 'pods', 'nodes', 'namespaces']),
      rule(READ, [EXTENSIONS], ['deployments']),
    ]),
    clusterRole('system:kube-aggregator', [
      rule(READ, [LEGACY], ['services', 'endpoints']),
    ]),
    clusterRole('system:kube-controller-manager', [
      eventsRule(),
      // leader election
      rule(['create'], [COORDINATION], ['leases']),
      rule(['get', 'update'], [COORDINATION], ['leases'], ['kube-controller-manager']),
      // fundamental resources
      rule(['create'], [LEGACY], ['secrets', 'serviceaccounts']),
      rule(['delete'], [LEGACY], ['secrets']),
      rule(['get'], [LEGACY], ['namespaces', 'secrets', 'serviceaccounts', 'configmaps']),
      rule(['update'], [LEGACY], ['secrets', 'serviceaccounts']),
      rule(['create'], [AUTHENTICATION], ['tokenreviews']),
      rule(['create'], [AUTHORIZATION], ['subjectaccessreviews']),
      // every shared informer
      rule(['list', 'watch'], ['*'], ['*']),
      rule(['create'], [LEGACY], ['serviceaccounts/token']),
    ]),
    clusterRole('system:kube-dns', [
      rule(['list', 'watch'], [LEGACY], ['endpoints', 'services']),
    ]),
    clusterRole('system:kube-scheduler', [
      eventsRule(),
      // leader election
      rule(['create'], [COORDINATION], ['leases']),
      rule(['get', 'update', 'list', 'watch'], [COORDINATION], ['leases'], ['kube-scheduler']),
      rule(READ_WRITE, [COORDINATION], ['leasecandidates']),
      // fundamental resources
      rule(READ, [LEGACY], ['nodes']),
      rule(['get', 'list', 'watch', 'delete'], [LEGACY], ['pods']),
      rule(['create'], [LEGACY], ['pods/binding', 'bindings']),
      rule(['patch', 'update'], [LEGACY], ['pods/status']),
      // things that select pods
      rule(READ, [LEGACY], ['services', 'replicationcontrollers']),
      rule(READ, [APPS, EXTENSIONS], ['replicasets']),
      rule(READ, [APPS], ['statefulsets']),
      // things that pods use or that apply to them
      rule(READ, [POLICY], ['poddisruptionbudgets']),
      rule(READ, [LEGACY], ['persistentvolumeclaims', 'persistentvolumes']),
      rule(['create'], [AUTHENTICATION], ['tokenreviews']),
      rule(['create'], [AUTHORIZATION], ['subjectaccessreviews']),
      rule(READ, [STORAGE], ['csinodes']),
      rule(['get', 'list', 'watch'], [STORAGE], ['volumeattachments']),
      rule(READ, [LEGACY], ['namespaces']),
      rule(READ, [STORAGE], ['csidrivers']),
      rule(READ, [STORAGE], ['csistoragecapacities']),
    ]),
    clusterRole('system:kubelet-api-admin', [
      rule(['get', 'list', 'watch'], [LEGACY], ['nodes']),
      rule(['proxy'], [LEGACY], ['nodes']),
      rule(['*'], [LEGACY], ['nodes/proxy', 'nodes/metrics', 'nodes/stats', 'nodes/log']),
    ]),
    clusterRole('system:monitoring', [
      urlRule(['get'], ['/metrics', '/metrics/slis', '/livez', '/readyz', '/healthz', '/livez/*', '/readyz/*', '/healthz/*']),
    ]),
    clusterRole('system:node', [
      rule(['create'], [AUTHENTICATION], ['tokenreviews']),
      rule(['create'], [AUTHORIZATION], ['subjectaccessreviews', 'localsubjectaccessreviews']),
      rule(READ, [LEGACY], ['services']),
      rule(['create', 'get', 'list', 'watch'], [LEGACY], ['nodes']),
      rule(['update', 'patch'], [LEGACY], ['nodes/status']),
      rule(['update', 'patch'], [LEGACY], ['nodes']),
      rule(['create', 'update', 'patch'], [LEGACY], ['events']),
      rule(READ, [LEGACY], ['pods']),
      rule(['create', 'delete'], [LEGACY], ['pods']),
      rule(['update', 'patch'], [LEGACY], ['pods/status']),
      rule(['create'], [LEGACY], ['pods/eviction']),
      rule(['get', 'list', 'watch'], [LEGACY], ['secrets', 'configmaps']),
      rule(['get'], [LEGACY], ['persistentvolumeclaims', 'persistentvolumes']),
      rule(['get'], [LEGACY], ['endpoints']),
      rule(['create', 'get', 'list', 'watch'], [CERTIFICATES], ['certificatesigningrequests']),
      rule(['get', 'create', 'update', 'patch', 'delete'], [COORDINATION], ['leases']),
      rule(['get'], [STORAGE], ['volumeattachments']),
      rule(['create'], [LEGACY], ['serviceaccounts/token']),
      rule(['get', 'update', 'patch'], [LEGACY], ['persistentvolumeclaims/status']),
      rule(['get', 'watch', 'list'], [STORAGE], ['csidrivers']),
      rule(['get', 'create', 'update', 'patch', 'delete'], [STORAGE], ['csinodes']),
      rule(['get', 'list', 'watch'], [NODE], ['runtimeclasses']),
    ]),
    clusterRole('system:node-bootstrapper', [
      rule(['create', 'get', 'list', 'watch'], [CERTIFICATES], ['certificatesigningrequests']),
    ]),
    clusterRole('system:node-problem-detector', [
      rule(['get'], [LEGACY], ['nodes']),
      rule(['patch'], [LEGACY], ['nodes/status']),
      eventsRule(),
    ]),
    clusterRole('system:node-proxier', [
      rule(['list', 'watch'], [LEGACY], ['services', 'endpoints']),
      rule(['get', 'list', 'watch'], [LEGACY], ['nodes']),
      eventsRule(),
      rule(['list', 'watch'], [DISCOVERY], ['endpointslices']),
    ]),
    clusterRole('system:persistent-volume-provisioner', [
      rule(['get', 'list', 'watch', 'create', 'delete'], [LEGACY], ['persistentvolumes']),
      rule(['get', 'list', 'watch', 'update'], [LEGACY], ['persistentvolumeclaims']),
      rule(READ, [STORAGE], ['storageclasses']),
      rule(['watch'], [LEGACY], ['events']),
      eventsRule(),
    ]),
    clusterRole('system:public-info-viewer', [
      urlRule(['get'], ['/livez', '/readyz', '/healthz', '/version', '/version/']),
    ]),
    clusterRole('system:service-account-issuer-discovery', [
      urlRule(['get'], ['/.well-known/openid-configuration', '/.well-known/openid-configuration/', '/openid/v1/jwks', '/openid/v1/jwks/']),
    ]),
    clusterRole('system:volume-scheduler', [
      rule(READ_UPDATE, [LEGACY], ['persistentvolumes']),
      rule(READ, [STORAGE], ['storageclasses']),
      rule(READ_UPDATE, [LEGACY], ['persistentvolumeclaims']),
    ]),
    aggregatedClusterRole('view', AGGREGATE_TO_VIEW, { [AGGREGATE_TO_EDIT]: 'true' }),
  ];
}
