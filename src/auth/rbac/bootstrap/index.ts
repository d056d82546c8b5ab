// Upstream's default RBAC policy (Kubernetes 1.32, default feature gates) and its reconciliation.
// The API server's "rbac/bootstrap-roles" post-start hook reconciles bootstrapPolicy() with
// reconcileRole/reconcileBinding; kubeadm's bootstrap-token bindings are separate.
import type { ClusterRole, ClusterRoleBinding, Role, RoleBinding } from 'kubernetes-types/rbac/v1.js';
import { clusterRoleBindings } from './cluster-role-bindings.js';
import { clusterRoles } from './cluster-roles.js';
import { controllerRoleBindings, controllerRoles } from './controller-roles.js';
import { namespaceRoleBindings, namespaceRoles } from './namespace-roles.js';

export * from './builders.js';
export * from './cluster-roles.js';
export * from './cluster-role-bindings.js';
export * from './controller-roles.js';
export * from './namespace-roles.js';
export * from './kubeadm.js';
export * from './metrics-server.js';
export * from './reconcile.js';

/** upstream's PostStartHookName for the policy reconciliation */
export const BOOTSTRAP_ROLES_HOOK = 'rbac/bootstrap-roles';

export interface BootstrapPolicy {
  clusterRoles: ClusterRole[];
  clusterRoleBindings: ClusterRoleBinding[];
  /** namespace → Roles */
  roles: Record<string, Role[]>;
  /** namespace → RoleBindings */
  roleBindings: Record<string, RoleBinding[]>;
}

/** upstream storage_rbac.go's PolicyData: the cluster roles plus the controller roles, and so on. */
export function bootstrapPolicy(): BootstrapPolicy {
  return {
    clusterRoles: [...clusterRoles(), ...controllerRoles()],
    clusterRoleBindings: [...clusterRoleBindings(), ...controllerRoleBindings()],
    roles: namespaceRoles(),
    roleBindings: namespaceRoleBindings(),
  };
}
