import { test } from 'node:test';
import assert from 'node:assert/strict';
import { groupVersionPath, openapiV3Document, openapiV3DocumentJSON, openapiV3Root } from '../../../src/api/openapi/documents.js';
import { fixtureResources } from './resources.fixture.js';

type Doc = {
  openapi: string;
  paths: Record<string, Record<string, { 'x-kubernetes-group-version-kind'?: Record<string, string>; parameters?: { name: string; in: string }[]; requestBody?: { content: Record<string, unknown> } }>>;
  components: { schemas: Record<string, Record<string, unknown>> };
};

const groupVersions = [...new Set(fixtureResources.map((r) => `${r.group}/${r.version}`))].map((gv) => {
  const [group, version] = gv.split('/');
  return { group, version };
});

const docOf = (group: string, version: string): Doc => openapiV3Document(group, version, fixtureResources) as unknown as Doc;

test('the root lists every group-version with a server-relative URL carrying the document hash', () => {
  const root = openapiV3Root(groupVersions.map((gv) => ({ ...gv, resources: fixtureResources })));
  assert.deepEqual(Object.keys(root.paths).sort(), ['api/v1', 'apis/apps/v1', 'apis/policy/v1']);
  const { hash } = openapiV3DocumentJSON('apps', 'v1', fixtureResources);
  assert.equal(root.paths['apis/apps/v1'].serverRelativeURL, `/openapi/v3/apis/apps/v1?hash=${hash}`);
  assert.match(hash, /^[0-9A-F]{128}$/);
  assert.equal(groupVersionPath('', 'v1'), 'api/v1');
});

test('the same document gives the same hash and different resources a different one', () => {
  const a = openapiV3DocumentJSON('', 'v1', fixtureResources);
  const b = openapiV3DocumentJSON('', 'v1', fixtureResources.map((r) => ({ ...r })));
  assert.equal(a.hash, b.hash);
  assert.equal(a.body, b.body);
  const c = openapiV3DocumentJSON('', 'v1', fixtureResources.filter((r) => r.kind !== 'ConfigMap'));
  assert.notEqual(a.hash, c.hash);
  assert.deepEqual(JSON.parse(a.body), docOf('', 'v1'));
});

for (const r of fixtureResources) {
  test(`the ${r.group || 'core'}/${r.version} document has a PATCH for ${r.kind} with its GVK, fieldValidation and all four patch types`, () => {
    const doc = docOf(r.group, r.version);
    assert.equal(doc.openapi, '3.0.0');
    const root = r.group === '' ? `/api/${r.version}` : `/apis/${r.group}/${r.version}`;
    const itemPath = r.namespaced ? `${root}/namespaces/{namespace}/${r.plural}/{name}` : `${root}/${r.plural}/{name}`;
    const item = doc.paths[itemPath];
    assert.ok(item, `path ${itemPath}`);
    assert.ok(item.get, 'GET on the item path');
    const patch = item.patch;
    assert.deepEqual(patch['x-kubernetes-group-version-kind'], { group: r.group, kind: r.kind, version: r.version });
    const query = (patch.parameters ?? []).filter((p) => p.in === 'query').map((p) => p.name);
    for (const name of ['fieldValidation', 'dryRun', 'fieldManager', 'force']) assert.ok(query.includes(name), `PATCH takes ${name}`);
    assert.deepEqual(Object.keys(patch.requestBody?.content ?? {}).sort(),
      ['application/apply-patch+yaml', 'application/json-patch+json', 'application/merge-patch+json', 'application/strategic-merge-patch+json']);
    const kindSchema = Object.values(doc.components.schemas).find((s) =>
      (s['x-kubernetes-group-version-kind'] as Record<string, string>[] | undefined)?.some((g) => g.group === r.group && g.version === r.version && g.kind === r.kind));
    assert.ok(kindSchema, `components.schemas has ${r.kind} with its GVK`);
  });
}

