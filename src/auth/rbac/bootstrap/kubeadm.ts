// The bootstrap-token ClusterRoleBindings kubeadm creates at `kubeadm init` (upstream
// cmd/kubeadm/app/phases/bootstraptoken/node/tlsbootstrap.go): nodes joining with a bootstrap
// token may post CSRs, their node-client CSRs are auto-approved by the csrapprover controller, and
// so are the renewal CSRs nodes make for their own client certificates. They are not part of the
// API server's bootstrap policy: kubeadm creates them without the rbac-defaults label or the
// autoupdate annotation. Subjects are written as the API server stores them (a Group subject's
// apiGroup defaults to rbac.authorization.k8s.io).
import type { ClusterRoleBinding } from 'kubernetes-types/rbac/v1.js';
import { DEFAULT_NODE_TOKEN_GROUP } from '../../bootstrap/token.js';
import { RBAC_API_GROUP, RBAC_API_VERSION, group } from './builders.js';
import { NODES_GROUP } from './cluster-role-bindings.js';

/** kubeadm constants.NodeBootstrapTokenAuthGroup: the extra group of `k8ts token create` tokens. */
export const NODE_BOOTSTRAP_TOKEN_AUTH_GROUP = DEFAULT_NODE_TOKEN_GROUP;

export const NODE_KUBELET_BOOTSTRAP = 'kubeadm:kubelet-bootstrap';
export const NODE_AUTO_APPROVE_BOOTSTRAP = 'kubeadm:node-autoapprove-bootstrap';
export const NODE_AUTO_APPROVE_CERTIFICATE_ROTATION = 'kubeadm:node-autoapprove-certificate-rotation';

const binding = (name: string, clusterRoleName: string, subject: string): ClusterRoleBinding => ({
  apiVersion: RBAC_API_VERSION,
  kind: 'ClusterRoleBinding',
  metadata: { name },
  roleRef: { apiGroup: RBAC_API_GROUP, kind: 'ClusterRole', name: clusterRoleName },
  subjects: [group(subject)],
});

export function kubeadmClusterRoleBindings(): ClusterRoleBinding[] {
  return [
    // AllowBootstrapTokensToPostCSRs
    binding(NODE_KUBELET_BOOTSTRAP, 'system:node-bootstrapper', NODE_BOOTSTRAP_TOKEN_AUTH_GROUP),
    // AutoApproveNodeBootstrapTokens
    binding(NODE_AUTO_APPROVE_BOOTSTRAP, 'system:certificates.k8s.io:certificatesigningrequests:nodeclient', NODE_BOOTSTRAP_TOKEN_AUTH_GROUP),
    // AutoApproveNodeCertificateRotation
    binding(NODE_AUTO_APPROVE_CERTIFICATE_ROTATION, 'system:certificates.k8s.io:certificatesigningrequests:selfnodeclient', NODES_GROUP),
  ];
}
