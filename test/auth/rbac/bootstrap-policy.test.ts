// The bootstrap policy data against facts of upstream's testdata for Kubernetes 1.32
// (plugin/pkg/auth/authorizer/rbac/bootstrappolicy/testdata/*.yaml, default feature gates), and
// kubeadm's bootstrap-token bindings (cmd/kubeadm/app/phases/bootstraptoken/node/tlsbootstrap.go).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ClusterRole, ClusterRoleBinding, PolicyRule } from 'kubernetes-types/rbac/v1.js';
import {
  bootstrapPolicy,
  clusterRoleBindings,
  clusterRoles,
  controllerRoleBindings,
  controllerRoles,
  kubeadmClusterRoleBindings,
  namespaceRoleBindings,
  namespaceRoles,
} from '../../../src/auth/rbac/bootstrap/index.js';
import { authenticateBootstrapToken } from '../../../src/auth/bootstrap/authenticate.js';
import { newTokenSecret } from '../../../src/auth/bootstrap/token.js';
import { covers } from '../../../src/auth/rbac/rules.js';

const DEFAULTS = { labels: { 'kubernetes.io/bootstrapping': 'rbac-defaults' }, annotations: { 'rbac.authorization.kubernetes.io/autoupdate': 'true' } };

function find<T extends { metadata?: { name?: string } }>(list: T[], name: string): T {
  const found = list.find((o) => o.metadata?.name === name);
  assert.ok(found, `${name} not found`);
  return found;
}

const names = (list: { metadata?: { name?: string } }[]) => list.map((o) => o.metadata!.name!);

test('counts and names match the testdata', () => {
  const roles = clusterRoles();
  assert.equal(roles.length, 31);
  assert.deepEqual(names(roles), [
    'admin', 'cluster-admin', 'edit',
    'system:aggregate-to-admin', 'system:aggregate-to-edit', 'system:aggregate-to-view',
    'system:auth-delegator', 'system:basic-user',
    'system:certificates.k8s.io:certificatesigningrequests:nodeclient',
    'system:certificates.k8s.io:certificatesigningrequests:selfnodeclient',
    'system:certificates.k8s.io:kube-apiserver-client-approver',
    'system:certificates.k8s.io:kube-apiserver-client-kubelet-approver',
    'system:certificates.k8s.io:kubelet-serving-approver',
    'system:certificates.k8s.io:legacy-unknown-approver',
    'system:discovery', 'system:heapster', 'system:kube-aggregator', 'system:kube-controller-manager',
    'system:kube-dns', 'system:kube-scheduler', 'system:kubelet-api-admin', 'system:monitoring',
    'system:node', 'system:node-bootstrapper', 'system:node-problem-detector', 'system:node-proxier',
    'system:persistent-volume-provisioner', 'system:public-info-viewer',
    'system:service-account-issuer-discovery', 'system:volume-scheduler', 'view',
  ]);
  assert.equal(clusterRoleBindings().length, 12);
  assert.equal(controllerRoles().length, 33);
  assert.equal(controllerRoleBindings().length, 33);
  const nsRoles = namespaceRoles();
  assert.deepEqual(Object.keys(nsRoles).sort(), ['kube-public', 'kube-system']);
  assert.equal(nsRoles['kube-public'].length, 1);
  assert.equal(nsRoles['kube-system'].length, 6);
  const nsBindings = namespaceRoleBindings();
  assert.equal(nsBindings['kube-public'].length, 1);
  assert.equal(nsBindings['kube-system'].length, 6);

  const policy = bootstrapPolicy();
  assert.equal(policy.clusterRoles.length, 64);
  assert.equal(policy.clusterRoleBindings.length, 45);
  assert.equal(new Set(names(policy.clusterRoles)).size, 64, 'names are unique');
  assert.equal(new Set(names(policy.clusterRoleBindings)).size, 45, 'names are unique');
});

test('every bootstrap object carries the rbac-defaults label and the autoupdate annotation', () => {
  const policy = bootstrapPolicy();
  const all = [...policy.clusterRoles, ...policy.clusterRoleBindings, ...Object.values(policy.roles).flat(), ...Object.values(policy.roleBindings).flat()];
  assert.equal(all.length, 64 + 45 + 7 + 7);
  for (const o of all) {
    assert.equal(o.apiVersion, 'rbac.authorization.k8s.io/v1');
    assert.equal(o.metadata?.labels?.['kubernetes.io/bootstrapping'], 'rbac-defaults', o.metadata?.name);
    assert.deepEqual(o.metadata?.annotations, DEFAULTS.annotations, o.metadata?.name);
  }
});

