// The per-controller ClusterRoles of kube-controller-manager in Kubernetes 1.32 (upstream
// bootstrappolicy ControllerRoles()/ControllerRoleBindings(), as in testdata/controller-roles.yaml
// and controller-role-bindings.yaml), with the default feature gates of 1.32: no
// resource-claim-controller (DynamicResourceAllocation, off by default), no service-cidrs-
// controller (MultiCIDRServiceAllocator), no selinux-warning-controller (SELinuxChangePolicy), no
// volumeattributesclass-protection-controller. Each role "system:controller:<name>" is bound to
// the ServiceAccount kube-system/<name>. Listed by name; fresh objects per call.
import type { ClusterRole, ClusterRoleBinding } from 'kubernetes-types/rbac/v1.js';
import {
  ADMISSION_REGISTRATION,
  APPS,
  AUTHORIZATION,
  AUTOSCALING,
  BATCH,
  CERTIFICATES,
  DISCOVERY,
  EXTENSIONS,
  LEGACY,
  POLICY,
  RBAC,
  READ,
  STORAGE,
  clusterRole,
  clusterRoleBinding,
  eventsRule,
  rule,
  serviceAccount,
} from './builders.js';

/** saRolePrefix: controller roles are named after their ServiceAccount in kube-system. */
export const CONTROLLER_ROLE_PREFIX = 'system:controller:';

const controller = (name: string, rules: Parameters<typeof clusterRole>[1]): ClusterRole => clusterRole(CONTROLLER_ROLE_PREFIX + name, rules);

