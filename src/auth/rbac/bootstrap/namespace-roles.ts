// The Roles and RoleBindings Kubernetes 1.32 creates in kube-system and kube-public (upstream
// bootstrappolicy NamespaceRoles()/NamespaceRoleBindings(), as in testdata/namespace-roles.yaml and
// namespace-role-bindings.yaml), as maps of namespace to objects, each list in the testdata's
// order. Fresh objects per call.
import type { Role, RoleBinding } from 'kubernetes-types/rbac/v1.js';
import { COORDINATION, LEGACY, eventsRule, role, roleBinding, rule, serviceAccount, user } from './builders.js';
import { KUBE_CONTROLLER_MANAGER, KUBE_SCHEDULER } from './cluster-role-bindings.js';

const SYSTEM = 'kube-system';
const PUBLIC = 'kube-public';

/** The leader-locking roles: the legacy ConfigMap lock, Leases, and LeaseCandidates (coordinated leader election). */
const leaderLocking = (component: string): Role => role(SYSTEM, `system::leader-locking-${component}`, [
  rule(['watch'], [LEGACY], ['configmaps']),
  rule(['get', 'update'], [LEGACY], ['configmaps'], [component]),
  rule(['get', 'watch', 'list', 'create', 'update'], [COORDINATION], ['leases']),
  rule(['get', 'watch', 'list', 'create', 'update'], [COORDINATION], ['leasecandidates']),
]);

export function namespaceRoles(): Record<string, Role[]> {
  return {
    [PUBLIC]: [
      // the bootstrap signer writes the signed cluster-info ConfigMap
      role(PUBLIC, 'system:controller:bootstrap-signer', [
        rule(['get', 'list', 'watch'], [LEGACY], ['configmaps']),
        rule(['update'], [LEGACY], ['configmaps'], ['cluster-info']),
        eventsRule(),
      ]),
    ],
    [SYSTEM]: [
      // authentication configuration for delegating API servers
      role(SYSTEM, 'extension-apiserver-authentication-reader', [
        rule(['get', 'list', 'watch'], [LEGACY], ['configmaps'], ['extension-apiserver-authentication']),
      ]),
      leaderLocking('kube-controller-manager'),
      leaderLocking('kube-scheduler'),
      // the bootstrap signer reads bootstrap token Secrets
      role(SYSTEM, 'system:controller:bootstrap-signer', [
        rule(['get', 'list', 'watch'], [LEGACY], ['secrets']),
      ]),
      // deprecated since 1.10
      role(SYSTEM, 'system:controller:cloud-provider', [
        rule(['create', 'get', 'list', 'watch'], [LEGACY], ['configmaps']),
      ]),
      // the token cleaner deletes expired bootstrap token Secrets
      role(SYSTEM, 'system:controller:token-cleaner', [
        rule(['get', 'list', 'watch', 'delete'], [LEGACY], ['secrets']),
        eventsRule(),
      ]),
    ],
  };
}

export function namespaceRoleBindings(): Record<string, RoleBinding[]> {
  return {
    [PUBLIC]: [
      roleBinding(PUBLIC, 'system:controller:bootstrap-signer', [serviceAccount(SYSTEM, 'bootstrap-signer')]),
    ],
    [SYSTEM]: [
      roleBinding(SYSTEM, 'extension-apiserver-authentication-reader', [user(KUBE_CONTROLLER_MANAGER), user(KUBE_SCHEDULER)], 'system::extension-apiserver-authentication-reader'),
      roleBinding(SYSTEM, 'system::leader-locking-kube-controller-manager', [
        user(KUBE_CONTROLLER_MANAGER),
        serviceAccount(SYSTEM, 'kube-controller-manager'),
        serviceAccount(SYSTEM, 'leader-election-controller'),
      ]),
      roleBinding(SYSTEM, 'system::leader-locking-kube-scheduler', [user(KUBE_SCHEDULER), serviceAccount(SYSTEM, 'kube-scheduler')]),
      roleBinding(SYSTEM, 'system:controller:bootstrap-signer', [serviceAccount(SYSTEM, 'bootstrap-signer')]),
      roleBinding(SYSTEM, 'system:controller:cloud-provider', [serviceAccount(SYSTEM, 'cloud-provider')]),
      roleBinding(SYSTEM, 'system:controller:token-cleaner', [serviceAccount(SYSTEM, 'token-cleaner')]),
    ],
  };
}
