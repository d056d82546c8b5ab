// Reconciliation of bootstrap roles and bindings: upstream's TestComputeReconciledRoleRules,
// TestComputeReconciledRoleAggregationRules (reconcile_role_test.go), TestDiffObjectReferenceLists
// and TestComputeUpdate (reconcile_rolebindings_test.go), then cases on the real bootstrap policy
// as the "rbac/bootstrap-roles" post-start hook meets it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ClusterRole, ClusterRoleBinding, PolicyRule, Subject } from 'kubernetes-types/rbac/v1.js';
import {
  aggregationRuleCovers,
  clusterRoleBindings,
  clusterRoles,
  controllerRoles,
  diffSubjectLists,
  namespaceRoleBindings,
  namespaceRoles,
  reconcileBinding,
  reconcileRole,
  semanticEqual,
} from '../../../src/auth/rbac/bootstrap/index.js';

type SS = Record<string, string>;

function role(rules: PolicyRule[], labels?: SS, annotations?: SS): ClusterRole {
  const metadata: ClusterRole['metadata'] = {};
  if (labels) metadata.labels = labels;
  if (annotations) metadata.annotations = annotations;
  return { metadata, rules };
}

const rules = (...resources: string[]): PolicyRule[] => resources.map((r) => ({ apiGroups: [''], verbs: ['get'], resources: [r] }));

function assertSemantic(actual: unknown, expected: unknown, message: string): void {
  assert.ok(semanticEqual(actual, expected), `${message}:\nexpected ${JSON.stringify(expected)}\n     got ${JSON.stringify(actual)}`);
}

