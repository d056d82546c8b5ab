// RBAC's escalation prevention (upstream: pkg/registry/rbac/*/policybased): a user may write a
// role only with rules it holds itself, and bind a role only when it holds the role's rules —
// unless it is allowed the `escalate` verb on the role (or `bind` on the bound role), or is a
// member of system:masters. Upstream checks this in the RBAC storage; here it is a validating
// step of the same writes, with the same 403 and message. It is not one of the plugins
// `--disable-admission-plugins` can turn off.
import type { ClusterRole, PolicyRule, RoleBinding, RoleRef } from 'kubernetes-types/rbac/v1.js';
import { StatusError } from '../../api/status.js';
import { covers, escalationMessage } from '../../auth/rbac/rules.js';
import { SYSTEM_MASTERS, type Authorizer } from '../filters/authorization.js';
import type { RuleResolver } from '../authorization/rule-resolver.js';
import type { UserInfo } from '../registry/context.js';
import { admissionForbidden, type AdmissionAttributes, type AdmissionPlugin } from './admission.js';

export const RBAC_GROUP = 'rbac.authorization.k8s.io';

/** What cluster-admin holds: needed to set an aggregationRule, which can gather anything. */
const fullAuthority: PolicyRule[] = [
  { verbs: ['*'], apiGroups: ['*'], resources: ['*'] },
  { verbs: ['*'], nonResourceURLs: ['*'] },
];

/** Deep equality of the fields a write may change besides the garbage collector's. */
function sameExceptGCFields(a: Record<string, unknown>, b: Record<string, unknown>): boolean {
  const strip = (o: Record<string, unknown>) => {
    const meta = { ...(o.metadata as Record<string, unknown>) };
    for (const k of ['ownerReferences', 'finalizers', 'resourceVersion', 'managedFields', 'generation']) delete meta[k];
    return JSON.stringify({ ...o, metadata: meta });
  };
  return strip(a) === strip(b);
}

export function rbacEscalationCheck(authorizer: Authorizer, resolver: RuleResolver): AdmissionPlugin {
  const allowed = (user: UserInfo, verb: string, resource: string, namespace: string, name: string) =>
    authorizer.authorize({ user, verb, isResource: true, group: RBAC_GROUP, resource, subresource: '', namespace, name, path: '' }).allowed;

  const confirmNoEscalation = (a: AdmissionAttributes, rules: PolicyRule[], namespace: string): string | undefined => {
    const user = a.ctx.user;
    const own = resolver.rulesFor(user, namespace);
    const result = covers(own.rules, rules);
    return result.covered ? undefined : escalationMessage(user, result.missing, own.errors);
  };

  return {
    name: 'RBACEscalation',
    validate(a) {
      if (a.entry.type.group !== RBAC_GROUP || a.subresource || (a.operation !== 'CREATE' && a.operation !== 'UPDATE')) return;
      const user = a.ctx.user;
      if (user.groups.includes(SYSTEM_MASTERS)) return;
      const plural = a.entry.type.plural;
      const obj = a.object as unknown as Record<string, unknown>;
      // Writes that only touch what the garbage collector changes need no check (upstream's IsOnlyMutatingGCFields).
      if (a.oldObject && sameExceptGCFields(obj, a.oldObject as unknown as Record<string, unknown>)) return;
      const name = a.name || (a.object.metadata?.name ?? '');
      if (plural === 'roles' || plural === 'clusterroles') {
        if (allowed(user, 'escalate', plural, a.namespace, name)) return;
        const role = a.object as unknown as ClusterRole;
        const missing = confirmNoEscalation(a, role.rules ?? [], a.namespace);
        if (missing) throw admissionForbidden(a, missing);
        if (plural === 'clusterroles' && role.aggregationRule && confirmNoEscalation(a, fullAuthority, '')) {
          throw admissionForbidden(a, 'must have cluster-admin privileges to use the aggregationRule');
        }
        return;
      }
      if (plural === 'rolebindings' || plural === 'clusterrolebindings') {
        const ref = (a.object as unknown as RoleBinding).roleRef as RoleRef | undefined;
        if (!ref) return;
        // `bind` on the role bound: a RoleBinding of a ClusterRole asks in the binding's namespace.
        if (allowed(user, 'bind', ref.kind === 'Role' ? 'roles' : 'clusterroles', a.namespace, ref.name)) return;
        const rules = resolver.roleRefRules(ref, a.namespace);
        if (typeof rules === 'string') {
          const resource = ref.kind === 'Role' ? 'roles' : 'clusterroles';
          throw new StatusError(404, 'NotFound', `${resource}.${RBAC_GROUP} ${JSON.stringify(ref.name)} not found`, { name: ref.name, group: RBAC_GROUP, kind: resource });
        }
        const missing = confirmNoEscalation(a, rules, a.namespace);
        if (missing) throw admissionForbidden(a, missing);
      }
    },
  };
}
