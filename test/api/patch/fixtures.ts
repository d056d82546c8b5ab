// Hand-built SchemaNode fixtures for the patch tests. They carry the patchStrategy /
// patchMergeKey tags of the real Kubernetes types (k8s.io/api core/v1, apps/v1, meta/v1), so the
// tests do not depend on the generated OpenAPI schemas, plus upstream's own test type MergeItem
// (apimachinery strategicpatch patch_test.go) so its cases can be ported.
import type { FieldNode, ObjectNode, SchemaNode } from '../../../src/api/schema.js';

export const str: SchemaNode = { type: 'string' };
export const int: SchemaNode = { type: 'integer' };
export const bool: SchemaNode = { type: 'boolean' };
export const intOrString: SchemaNode = { type: 'string', intOrString: true };

export const listOf = (items: SchemaNode): SchemaNode => ({ type: 'array', items });
export const mapOf = (values: SchemaNode): SchemaNode => ({ type: 'map', values });

/** A field with struct tags: `merge('name')`, `tags(['merge','retainKeys'], 'name')`. */
export const tagged = (schema: SchemaNode, patchStrategy: string[], patchMergeKey?: string): FieldNode => ({
  schema,
  patchStrategy,
  patchMergeKey,
});

type FieldSpec = SchemaNode | FieldNode;

function isFieldNode(f: FieldSpec): f is FieldNode {
  return typeof f === 'object' && 'schema' in f;
}

/** An object schema from its fields (a bare SchemaNode is a field without tags). */
export function struct(ref: string, fields: Record<string, FieldSpec>): ObjectNode {
  let resolved: Record<string, FieldNode> | undefined;
  return {
    type: 'object',
    ref,
    fields() {
      resolved ??= Object.fromEntries(
        Object.entries(fields).map(([k, f]) => [k, isFieldNode(f) ? f : { schema: f }]),
      );
      return resolved;
    },
  };
}

// --- upstream's MergeItem test type ---------------------------------------------------------

export const mergeItem: ObjectNode = struct('strategicpatch.MergeItem', {
  name: str,
  value: str,
  other: str,
  mergingList: tagged(listOf(lazy(() => mergeItem)), ['merge'], 'name'),
  nonMergingList: listOf(lazy(() => mergeItem)),
  mergingIntList: tagged(listOf(int), ['merge']),
  nonMergingIntList: listOf(int),
  mergeItemPtr: tagged(lazy(() => mergeItem), ['merge'], 'name'),
  simpleMap: mapOf(str),
  replacingItem: tagged({ type: 'any' }, ['replace']),
  retainKeysMap: tagged(
    lazy(() => retainKeysMergeItem),
    ['retainKeys'],
  ),
  retainKeysMergingList: tagged(listOf(lazy(() => mergeItem)), ['merge', 'retainKeys'], 'name'),
});

export const retainKeysMergeItem: ObjectNode = struct('strategicpatch.RetainKeysMergeItem', {
  name: str,
  value: str,
  other: str,
  simpleMap: mapOf(str),
  mergingIntList: tagged(listOf(int), ['merge']),
  mergingList: tagged(listOf(lazy(() => mergeItem)), ['merge'], 'name'),
  nonMergingList: listOf(lazy(() => mergeItem)),
});

/** A schema node that resolves its target on first use, so fixtures can refer to themselves. */
function lazy(target: () => ObjectNode): SchemaNode {
  const node: ObjectNode = {
    type: 'object',
    get ref() {
      return target().ref;
    },
    fields: () => target().fields(),
  };
  return node;
}

// --- the real types' tags ---------------------------------------------------------------------

export const objectMeta = struct('io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta', {
  name: str,
  namespace: str,
  labels: mapOf(str),
  annotations: mapOf(str),
  finalizers: tagged(listOf(str), ['merge']),
  ownerReferences: tagged(
    listOf(struct('io.k8s.apimachinery.pkg.apis.meta.v1.OwnerReference', { apiVersion: str, kind: str, name: str, uid: str, controller: bool })),
    ['merge'],
    'uid',
  ),
  resourceVersion: str,
  uid: str,
});