test('cluster-admin can do everything', () => {
  assert.deepEqual(find(clusterRoles(), 'cluster-admin'), {
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'ClusterRole',
    metadata: { name: 'cluster-admin', ...DEFAULTS },
    rules: [
      { apiGroups: ['*'], resources: ['*'], verbs: ['*'] },
      { nonResourceURLs: ['*'], verbs: ['*'] },
    ],
  });
  assert.deepEqual(find(clusterRoleBindings(), 'cluster-admin').subjects, [{ apiGroup: 'rbac.authorization.k8s.io', kind: 'Group', name: 'system:masters' }]);
});

test('admin, edit and view are aggregated roles without rules of their own', () => {
  const roles = clusterRoles();
  const selector = (label: string) => ({ clusterRoleSelectors: [{ matchLabels: { [`rbac.authorization.k8s.io/${label}`]: 'true' } }] });
  const view = find(roles, 'view');
  assert.deepEqual(view.aggregationRule, selector('aggregate-to-view'));
  assert.equal(view.rules, undefined);
  assert.deepEqual(view.metadata?.labels, { ...DEFAULTS.labels, 'rbac.authorization.k8s.io/aggregate-to-edit': 'true' });
  const edit = find(roles, 'edit');
  assert.deepEqual(edit.aggregationRule, selector('aggregate-to-edit'));
  assert.deepEqual(edit.metadata?.labels, { ...DEFAULTS.labels, 'rbac.authorization.k8s.io/aggregate-to-admin': 'true' });
  const admin = find(roles, 'admin');
  assert.deepEqual(admin.aggregationRule, selector('aggregate-to-admin'));
  assert.deepEqual(admin.metadata?.labels, DEFAULTS.labels);
  assert.equal(roles.filter((r) => r.aggregationRule !== undefined).length, 3);
  assert.deepEqual(find(roles, 'system:aggregate-to-view').metadata?.labels, { ...DEFAULTS.labels, 'rbac.authorization.k8s.io/aggregate-to-view': 'true' });
  // what upstream's TestCovers checks once aggregated: admin ⊇ edit ⊇ view
  const rulesOf = (n: string) => find(roles, n).rules!;
  const adminRules = [...rulesOf('system:aggregate-to-admin'), ...rulesOf('system:aggregate-to-edit'), ...rulesOf('system:aggregate-to-view')];
  const editRules = [...rulesOf('system:aggregate-to-edit'), ...rulesOf('system:aggregate-to-view')];
  assert.ok(covers(adminRules, editRules).covered);
  assert.ok(covers(editRules, rulesOf('system:aggregate-to-view')).covered);
  assert.ok(!covers(rulesOf('system:aggregate-to-view'), [{ verbs: ['get'], apiGroups: [''], resources: ['secrets'] }]).covered, 'view does not read secrets');
});

test('system:node-proxier', () => {
  assert.deepEqual(find(clusterRoles(), 'system:node-proxier').rules, [
    { apiGroups: [''], resources: ['endpoints', 'services'], verbs: ['list', 'watch'] },
    { apiGroups: [''], resources: ['nodes'], verbs: ['get', 'list', 'watch'] },
    { apiGroups: ['', 'events.k8s.io'], resources: ['events'], verbs: ['create', 'patch', 'update'] },
    { apiGroups: ['discovery.k8s.io'], resources: ['endpointslices'], verbs: ['list', 'watch'] },
  ]);
  assert.deepEqual(find(clusterRoleBindings(), 'system:node-proxier').subjects, [{ apiGroup: 'rbac.authorization.k8s.io', kind: 'User', name: 'system:kube-proxy' }]);
});