test('upstream TestComputeReconciledRoleRules', () => {
  type Case = { expected: ClusterRole; actual: ClusterRole; removeExtra: boolean; reconciled?: ClusterRole };
  const cases: Record<string, Case> = {
    'empty': { expected: role(rules()), actual: role(rules()), removeExtra: true },
    'match without union': { expected: role(rules('a')), actual: role(rules('a')), removeExtra: true },
    'match with union': { expected: role(rules('a')), actual: role(rules('a')), removeExtra: false },
    'different rules without union': { expected: role(rules('a')), actual: role(rules('b')), removeExtra: true, reconciled: role(rules('a')) },
    'different rules with union': { expected: role(rules('a')), actual: role(rules('b')), removeExtra: false, reconciled: role(rules('b', 'a')) },
    'match labels without union': { expected: role(rules('a'), { 1: 'a' }), actual: role(rules('a'), { 1: 'a' }), removeExtra: true },
    'match labels with union': { expected: role(rules('a'), { 1: 'a' }), actual: role(rules('a'), { 1: 'a' }), removeExtra: false },
    'different labels without union': { expected: role(rules('a'), { 1: 'a' }), actual: role(rules('a'), { 2: 'b' }), removeExtra: true, reconciled: role(rules('a'), { 1: 'a', 2: 'b' }) },
    'different labels with union': { expected: role(rules('a'), { 1: 'a' }), actual: role(rules('a'), { 2: 'b' }), removeExtra: false, reconciled: role(rules('a'), { 1: 'a', 2: 'b' }) },
    'different labels and rules without union': { expected: role(rules('a'), { 1: 'a' }), actual: role(rules('b'), { 2: 'b' }), removeExtra: true, reconciled: role(rules('a'), { 1: 'a', 2: 'b' }) },
    'different labels and rules with union': { expected: role(rules('a'), { 1: 'a' }), actual: role(rules('b'), { 2: 'b' }), removeExtra: false, reconciled: role(rules('b', 'a'), { 1: 'a', 2: 'b' }) },
    'conflicting labels and rules without union': { expected: role(rules('a'), { 1: 'a' }), actual: role(rules('b'), { 1: 'b' }), removeExtra: true, reconciled: role(rules('a'), { 1: 'b' }) },
    'conflicting labels and rules with union': { expected: role(rules('a'), { 1: 'a' }), actual: role(rules('b'), { 1: 'b' }), removeExtra: false, reconciled: role(rules('b', 'a'), { 1: 'b' }) },
    'match annotations without union': { expected: role(rules('a'), undefined, { 1: 'a' }), actual: role(rules('a'), undefined, { 1: 'a' }), removeExtra: true },
    'match annotations with union': { expected: role(rules('a'), undefined, { 1: 'a' }), actual: role(rules('a'), undefined, { 1: 'a' }), removeExtra: false },
    'different annotations without union': { expected: role(rules('a'), undefined, { 1: 'a' }), actual: role(rules('a'), undefined, { 2: 'b' }), removeExtra: true, reconciled: role(rules('a'), undefined, { 1: 'a', 2: 'b' }) },
    'different annotations with union': { expected: role(rules('a'), undefined, { 1: 'a' }), actual: role(rules('a'), undefined, { 2: 'b' }), removeExtra: false, reconciled: role(rules('a'), undefined, { 1: 'a', 2: 'b' }) },
    'different annotations and rules without union': { expected: role(rules('a'), undefined, { 1: 'a' }), actual: role(rules('b'), undefined, { 2: 'b' }), removeExtra: true, reconciled: role(rules('a'), undefined, { 1: 'a', 2: 'b' }) },
    'different annotations and rules with union': { expected: role(rules('a'), undefined, { 1: 'a' }), actual: role(rules('b'), undefined, { 2: 'b' }), removeExtra: false, reconciled: role(rules('b', 'a'), undefined, { 1: 'a', 2: 'b' }) },
    'conflicting annotations and rules without union': { expected: role(rules('a'), undefined, { 1: 'a' }), actual: role(rules('b'), undefined, { 1: 'b' }), removeExtra: true, reconciled: role(rules('a'), undefined, { 1: 'b' }) },
    'conflicting annotations and rules with union': { expected: role(rules('a'), undefined, { 1: 'a' }), actual: role(rules('b'), undefined, { 1: 'b' }), removeExtra: false, reconciled: role(rules('b', 'a'), undefined, { 1: 'b' }) },
    'conflicting labels/annotations and rules without union': {
      expected: role(rules('a'), { 3: 'd' }, { 1: 'a' }), actual: role(rules('b'), { 4: 'e' }, { 1: 'b' }), removeExtra: true,
      reconciled: role(rules('a'), { 3: 'd', 4: 'e' }, { 1: 'b' }),
    },
    'conflicting labels/annotations and rules with union': {
      expected: role(rules('a'), { 3: 'd' }, { 1: 'a' }), actual: role(rules('b'), { 4: 'e' }, { 1: 'b' }), removeExtra: false,
      reconciled: role(rules('b', 'a'), { 3: 'd', 4: 'e' }, { 1: 'b' }),
    },
    'complex labels/annotations and rules without union': {
      expected: role(rules('pods', 'nodes', 'secrets'), { env: 'prod', color: 'blue' }, { description: 'fancy', system: 'true' }),
      actual: role(rules('nodes', 'images', 'projects'), { color: 'red', team: 'pm' }, { system: 'false', owner: 'admin', vip: 'yes' }),
      removeExtra: true,
      reconciled: role(rules('pods', 'nodes', 'secrets'), { env: 'prod', color: 'red', team: 'pm' }, { description: 'fancy', system: 'false', owner: 'admin', vip: 'yes' }),
    },
    'complex labels/annotations and rules with union': {
      expected: role(rules('pods', 'nodes', 'secrets'), { env: 'prod', color: 'blue', manager: 'randy' }, { description: 'fancy', system: 'true', up: 'true' }),
      actual: role(rules('nodes', 'images', 'projects'), { color: 'red', team: 'pm' }, { system: 'false', owner: 'admin', vip: 'yes', rate: 'down' }),
      removeExtra: false,
      reconciled: role(rules('nodes', 'images', 'projects', 'pods', 'secrets'), { env: 'prod', manager: 'randy', color: 'red', team: 'pm' },
        { description: 'fancy', system: 'false', owner: 'admin', vip: 'yes', rate: 'down', up: 'true' }),
    },
  };
  for (const [name, tc] of Object.entries(cases)) {
    const before = structuredClone(tc.actual);
    const result = reconcileRole(tc.actual, tc.expected, { removeExtraPermissions: tc.removeExtra });
    assert.deepEqual(tc.actual, before, `${name}: the existing object is not modified`);
    assert.equal(result.action, tc.reconciled ? 'update' : 'none', name);
    if (tc.reconciled) assertSemantic(result.object, tc.reconciled, name);
    else assert.equal(result.object, undefined, name);
  }
});

