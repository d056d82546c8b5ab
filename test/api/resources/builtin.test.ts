import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  builtinGroups,
  builtinResources,
  findResource,
  preferredGroupVersions,
  resourceForKind,
  resourcesForGroupVersion,
} from '../../../src/api/resources/builtin.js';

const shortNameCases: [string, string, string, string[]][] = [
  ['', 'v1', 'pods', ['po']],
  ['', 'v1', 'services', ['svc']],
  ['apps', 'v1', 'deployments', ['deploy']],
  ['apps', 'v1', 'replicasets', ['rs']],
  ['apps', 'v1', 'statefulsets', ['sts']],
  ['apps', 'v1', 'daemonsets', ['ds']],
  ['', 'v1', 'namespaces', ['ns']],
  ['', 'v1', 'nodes', ['no']],
  ['', 'v1', 'configmaps', ['cm']],
  ['', 'v1', 'serviceaccounts', ['sa']],
  ['', 'v1', 'events', ['ev']],
  ['events.k8s.io', 'v1', 'events', ['ev']],
  ['', 'v1', 'endpoints', ['ep']],
  ['', 'v1', 'persistentvolumes', ['pv']],
  ['', 'v1', 'persistentvolumeclaims', ['pvc']],
  ['', 'v1', 'resourcequotas', ['quota']],
  ['', 'v1', 'limitranges', ['limits']],
  ['', 'v1', 'replicationcontrollers', ['rc']],
  ['', 'v1', 'componentstatuses', ['cs']],
  ['networking.k8s.io', 'v1', 'networkpolicies', ['netpol']],
  ['networking.k8s.io', 'v1', 'ingresses', ['ing']],
  ['policy', 'v1', 'poddisruptionbudgets', ['pdb']],
  ['scheduling.k8s.io', 'v1', 'priorityclasses', ['pc']],
  ['storage.k8s.io', 'v1', 'storageclasses', ['sc']],
  ['apiextensions.k8s.io', 'v1', 'customresourcedefinitions', ['crd', 'crds']],
  ['autoscaling', 'v2', 'horizontalpodautoscalers', ['hpa']],
  ['autoscaling', 'v1', 'horizontalpodautoscalers', ['hpa']],
  ['batch', 'v1', 'cronjobs', ['cj']],
  ['certificates.k8s.io', 'v1', 'certificatesigningrequests', ['csr']],
];

for (const [group, version, plural, shortNames] of shortNameCases) {
  test(`${plural}.${group || 'core'}/${version} publishes the short names ${shortNames.join(',')} as upstream does`, () => {
    assert.deepEqual(findResource(group, version, plural)?.shortNames, shortNames);
  });
}

test('resources without upstream short names publish none (secrets, jobs, leases, roles)', () => {
  for (const [g, p] of [['', 'secrets'], ['batch', 'jobs'], ['coordination.k8s.io', 'leases'], ['rbac.authorization.k8s.io', 'roles'], ['', 'podtemplates']]) {
    assert.equal(findResource(g, 'v1', p)?.shortNames, undefined, p);
  }
});

test('exactly the kinds upstream puts in the "all" category carry it', () => {
  const inAll = builtinResources.filter((r) => r.categories?.includes('all')).map((r) => `${r.group}/${r.version}/${r.plural}`);
  assert.deepEqual(inAll.sort(), [
    '/v1/pods',
    '/v1/replicationcontrollers',
    '/v1/services',
    'apps/v1/daemonsets',
    'apps/v1/deployments',
    'apps/v1/replicasets',
    'apps/v1/statefulsets',
    'autoscaling/v1/horizontalpodautoscalers',
    'autoscaling/v2/horizontalpodautoscalers',
    'batch/v1/cronjobs',
    'batch/v1/jobs',
  ]);
});