test('system:kube-scheduler', () => {
  const R = ['get', 'list', 'watch'];
  const rules: PolicyRule[] = [
    { apiGroups: ['', 'events.k8s.io'], resources: ['events'], verbs: ['create', 'patch', 'update'] },
    { apiGroups: ['coordination.k8s.io'], resources: ['leases'], verbs: ['create'] },
    { apiGroups: ['coordination.k8s.io'], resources: ['leases'], resourceNames: ['kube-scheduler'], verbs: ['get', 'list', 'update', 'watch'] },
    { apiGroups: ['coordination.k8s.io'], resources: ['leasecandidates'], verbs: ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'] },
    { apiGroups: [''], resources: ['nodes'], verbs: R },
    { apiGroups: [''], resources: ['pods'], verbs: ['delete', 'get', 'list', 'watch'] },
    { apiGroups: [''], resources: ['bindings', 'pods/binding'], verbs: ['create'] },
    { apiGroups: [''], resources: ['pods/status'], verbs: ['patch', 'update'] },
    { apiGroups: [''], resources: ['replicationcontrollers', 'services'], verbs: R },
    { apiGroups: ['apps', 'extensions'], resources: ['replicasets'], verbs: R },
    { apiGroups: ['apps'], resources: ['statefulsets'], verbs: R },
    { apiGroups: ['policy'], resources: ['poddisruptionbudgets'], verbs: R },
    { apiGroups: [''], resources: ['persistentvolumeclaims', 'persistentvolumes'], verbs: R },
    { apiGroups: ['authentication.k8s.io'], resources: ['tokenreviews'], verbs: ['create'] },
    { apiGroups: ['authorization.k8s.io'], resources: ['subjectaccessreviews'], verbs: ['create'] },
    { apiGroups: ['storage.k8s.io'], resources: ['csinodes'], verbs: R },
    { apiGroups: ['storage.k8s.io'], resources: ['volumeattachments'], verbs: R },
    { apiGroups: [''], resources: ['namespaces'], verbs: R },
    { apiGroups: ['storage.k8s.io'], resources: ['csidrivers'], verbs: R },
    { apiGroups: ['storage.k8s.io'], resources: ['csistoragecapacities'], verbs: R },
  ];
  assert.deepEqual(find(clusterRoles(), 'system:kube-scheduler').rules, rules);
  const bindings = clusterRoleBindings();
  const scheduler = { apiGroup: 'rbac.authorization.k8s.io', kind: 'User', name: 'system:kube-scheduler' };
  assert.deepEqual(find(bindings, 'system:kube-scheduler').subjects, [scheduler]);
  assert.deepEqual(find(bindings, 'system:volume-scheduler').subjects, [scheduler]);
});

test('no feature-gated rules that are off by default in 1.32', () => {
  const policy = bootstrapPolicy();
  const groups = new Set(policy.clusterRoles.flatMap((r) => (r.rules ?? []).flatMap((rule) => rule.apiGroups ?? [])));
  assert.ok(!groups.has('resource.k8s.io'), 'DynamicResourceAllocation is off by default');
  assert.ok(!names(policy.clusterRoles).includes('system:controller:resource-claim-controller'));
  assert.ok(!names(policy.clusterRoles).includes('system:controller:service-cidrs-controller'));
  assert.ok(!names(policy.clusterRoles).includes('system:cluster-trust-bundle-discovery'));
  const kubeletAPIAdmin = find(policy.clusterRoles, 'system:kubelet-api-admin').rules!.flatMap((r) => r.resources ?? []);
  assert.ok(!kubeletAPIAdmin.includes('nodes/pods'), 'KubeletFineGrainedAuthz is alpha in 1.32');
});

test('discovery and public info bindings', () => {
  const bindings = clusterRoleBindings();
  const authenticated = { apiGroup: 'rbac.authorization.k8s.io', kind: 'Group', name: 'system:authenticated' };
  const unauthenticated = { apiGroup: 'rbac.authorization.k8s.io', kind: 'Group', name: 'system:unauthenticated' };
  assert.deepEqual(find(bindings, 'system:discovery'), {
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'ClusterRoleBinding',
    metadata: { name: 'system:discovery', ...DEFAULTS },
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'system:discovery' },
    subjects: [authenticated],
  });
  assert.deepEqual(find(bindings, 'system:basic-user').subjects, [authenticated]);
  assert.deepEqual(find(bindings, 'system:public-info-viewer').subjects, [authenticated, unauthenticated]);
  assert.deepEqual(find(bindings, 'system:service-account-issuer-discovery').subjects, [{ apiGroup: 'rbac.authorization.k8s.io', kind: 'Group', name: 'system:serviceaccounts' }]);
  assert.deepEqual(find(bindings, 'system:monitoring').subjects, [{ apiGroup: 'rbac.authorization.k8s.io', kind: 'Group', name: 'system:monitoring' }]);
  assert.deepEqual(find(bindings, 'system:kube-dns').subjects, [{ kind: 'ServiceAccount', name: 'kube-dns', namespace: 'kube-system' }]);
  // deprecated binding, kept without subjects
  assert.equal(find(bindings, 'system:node').subjects, undefined);
  assert.deepEqual(find(bindings, 'system:node').roleRef, { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'system:node' });

  const discovery = find(clusterRoles(), 'system:discovery');
  assert.deepEqual(discovery.rules, [{ nonResourceURLs: ['/api', '/api/*', '/apis', '/apis/*', '/healthz', '/livez', '/openapi', '/openapi/*', '/readyz', '/version', '/version/'], verbs: ['get'] }]);
  assert.deepEqual(find(clusterRoles(), 'system:public-info-viewer').rules, [{ nonResourceURLs: ['/healthz', '/livez', '/readyz', '/version', '/version/'], verbs: ['get'] }]);
});