function aggregatedRole(aggregationRule?: ClusterRole['aggregationRule']): ClusterRole {
  return aggregationRule === undefined ? {} : { aggregationRule };
}
const aggregationRule = (...selectors: SS[]): ClusterRole['aggregationRule'] => ({ clusterRoleSelectors: selectors.map((matchLabels) => ({ matchLabels })) });

test('upstream TestComputeReconciledRoleAggregationRules', () => {
  type Case = { expected: ClusterRole; actual: ClusterRole; removeExtra: boolean; reconciled?: ClusterRole };
  const withRules = (r: ClusterRole, ruleList: PolicyRule[]): ClusterRole => ({ ...r, rules: ruleList });
  const cases: Record<string, Case> = {
    'empty': { expected: aggregatedRole({}), actual: aggregatedRole(), removeExtra: true },
    'empty-2': { expected: aggregatedRole({}), actual: aggregatedRole({}), removeExtra: true },
    'match without union': { expected: aggregatedRole(aggregationRule({ foo: 'bar' })), actual: aggregatedRole(aggregationRule({ foo: 'bar' })), removeExtra: true },
    'match with union': { expected: aggregatedRole(aggregationRule({ foo: 'bar' })), actual: aggregatedRole(aggregationRule({ foo: 'bar' })), removeExtra: false },
    'different rules without union': {
      expected: aggregatedRole(aggregationRule({ foo: 'bar' })), actual: aggregatedRole(aggregationRule({ alpha: 'bravo' })), removeExtra: true,
      reconciled: aggregatedRole(aggregationRule({ foo: 'bar' })),
    },
    'different rules with union': {
      expected: aggregatedRole(aggregationRule({ foo: 'bar' })), actual: aggregatedRole(aggregationRule({ alpha: 'bravo' })), removeExtra: false,
      reconciled: aggregatedRole(aggregationRule({ alpha: 'bravo' }, { foo: 'bar' })),
    },
    'unexpected aggregation': {
      expected: role(rules('pods', 'nodes', 'secrets')), actual: aggregatedRole(aggregationRule({ alpha: 'bravo' })), removeExtra: false,
      reconciled: role(rules('pods', 'nodes', 'secrets')),
    },
    'unexpected aggregation with differing permissions': {
      expected: role(rules('pods', 'nodes', 'secrets')), actual: withRules(aggregatedRole(aggregationRule({ alpha: 'bravo' })), rules('deployments')), removeExtra: false,
      reconciled: role(rules('deployments', 'pods', 'nodes', 'secrets')),
    },
  };
  for (const [name, tc] of Object.entries(cases)) {
    const result = reconcileRole(tc.actual, tc.expected, { removeExtraPermissions: tc.removeExtra });
    assert.equal(result.action, tc.reconciled ? 'update' : 'none', name);
    if (tc.reconciled) assertSemantic(result.object, tc.reconciled, name);
  }
});