const resourceRequirements = struct('io.k8s.api.core.v1.ResourceRequirements', {
  limits: mapOf(intOrString),
  requests: mapOf(intOrString),
});

export const container = struct('io.k8s.api.core.v1.Container', {
  name: str,
  image: str,
  command: listOf(str),
  args: listOf(str),
  ports: tagged(
    listOf(struct('io.k8s.api.core.v1.ContainerPort', { name: str, containerPort: int, protocol: str, hostPort: int })),
    ['merge'],
    'containerPort',
  ),
  env: tagged(
    listOf(struct('io.k8s.api.core.v1.EnvVar', { name: str, value: str, valueFrom: { type: 'any' } })),
    ['merge'],
    'name',
  ),
  resources: resourceRequirements,
  volumeMounts: tagged(
    listOf(struct('io.k8s.api.core.v1.VolumeMount', { name: str, mountPath: str, readOnly: bool })),
    ['merge'],
    'mountPath',
  ),
  imagePullPolicy: str,
});

const volume = struct('io.k8s.api.core.v1.Volume', {
  name: str,
  emptyDir: struct('io.k8s.api.core.v1.EmptyDirVolumeSource', { medium: str, sizeLimit: intOrString }),
  configMap: struct('io.k8s.api.core.v1.ConfigMapVolumeSource', { name: str, defaultMode: int }),
  secret: struct('io.k8s.api.core.v1.SecretVolumeSource', { secretName: str, defaultMode: int }),
});

export const podSpec = struct('io.k8s.api.core.v1.PodSpec', {
  containers: tagged(listOf(container), ['merge'], 'name'),
  initContainers: tagged(listOf(container), ['merge'], 'name'),
  volumes: tagged(listOf(volume), ['merge', 'retainKeys'], 'name'),
  imagePullSecrets: tagged(listOf(struct('io.k8s.api.core.v1.LocalObjectReference', { name: str })), ['merge'], 'name'),
  // Tolerations carry no patch strategy: the list is replaced.
  tolerations: listOf(struct('io.k8s.api.core.v1.Toleration', { key: str, operator: str, value: str, effect: str })),
  nodeSelector: mapOf(str),
  restartPolicy: str,
  serviceAccountName: str,
});

export const pod = struct('io.k8s.api.core.v1.Pod', {
  apiVersion: str,
  kind: str,
  metadata: objectMeta,
  spec: podSpec,
  status: { type: 'any' },
});

const labelSelector = struct('io.k8s.apimachinery.pkg.apis.meta.v1.LabelSelector', {
  matchLabels: mapOf(str),
  matchExpressions: listOf({ type: 'any' }),
});

const deploymentStrategy = struct('io.k8s.api.apps.v1.DeploymentStrategy', {
  type: str,
  rollingUpdate: struct('io.k8s.api.apps.v1.RollingUpdateDeployment', { maxSurge: intOrString, maxUnavailable: intOrString }),
});

export const deployment = struct('io.k8s.api.apps.v1.Deployment', {
  apiVersion: str,
  kind: str,
  metadata: objectMeta,
  spec: struct('io.k8s.api.apps.v1.DeploymentSpec', {
    replicas: int,
    selector: labelSelector,
    template: struct('io.k8s.api.core.v1.PodTemplateSpec', { metadata: objectMeta, spec: podSpec }),
    strategy: tagged(deploymentStrategy, ['retainKeys']),
    minReadySeconds: int,
  }),
  status: { type: 'any' },
});

export const service = struct('io.k8s.api.core.v1.Service', {
  apiVersion: str,
  kind: str,
  metadata: objectMeta,
  spec: struct('io.k8s.api.core.v1.ServiceSpec', {
    type: str,
    selector: mapOf(str),
    clusterIP: str,
    ports: tagged(
      listOf(struct('io.k8s.api.core.v1.ServicePort', { name: str, port: int, targetPort: intOrString, protocol: str, nodePort: int })),
      ['merge'],
      'port',
    ),
  }),
});