export function controllerRoles(): ClusterRole[] {
  return [
    controller('attachdetach-controller', [
      rule(['list', 'watch'], [LEGACY], ['persistentvolumes', 'persistentvolumeclaims']),
      rule(['get', 'list', 'watch'], [LEGACY], ['nodes']),
      rule(['patch', 'update'], [LEGACY], ['nodes/status']),
      rule(['list', 'watch'], [LEGACY], ['pods']),
      eventsRule(),
      rule(['get', 'create', 'delete', 'list', 'watch'], [STORAGE], ['volumeattachments']),
      rule(['get', 'watch', 'list'], [STORAGE], ['csidrivers']),
      rule(['get', 'watch', 'list'], [STORAGE], ['csinodes']),
    ]),
    controller('certificate-controller', [
      rule(['get', 'list', 'watch', 'delete'], [CERTIFICATES], ['certificatesigningrequests']),
      rule(['update'], [CERTIFICATES], ['certificatesigningrequests/status', 'certificatesigningrequests/approval']),
      rule(['approve'], [CERTIFICATES], ['signers'], ['kubernetes.io/kube-apiserver-client-kubelet']),
      rule(['sign'], [CERTIFICATES], ['signers'], ['kubernetes.io/legacy-unknown', 'kubernetes.io/kube-apiserver-client', 'kubernetes.io/kube-apiserver-client-kubelet', 'kubernetes.io/kubelet-serving']),
      rule(['create'], [AUTHORIZATION], ['subjectaccessreviews']),
      eventsRule(),
    ]),
    controller('clusterrole-aggregation-controller', [
      // full power over clusterroles, to be able to write any aggregated rules
      rule(['escalate', 'get', 'list', 'watch', 'update', 'patch'], [RBAC], ['clusterroles']),
    ]),
    controller('cronjob-controller', [
      rule(['get', 'list', 'watch', 'update'], [BATCH], ['cronjobs']),
      rule(['get', 'list', 'watch', 'create', 'update', 'delete', 'patch'], [BATCH], ['jobs']),
      rule(['update'], [BATCH], ['cronjobs/status']),
      rule(['update'], [BATCH], ['cronjobs/finalizers']),
      rule(['list', 'delete'], [LEGACY], ['pods']),
      eventsRule(),
    ]),
    controller('daemon-set-controller', [
      rule(READ, [EXTENSIONS, APPS], ['daemonsets']),
      rule(['update'], [EXTENSIONS, APPS], ['daemonsets/status']),
      rule(['update'], [EXTENSIONS, APPS], ['daemonsets/finalizers']),
      rule(['list', 'watch'], [LEGACY], ['nodes']),
      rule(['list', 'watch', 'create', 'delete', 'patch'], [LEGACY], ['pods']),
      rule(['create'], [LEGACY], ['pods/binding']),
      rule(['get', 'list', 'watch', 'create', 'delete', 'update', 'patch'], [APPS], ['controllerrevisions']),
      eventsRule(),
    ]),
    controller('deployment-controller', [
      rule(['get', 'list', 'watch', 'update'], [EXTENSIONS, APPS], ['deployments']),
      rule(['update'], [EXTENSIONS, APPS], ['deployments/status']),
      rule(['update'], [EXTENSIONS, APPS], ['deployments/finalizers']),
      rule(['get', 'list', 'watch', 'create', 'update', 'patch', 'delete'], [APPS, EXTENSIONS], ['replicasets']),
      rule(['get', 'list', 'watch', 'update'], [LEGACY], ['pods']),
      eventsRule(),
    ]),
    controller('disruption-controller', [
      rule(READ, [EXTENSIONS, APPS], ['deployments']),
      rule(READ, [APPS, EXTENSIONS], ['replicasets']),
      rule(READ, [LEGACY], ['replicationcontrollers']),
      rule(READ, [POLICY], ['poddisruptionbudgets']),
      rule(READ, [APPS], ['statefulsets']),
      rule(['update'], [POLICY], ['poddisruptionbudgets/status']),
      rule(['patch', 'update'], [LEGACY], ['pods/status']),
      rule(['get'], ['*'], ['*/scale']),
      eventsRule(),
    ]),
    controller('endpoint-controller', [
      rule(READ, [LEGACY], ['services', 'pods']),
      rule(['get', 'list', 'create', 'update', 'delete'], [LEGACY], ['endpoints']),
      rule(['create'], [LEGACY], ['endpoints/restricted']),
      eventsRule(),
    ]),
    controller('endpointslice-controller', [
      rule(READ, [LEGACY], ['services', 'pods', 'nodes']),
      rule(['update'], [LEGACY], ['services/finalizers']),
      rule(['get', 'list', 'create', 'update', 'delete'], [DISCOVERY], ['endpointslices']),
      eventsRule(),
    ]),
    controller('endpointslicemirroring-controller', [
      rule(READ, [LEGACY], ['services', 'endpoints']),
      rule(['update'], [LEGACY], ['services/finalizers']),
      rule(['update'], [LEGACY], ['endpoints/finalizers']),
      rule(['get', 'list', 'create', 'update', 'delete'], [DISCOVERY], ['endpointslices']),
      eventsRule(),
    ]),
    controller('ephemeral-volume-controller', [
      rule(READ, [LEGACY], ['pods']),
      rule(['update'], [LEGACY], ['pods/finalizers']),
      rule(['get', 'list', 'watch', 'create'], [LEGACY], ['persistentvolumeclaims']),
      eventsRule(),
    ]),
    controller('expand-controller', [
      rule(['get', 'list', 'watch', 'update', 'patch'], [LEGACY], ['persistentvolumes']),
      rule(['update', 'patch'], [LEGACY], ['persistentvolumeclaims/status']),
      rule(READ, [LEGACY], ['persistentvolumeclaims']),
      eventsRule(),
      rule(['get'], [LEGACY], ['services']),
    ]),
    controller('generic-garbage-collector', [
      rule(['get', 'list', 'watch', 'patch', 'update', 'delete'], ['*'], ['*']),
      eventsRule(),
    ]),
    controller('horizontal-pod-autoscaler', [
      rule(READ, [AUTOSCALING], ['horizontalpodautoscalers']),
      rule(['update'], [AUTOSCALING], ['horizontalpodautoscalers/status']),
      rule(['get', 'update'], ['*'], ['*/scale']),
      rule(['list'], [LEGACY], ['pods']),
      rule(['list'], ['metrics.k8s.io'], ['pods']),
      rule(['get', 'list'], ['custom.metrics.k8s.io'], ['*']),
      rule(['get', 'list'], ['external.metrics.k8s.io'], ['*']),
      eventsRule(),
    ]),
    controller('job-controller', [
      rule(['get', 'list', 'watch', 'update', 'patch'], [BATCH], ['jobs']),
      rule(['update'], [BATCH], ['jobs/status']),
      rule(['update'], [BATCH], ['jobs/finalizers']),
      rule(['list', 'watch', 'create', 'delete', 'patch'], [LEGACY], ['pods']),
      eventsRule(),
    ]),
    controller('legacy-service-account-token-cleaner', [
      rule(['get'], [LEGACY], ['configmaps'], ['kube-apiserver-legacy-service-account-token-tracking']),
      rule(['patch', 'delete'], [LEGACY], ['secrets']),
    ]),
    controller('namespace-controller', [
      rule(['get', 'list', 'watch', 'delete'], [LEGACY], ['namespaces']),
      rule(['update'], [LEGACY], ['namespaces/finalize', 'namespaces/status']),
      rule(['get', 'list', 'delete', 'deletecollection'], ['*'], ['*']),
    ]),
    controller('node-controller', [
      rule(['get', 'list', 'update', 'delete', 'patch'], [LEGACY], ['nodes']),
      rule(['patch', 'update'], [LEGACY], ['nodes/status']),
      // used for pod deletion
      rule(['patch', 'update'], [LEGACY], ['pods/status']),
      rule(['list', 'get', 'delete'], [LEGACY], ['pods']),
      eventsRule(),
    ]),
    controller('persistent-volume-binder', [
      rule(['get', 'list', 'watch', 'update', 'create', 'delete'], [LEGACY], ['persistentvolumes']),
      rule(['update'], [LEGACY], ['persistentvolumes/status']),
      rule(['get', 'list', 'watch', 'update'], [LEGACY], ['persistentvolumeclaims']),
      rule(['update'], [LEGACY], ['persistentvolumeclaims/status']),
      rule(['list', 'watch', 'get', 'create', 'delete'], [LEGACY], ['pods']),
      rule(READ, [STORAGE], ['storageclasses']),
      rule(['list', 'watch'], [LEGACY], ['nodes']),
      eventsRule(),
      rule(['watch'], [LEGACY], ['events']),
      rule(['get'], [LEGACY], ['services']),
    ]),
    controller('pod-garbage-collector', [
      rule(['list', 'watch', 'delete'], [LEGACY], ['pods']),
      rule(['get', 'list'], [LEGACY], ['nodes']),
      rule(['patch'], [LEGACY], ['pods/status']),
    ]),
    controller('pv-protection-controller', [
      rule(['get', 'list', 'watch', 'update'], [LEGACY], ['persistentvolumes']),
      eventsRule(),
    ]),
    controller('pvc-protection-controller', [
      rule(['get', 'list', 'watch', 'update'], [LEGACY], ['persistentvolumeclaims']),
      rule(['list', 'watch', 'get'], [LEGACY], ['pods']),
      eventsRule(),
    ]),
    controller('replicaset-controller', [
      rule(['get', 'list', 'watch', 'update'], [APPS, EXTENSIONS], ['replicasets']),
      rule(['update'], [APPS, EXTENSIONS], ['replicasets/status']),
      rule(['update'], [APPS, EXTENSIONS], ['replicasets/finalizers']),
      rule(['list', 'watch', 'patch', 'create', 'delete'], [LEGACY], ['pods']),
      eventsRule(),
    ]),
    controller('replication-controller', [
      // 1.0 controllers needed get, update, so without these old controllers break on new servers
      rule(['get', 'list', 'watch', 'update'], [LEGACY], ['replicationcontrollers']),
      rule(['update'], [LEGACY], ['replicationcontrollers/status']),
      rule(['update'], [LEGACY], ['replicationcontrollers/finalizers']),
      rule(['list', 'watch', 'patch', 'create', 'delete'], [LEGACY], ['pods']),
      eventsRule(),
    ]),
    controller('resourcequota-controller', [
      // quota can count quota on anything for reconciliation, so it needs full viewing powers
      rule(['list', 'watch'], ['*'], ['*']),
      rule(['update'], [LEGACY], ['resourcequotas/status']),
      eventsRule(),
    ]),
    controller('root-ca-cert-publisher', [
      rule(['create', 'update'], [LEGACY], ['configmaps']),
      eventsRule(),
    ]),
    controller('route-controller', [
      rule(['list', 'watch'], [LEGACY], ['nodes']),
      rule(['patch'], [LEGACY], ['nodes/status']),
      eventsRule(),
    ]),
    controller('service-account-controller', [
      rule(['create'], [LEGACY], ['serviceaccounts']),
      eventsRule(),
    ]),
    controller('service-controller', [
      rule(READ, [LEGACY], ['services']),
      rule(['patch', 'update'], [LEGACY], ['services/status']),
      rule(['list', 'watch'], [LEGACY], ['nodes']),
      eventsRule(),
    ]),
    controller('statefulset-controller', [
      rule(['list', 'watch'], [LEGACY], ['pods']),
      rule(READ, [APPS], ['statefulsets']),
      rule(['update'], [APPS], ['statefulsets/status']),
      rule(['update'], [APPS], ['statefulsets/finalizers']),
      rule(['get', 'create', 'delete', 'update', 'patch'], [LEGACY], ['pods']),
      rule(['get', 'create', 'delete', 'update', 'patch', 'list', 'watch'], [APPS], ['controllerrevisions']),
      rule(['get', 'create', 'list', 'watch'], [LEGACY], ['persistentvolumeclaims']),
      eventsRule(),
      // StatefulSetAutoDeletePVC
      rule(['update', 'delete'], [LEGACY], ['persistentvolumeclaims']),
      rule(['update'], [LEGACY], ['pods/finalizers']),
    ]),
    controller('ttl-after-finished-controller', [
      rule(['get', 'list', 'watch', 'delete'], [BATCH], ['jobs']),
      eventsRule(),
    ]),
    controller('ttl-controller', [
      rule(['update', 'patch', 'list', 'watch'], [LEGACY], ['nodes']),
      eventsRule(),
    ]),
    controller('validatingadmissionpolicy-status-controller', [
      rule(READ, [ADMISSION_REGISTRATION], ['validatingadmissionpolicies']),
      rule(['get', 'patch', 'update'], [ADMISSION_REGISTRATION], ['validatingadmissionpolicies/status']),
      eventsRule(),
    ]),
  ];
}

/** One ClusterRoleBinding per controller role, to the ServiceAccount kube-system/<controller>. */
export function controllerRoleBindings(): ClusterRoleBinding[] {
  return controllerRoles().map((r) => {
    const name = r.metadata!.name!;
    return clusterRoleBinding(name, [serviceAccount('kube-system', name.slice(CONTROLLER_ROLE_PREFIX.length))]);
  });
}
