import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ArrayNode, FieldNode, MapNode, ObjectNode, SchemaNode } from '../../../src/api/schema.js';
import { schemaForKind, schemaFromJSONSchemaProps } from '../../../src/api/openapi/schema-nodes.js';

/** Follows a dotted path through objects, arrays (by `[]`) and maps (by `{}`) to a field. */
function field(root: ObjectNode, path: string): FieldNode {
  let node: SchemaNode = root;
  let found: FieldNode | undefined;
  for (const part of path.split('.')) {
    while (node.type === 'array' || node.type === 'map') node = node.type === 'array' ? node.items : node.values;
    assert.equal(node.type, 'object', `${path}: ${part} is not inside an object`);
    found = (node as ObjectNode).fields()[part];
    assert.ok(found, `${path}: no field ${part}`);
    node = found.schema;
  }
  return found as FieldNode;
}

const kind = (group: string, version: string, k: string): ObjectNode => {
  const s = schemaForKind(group, version, k);
  assert.ok(s, `${group}/${version} ${k} has a schema`);
  return s;
};

const mergeKeyCases: [string, string, string, string, string | undefined, string[] | undefined, string[] | undefined][] = [
  // group, kind, path, patchMergeKey, listType, listMapKeys, patchStrategy
  ['', 'Pod', 'spec.containers', 'name', 'map', ['name'], ['merge']],
  ['', 'Pod', 'spec.initContainers', 'name', 'map', ['name'], ['merge']],
  ['', 'Pod', 'spec.ephemeralContainers', 'name', 'map', ['name'], ['merge']],
  ['', 'Pod', 'spec.volumes', 'name', 'map', ['name'], ['merge', 'retainKeys']],
  ['', 'Pod', 'spec.containers.ports', 'containerPort', 'map', ['containerPort', 'protocol'], ['merge']],
  ['', 'Pod', 'spec.containers.env', 'name', 'map', ['name'], ['merge']],
  ['', 'Pod', 'spec.containers.volumeMounts', 'mountPath', 'map', ['mountPath'], ['merge']],
  ['', 'Pod', 'spec.containers.volumeDevices', 'devicePath', 'map', ['devicePath'], ['merge']],
  ['', 'Pod', 'spec.imagePullSecrets', 'name', 'map', ['name'], ['merge']],
  ['', 'Pod', 'spec.hostAliases', 'ip', 'map', ['ip'], ['merge']],
  ['', 'Pod', 'spec.topologySpreadConstraints', 'topologyKey', 'map', ['topologyKey', 'whenUnsatisfiable'], ['merge']],
  ['', 'Pod', 'status.conditions', 'type', 'map', ['type'], ['merge']],
  ['', 'Pod', 'metadata.ownerReferences', 'uid', 'map', ['uid'], ['merge']],
  ['', 'Service', 'spec.ports', 'port', 'map', ['port', 'protocol'], ['merge']],
  ['apps', 'Deployment', 'spec.template.spec.containers', 'name', 'map', ['name'], ['merge']],
  ['apps', 'Deployment', 'status.conditions', 'type', 'map', ['type'], ['merge']],
];

for (const [group, k, path, key, listType, mapKeys, strategy] of mergeKeyCases) {
  test(`${k}.${path} merges by ${key} and is a list of type ${listType}`, () => {
    const f = field(kind(group, 'v1', k), path);
    assert.equal(f.patchMergeKey, key);
    assert.deepEqual(f.patchStrategy, strategy);
    const arr = f.schema as ArrayNode;
    assert.equal(arr.type, 'array');
    assert.equal(arr.listType, listType);
    assert.deepEqual(arr.listMapKeys, mapKeys);
  });
}

test('atomic lists, sets and untagged lists carry upstream list types', () => {
  const pod = kind('', 'v1', 'Pod');
  assert.equal((field(pod, 'spec.tolerations').schema as ArrayNode).listType, 'atomic');
  assert.equal(field(pod, 'spec.tolerations').patchMergeKey, undefined, 'tolerations have no merge key upstream');
  assert.equal((field(pod, 'spec.containers.command').schema as ArrayNode).listType, 'atomic');
  assert.equal((field(pod, 'metadata.managedFields').schema as ArrayNode).listType, 'atomic');
  const finalizers = field(pod, 'metadata.finalizers');
  assert.equal((finalizers.schema as ArrayNode).listType, 'set');
  assert.deepEqual(finalizers.patchStrategy, ['merge']);
  assert.equal((field(kind('', 'v1', 'Service'), 'spec.externalIPs').schema as ArrayNode).listType, 'atomic');
});

test('label selectors and object references are atomic structs', () => {
  const sel = field(kind('apps', 'v1', 'Deployment'), 'spec.selector').schema as ObjectNode;
  assert.equal(sel.type, 'object');
  assert.equal(sel.mapType, 'atomic');
  assert.equal(sel.ref, 'io.k8s.apimachinery.pkg.apis.meta.v1.LabelSelector');
  const secretRef = field(kind('', 'v1', 'Pod'), 'spec.containers.env.valueFrom.secretKeyRef').schema as ObjectNode;
  assert.equal(secretRef.mapType, 'atomic');
});

