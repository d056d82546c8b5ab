// RBAC end to end, with the real kubectl: the default policy is there, a service account can do
// only what its bindings grant, `kubectl auth can-i` (SelfSubjectAccessReview and
// SelfSubjectRulesReview) agrees, writing roles and bindings cannot escalate, impersonation is
// authorized, aggregated ClusterRoles gather labelled roles' rules.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';
import { startTestCluster, type TestCluster } from '../helpers/cluster.js';

let c: TestCluster;
const BOT = 'system:serviceaccount:rbac:bot';

let botKubeconfig: string;
/** kubectl as the service account: a kubeconfig with its token and no client certificate. */
const asBot = (args: string[]) => c.kubectl([...args, '--kubeconfig', botKubeconfig]);

async function until(check: () => Promise<boolean>, what: string): Promise<void> {
  for (let i = 0; i < 200; i++) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 25));
  }
  assert.fail(`timed out waiting for ${what}`);
}

before(async () => {
  c = await startTestCluster({ controllers: ['clusterrole-aggregation'] });
  await c.kubectlOk(['create', 'namespace', 'rbac']);
  await c.kubectlOk(['create', 'namespace', 'other']);
  await c.kubectlOk(['create', 'serviceaccount', 'bot', '-n', 'rbac']);
  const token = (await c.kubectlOk(['create', 'token', 'bot', '-n', 'rbac'])).trim();
  const config = parse(readFileSync(c.kubeconfig, 'utf8')) as { users: { user: Record<string, string> }[] };
  config.users[0].user = { token };
  botKubeconfig = join(c.dataDir, 'bot.kubeconfig');
  writeFileSync(botKubeconfig, stringify(config));
});
after(async () => {
  await c?.close();
});