test('aggregationRuleCovers', () => {
  assert.deepEqual(aggregationRuleCovers(undefined, undefined), { covered: true, uncovered: [] });
  assert.deepEqual(aggregationRuleCovers(aggregationRule({ a: 'b' }), undefined), { covered: true, uncovered: [] });
  assert.deepEqual(aggregationRuleCovers(undefined, aggregationRule({ a: 'b' })), { covered: false, uncovered: [{ matchLabels: { a: 'b' } }] });
  // semantic equality: an empty matchExpressions list is no matchExpressions
  assert.deepEqual(aggregationRuleCovers({ clusterRoleSelectors: [{ matchLabels: { a: 'b' }, matchExpressions: [] }] }, aggregationRule({ a: 'b' })).covered, true);
  assert.deepEqual(aggregationRuleCovers(aggregationRule({ a: 'b' }), aggregationRule({ a: 'c' })).uncovered, [{ matchLabels: { a: 'c' } }]);
});

const subjects = (...names: string[]): Subject[] => names.map((name) => ({ kind: '', name }));

test('upstream TestDiffObjectReferenceLists', () => {
  const cases: Record<string, [Subject[], Subject[], Subject[], Subject[]]> = {
    'empty': [[], [], [], []],
    'matching, order-independent': [subjects('foo', 'bar'), subjects('bar', 'foo'), [], []],
    'partial match': [subjects('foo', 'bar'), subjects('foo', 'baz'), subjects('bar'), subjects('baz')],
    'missing': [subjects('foo'), subjects('bar'), subjects('foo'), subjects('bar')],
    'remove duplicates': [subjects('foo', 'foo'), subjects('bar', 'bar'), subjects('foo'), subjects('bar')],
  };
  for (const [name, [a, b, onlyA, onlyB]] of Object.entries(cases)) {
    assert.deepEqual(diffSubjectLists(a, b), { only1: onlyA, only2: onlyB }, name);
  }
  // every field of the subject counts; an absent apiGroup or namespace is the empty string
  const sa: Subject = { kind: 'ServiceAccount', name: 'x', namespace: 'a' };
  assert.equal(diffSubjectLists([sa], [{ ...sa, namespace: 'b' }]).only1.length, 1);
  assert.equal(diffSubjectLists([sa], [{ ...sa, apiGroup: '' }]).only1.length, 0);
  assert.equal(diffSubjectLists([{ kind: 'User', name: 'u' }], [{ kind: 'User', name: 'u', apiGroup: 'rbac.authorization.k8s.io' }]).only1.length, 1);
});

test('upstream TestComputeUpdate', () => {
  const binding = (roleName: string, subs: Subject[]): ClusterRoleBinding => ({ roleRef: { apiGroup: '', kind: '', name: roleName }, subjects: subs });
  type Case = { expected: ClusterRoleBinding; actual: ClusterRoleBinding; removeExtra: boolean; updated?: ClusterRoleBinding; action?: string };
  const cases: Record<string, Case> = {
    'match without union': { expected: binding('role', subjects('a')), actual: binding('role', subjects('a')), removeExtra: true },
    'match with union': { expected: binding('role', subjects('a')), actual: binding('role', subjects('a')), removeExtra: false },
    'different roleref with identical subjects': {
      expected: binding('role', subjects('a')), actual: binding('differentRole', subjects('a')), removeExtra: false,
      updated: binding('role', subjects('a')), action: 'recreate',
    },
    'extra subjects without union': { expected: binding('role', subjects('a')), actual: binding('role', subjects('a', 'b')), removeExtra: true, updated: binding('role', subjects('a')) },
    'extra subjects with union': { expected: binding('role', subjects('a')), actual: binding('role', subjects('a', 'b')), removeExtra: false },
    'missing subjects without union': { expected: binding('role', subjects('a', 'c')), actual: binding('role', subjects('a', 'b')), removeExtra: true, updated: binding('role', subjects('a', 'c')) },
    'missing subjects with union': { expected: binding('role', subjects('a', 'c')), actual: binding('role', subjects('a', 'b')), removeExtra: false, updated: binding('role', subjects('a', 'b', 'c')) },
  };
  for (const [name, tc] of Object.entries(cases)) {
    const result = reconcileBinding(tc.actual, tc.expected, { removeExtraSubjects: tc.removeExtra });
    assert.equal(result.action, tc.updated ? (tc.action ?? 'update') : 'none', name);
    if (tc.updated) assertSemantic(result.object, tc.updated, name);
  }
});

