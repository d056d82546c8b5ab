// Hand-built schemas shaped like the built-in Deployment and ConfigMap, with exactly the tags
// server-side apply cares about (list types, merge keys, atomic structs).
import type { ArrayNode, FieldNode, MapNode, ObjectNode, ScalarNode, SchemaNode } from '../../../../src/api/schema.js';

const str: ScalarNode = { type: 'string' };
const int: ScalarNode = { type: 'integer' };
const strMap: MapNode = { type: 'map', values: str };

function obj(fields: Record<string, SchemaNode | FieldNode>, extra: Partial<ObjectNode> = {}): ObjectNode {
  const resolved: Record<string, FieldNode> = {};
  for (const [k, v] of Object.entries(fields)) resolved[k] = 'schema' in v ? v : { schema: v };
  return { type: 'object', fields: () => resolved, ...extra };
}

const ownerReference = obj({ apiVersion: str, kind: str, name: str, uid: str }, { mapType: 'atomic' });

export const objectMeta = obj({
  name: str,
  namespace: str,
  uid: str,
  resourceVersion: str,
  generation: int,
  creationTimestamp: str,
  labels: strMap,
  annotations: strMap,
  finalizers: { schema: { type: 'array', items: str } satisfies ArrayNode, patchStrategy: ['merge'] },
  ownerReferences: { schema: { type: 'array', items: ownerReference, listType: 'map', listMapKeys: ['uid'] } satisfies ArrayNode, patchStrategy: ['merge'], patchMergeKey: 'uid' },
  managedFields: { type: 'array', items: { type: 'any' } },
});

const containerPort = obj({ containerPort: int, name: str, protocol: str, hostPort: int });
const envVar = obj({ name: str, value: str });
const container = obj({
  name: str,
  image: str,
  args: { type: 'array', items: str, listType: 'atomic' },
  ports: {
    schema: { type: 'array', items: containerPort, listType: 'map', listMapKeys: ['containerPort', 'protocol'] } satisfies ArrayNode,
    patchStrategy: ['merge'],
    patchMergeKey: 'containerPort',
  },
  env: { schema: { type: 'array', items: envVar } satisfies ArrayNode, patchStrategy: ['merge'], patchMergeKey: 'name' },
  resources: obj({ limits: strMap, requests: strMap }),
});

const podSpec = obj({
  // Built-ins carry no listType here: patchStrategy=merge + patchMergeKey make it a list-map.
  containers: { schema: { type: 'array', items: container } satisfies ArrayNode, patchStrategy: ['merge'], patchMergeKey: 'name' },
  restartPolicy: str,
  nodeSelector: { type: 'map', values: str, mapType: 'atomic' },
});

const labelSelector = obj({ matchLabels: strMap }, { mapType: 'atomic' });

export const deploymentSchema: ObjectNode = obj({
  apiVersion: str,
  kind: str,
  metadata: objectMeta,
  spec: obj({
    replicas: int,
    selector: labelSelector,
    template: obj({ metadata: objectMeta, spec: podSpec }),
    strategy: obj({ type: str }),
  }),
  status: obj({ replicas: int, readyReplicas: int }),
});

export const configMapSchema: ObjectNode = obj({
  apiVersion: str,
  kind: str,
  metadata: objectMeta,
  data: strMap,
  binaryData: strMap,
  immutable: { type: 'boolean' },
});
