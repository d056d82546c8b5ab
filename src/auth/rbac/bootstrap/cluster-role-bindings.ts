// The ClusterRoleBindings every Kubernetes 1.32 API server creates at start (upstream
// bootstrappolicy ClusterRoleBindings(), as in testdata/cluster-role-bindings.yaml) with the
// default feature gates (no ClusterTrustBundle binding). Listed by name; fresh objects per call.
import type { ClusterRoleBinding } from 'kubernetes-types/rbac/v1.js';
import { clusterRoleBinding, group, serviceAccount, user } from './builders.js';

// k8s.io/apiserver/pkg/authentication/user and serviceaccount names.
export const SYSTEM_PRIVILEGED_GROUP = 'system:masters';
export const MONITORING_GROUP = 'system:monitoring';
export const ALL_AUTHENTICATED = 'system:authenticated';
export const ALL_UNAUTHENTICATED = 'system:unauthenticated';
export const ALL_SERVICE_ACCOUNTS = 'system:serviceaccounts';
export const NODES_GROUP = 'system:nodes';
export const KUBE_PROXY = 'system:kube-proxy';
export const KUBE_CONTROLLER_MANAGER = 'system:kube-controller-manager';
export const KUBE_SCHEDULER = 'system:kube-scheduler';

export function clusterRoleBindings(): ClusterRoleBinding[] {
  return [
    clusterRoleBinding('cluster-admin', [group(SYSTEM_PRIVILEGED_GROUP)]),
    clusterRoleBinding('system:basic-user', [group(ALL_AUTHENTICATED)]),
    clusterRoleBinding('system:discovery', [group(ALL_AUTHENTICATED)]),
    clusterRoleBinding('system:kube-controller-manager', [user(KUBE_CONTROLLER_MANAGER)]),
    clusterRoleBinding('system:kube-dns', [serviceAccount('kube-system', 'kube-dns')]),
    clusterRoleBinding('system:kube-scheduler', [user(KUBE_SCHEDULER)]),
    clusterRoleBinding('system:monitoring', [group(MONITORING_GROUP)]),
    // Deprecated since 1.7 (the Node authorizer grants nodes their access): kept with no
    // subjects, so that reconciling an old cluster with RemoveExtraSubjects would empty it.
    clusterRoleBinding('system:node', []),
    clusterRoleBinding('system:node-proxier', [user(KUBE_PROXY)]),
    clusterRoleBinding('system:public-info-viewer', [group(ALL_AUTHENTICATED), group(ALL_UNAUTHENTICATED)]),
    clusterRoleBinding('system:service-account-issuer-discovery', [group(ALL_SERVICE_ACCOUNTS)]),
    clusterRoleBinding('system:volume-scheduler', [user(KUBE_SCHEDULER)]),
  ];
}
