// Small builders for the bootstrap policy data, after upstream's pkg/apis/rbac/v1/helpers.go
// (NewRule(...).Groups(...).Resources(...).Names(...).URLs(...), NewClusterBinding, NewRoleBinding)
// and bootstrappolicy's addDefaultMetadata. Like upstream's RuleOrDie, a rule's lists come out
// sorted (groups, resources, names and URLs also de-duplicated), which is how the objects appear
// in upstream's testdata and in a running cluster.
import type { ObjectMeta } from 'kubernetes-types/meta/v1.js';
import type { ClusterRole, ClusterRoleBinding, PolicyRule, Role, RoleBinding, Subject } from 'kubernetes-types/rbac/v1.js';

export const RBAC_API_GROUP = 'rbac.authorization.k8s.io';
export const RBAC_API_VERSION = 'rbac.authorization.k8s.io/v1';

/** rbacv1.AutoUpdateAnnotationKey: "false" opts an object out of reconciliation at API server start. */
export const AUTOUPDATE_ANNOTATION = 'rbac.authorization.kubernetes.io/autoupdate';
/** bootstrappolicy.Label: set on every bootstrap object. */
export const BOOTSTRAPPING_LABEL = 'kubernetes.io/bootstrapping';
export const BOOTSTRAPPING_LABEL_VALUE = 'rbac-defaults';

export const AGGREGATE_TO_ADMIN = 'rbac.authorization.k8s.io/aggregate-to-admin';
export const AGGREGATE_TO_EDIT = 'rbac.authorization.k8s.io/aggregate-to-edit';
export const AGGREGATE_TO_VIEW = 'rbac.authorization.k8s.io/aggregate-to-view';

// Verb sets of bootstrappolicy (order is irrelevant: rule() sorts).
export const READ = ['get', 'list', 'watch'] as const;
export const READ_WRITE = ['get', 'list', 'watch', 'create', 'update', 'patch', 'delete', 'deletecollection'] as const;
export const WRITE = ['create', 'update', 'patch', 'delete', 'deletecollection'] as const;
export const READ_UPDATE = ['get', 'list', 'watch', 'update', 'patch'] as const;

// API groups, named as in bootstrappolicy.
export const LEGACY = '';
export const APPS = 'apps';
export const AUTHENTICATION = 'authentication.k8s.io';
export const AUTHORIZATION = 'authorization.k8s.io';
export const AUTOSCALING = 'autoscaling';
export const BATCH = 'batch';
export const CERTIFICATES = 'certificates.k8s.io';
export const COORDINATION = 'coordination.k8s.io';
export const DISCOVERY = 'discovery.k8s.io';
export const EXTENSIONS = 'extensions';
export const POLICY = 'policy';
export const RBAC = RBAC_API_GROUP;
export const STORAGE = 'storage.k8s.io';
export const NETWORKING = 'networking.k8s.io';
export const EVENTS = 'events.k8s.io';
export const NODE = 'node.k8s.io';
export const ADMISSION_REGISTRATION = 'admissionregistration.k8s.io';

type Strings = readonly string[];

/** Go's sort.Strings (byte order; every name here is ASCII, where that is JS's default order). */
const sorted = (list: Strings): string[] => [...list].sort();
/** upstream's combine(): a set, listed sorted. */
const set = (list: Strings): string[] => [...new Set(list)].sort();

/** NewRule(verbs...).Groups(groups...).Resources(resources...)[.Names(names...)].RuleOrDie() */
export function rule(verbs: Strings, apiGroups: Strings, resources: Strings, resourceNames?: Strings): PolicyRule {
  const r: PolicyRule = { verbs: sorted(verbs), apiGroups: set(apiGroups), resources: set(resources) };
  if (resourceNames !== undefined) r.resourceNames = set(resourceNames);
  return r;
}

/** NewRule(verbs...).URLs(urls...).RuleOrDie() */
export function urlRule(verbs: Strings, nonResourceURLs: Strings): PolicyRule {
  return { verbs: sorted(verbs), nonResourceURLs: set(nonResourceURLs) };
}

/** bootstrappolicy's eventsRule(): write events in both the core and events.k8s.io groups. */
export function eventsRule(): PolicyRule {
  return rule(['create', 'update', 'patch'], [LEGACY, EVENTS], ['events']);
}

/** addDefaultMetadata: the rbac-defaults label and the autoupdate annotation, over any labels given. */
export function defaultMetadata(name: string, labels?: Record<string, string>, namespace?: string): ObjectMeta {
  const meta: ObjectMeta = {
    name,
    labels: { ...labels, [BOOTSTRAPPING_LABEL]: BOOTSTRAPPING_LABEL_VALUE },
    annotations: { [AUTOUPDATE_ANNOTATION]: 'true' },
  };
  if (namespace !== undefined) meta.namespace = namespace;
  return meta;
}

export function clusterRole(name: string, rules: PolicyRule[], labels?: Record<string, string>): ClusterRole {
  return { apiVersion: RBAC_API_VERSION, kind: 'ClusterRole', metadata: defaultMetadata(name, labels), rules };
}

/**
 * A ClusterRole whose rules the clusterrole-aggregation controller fills from the ClusterRoles
 * labelled `<selectorLabel>: "true"`. Upstream's testdata shows `rules: null`; here rules are
 * absent, which is the same object once serialized without the field.
 */
export function aggregatedClusterRole(name: string, selectorLabel: string, labels?: Record<string, string>): ClusterRole {
  return {
    apiVersion: RBAC_API_VERSION,
    kind: 'ClusterRole',
    metadata: defaultMetadata(name, labels),
    aggregationRule: { clusterRoleSelectors: [{ matchLabels: { [selectorLabel]: 'true' } }] },
  };
}

export function role(namespace: string, name: string, rules: PolicyRule[]): Role {
  return { apiVersion: RBAC_API_VERSION, kind: 'Role', metadata: defaultMetadata(name, undefined, namespace), rules };
}

// Subjects as the API server stores them: User and Group default to the rbac API group,
// ServiceAccount has none (upstream's SetDefaults_Subject).
export const user = (name: string): Subject => ({ kind: 'User', apiGroup: RBAC_API_GROUP, name });
export const group = (name: string): Subject => ({ kind: 'Group', apiGroup: RBAC_API_GROUP, name });
export const serviceAccount = (namespace: string, name: string): Subject => ({ kind: 'ServiceAccount', name, namespace });

/** NewClusterBinding(roleName).…BindingOrDie() with default metadata; the binding is named after the role. */
export function clusterRoleBinding(roleName: string, subjects: Subject[]): ClusterRoleBinding {
  const binding: ClusterRoleBinding = {
    apiVersion: RBAC_API_VERSION,
    kind: 'ClusterRoleBinding',
    metadata: defaultMetadata(roleName),
    roleRef: { apiGroup: RBAC_API_GROUP, kind: 'ClusterRole', name: roleName },
  };
  if (subjects.length > 0) binding.subjects = subjects;
  return binding;
}

/** NewRoleBinding(roleName, namespace).…BindingOrDie() with default metadata, optionally renamed. */
export function roleBinding(namespace: string, roleName: string, subjects: Subject[], name = roleName): RoleBinding {
  const binding: RoleBinding = {
    apiVersion: RBAC_API_VERSION,
    kind: 'RoleBinding',
    metadata: defaultMetadata(name, undefined, namespace),
    roleRef: { apiGroup: RBAC_API_GROUP, kind: 'Role', name: roleName },
  };
  if (subjects.length > 0) binding.subjects = subjects;
  return binding;
}
