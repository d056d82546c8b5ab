// Which RBAC rules apply to a user, read from the watch cache (upstream: rbac/validation's
// DefaultRuleResolver over informer listers). Bindings are indexed by subject — a user name or a
// group — so a request looks only at the bindings that name it, not at every binding; the index
// is rebuilt when the cache's bindings have changed since it was built. Roles are read from the
// cache directly, so a rule change is seen by the next request.
import type { ClusterRole, ClusterRoleBinding, PolicyRule, Role, RoleBinding, RoleRef, Subject } from 'kubernetes-types/rbac/v1.js';
import type { UserInfo } from '../registry/context.js';
import type { ResourceRegistry } from '../registry/resource-registry.js';
import type { ResourceCache, WatchCache } from '../watch-cache.js';

/** Says where a rule came from, for the allowed reason: built only when a rule allows. */
export type RuleSource = () => string;

/** Called with each rule that applies, or with an error resolving one; returning false stops the visit. */
export type RuleVisitor = (source: RuleSource | undefined, rule: PolicyRule | undefined, err: string | undefined) => boolean;

type Binding = RoleBinding | ClusterRoleBinding;

interface BindingIndex {
  /** The caches' change counts the index was built at. */
  roleBindingChanges: number;
  clusterRoleBindingChanges: number;
  cluster: Map<string, ClusterRoleBinding[]>;
  /** Namespace → subject key → bindings. */
  namespaced: Map<string, Map<string, RoleBinding[]>>;
}

const userKey = (name: string) => `u:${name}`;
const groupKey = (name: string) => `g:${name}`;

function subjectKey(s: Subject, bindingNamespace: string): string | undefined {
  switch (s.kind) {
    case 'User':
      return userKey(s.name);
    case 'Group':
      return groupKey(s.name);
    case 'ServiceAccount': {
      // A service account named without a namespace is the binding's own namespace's; a cluster
      // binding's such subject names nobody.
      const ns = s.namespace || bindingNamespace;
      return ns ? userKey(`system:serviceaccount:${ns}:${s.name}`) : undefined;
    }
    default:
      return undefined;
  }
}

function describeSubject(s: Subject, bindingNamespace: string): string {
  // upstream's order for service accounts is name/namespace
  if (s.kind === 'ServiceAccount') return `${s.kind} ${JSON.stringify(`${s.name}/${s.namespace || bindingNamespace}`)}`;
  return `${s.kind} ${JSON.stringify(s.name)}`;
}

/** The first of a binding's subjects that is the user, as upstream's appliesTo picks it. */
function subjectFor(user: UserInfo, b: Binding, bindingNamespace: string): Subject | undefined {
  for (const s of b.subjects ?? []) {
    const key = subjectKey(s, bindingNamespace);
    if (key === undefined) continue;
    if (key.startsWith('u:') ? key.slice(2) === user.username : user.groups.includes(key.slice(2))) return s;
  }
  return undefined;
}

function push<T>(map: Map<string, T[]>, key: string, value: T): void {
  const list = map.get(key);
  if (list) {
    if (!list.includes(value)) list.push(value);
  } else map.set(key, [value]);
}

export class RuleResolver {
  private readonly roles: ResourceCache;
  private readonly clusterRoles: ResourceCache;
  private readonly roleBindings: ResourceCache;
  private readonly clusterRoleBindings: ResourceCache;
  private readonly rolePrefix: string;
  private readonly clusterRolePrefix: string;
  private index: BindingIndex | undefined;

  constructor(cache: WatchCache, registry: ResourceRegistry) {
    const prefix = (plural: string) => {
      const entry = registry.find('rbac.authorization.k8s.io', 'v1', plural);
      if (!entry) throw new Error(`rbac.authorization.k8s.io/${plural} is not served`);
      return entry.prefix;
    };
    this.rolePrefix = prefix('roles');
    this.clusterRolePrefix = prefix('clusterroles');
    this.roles = cache.resourceFor(this.rolePrefix);
    this.clusterRoles = cache.resourceFor(this.clusterRolePrefix);
    this.roleBindings = cache.resourceFor(prefix('rolebindings'));
    this.clusterRoleBindings = cache.resourceFor(prefix('clusterrolebindings'));
  }