test('system:controller:replicaset-controller and its binding', () => {
  assert.deepEqual(find(controllerRoles(), 'system:controller:replicaset-controller'), {
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'ClusterRole',
    metadata: { name: 'system:controller:replicaset-controller', ...DEFAULTS },
    rules: [
      { apiGroups: ['apps', 'extensions'], resources: ['replicasets'], verbs: ['get', 'list', 'update', 'watch'] },
      { apiGroups: ['apps', 'extensions'], resources: ['replicasets/status'], verbs: ['update'] },
      { apiGroups: ['apps', 'extensions'], resources: ['replicasets/finalizers'], verbs: ['update'] },
      { apiGroups: [''], resources: ['pods'], verbs: ['create', 'delete', 'list', 'patch', 'watch'] },
      { apiGroups: ['', 'events.k8s.io'], resources: ['events'], verbs: ['create', 'patch', 'update'] },
    ],
  });
  assert.deepEqual(find(controllerRoleBindings(), 'system:controller:replicaset-controller'), {
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'ClusterRoleBinding',
    metadata: { name: 'system:controller:replicaset-controller', ...DEFAULTS },
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'system:controller:replicaset-controller' },
    subjects: [{ kind: 'ServiceAccount', name: 'replicaset-controller', namespace: 'kube-system' }],
  });
});

test('controller roles: a few more exact facts', () => {
  const roles = controllerRoles();
  assert.deepEqual(names(roles), [
    'attachdetach-controller', 'certificate-controller', 'clusterrole-aggregation-controller', 'cronjob-controller',
    'daemon-set-controller', 'deployment-controller', 'disruption-controller', 'endpoint-controller',
    'endpointslice-controller', 'endpointslicemirroring-controller', 'ephemeral-volume-controller', 'expand-controller',
    'generic-garbage-collector', 'horizontal-pod-autoscaler', 'job-controller', 'legacy-service-account-token-cleaner',
    'namespace-controller', 'node-controller', 'persistent-volume-binder', 'pod-garbage-collector',
    'pv-protection-controller', 'pvc-protection-controller', 'replicaset-controller', 'replication-controller',
    'resourcequota-controller', 'root-ca-cert-publisher', 'route-controller', 'service-account-controller',
    'service-controller', 'statefulset-controller', 'ttl-after-finished-controller', 'ttl-controller',
    'validatingadmissionpolicy-status-controller',
  ].map((n) => `system:controller:${n}`));
  assert.deepEqual(find(roles, 'system:controller:namespace-controller').rules, [
    { apiGroups: [''], resources: ['namespaces'], verbs: ['delete', 'get', 'list', 'watch'] },
    { apiGroups: [''], resources: ['namespaces/finalize', 'namespaces/status'], verbs: ['update'] },
    { apiGroups: ['*'], resources: ['*'], verbs: ['delete', 'deletecollection', 'get', 'list'] },
  ]);
  assert.deepEqual(find(roles, 'system:controller:certificate-controller').rules![3], {
    apiGroups: ['certificates.k8s.io'], resources: ['signers'], verbs: ['sign'],
    resourceNames: ['kubernetes.io/kube-apiserver-client', 'kubernetes.io/kube-apiserver-client-kubelet', 'kubernetes.io/kubelet-serving', 'kubernetes.io/legacy-unknown'],
  });
  assert.deepEqual(find(roles, 'system:controller:generic-garbage-collector').rules![0], { apiGroups: ['*'], resources: ['*'], verbs: ['delete', 'get', 'list', 'patch', 'update', 'watch'] });
  assert.deepEqual(find(roles, 'system:controller:clusterrole-aggregation-controller').rules, [
    { apiGroups: ['rbac.authorization.k8s.io'], resources: ['clusterroles'], verbs: ['escalate', 'get', 'list', 'patch', 'update', 'watch'] },
  ]);
});