// What the post-start hook meets on a running cluster.

const find = <T extends { metadata?: { name?: string } }>(list: T[], name: string): T => list.find((o) => o.metadata?.name === name)!;

/** As the API server returns an object: with uid, resourceVersion and creationTimestamp. */
function stored<T extends { metadata?: object }>(obj: T, uid = 'uid-1'): T {
  const copy = structuredClone(obj);
  copy.metadata = { ...copy.metadata, uid, resourceVersion: '42', creationTimestamp: '2025-01-01T00:00:00Z' };
  return copy;
}

test('a missing role or binding is created as expected', () => {
  const admin = find(clusterRoles(), 'cluster-admin');
  const result = reconcileRole(undefined, admin);
  assert.equal(result.action, 'create');
  assert.deepEqual(result.object, admin);
  assert.notEqual(result.object, admin, 'a copy');
  assert.deepEqual(result.missingRules, admin.rules);

  const view = find(clusterRoles(), 'view');
  const created = reconcileRole(undefined, view);
  assert.equal(created.action, 'create');
  assert.deepEqual(created.missingAggregationRuleSelectors, view.aggregationRule!.clusterRoleSelectors);

  const binding = find(clusterRoleBindings(), 'system:discovery');
  const b = reconcileBinding(undefined, binding);
  assert.equal(b.action, 'create');
  assert.deepEqual(b.object, binding);
  assert.deepEqual(b.missingSubjects, binding.subjects);
});

test('an unchanged bootstrap object needs nothing', () => {
  const policyRoles = [...clusterRoles(), ...controllerRoles()];
  for (const r of policyRoles) assert.equal(reconcileRole(stored(r), r).action, 'none', r.metadata!.name);
  for (const b of clusterRoleBindings()) assert.equal(reconcileBinding(stored(b), b).action, 'none', b.metadata!.name);
  for (const [, list] of Object.entries(namespaceRoles())) for (const r of list) assert.equal(reconcileRole(stored(r), r).action, 'none');
  for (const [, list] of Object.entries(namespaceRoleBindings())) for (const b of list) assert.equal(reconcileBinding(stored(b), b).action, 'none');
});

test('a role from an older release gains the missing permissions, keeping what it had', () => {
  const expected = find(clusterRoles(), 'system:node-proxier');
  // system:node-proxier as 1.16 created it, plus a label and a rule an admin added
  const old: ClusterRole = stored({
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'ClusterRole',
    metadata: { name: 'system:node-proxier', labels: { 'kubernetes.io/bootstrapping': 'rbac-defaults', team: 'net' }, annotations: { 'rbac.authorization.kubernetes.io/autoupdate': 'true' } },
    rules: [
      { apiGroups: [''], resources: ['endpoints', 'services'], verbs: ['list', 'watch'] },
      { apiGroups: [''], resources: ['nodes'], verbs: ['get'] },
      { apiGroups: [''], resources: ['events'], verbs: ['create', 'patch', 'update'] },
      { apiGroups: ['discovery.k8s.io'], resources: ['endpointslices'], verbs: ['list', 'watch'] },
      { apiGroups: [''], resources: ['configmaps'], verbs: ['get'] },
    ],
  });
  const result = reconcileRole(old, expected);
  assert.equal(result.action, 'update');
  assert.equal(result.protected, false);
  // Covers' missing rules, one verb/group/resource each, appended as they are
  assert.deepEqual(result.missingRules, [
    { apiGroups: [''], resources: ['nodes'], verbs: ['list'] },
    { apiGroups: [''], resources: ['nodes'], verbs: ['watch'] },
    { apiGroups: ['events.k8s.io'], resources: ['events'], verbs: ['create'] },
    { apiGroups: ['events.k8s.io'], resources: ['events'], verbs: ['patch'] },
    { apiGroups: ['events.k8s.io'], resources: ['events'], verbs: ['update'] },
  ]);
  assert.deepEqual(result.extraRules, [{ apiGroups: [''], resources: ['configmaps'], verbs: ['get'] }]);
  assert.deepEqual(result.object!.rules, [...old.rules!, ...result.missingRules]);
  assert.deepEqual(result.object!.metadata, old.metadata, 'uid, resourceVersion, labels and annotations kept');

  // with --remove-extra-permissions the rules become the expected ones
  const stomped = reconcileRole(old, expected, { removeExtraPermissions: true });
  assert.equal(stomped.action, 'update');
  assert.deepEqual(stomped.object!.rules, expected.rules);
});