const subresourceCases: [string, string, string, string, [string, string, string, string[]]][] = [
  ['apps', 'v1', 'deployments', 'scale', ['autoscaling', 'v1', 'Scale', ['get', 'patch', 'update']]],
  ['apps', 'v1', 'statefulsets', 'scale', ['autoscaling', 'v1', 'Scale', ['get', 'patch', 'update']]],
  ['', 'v1', 'replicationcontrollers', 'scale', ['autoscaling', 'v1', 'Scale', ['get', 'patch', 'update']]],
  ['', 'v1', 'pods', 'binding', ['', 'v1', 'Binding', ['create']]],
  ['', 'v1', 'pods', 'eviction', ['policy', 'v1', 'Eviction', ['create']]],
  ['', 'v1', 'serviceaccounts', 'token', ['authentication.k8s.io', 'v1', 'TokenRequest', ['create']]],
  ['', 'v1', 'pods', 'log', ['', 'v1', 'Pod', ['get']]],
  ['', 'v1', 'pods', 'exec', ['', 'v1', 'PodExecOptions', ['create', 'get']]],
  ['', 'v1', 'pods', 'attach', ['', 'v1', 'PodAttachOptions', ['create', 'get']]],
  ['', 'v1', 'pods', 'portforward', ['', 'v1', 'PodPortForwardOptions', ['create', 'get']]],
  ['', 'v1', 'pods', 'proxy', ['', 'v1', 'PodProxyOptions', ['create', 'delete', 'get', 'patch', 'update']]],
  ['', 'v1', 'nodes', 'proxy', ['', 'v1', 'NodeProxyOptions', ['create', 'delete', 'get', 'patch', 'update']]],
  ['', 'v1', 'services', 'proxy', ['', 'v1', 'ServiceProxyOptions', ['create', 'delete', 'get', 'patch', 'update']]],
  ['', 'v1', 'pods', 'ephemeralcontainers', ['', 'v1', 'Pod', ['get', 'patch', 'update']]],
  ['', 'v1', 'pods', 'resize', ['', 'v1', 'Pod', ['get', 'patch', 'update']]],
  ['', 'v1', 'pods', 'status', ['', 'v1', 'Pod', ['get', 'patch', 'update']]],
  ['', 'v1', 'namespaces', 'finalize', ['', 'v1', 'Namespace', ['update']]],
  ['certificates.k8s.io', 'v1', 'certificatesigningrequests', 'approval', ['certificates.k8s.io', 'v1', 'CertificateSigningRequest', ['get', 'patch', 'update']]],
  ['autoscaling', 'v1', 'horizontalpodautoscalers', 'status', ['autoscaling', 'v1', 'HorizontalPodAutoscaler', ['get', 'patch', 'update']]],
];

for (const [group, version, plural, name, [g, v, kind, verbs]] of subresourceCases) {
  test(`${plural}/${name} answers with ${g || 'core'}/${v} ${kind} and allows ${verbs.join(',')}`, () => {
    const sub = findResource(group, version, plural)?.subresources.find((s) => s.name === name);
    assert.deepEqual(sub, { name, group: g, version: v, kind, verbs });
  });
}

test('scope, verbs and names follow upstream for the odd cases', () => {
  const ns = findResource('', 'v1', 'namespaces')!;
  assert.equal(ns.namespaced, false);
  assert.ok(!ns.verbs.includes('deletecollection'), 'namespaces cannot be deleted as a collection');
  assert.deepEqual(findResource('', 'v1', 'bindings')?.verbs, ['create']);
  assert.deepEqual(findResource('', 'v1', 'componentstatuses')?.verbs, ['get', 'list']);
  assert.deepEqual(findResource('authorization.k8s.io', 'v1', 'selfsubjectaccessreviews')?.verbs, ['create']);
  assert.equal(findResource('authorization.k8s.io', 'v1', 'localsubjectaccessreviews')?.namespaced, true);
  assert.equal(findResource('authentication.k8s.io', 'v1', 'selfsubjectreviews')?.namespaced, false);
  const ep = findResource('', 'v1', 'endpoints')!;
  assert.equal(ep.singular, 'endpoints');
  assert.equal(ep.listKind, 'EndpointsList');
  assert.equal(findResource('', 'v1', 'pods')?.singular, 'pod');
  assert.equal(findResource('storage.k8s.io', 'v1', 'csistoragecapacities')?.namespaced, true);
  assert.deepEqual(findResource('apiextensions.k8s.io', 'v1', 'customresourcedefinitions')?.categories, ['api-extensions']);
});

test('every row is unique per group/version/plural and every subresource names a kind', () => {
  const keys = builtinResources.map((r) => `${r.group}/${r.version}/${r.plural}`);
  assert.equal(new Set(keys).size, keys.length);
  for (const r of builtinResources) for (const s of r.subresources) assert.ok(s.kind && s.verbs.length, `${r.plural}/${s.name}`);
});

test('resourceForKind picks the preferred version, so HPA resolves to autoscaling/v2', () => {
  assert.equal(resourceForKind('autoscaling', 'HorizontalPodAutoscaler')?.version, 'v2');
  assert.equal(resourceForKind('', 'Pod')?.plural, 'pods');
  assert.equal(resourceForKind('apps', 'Pod'), undefined);
});

test('groups are listed in /apis order with core first and autoscaling preferring v2', () => {
  assert.deepEqual(
    preferredGroupVersions.slice(0, 8).map((g) => `${g.group}/${g.version}`),
    ['/v1', 'apiregistration.k8s.io/v1', 'apps/v1', 'events.k8s.io/v1', 'authentication.k8s.io/v1', 'authorization.k8s.io/v1', 'autoscaling/v2', 'batch/v1'],
  );
  for (const g of builtinGroups) for (const v of g.versions) assert.ok(resourcesForGroupVersion(g.group, v).length > 0, `${g.group}/${v} serves something`);
});