test('resource quantities and int-or-string fields are int-or-string scalars', () => {
  const pod = kind('', 'v1', 'Pod');
  const limits = field(pod, 'spec.containers.resources.limits').schema as MapNode;
  assert.equal(limits.type, 'map');
  assert.deepEqual({ type: limits.values.type, intOrString: (limits.values as { intOrString?: boolean }).intOrString }, { type: 'string', intOrString: true });
  const sizeLimit = field(pod, 'spec.volumes.emptyDir.sizeLimit').schema;
  assert.equal(sizeLimit.type === 'string' && sizeLimit.intOrString, true);
  const capacity = field(kind('', 'v1', 'Node'), 'status.capacity').schema as MapNode;
  assert.equal(capacity.values.type === 'string' && capacity.values.intOrString, true);
  const maxSurge = field(kind('apps', 'v1', 'Deployment'), 'spec.strategy.rollingUpdate.maxSurge').schema;
  assert.equal(maxSurge.type === 'string' && maxSurge.intOrString, true);
  const targetPort = field(kind('', 'v1', 'Service'), 'spec.ports.targetPort').schema;
  assert.equal(targetPort.type === 'string' && targetPort.intOrString, true);
});

test('scalars, maps, times and raw extensions map to the right node types', () => {
  const pod = kind('', 'v1', 'Pod');
  assert.deepEqual(pick(field(pod, 'spec.containers.ports.containerPort').schema), { type: 'integer', format: 'int32' });
  assert.deepEqual(pick(field(pod, 'metadata.creationTimestamp').schema), { type: 'string', format: 'date-time' });
  assert.equal(field(pod, 'metadata.labels').schema.type, 'map');
  assert.equal(field(pod, 'spec.hostNetwork').schema.type, 'boolean');
  assert.equal(field(kind('apps', 'v1', 'ControllerRevision'), 'data').schema.type, 'any');
  assert.equal(field(pod, 'metadata.managedFields.fieldsV1').schema.type, 'any');
  assert.deepEqual(pod.required ?? [], []);
  assert.deepEqual((field(pod, 'spec').schema as ObjectNode).required, ['containers']);
});

test('meta and subresource kinds have schemas too', () => {
  for (const [g, v, k] of [['', 'v1', 'Status'], ['', 'v1', 'APIResourceList'], ['autoscaling', 'v1', 'Scale'], ['policy', 'v1', 'Eviction'],
    ['authentication.k8s.io', 'v1', 'TokenRequest'], ['', 'v1', 'Binding'], ['', 'v1', 'DeleteOptions'], ['', 'v1', 'WatchEvent'],
    ['meta.k8s.io', 'v1', 'Table'], ['meta.k8s.io', 'v1', 'PartialObjectMetadata'], ['apiextensions.k8s.io', 'v1', 'CustomResourceDefinition']]) {
    assert.ok(schemaForKind(g, v, k), `${g}/${v} ${k}`);
  }
  assert.equal(schemaForKind('', 'v1', 'NoSuchKind'), undefined);
  assert.equal(schemaForKind('apps', 'v1', 'DeleteOptions'), schemaForKind('', 'v1', 'DeleteOptions'), 'meta kinds resolve in any group');
  assert.equal(schemaForKind('apps', 'v1', 'Pod'), undefined, 'ordinary kinds do not');
});

test('recursive definitions (JSONSchemaProps) are built lazily and stay finite', () => {
  const crd = kind('apiextensions.k8s.io', 'v1', 'CustomResourceDefinition');
  const props = field(crd, 'spec.versions.schema.openAPIV3Schema.properties').schema as MapNode;
  assert.equal(props.type, 'map');
  const inner = props.values as ObjectNode;
  assert.equal(inner.ref, 'io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1.JSONSchemaProps');
  assert.equal((inner.fields().properties.schema as MapNode).values, inner, 'the same node is shared, not rebuilt');
});

test('schema nodes are cached: the same kind twice is the same tree', () => {
  assert.equal(schemaForKind('', 'v1', 'Pod'), schemaForKind('', 'v1', 'Pod'));
});

test('a CRD openAPIV3Schema honours preserve-unknown-fields, int-or-string, list types and embedded resources', () => {
  const s = schemaFromJSONSchemaProps({
    type: 'object',
    properties: {
      spec: {
        type: 'object',
        properties: {
          replicas: { type: 'integer', format: 'int32' },
          port: { 'x-kubernetes-int-or-string': true },
          items: { type: 'array', 'x-kubernetes-list-type': 'map', 'x-kubernetes-list-map-keys': ['name'], items: { type: 'object', properties: { name: { type: 'string' } } } },
          labels: { type: 'object', additionalProperties: { type: 'string' } },
          free: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true },
          anything: { 'x-kubernetes-preserve-unknown-fields': true },
          template: { type: 'object', 'x-kubernetes-embedded-resource': true, 'x-kubernetes-preserve-unknown-fields': true },
        },
      },
    },
  }) as ObjectNode;
  assert.equal(s.type, 'object');
  const root = s.fields();
  assert.ok(root.metadata && (root.metadata.schema as ObjectNode).ref?.endsWith('.ObjectMeta'), 'the root gets ObjectMeta');
  assert.ok(root.apiVersion && root.kind);
  const spec = (root.spec.schema as ObjectNode).fields();
  assert.deepEqual(pick(spec.replicas.schema), { type: 'integer', format: 'int32' });
  assert.equal(spec.port.schema.type === 'string' && spec.port.schema.intOrString, true);
  const items = spec.items.schema as ArrayNode;
  assert.deepEqual([items.listType, items.listMapKeys], ['map', ['name']]);
  assert.equal(spec.labels.schema.type, 'map');
  assert.equal((spec.free.schema as ObjectNode).preserveUnknownFields, true);
  assert.equal(spec.anything.schema.type, 'any');
  const tmpl = spec.template.schema as ObjectNode;
  assert.ok(tmpl.fields().metadata && tmpl.fields().kind, 'an embedded resource has apiVersion, kind and metadata');
  assert.equal(tmpl.preserveUnknownFields, true);
});

function pick(n: SchemaNode): Record<string, unknown> {
  const out: Record<string, unknown> = { type: n.type };
  if ('format' in n && n.format) out.format = n.format;
  return out;
}