test('labels and annotations: the expected ones are added, the existing values win', () => {
  const expected = find(clusterRoles(), 'system:kube-dns');
  const existing = stored({ ...expected, metadata: { name: 'system:kube-dns', labels: { 'kubernetes.io/bootstrapping': 'mine' } } });
  const result = reconcileRole(existing, expected);
  assert.equal(result.action, 'update');
  assert.deepEqual(result.object!.metadata!.labels, { 'kubernetes.io/bootstrapping': 'mine' });
  assert.deepEqual(result.object!.metadata!.annotations, { 'rbac.authorization.kubernetes.io/autoupdate': 'true' });
  assert.deepEqual(result.missingRules, []);
});

test('autoupdate "false" opts a role or binding out', () => {
  const expected = find(clusterRoles(), 'system:node-proxier');
  const existing = stored({ ...expected, rules: [], metadata: { ...expected.metadata, annotations: { 'rbac.authorization.kubernetes.io/autoupdate': 'false' } } });
  const result = reconcileRole(existing, expected);
  assert.equal(result.action, 'none');
  assert.equal(result.protected, true);
  assert.equal(result.skippedAction, 'update');
  assert.equal(result.object, undefined);
  assert.equal(result.missingRules.length, 15, 'reported (broken down) for the warning upstream logs');

  // protected and already complete: nothing skipped
  const complete = reconcileRole(stored({ ...existing, rules: expected.rules }), expected);
  assert.deepEqual([complete.action, complete.protected, complete.skippedAction], ['none', true, undefined]);

  const binding = find(clusterRoleBindings(), 'system:public-info-viewer');
  const protectedBinding = stored({ ...binding, subjects: [], metadata: { ...binding.metadata, annotations: { 'rbac.authorization.kubernetes.io/autoupdate': 'false' } } });
  const b = reconcileBinding(protectedBinding, binding);
  assert.deepEqual([b.action, b.protected, b.skippedAction], ['none', true, 'update']);
  assert.deepEqual(b.missingSubjects, binding.subjects);

  const otherRole = stored({ ...protectedBinding, roleRef: { ...binding.roleRef, name: 'view' } });
  const r = reconcileBinding(otherRole, binding);
  assert.deepEqual([r.action, r.protected, r.skippedAction], ['none', true, 'recreate']);
});

test('aggregated roles: rules are left to the aggregation controller, selectors are united', () => {
  const expected = find(clusterRoles(), 'view');
  // as the clusterrole-aggregation controller leaves it
  const aggregated = stored({ ...expected, rules: find(clusterRoles(), 'system:aggregate-to-view').rules });
  const result = reconcileRole(aggregated, expected);
  assert.equal(result.action, 'none');
  assert.deepEqual(result.extraRules, [], 'extra rules are not computed when both are aggregated');

  const custom = stored({ ...aggregated, aggregationRule: { clusterRoleSelectors: [{ matchLabels: { 'example.com/aggregate-to-view': 'true' } }] } });
  const united = reconcileRole(custom, expected);
  assert.equal(united.action, 'update');
  assert.deepEqual(united.object!.aggregationRule, {
    clusterRoleSelectors: [
      { matchLabels: { 'example.com/aggregate-to-view': 'true' } },
      { matchLabels: { 'rbac.authorization.k8s.io/aggregate-to-view': 'true' } },
    ],
  });
  assert.deepEqual(united.object!.rules, aggregated.rules, 'rules untouched');

  // an admin role from before aggregation (1.8) becomes aggregated, its rules kept
  const oldAdmin = stored({ ...expected, metadata: { ...find(clusterRoles(), 'admin').metadata }, aggregationRule: undefined, rules: [{ apiGroups: [''], resources: ['pods'], verbs: ['get'] }] });
  const admin = find(clusterRoles(), 'admin');
  const upgraded = reconcileRole(oldAdmin, admin);
  assert.equal(upgraded.action, 'update');
  assert.deepEqual(upgraded.object!.aggregationRule, admin.aggregationRule);
  assert.deepEqual(upgraded.object!.rules, oldAdmin.rules);
});