describe('RBAC', () => {
  test('the default policy is in place, labelled and annotated as upstream', async () => {
    const admin = JSON.parse(await c.kubectlOk(['get', 'clusterrole', 'cluster-admin', '-o', 'json']));
    assert.deepEqual(admin.rules, [
      { apiGroups: ['*'], resources: ['*'], verbs: ['*'] },
      { nonResourceURLs: ['*'], verbs: ['*'] },
    ]);
    assert.equal(admin.metadata.labels['kubernetes.io/bootstrapping'], 'rbac-defaults');
    assert.equal(admin.metadata.annotations['rbac.authorization.kubernetes.io/autoupdate'], 'true');
    const binding = JSON.parse(await c.kubectlOk(['get', 'clusterrolebinding', 'cluster-admin', '-o', 'json']));
    assert.deepEqual(binding.subjects, [{ apiGroup: 'rbac.authorization.k8s.io', kind: 'Group', name: 'system:masters' }]);
    const out = await c.kubectlOk(['get', 'clusterrolebinding', 'system:kube-scheduler', 'system:node-proxier']);
    assert.match(out, /system:kube-scheduler\s+ClusterRole\/system:kube-scheduler/);
    assert.match(out, /system:node-proxier\s+ClusterRole\/system:node-proxier/);
  });

  test('a service account can do nothing it is not bound to; the 403 names user, verb, resource and namespace', async () => {
    const r = await asBot(['get', 'pods', '-n', 'rbac']);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /pods is forbidden: User "system:serviceaccount:rbac:bot" cannot list resource "pods" in API group "" in the namespace "rbac"/);
    const d = await asBot(['get', 'deployments', '-n', 'rbac']);
    assert.match(d.stderr, /deployments\.apps is forbidden: User "system:serviceaccount:rbac:bot" cannot list resource "deployments" in API group "apps" in the namespace "rbac"/);
    // Discovery is every authenticated user's (system:discovery), so kubectl got that far.
    const whoami = JSON.parse((await asBot(['auth', 'whoami', '-o', 'json'])).stdout);
    assert.equal(whoami.status.userInfo.username, BOT);
  });

  test('a Role and RoleBinding grant exactly their rules, in their namespace', async () => {
    await c.kubectlOk(['create', 'role', 'pod-reader', '--verb=get,list,watch', '--resource=pods', '-n', 'rbac']);
    await c.kubectlOk(['create', 'rolebinding', 'bot-reads-pods', '--role=pod-reader', '--serviceaccount=rbac:bot', '-n', 'rbac']);
    const r = await asBot(['get', 'pods', '-n', 'rbac']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /No resources found in rbac namespace/);
    assert.match((await asBot(['get', 'pods', '-n', 'other'])).stderr, /cannot list resource "pods" in API group "" in the namespace "other"/);
    await c.kubectlOk(['run', 'p', '--image=busybox', '-n', 'rbac']);
    const del = await asBot(['delete', 'pod', 'p', '-n', 'rbac']);
    assert.match(del.stderr, /pods "p" is forbidden: User "system:serviceaccount:rbac:bot" cannot delete resource "pods" in API group "" in the namespace "rbac"/);
    // pods/log is a subresource the rule does not name.
    assert.match((await asBot(['logs', 'p', '-n', 'rbac'])).stderr, /cannot get resource "pods\/log" in API group "" in the namespace "rbac"/);
  });

  test('kubectl auth can-i answers from the same rules (SelfSubjectAccessReview, SelfSubjectRulesReview)', async () => {
    assert.equal((await c.kubectl(['auth', 'can-i', 'list', 'pods', '-n', 'rbac', '--as', BOT])).stdout.trim(), 'yes');
    const no = await c.kubectl(['auth', 'can-i', 'delete', 'pods', '-n', 'rbac', '--as', BOT]);
    assert.equal(no.code, 1);
    assert.equal(no.stdout.trim(), 'no');
    assert.equal((await asBot(['auth', 'can-i', 'watch', 'pods', '-n', 'rbac'])).stdout.trim(), 'yes');
    const list = (await asBot(['auth', 'can-i', '--list', '-n', 'rbac'])).stdout;
    assert.match(list, /^pods\s+\[\]\s+\[\]\s+\[get list watch\]$/m);
    assert.match(list, /selfsubjectaccessreviews\.authorization\.k8s\.io\s+\[\]\s+\[\]\s+\[create\]/);
    assert.match(list, /\[\/version\]\s+\[\]\s+\[get\]/);
    assert.doesNotMatch((await asBot(['auth', 'can-i', '--list', '-n', 'other'])).stdout, /^pods\s/m);
  });

  test('a SubjectAccessReview says which binding allowed, and why a missing role did not', async () => {
    const review = (resourceAttributes: Record<string, string>) =>
      c.request('POST', '/apis/authorization.k8s.io/v1/subjectaccessreviews', { body: JSON.stringify({ apiVersion: 'authorization.k8s.io/v1', kind: 'SubjectAccessReview', spec: { user: BOT, groups: ['system:serviceaccounts', 'system:serviceaccounts:rbac', 'system:authenticated'], resourceAttributes } }) });
    const yes = await review({ namespace: 'rbac', verb: 'get', resource: 'pods' });
    assert.equal(yes.status, 201);
    assert.deepEqual(yes.json().status, { allowed: true, reason: 'RBAC: allowed by RoleBinding "bot-reads-pods/rbac" of Role "pod-reader" to ServiceAccount "bot/rbac"' });
    await c.kubectlOk(['create', 'rolebinding', 'dangling', '--clusterrole=does-not-exist', '--serviceaccount=rbac:bot', '-n', 'rbac']);
    const no = await review({ namespace: 'rbac', verb: 'delete', resource: 'pods' });
    assert.deepEqual(no.json().status, { allowed: false, reason: 'RBAC: clusterrole.rbac.authorization.k8s.io "does-not-exist" not found' });
    const refused = await asBot(['delete', 'pod', 'p', '-n', 'rbac']);
    assert.match(refused.stderr, /cannot delete resource "pods" in API group "" in the namespace "rbac": RBAC: clusterrole.rbac.authorization.k8s.io "does-not-exist" not found/);
    await c.kubectlOk(['delete', 'rolebinding', 'dangling', '-n', 'rbac']);
  });

  test('writing roles and bindings cannot grant what the writer does not hold', async () => {
    await c.kubectlOk(['create', 'role', 'role-writer', '--verb=create,update', '--resource=roles,rolebindings', '-n', 'rbac']);
    await c.kubectlOk(['create', 'rolebinding', 'bot-writes-roles', '--role=role-writer', '--serviceaccount=rbac:bot', '-n', 'rbac']);
    // Rules the bot holds (pods get) may be granted.
    assert.equal((await asBot(['create', 'role', 'subset', '--verb=get', '--resource=pods', '-n', 'rbac'])).code, 0);
    const escalate = await asBot(['create', 'role', 'secrets', '--verb=get', '--resource=secrets', '-n', 'rbac']);
    assert.equal(escalate.code, 1);
    assert.match(escalate.stderr, /roles\.rbac\.authorization\.k8s\.io "secrets" is forbidden: user "system:serviceaccount:rbac:bot" \(groups=\["system:serviceaccounts" "system:serviceaccounts:rbac" "system:authenticated"\]\) is attempting to grant RBAC permissions not currently held:\n\{APIGroups:\[""\], Resources:\["secrets"\], Verbs:\["get"\]\}/);
    const bind = await asBot(['create', 'rolebinding', 'bot-edits', '--clusterrole=edit', '--serviceaccount=rbac:bot', '-n', 'rbac']);
    assert.match(bind.stderr, /rolebindings\.rbac\.authorization\.k8s\.io "bot-edits" is forbidden: user "system:serviceaccount:rbac:bot" .* is attempting to grant RBAC permissions not currently held/);
    // The `bind` verb on that role lets it bind what it does not hold.
    await c.kubectlOk(['create', 'role', 'binder', '--verb=bind', '--resource=clusterroles', '--resource-name=edit', '-n', 'rbac']);
    await c.kubectlOk(['create', 'rolebinding', 'bot-binds-edit', '--role=binder', '--serviceaccount=rbac:bot', '-n', 'rbac']);
    await until(async () => (await asBot(['create', 'rolebinding', 'bot-edits', '--clusterrole=edit', '--serviceaccount=rbac:bot', '-n', 'rbac'])).code === 0, 'the bind verb to take effect');
    // roleRef is immutable.
    const change = await c.kubectl(['patch', 'rolebinding', 'bot-edits', '-n', 'rbac', '--type=merge', '-p', '{"roleRef":{"name":"view"}}']);
    assert.match(change.stderr, /cannot change roleRef/);
  });

  test('impersonation needs the impersonate verb on the user, group or service account', async () => {
    const r = await asBot(['get', 'pods', '-n', 'rbac', '--as', 'alice']);
    assert.match(r.stderr, /users "alice" is forbidden: User "system:serviceaccount:rbac:bot" cannot impersonate resource "users" in API group "" at the cluster scope/);
    await c.kubectlOk(['create', 'clusterrole', 'impersonate-alice', '--verb=impersonate', '--resource=users', '--resource-name=alice']);
    await c.kubectlOk(['create', 'clusterrolebinding', 'bot-as-alice', '--clusterrole=impersonate-alice', `--serviceaccount=rbac:bot`]);
    const whoami = JSON.parse((await asBot(['auth', 'whoami', '-o', 'json', '--as', 'alice'])).stdout);
    assert.equal(whoami.status.userInfo.username, 'alice');
    assert.match((await asBot(['get', 'pods', '-n', 'rbac', '--as', 'bob'])).stderr, /users "bob" is forbidden: User "system:serviceaccount:rbac:bot" cannot impersonate resource "users"/);
  });

  test('anonymous requests may read health and version only', async () => {
    assert.equal((await c.request('GET', '/version', { anonymous: true })).status, 200);
    assert.equal((await c.request('GET', '/readyz', { anonymous: true })).status, 200);
    const api = await c.request('GET', '/api', { anonymous: true });
    assert.equal(api.status, 403);
    assert.equal(api.json().message, 'forbidden: User "system:anonymous" cannot get path "/api"');
  });

  test('aggregated ClusterRoles (view) gather the rules of roles labelled for them', async () => {
    const view = JSON.parse(await c.kubectlOk(['get', 'clusterrole', 'view', '-o', 'json']));
    assert.ok(view.rules.some((r: { resources?: string[] }) => r.resources?.includes('pods')), 'view has the rules of system:aggregate-to-view');
    // view leaves RBAC objects out; a labelled role adds them.
    assert.ok(!view.rules.some((r: { resources?: string[] }) => r.resources?.includes('roles')));
    await c.kubectlOk(['create', 'clusterrole', 'roles-view', '--verb=get,list', '--resource=roles.rbac.authorization.k8s.io']);
    await c.kubectlOk(['label', 'clusterrole', 'roles-view', 'rbac.authorization.k8s.io/aggregate-to-view=true']);
    await until(async () => JSON.parse(await c.kubectlOk(['get', 'clusterrole', 'view', '-o', 'json'])).rules.some((r: { resources?: string[] }) => r.resources?.includes('roles')), 'view to gather roles-view');
    assert.equal((await c.kubectl(['auth', 'can-i', 'list', 'roles', '-n', 'rbac', '--as', 'viewer-user'])).stdout.trim(), 'no');
    await c.kubectlOk(['create', 'rolebinding', 'viewer', '--clusterrole=view', '--user=viewer-user', '-n', 'rbac']);
    assert.equal((await c.kubectl(['auth', 'can-i', 'list', 'roles', '-n', 'rbac', '--as', 'viewer-user'])).stdout.trim(), 'yes');
  });
});