test('components.schemas holds every definition reachable from the kinds, with refs in upstream v3 form', () => {
  const doc = docOf('', 'v1');
  const schemas = doc.components.schemas;
  for (const name of ['io.k8s.api.core.v1.Pod', 'io.k8s.api.core.v1.PodList', 'io.k8s.api.core.v1.PodSpec', 'io.k8s.api.core.v1.Container',
    'io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta', 'io.k8s.apimachinery.pkg.api.resource.Quantity', 'io.k8s.apimachinery.pkg.util.intstr.IntOrString',
    'io.k8s.api.policy.v1.Eviction', 'io.k8s.api.authentication.v1.TokenRequest', 'io.k8s.api.core.v1.Binding',
    'io.k8s.apimachinery.pkg.apis.meta.v1.Status', 'io.k8s.apimachinery.pkg.apis.meta.v1.DeleteOptions', 'io.k8s.apimachinery.pkg.apis.meta.v1.Patch']) {
    assert.ok(schemas[name], name);
  }
  assert.equal(schemas['io.k8s.api.apps.v1.Deployment'], undefined, 'other groups stay out');
  const body = JSON.stringify(doc);
  for (const m of body.matchAll(/"\$ref":"#\/components\/schemas\/([^"]+)"/g)) assert.ok(schemas[m[1]], `dangling ref ${m[1]}`);
  const props = (schemas['io.k8s.api.core.v1.PodSpec'].properties as Record<string, Record<string, unknown>>);
  assert.deepEqual(props.affinity.allOf, [{ $ref: '#/components/schemas/io.k8s.api.core.v1.Affinity' }]);
  assert.equal(props.containers['x-kubernetes-patch-merge-key'], 'name');
  assert.equal(props.containers['x-kubernetes-patch-strategy'], 'merge');
  assert.equal(schemas['io.k8s.apimachinery.pkg.api.resource.Quantity']['x-kubernetes-int-or-string'], true);
});

test('the apps/v1 document carries the scale subresource as autoscaling/v1 Scale', () => {
  const doc = docOf('apps', 'v1');
  const scale = doc.paths['/apis/apps/v1/namespaces/{namespace}/deployments/{name}/scale'];
  assert.deepEqual(scale.patch['x-kubernetes-group-version-kind'], { group: 'autoscaling', kind: 'Scale', version: 'v1' });
  assert.ok(doc.components.schemas['io.k8s.api.autoscaling.v1.Scale']);
  assert.ok(doc.paths['/apis/apps/v1/deployments'].get, 'list across namespaces');
});

test('cluster-scoped kinds have no namespace in their paths', () => {
  const doc = docOf('', 'v1');
  assert.ok(doc.paths['/api/v1/nodes/{name}']);
  assert.ok(doc.paths['/api/v1/namespaces/{name}']);
  assert.equal(doc.paths['/api/v1/namespaces/{namespace}/nodes/{name}'], undefined);
});

test('custom kinds get their openAPIV3Schema as a definition named after the reversed group', () => {
  const widget = { group: 'example.com', version: 'v1', kind: 'Widget', listKind: 'WidgetList', plural: 'widgets', singular: 'widget', namespaced: true,
    verbs: ['get', 'list', 'patch', 'create'] as const, subresources: [] };
  const doc = openapiV3Document('example.com', 'v1', [{ ...widget, verbs: [...widget.verbs] }], {
    customSchemas: { Widget: { type: 'object', properties: { spec: { type: 'object', properties: { size: { type: 'integer' } } } } } },
  }) as unknown as Doc;
  const def = doc.components.schemas['com.example.v1.Widget'];
  assert.deepEqual(def['x-kubernetes-group-version-kind'], [{ group: 'example.com', kind: 'Widget', version: 'v1' }]);
  assert.ok(doc.components.schemas['io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta'], 'metadata is reachable');
  assert.ok(doc.components.schemas['com.example.v1.WidgetList']);
  assert.deepEqual(doc.paths['/apis/example.com/v1/namespaces/{namespace}/widgets/{name}'].patch['x-kubernetes-group-version-kind'],
    { group: 'example.com', kind: 'Widget', version: 'v1' });
});