test('bindings: missing subjects are added, a changed roleRef means delete and create', () => {
  const expected = find(clusterRoleBindings(), 'system:public-info-viewer');
  const authenticatedOnly = stored({ ...expected, subjects: [expected.subjects![0], { apiGroup: 'rbac.authorization.k8s.io', kind: 'User', name: 'alice' }] });
  const result = reconcileBinding(authenticatedOnly, expected);
  assert.equal(result.action, 'update');
  assert.deepEqual(result.missingSubjects, [expected.subjects![1]]);
  assert.deepEqual(result.extraSubjects, [{ apiGroup: 'rbac.authorization.k8s.io', kind: 'User', name: 'alice' }]);
  assert.deepEqual(result.object!.subjects, [...authenticatedOnly.subjects!, expected.subjects![1]]);
  assert.equal(result.object!.metadata!.uid, 'uid-1');

  const stomped = reconcileBinding(authenticatedOnly, expected, { removeExtraSubjects: true });
  assert.deepEqual(stomped.object!.subjects, expected.subjects);

  const wrongRole = stored({ ...expected, roleRef: { ...expected.roleRef, name: 'system:discovery' } });
  const recreate = reconcileBinding(wrongRole, expected);
  assert.equal(recreate.action, 'recreate');
  assert.deepEqual(recreate.object, expected, 'the expected binding, as is');
  // roleRef kind counts too
  assert.equal(reconcileBinding(stored({ ...expected, roleRef: { ...expected.roleRef, kind: 'Role' } }), expected).action, 'recreate');
});

test('namespaced roles and bindings reconcile the same way', () => {
  const expected = find(namespaceRoles()['kube-system'], 'system::leader-locking-kube-scheduler');
  // before leases and lease candidates were added
  const old = stored({ ...expected, rules: expected.rules!.slice(0, 2) });
  const result = reconcileRole(old, expected);
  assert.equal(result.action, 'update');
  assert.equal(result.object!.kind, 'Role');
  assert.equal(result.object!.metadata!.namespace, 'kube-system');
  assert.equal(result.missingRules.length, 10);
  assert.deepEqual(result.object!.rules!.slice(0, 2), old.rules);

  const binding = find(namespaceRoleBindings()['kube-system'], 'system::leader-locking-kube-controller-manager');
  const oldBinding = stored({ ...binding, subjects: binding.subjects!.slice(0, 2) });
  const b = reconcileBinding(oldBinding, binding);
  assert.equal(b.action, 'update');
  assert.deepEqual(b.missingSubjects, [{ kind: 'ServiceAccount', name: 'leader-election-controller', namespace: 'kube-system' }]);
});

test('semanticEqual treats absent, null and empty alike', () => {
  assert.ok(semanticEqual(undefined, {}));
  assert.ok(semanticEqual(null, []));
  assert.ok(semanticEqual({ a: [] }, {}));
  assert.ok(semanticEqual({ a: 1, b: { c: 'x' } }, { b: { c: 'x' }, a: 1 }));
  assert.ok(!semanticEqual({ a: '' }, {}));
  assert.ok(!semanticEqual(['a', 'b'], ['b', 'a']));
});