describe('access reviews', () => {
  test('a SubjectAccessReview must name a subject and exactly one kind of attributes, as upstream validates', async () => {
    const post = (spec: Record<string, unknown>) => c.request('POST', '/apis/authorization.k8s.io/v1/subjectaccessreviews', { body: JSON.stringify({ apiVersion: 'authorization.k8s.io/v1', kind: 'SubjectAccessReview', spec }) });
    const noUser = await post({ resourceAttributes: { verb: 'get', resource: 'pods' } });
    assert.equal(noUser.status, 422);
    assert.equal(noUser.json().message, 'SubjectAccessReview.authorization.k8s.io "" is invalid: spec.user: Invalid value: "": at least one of user or group must be specified');
    const none = await post({ user: 'alice' });
    assert.match(none.json().message, /spec.resourceAttributes: Invalid value: "null": exactly one of nonResourceAttributes or resourceAttributes must be specified/);
    const path = await post({ user: 'alice', groups: ['system:authenticated'], nonResourceAttributes: { path: '/apis/apps', verb: 'get' } });
    assert.equal(path.json().status.allowed, true);
    assert.equal(path.json().status.reason, 'RBAC: allowed by ClusterRoleBinding "system:discovery" of ClusterRole "system:discovery" to Group "system:authenticated"');
  });
});