test('namespace roles and bindings in kube-system and kube-public', () => {
  const roles = namespaceRoles();
  assert.deepEqual(roles['kube-public'].map((r) => r.metadata!.name), ['system:controller:bootstrap-signer']);
  assert.deepEqual(roles['kube-system'].map((r) => r.metadata!.name), [
    'extension-apiserver-authentication-reader',
    'system::leader-locking-kube-controller-manager',
    'system::leader-locking-kube-scheduler',
    'system:controller:bootstrap-signer',
    'system:controller:cloud-provider',
    'system:controller:token-cleaner',
  ]);
  for (const [ns, list] of Object.entries(roles)) for (const r of list) {
    assert.equal(r.kind, 'Role');
    assert.equal(r.metadata?.namespace, ns);
  }
  assert.deepEqual(roles['kube-public'][0].rules, [
    { apiGroups: [''], resources: ['configmaps'], verbs: ['get', 'list', 'watch'] },
    { apiGroups: [''], resources: ['configmaps'], resourceNames: ['cluster-info'], verbs: ['update'] },
    { apiGroups: ['', 'events.k8s.io'], resources: ['events'], verbs: ['create', 'patch', 'update'] },
  ]);
  assert.deepEqual(find(roles['kube-system'], 'extension-apiserver-authentication-reader').rules, [
    { apiGroups: [''], resources: ['configmaps'], resourceNames: ['extension-apiserver-authentication'], verbs: ['get', 'list', 'watch'] },
  ]);

  const bindings = namespaceRoleBindings();
  const reader = find(bindings['kube-system'], 'system::extension-apiserver-authentication-reader');
  assert.deepEqual(reader.roleRef, { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'extension-apiserver-authentication-reader' });
  assert.deepEqual(reader.subjects, [
    { apiGroup: 'rbac.authorization.k8s.io', kind: 'User', name: 'system:kube-controller-manager' },
    { apiGroup: 'rbac.authorization.k8s.io', kind: 'User', name: 'system:kube-scheduler' },
  ]);
  assert.deepEqual(find(bindings['kube-system'], 'system::leader-locking-kube-controller-manager').subjects, [
    { apiGroup: 'rbac.authorization.k8s.io', kind: 'User', name: 'system:kube-controller-manager' },
    { kind: 'ServiceAccount', name: 'kube-controller-manager', namespace: 'kube-system' },
    { kind: 'ServiceAccount', name: 'leader-election-controller', namespace: 'kube-system' },
  ]);
  assert.deepEqual(bindings['kube-public'][0].subjects, [{ kind: 'ServiceAccount', name: 'bootstrap-signer', namespace: 'kube-system' }]);
  assert.equal(bindings['kube-public'][0].metadata?.namespace, 'kube-public');
});

test('each call returns fresh objects', () => {
  const a = clusterRoles();
  a[0].metadata!.name = 'changed';
  find(a, 'cluster-admin').rules!.push({ verbs: ['get'], nonResourceURLs: ['/x'] });
  assert.equal(clusterRoles()[0].metadata!.name, 'admin');
  assert.equal(find(clusterRoles(), 'cluster-admin').rules!.length, 2);
});

test('kubeadm bootstrap-token bindings', async () => {
  const bindings = kubeadmClusterRoleBindings();
  const crb = (name: string, role: string, subject: string): ClusterRoleBinding => ({
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'ClusterRoleBinding',
    metadata: { name },
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: role },
    subjects: [{ apiGroup: 'rbac.authorization.k8s.io', kind: 'Group', name: subject }],
  });
  assert.deepEqual(bindings, [
    crb('kubeadm:kubelet-bootstrap', 'system:node-bootstrapper', 'system:bootstrappers:kubeadm:default-node-token'),
    crb('kubeadm:node-autoapprove-bootstrap', 'system:certificates.k8s.io:certificatesigningrequests:nodeclient', 'system:bootstrappers:kubeadm:default-node-token'),
    crb('kubeadm:node-autoapprove-certificate-rotation', 'system:certificates.k8s.io:certificatesigningrequests:selfnodeclient', 'system:nodes'),
  ]);
  // every referenced ClusterRole is in the bootstrap policy
  const roles: ClusterRole[] = clusterRoles();
  for (const b of bindings) find(roles, b.roleRef.name);

  // a token made as `k8ts token create` makes one authenticates in the group the bindings name
  const secret = newTokenSecret({ token: { id: 'abcdef', secret: '0123456789abcdef' }, ttlMs: 60_000 });
  const result = await authenticateBootstrapToken('abcdef.0123456789abcdef', () => secret);
  assert.ok('user' in result);
  assert.ok(result.user.groups.includes(bindings[0].subjects![0].name));
});