  /** The rules a role reference grants, or why it cannot be resolved (upstream's NotFound text). */
  roleRefRules(ref: RoleRef, bindingNamespace: string): PolicyRule[] | string {
    if (ref.kind === 'ClusterRole') {
      const role = this.clusterRoles.objects.get(`${this.clusterRolePrefix}${ref.name}`) as unknown as ClusterRole | undefined;
      return role ? (role.rules ?? []) : `clusterrole.rbac.authorization.k8s.io ${JSON.stringify(ref.name)} not found`;
    }
    if (ref.kind === 'Role') {
      const role = this.roles.objects.get(`${this.rolePrefix}${bindingNamespace}/${ref.name}`) as unknown as Role | undefined;
      return role ? (role.rules ?? []) : `role.rbac.authorization.k8s.io ${JSON.stringify(ref.name)} not found`;
    }
    return `unsupported role reference kind: ${JSON.stringify(ref.kind)}`;
  }

  /** Visits the rules of the cluster bindings, then of the namespace's bindings, that name the user. */
  visitRulesFor(user: UserInfo, namespace: string, visit: RuleVisitor): void {
    const index = this.currentIndex();
    if (!this.visitBindings(user, index.cluster, '', visit)) return;
    if (!namespace) return;
    const inNamespace = index.namespaced.get(namespace);
    if (inNamespace) this.visitBindings(user, inNamespace, namespace, visit);
  }

  /** Every rule that applies to the user in the namespace, and the errors met resolving them. */
  rulesFor(user: UserInfo, namespace: string): { rules: PolicyRule[]; errors: string[] } {
    const rules: PolicyRule[] = [];
    const errors: string[] = [];
    this.visitRulesFor(user, namespace, (_source, rule, err) => {
      if (rule) rules.push(rule);
      if (err) errors.push(err);
      return true;
    });
    return { rules, errors };
  }

  private visitBindings(user: UserInfo, bySubject: Map<string, Binding[]>, namespace: string, visit: RuleVisitor): boolean {
    // Visited already: a binding naming both the user and one of its groups is visited once.
    const seen: Binding[] = [];
    for (let k = -1; k < user.groups.length; k++) {
      const bindings = bySubject.get(k < 0 ? userKey(user.username) : groupKey(user.groups[k]));
      if (bindings === undefined) continue;
      for (const b of bindings) {
        if (seen.includes(b)) continue;
        seen.push(b);
        const rules = this.roleRefRules(b.roleRef, namespace);
        if (typeof rules === 'string') {
          if (!visit(undefined, undefined, rules)) return false;
          continue;
        }
        const source = () => {
          const subject = subjectFor(user, b, namespace);
          const subjectText = subject ? describeSubject(subject, namespace) : '';
          const name = namespace ? `${b.metadata!.name}/${namespace}` : b.metadata!.name;
          return `${namespace ? 'RoleBinding' : 'ClusterRoleBinding'} ${JSON.stringify(name)} of ${b.roleRef.kind} ${JSON.stringify(b.roleRef.name)} to ${subjectText}`;
        };
        for (const rule of rules) if (!visit(source, rule, undefined)) return false;
      }
    }
    return true;
  }

  private currentIndex(): BindingIndex {
    const roleBindingChanges = this.roleBindings.changes;
    const clusterRoleBindingChanges = this.clusterRoleBindings.changes;
    const current = this.index;
    if (current && current.roleBindingChanges === roleBindingChanges && current.clusterRoleBindingChanges === clusterRoleBindingChanges) return current;
    const cluster = new Map<string, ClusterRoleBinding[]>();
    for (const obj of this.clusterRoleBindings.objects.values()) {
      const b = obj as unknown as ClusterRoleBinding;
      for (const s of b.subjects ?? []) {
        const key = subjectKey(s, '');
        if (key !== undefined) push(cluster, key, b);
      }
    }
    const namespaced = new Map<string, Map<string, RoleBinding[]>>();
    for (const obj of this.roleBindings.objects.values()) {
      const b = obj as unknown as RoleBinding;
      const ns = b.metadata!.namespace!;
      let bySubject = namespaced.get(ns);
      if (!bySubject) namespaced.set(ns, (bySubject = new Map()));
      for (const s of b.subjects ?? []) {
        const key = subjectKey(s, ns);
        if (key !== undefined) push(bySubject, key, b);
      }
    }
    this.index = { roleBindingChanges, clusterRoleBindingChanges, cluster, namespaced };
    return this.index;
  }
}
