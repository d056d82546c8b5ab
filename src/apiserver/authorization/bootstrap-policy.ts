// The API server's "rbac/bootstrap-roles" step (upstream: a post-start hook of the RBAC storage):
// the default roles and bindings are created when missing, and ones that exist gain the rules,
// subjects, labels and annotations a newer policy adds — unless annotated autoupdate "false".
// kubeadm's bootstrap-token bindings come with them, since `k8ts token create` joins nodes the
// kubeadm way. Each object is written through the generic store as the API server's own user.
import type { ClusterRole, ClusterRoleBinding, Role, RoleBinding } from 'kubernetes-types/rbac/v1.js';
import type { KubeObject } from '../../api/object.js';
import { StatusError } from '../../api/status.js';
import { bootstrapPolicy, kubeadmClusterRoleBindings, metricsServerClusterRoles, reconcileBinding, reconcileRole } from '../../auth/rbac/bootstrap/index.js';
import { aggregatedRules, rulesEqual } from '../../auth/rbac/aggregation.js';
import { systemContext } from '../registry/context.js';
import type { ResourceEntry } from '../registry/resource-entry.js';
import type { ApiServer } from '../server.js';

const RETRIES = 3;

const retryable = (err: unknown) => err instanceof StatusError && (err.code === 409 || err.code === 404);

/** The stored object: the first attempt reads the cache (brought up to date once for all), a retry reads it anew. */
async function current<T>(api: ApiServer, entry: ResourceEntry, namespace: string, name: string, attempt: number): Promise<T | undefined> {
  try {
    return (await api.generic.get(entry, namespace, name, attempt === 1 ? '0' : undefined)) as unknown as T;
  } catch (err) {
    if (err instanceof StatusError && err.code === 404) return undefined;
    throw err;
  }
}

/** `createAs`: what to create when the role is missing, if not `expected` itself. */
interface Plan {
  action: 'create' | 'update' | 'recreate' | 'none';
  object?: unknown;
}

/** Reads the object, asks `plan` what to write and writes it; a lost race is tried again, as upstream's hook does. */
async function ensure<T extends Role | ClusterRole | RoleBinding | ClusterRoleBinding>(api: ApiServer, entry: ResourceEntry, expected: T, plan: (existing: T | undefined) => Plan): Promise<void> {
  const namespace = expected.metadata?.namespace ?? '';
  const name = expected.metadata!.name!;
  for (let attempt = 1; ; attempt++) {
    try {
      const { action, object } = plan(await current<T>(api, entry, namespace, name, attempt));
      const obj = object as KubeObject;
      // A binding's roleRef cannot change: it is deleted and created anew.
      if (action === 'recreate') await api.generic.delete(entry, namespace, name, {}, systemContext());
      if (action === 'create' || action === 'recreate') await api.generic.create(entry, namespace, obj, systemContext());
      else if (action === 'update') await api.generic.update(entry, namespace, name, '', systemContext(), () => obj);
      return;
    } catch (err) {
      if (attempt >= RETRIES || !retryable(err)) throw err;
    }
  }
}

/** `createAs`: what to create when the role is missing, if not `expected` itself. */
function ensureRole(api: ApiServer, entry: ResourceEntry, expected: Role | ClusterRole, createAs?: Role | ClusterRole): Promise<void> {
  return ensure(api, entry, expected, (existing) => {
    const result = reconcileRole(existing, expected);
    return result.action === 'create' && createAs ? { action: 'create', object: structuredClone(createAs) } : result;
  });
}

function ensureBinding(api: ApiServer, entry: ResourceEntry, expected: RoleBinding | ClusterRoleBinding): Promise<void> {
  return ensure(api, entry, expected, (existing) => reconcileBinding(existing, expected));
}

/**
 * The default roles, the aggregated ones (admin, edit, view, …) holding the rules the
 * aggregation controller would give them, chains (view → edit → admin) followed to the end. Only
 * a role being created takes these rules: an existing aggregated role's rules are the
 * controller's. A new cluster's controller then finds nothing to write.
 */
function withAggregatedRules(roles: ClusterRole[]): ClusterRole[] {
  const out = roles.map((r) => (r.aggregationRule ? { ...r, rules: [] } : r));
  for (let pass = 0; pass < out.length; pass++) {
    let changed = false;
    for (let i = 0; i < out.length; i++) {
      const rules = aggregatedRules(out[i], out);
      if (rules === undefined || rulesEqual(rules, out[i].rules)) continue;
      out[i] = { ...out[i], rules };
      changed = true;
    }
    if (!changed) break;
  }
  return out;
}

export async function reconcileBootstrapPolicy(api: ApiServer): Promise<void> {
  const entry = (plural: string) => {
    const found = api.registry.find('rbac.authorization.k8s.io', 'v1', plural);
    if (!found) throw new Error(`bootstrap: rbac.authorization.k8s.io/v1/${plural} is not served`);
    return found;
  };
  const policy = bootstrapPolicy();
  await api.cache.syncToStore();
  // Each kind's objects are independent of one another: written at once, not one after another.
  // metrics-server's reader role comes with the policy: metrics.k8s.io is served in-process.
  const clusterRoles = [...policy.clusterRoles, ...metricsServerClusterRoles()];
  const aggregated = withAggregatedRules(clusterRoles);
  await Promise.all(clusterRoles.map((r, i) => ensureRole(api, entry('clusterroles'), r, aggregated[i])));
  await Promise.all([...policy.clusterRoleBindings, ...kubeadmClusterRoleBindings()].map((b) => ensureBinding(api, entry('clusterrolebindings'), b)));
  await Promise.all(Object.values(policy.roles).flat().map((r) => ensureRole(api, entry('roles'), r)));
  await Promise.all(Object.values(policy.roleBindings).flat().map((b) => ensureBinding(api, entry('rolebindings'), b)));
}
